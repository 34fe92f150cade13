import IPCore
import BGPWire

/// Which way ADD-PATH path identifiers may flow for one family (RFC 7911 §4), from our side.
public enum AddPathMode: String, Hashable, Sendable, CaseIterable {
    /// No ADD-PATH for the family (nothing advertised).
    case none
    /// We can send several paths per prefix.
    case send
    /// We can receive several paths per prefix.
    case receive
    /// Both.
    case both

    /// The capability direction to advertise, nil for ``none``.
    public var direction: AddPathCapability.Direction? {
        switch self {
        case .none: nil
        case .send: .send
        case .receive: .receive
        case .both: .both
        }
    }
}

/// What we advertise in the Graceful Restart capability (RFC 4724 §3).
public struct GracefulRestartConfig: Hashable, Sendable {
    /// Restart Time in seconds (at most 4095): how long the peer should keep our routes.
    public var restartTime: UInt16
    /// R bit: we have just restarted (RFC 4724 §3).
    public var restarting: Bool
    /// F bit for every advertised family: our forwarding state survived the restart.
    public var forwardingStatePreserved: Bool
    /// N bit (RFC 8538 §2): graceful restart also on NOTIFICATION.
    public var notification: Bool

    /// Defaults as BIRD's `graceful restart` (restart time 120 s), no flags set.
    public init(restartTime: UInt16 = 120, restarting: Bool = false, forwardingStatePreserved: Bool = false,
                notification: Bool = false) {
        self.restartTime = restartTime
        self.restarting = restarting
        self.forwardingStatePreserved = forwardingStatePreserved
        self.notification = notification
    }
}

/// Idle-hold back-off after errors, like BIRD's `error wait time 5,30` and
/// `error forget time` (RFC 4271 §8.1.1 DampPeerOscillations, IdleHoldTimer).
///
/// After the n-th consecutive failure the machine waits `min(initial * 2^(n-1), maximum)`
/// in Idle before starting again: 5, 10, 20, 30, 30 s with the defaults. The count
/// goes back to zero when a session that stayed Established for at least `resetAfter`
/// goes down, and on ``SessionEvent/manualStart`` / ``SessionEvent/manualStop``.
public struct IdleHoldBackoff: Hashable, Sendable {
    /// Wait after the first failure (5 s).
    public var initial: Duration
    /// Longest wait (30 s).
    public var maximum: Duration
    /// How long a session must stay Established to forget earlier failures (BIRD's
    /// `error forget time`, 300 s).
    public var resetAfter: Duration

    /// The defaults are BIRD's (`error wait time 5,30; error forget time 300`).
    public init(initial: Duration = .seconds(5), maximum: Duration = .seconds(30), resetAfter: Duration = .seconds(300)) {
        self.initial = initial
        self.maximum = maximum
        self.resetAfter = resetAfter
    }

    /// The idle hold time after `failures` consecutive failures (`failures >= 1`).
    public func delay(afterFailures failures: Int) -> Duration {
        var d = initial
        var n = 1
        while n < failures && d < maximum {
            d = d * 2
            n += 1
        }
        return min(d, maximum)
    }
}

/// The configuration of one BGP session.
public struct SessionConfig: Hashable, Sendable {
    /// Our AS number (4-octet; sent as AS_TRANS in My AS when above 65535, RFC 6793).
    public var localAS: UInt32
    /// The AS the peer must announce (RFC 4271 §6.2, else 2/2).
    public var peerAS: UInt32
    /// Our BGP identifier (RFC 4271 §4.2, RFC 6286).
    public var localID: IPv4Address
    /// Proposed hold time in seconds: 0 (no keepalives) or 3...65535. Default 90.
    public var holdTime: UInt16
    /// Time between outgoing connection attempts (RFC 4271 §8: ConnectRetryTimer).
    /// Default 5 s, as Calico's `connect retry time 5`.
    public var connectRetryTime: Duration
    /// The wait after a connection attempt that failed at once (refused: the peer is not
    /// listening yet, as when a whole mesh starts together) while no connection has come up
    /// since the start; it doubles with each such failure until it reaches
    /// ``connectRetryTime``, which then applies as always. Default 1 s. Set it to
    /// ``connectRetryTime`` or more to retry only every ``connectRetryTime``.
    public var refusedConnectRetryTime: Duration
    /// Hold timer while waiting for the peer's OPEN (RFC 4271 §8.2.2 suggests 4 minutes).
    public var openHoldTime: Duration
    /// Never connect; wait in Active for the peer (BIRD `passive on`).
    public var passive: Bool
    /// Families to advertise in Multiprotocol capabilities (RFC 4760 §8), in order.
    public var families: [AddressFamily]
    /// ADD-PATH per family (RFC 7911); families not listed are ``AddPathMode/none``.
    public var addPath: [AddressFamily: AddPathMode]
    /// Graceful Restart to advertise (RFC 4724), nil for none.
    public var gracefulRestart: GracefulRestartConfig?
    /// Long-lived stale time we advertise in the LLGR capability (RFC 9494 §3), seconds
    /// (at most 16777215); nil or 0: no LLGR capability.
    public var longLivedStaleTime: UInt32?
    /// Advertise Route Refresh (RFC 2918). Default true.
    public var routeRefresh: Bool
    /// Advertise Enhanced Route Refresh (RFC 7313). Default true, as BIRD.
    public var enhancedRouteRefresh: Bool
    /// Advertise BGP Extended Message (RFC 8654). Default false.
    public var extendedMessage: Bool
    /// Back-off in Idle after errors.
    public var idleHold: IdleHoldBackoff
    /// Send hold time (RFC 9687); nil for the default ``defaultSendHoldTime``.
    public var sendHoldTime: Duration?

