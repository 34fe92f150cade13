import BGPWire

/// Something the driver must do; the only way the machine affects the world.
/// Perform them in order.
public enum SessionAction: Hashable, Sendable {
    /// Start an outgoing TCP connection to the peer (port 179). Report the outcome with
    /// ``SessionEvent/tcpConnectionConfirmed`` or ``SessionEvent/tcpConnectionFails``.
    case connect
    /// Close this machine's TCP connection, or abandon the connection attempt in
    /// progress, after writing what is queued (a NOTIFICATION just sent included).
    case closeConnection
    /// Encode (with ``SessionMachine/encodeContext``) and write a message.
    case send(BGPMessage)
    /// The session reached Established. Decode from now on with `decodeContext`, encode
    /// with `encodeContext`; tell the RIB the peer is up with what was negotiated.
    case established(NegotiatedCapabilities, peerOpen: OpenMessage, decodeContext: CodecContext,
                     encodeContext: CodecContext)
    /// An UPDATE for the RIB, RFC 7606 issues included (treat-as-withdraw: the RIB removes
    /// its prefixes; attribute discard: already applied by the codec).
    case deliverUpdate(DecodedMessage)
    /// The peer asked for (or, RFC 7313, brackets) a re-advertisement of a family.
    case deliverRouteRefresh(RouteRefreshMessage)
    /// An Established session ended: the RIB withdraws this peer's routes. Only emitted
    /// after ``established(_:peerOpen:decodeContext:encodeContext:)``; failures before
    /// Established are in ``SessionMachine/lastError``.
    case sessionDown(reason: String, notificationSent: NotificationMessage?, notificationReceived: NotificationMessage?)
}

extension SessionAction: CustomStringConvertible {
    /// One line for logs.
    public var description: String {
        switch self {
        case .connect: "connect"
        case .closeConnection: "close"
        case .send(.open(let m)): "send \(m)"
        case .send(.notification(let n)): "send NOTIFICATION \(n)"
        case .send(let m): "send \(m.type)"
        case .established(let caps, let open, _, _):
            "established with \(open.bgpIdentifier) AS \(open.asNumber) hold \(caps.holdTime) families \(caps.families.sorted().map(\.description))"
        case .deliverUpdate(let d): "deliver UPDATE" + (d.issues.isEmpty ? "" : " (\(d.issues.count) issues)")
        case .deliverRouteRefresh(let r): "deliver \(r)"
        case .sessionDown(let reason, _, _): "session down: \(reason)"
        }
    }
}
