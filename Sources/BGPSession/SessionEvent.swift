import BGPWire

/// An input to the session machine, named after RFC 4271 §8.1 (event numbers in brackets).
///
/// Timer events are normally produced by ``SessionMachine/advance(to:)`` from the
/// machine's own deadlines; they are public so tests and drivers can inject them.
public enum SessionEvent: Hashable, Sendable {
    // MARK: Administrative (§8.1.2)
    /// [1] ManualStart (with PassiveTcpEstablishment [4] when the config is passive).
    case manualStart
    /// [2] ManualStop: send `notification` (default Cease 2, Administrative Shutdown) if a
    /// connection is open, then close. Use Cease 3 (peer de-configured), 4 (admin reset)
    /// or 6 (other configuration change) as appropriate (RFC 4486).
    case manualStop(NotificationMessage?)
    /// [3] AutomaticStart: what the idle hold timer delivers; also usable by a driver.
    case automaticStart

    // MARK: TCP (§8.1.4)
    /// [17] TcpConnectionConfirmed: our outgoing connection succeeded.
    case tcpConnectionConfirmed
    /// [16] Tcp_CR_Acked / [14] TcpConnection_Valid: an incoming connection was attached
    /// to this machine.
    case tcpConnectionAccepted
    /// [18] TcpConnectionFails: connect failed, or the connection was reset/closed.
    case tcpConnectionFails

    // MARK: Messages (§8.1.5)
    /// [19] BGPOpen: a well-formed OPEN (the codec has done the checks it can).
    case bgpOpen(OpenMessage)
    /// [21] BGPHeaderErr: framing error (NOTIFICATION code 1).
    case bgpHeaderErr(MessageError)
    /// [22] BGPOpenMsgErr: malformed OPEN (code 2).
    case bgpOpenMsgErr(MessageError)
    /// [28] UpdateMsgErr: an UPDATE (code 3) or ROUTE-REFRESH (code 7) that resets the session.
    case updateMsgErr(MessageError)
    /// [25] NotifMsg.
    case notifMsg(NotificationMessage)
    /// [26] KeepAliveMsg.
    case keepAliveMsg
    /// [27] UpdateMsg, with RFC 7606 issues (treat-as-withdraw keeps the session).
    case updateMsg(DecodedMessage)
    /// ROUTE-REFRESH received (RFC 2918, RFC 7313; not numbered in RFC 4271).
    case routeRefreshMsg(RouteRefreshMessage)
    /// [23] OpenCollisionDump: this connection lost collision resolution (RFC 4271 §6.8):
    /// send Cease 7 and close.
    case openCollisionDump

    // MARK: Timers (§8.1.3)
    /// [9] ConnectRetryTimer_Expires.
    case connectRetryTimerExpires
    /// [10] HoldTimer_Expires.
    case holdTimerExpires
    /// [11] KeepaliveTimer_Expires.
    case keepaliveTimerExpires
    /// [13] IdleHoldTimer_Expires.
    case idleHoldTimerExpires
    /// SendHoldTimer expiry (RFC 9687 §3).
    case sendHoldTimerExpires

    // MARK: Output progress (RFC 9687)
    /// The driver could not write everything: its output queue is not empty. Starts the
    /// send hold timer if it is not running.
    case writeBlocked
    /// The driver wrote some bytes. `drained`: the output queue is now empty (stops the
    /// send hold timer); otherwise the timer restarts, since the peer is reading.
    case writeProgress(drained: Bool)
}

extension SessionEvent {
    /// The event for a message decoded from the peer.
    public static func received(_ decoded: DecodedMessage) -> SessionEvent {
        switch decoded.message {
        case .open(let m): .bgpOpen(m)
        case .update: .updateMsg(decoded)
        case .notification(let m): .notifMsg(m)
        case .keepalive: .keepAliveMsg
        case .routeRefresh(let m): .routeRefreshMsg(m)
        }
    }

    /// The event for a decode failure: code 1 -> ``bgpHeaderErr(_:)``, code 2 ->
    /// ``bgpOpenMsgErr(_:)``, anything else (3, 7) -> ``updateMsgErr(_:)``.
    public static func decodeFailed(_ error: MessageError) -> SessionEvent {
        switch error.notification.code {
        case NotificationCode.messageHeaderError: .bgpHeaderErr(error)
        case NotificationCode.openMessageError: .bgpOpenMsgErr(error)
        default: .updateMsgErr(error)
        }
    }
}