    /// A configuration; call ``validate()`` (the machine's initializer does) before use.
    public init(localAS: UInt32, peerAS: UInt32, localID: IPv4Address, holdTime: UInt16 = 90,
                connectRetryTime: Duration = .seconds(5), refusedConnectRetryTime: Duration = .seconds(1),
                openHoldTime: Duration = .seconds(240),
                passive: Bool = false, families: [AddressFamily] = [.ipv4Unicast],
                addPath: [AddressFamily: AddPathMode] = [:], gracefulRestart: GracefulRestartConfig? = nil,
                routeRefresh: Bool = true, enhancedRouteRefresh: Bool = true, extendedMessage: Bool = false,
                idleHold: IdleHoldBackoff = IdleHoldBackoff(), sendHoldTime: Duration? = nil) {
        self.localAS = localAS
        self.peerAS = peerAS
        self.localID = localID
        self.holdTime = holdTime
        self.connectRetryTime = connectRetryTime
        self.refusedConnectRetryTime = refusedConnectRetryTime
        self.openHoldTime = openHoldTime
        self.passive = passive
        self.families = families
        self.addPath = addPath
        self.gracefulRestart = gracefulRestart
        self.routeRefresh = routeRefresh
        self.enhancedRouteRefresh = enhancedRouteRefresh
        self.extendedMessage = extendedMessage
        self.idleHold = idleHold
        self.sendHoldTime = sendHoldTime
    }

    /// eBGP when the ASes differ (RFC 4271 §3).
    public var peerIsExternal: Bool { localAS != peerAS }

    /// RFC 9687 §3 default: max(8 minutes, 2 x hold time).
    public var defaultSendHoldTime: Duration { max(.seconds(480), .seconds(2 * Int(holdTime))) }

    /// The send hold time in force.
    public var effectiveSendHoldTime: Duration { sendHoldTime ?? defaultSendHoldTime }

    /// A configuration the machine cannot run with.
    public struct Invalid: Error, Hashable, Sendable, CustomStringConvertible {
        /// Every problem found, one sentence each.
        public var problems: [String]
        public var description: String { problems.joined(separator: "; ") }
    }

    /// Throws every problem at once: hold time 1 or 2, AS 0, identifier 0, no families,
    /// restart time over 4095, non-positive timers.
    public func validate() throws(Invalid) {
        var p: [String] = []
        if holdTime == 1 || holdTime == 2 { p.append("hold time \(holdTime)s: must be 0 or at least 3 (RFC 4271 §4.2)") }
        if localAS == 0 { p.append("local AS 0 is reserved (RFC 7607)") }
        if peerAS == 0 { p.append("peer AS 0 is reserved (RFC 7607)") }
        if localID.value == 0 { p.append("BGP identifier 0.0.0.0 is not allowed (RFC 6286)") }
        if families.isEmpty { p.append("no address family to advertise") }
        if let gr = gracefulRestart, gr.restartTime > GracefulRestartCapability.maxRestartTime {
            p.append("graceful restart time \(gr.restartTime)s exceeds 4095")
        }
        if connectRetryTime <= .zero { p.append("connect retry time must be positive") }
        if refusedConnectRetryTime <= .zero { p.append("refused connect retry time must be positive") }
        if openHoldTime <= .zero { p.append("open hold time must be positive") }
        if idleHold.initial <= .zero || idleHold.maximum < idleHold.initial {
            p.append("idle hold back-off needs 0 < initial <= maximum")
        }
        if effectiveSendHoldTime <= .zero { p.append("send hold time must be positive") }
        if !p.isEmpty { throw Invalid(problems: p) }
    }
}
