import BGPWire
import IPCore
import RIB

/// One input of the ``RouteEngine``: what a session, the configuration or the clock reports.
public enum RouteEngineEvent: Sendable, Equatable {
    /// A peer's session reached Established (RFC 4271 §8.2.2): register it, send the table.
    case established(PeerID, SessionFacts)
    /// An UPDATE arrived (RFC 7606 treat-as-withdraw already decided by the codec).
    case update(PeerID, UpdateMessage, treatAsWithdraw: Bool)
    /// The peer asked for our routes of `family` again (RFC 2918 / RFC 7313).
    case routeRefresh(PeerID, AddressFamily)
    /// An Established session ended. With a restart time (the peer can restart gracefully
    /// and no NOTIFICATION was exchanged, RFC 4724 §4.2) its routes stay as stale for that
    /// many seconds; without, they are withdrawn now.
    /// With a long-lived stale time (RFC 9494 §4.2) the routes then stay, marked
    /// LLGR_STALE and least preferred, for that many seconds more (at once when the restart
    /// time is nil or 0).
    case down(PeerID, gracefulRestartTime: UInt16?, longLivedStaleTime: UInt32? = nil)
    /// The peer was de-configured (reload or shutdown): everything it sent goes.
    case removed(PeerID)
    /// Prefixes this node originates (its blocks, borrowed workload addresses).
    case originate([IPPrefix])
    /// Prefixes no longer originated.
    case withdrawOriginated([IPPrefix])
}
