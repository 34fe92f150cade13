import IPCore
import BGPSession
import BGPWire
import EventLoop

/// What a ``Peer`` reports to the speaker: the RIB-facing side of a session.
/// All calls arrive on the event loop.
protocol PeerDelegate: AnyObject {
    /// The session reached Established: register the peer with the RIB, send it the table.
    func peerEstablished(_ peer: Peer, negotiated: NegotiatedCapabilities, peerOpen: OpenMessage,
                         decodeContext: CodecContext, encodeContext: CodecContext, localAddress: IPAddress?)
    /// An UPDATE arrived (RFC 7606 issues attached; treat-as-withdraw keeps the session).
    func peer(_ peer: Peer, received update: DecodedMessage)
    /// The peer asked for our routes again (RFC 2918 / RFC 7313).
    func peer(_ peer: Peer, requestedRefresh: RouteRefreshMessage)
    /// An Established session ended: withdraw the peer's routes — or, when the peer can
    /// restart gracefully and no NOTIFICATION was exchanged (RFC 4724 §4.2), keep them as
    /// stale for `gracefulRestartTime` seconds (nil: withdraw now).
    /// With `longLivedStaleTime` (RFC 9494) they then stay as LLGR_STALE that many seconds more.
    func peerWentDown(_ peer: Peer, reason: String, gracefulRestartTime: UInt16?, longLivedStaleTime: UInt32?)
}
