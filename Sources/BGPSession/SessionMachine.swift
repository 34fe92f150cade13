import BGPWire

/// The deadlines of the session's timers (RFC 4271 §8 and RFC 9687); nil = not running.
public struct SessionTimers: Hashable, Sendable {
    /// ConnectRetryTimer: retry an outgoing connection (Connect, Active).
    public internal(set) var connectRetry: Instant?
    /// HoldTimer: the peer has been silent too long (OpenSent, OpenConfirm, Established).
    public internal(set) var hold: Instant?
    /// KeepaliveTimer: time to send a KEEPALIVE (OpenConfirm, Established).
    public internal(set) var keepalive: Instant?
    /// IdleHoldTimer: the back-off in Idle after an error ends.
    public internal(set) var idleHold: Instant?
    /// SendHoldTimer (RFC 9687): our output has been stuck too long.
    public internal(set) var sendHold: Instant?

    /// Every running timer with its deadline and expiry event, in a fixed order.
    var running: [(Instant, SessionEvent)] {
        var out: [(Instant, SessionEvent)] = []
        if let t = hold { out.append((t, .holdTimerExpires)) }
        if let t = sendHold { out.append((t, .sendHoldTimerExpires)) }
        if let t = keepalive { out.append((t, .keepaliveTimerExpires)) }
        if let t = connectRetry { out.append((t, .connectRetryTimerExpires)) }
        if let t = idleHold { out.append((t, .idleHoldTimerExpires)) }
        return out
    }

    /// Stops every timer but the idle hold timer.
    mutating func stopConnectionTimers() {
        connectRetry = nil
        hold = nil
        keepalive = nil
        sendHold = nil
    }

    /// Stops the timer an expiry event belongs to.
    mutating func clear(_ event: SessionEvent) {
        switch event {
        case .connectRetryTimerExpires: connectRetry = nil
        case .holdTimerExpires: hold = nil
        case .keepaliveTimerExpires: keepalive = nil
        case .idleHoldTimerExpires: idleHold = nil
        case .sendHoldTimerExpires: sendHold = nil
        default: break
        }
    }
}

/// Why the session last went down or failed to come up (for `tern status`' INFO column).
public struct SessionError: Hashable, Sendable, CustomStringConvertible {
    /// What happened ("hold timer expired", "peer AS 65002, expected 65001").
    public var reason: String
    /// The state the machine was in.
    public var state: SessionState
    /// When.
    public var at: Instant
    /// The NOTIFICATION we sent, if any.
    public var notificationSent: NotificationMessage?
    /// The NOTIFICATION the peer sent, if any.
    public var notificationReceived: NotificationMessage?

    /// "OpenSent: peer AS 65002, expected 65001 (sent OPEN Message Error / Bad Peer AS (2/2))".
    public var description: String {
        var s = "\(state): \(reason)"
        if let n = notificationSent { s += " (sent \(n))" }
        if let n = notificationReceived { s += " (received \(n))" }
        return s
    }
}

/// The RFC 4271 §8 finite state machine of one BGP connection, as a value.
///
/// The driver calls ``handle(_:now:)`` for every event and ``advance(to:)`` when
/// ``nextDeadline`` is reached, and performs the returned ``SessionAction``s in order.
/// Nothing else changes the world: the machine has no I/O, no clock and no logging.
///
/// One machine drives at most one TCP connection. During a connection collision
/// (RFC 4271 §6.8) the driver runs a second machine for the second connection and uses
/// ``CollisionResolver`` to pick the survivor (see that type for the procedure).
///
/// Per-state rules are in `SessionMachine+States.swift`, one handler per state under a
/// numbered rule table; OPEN checks are in `SessionMachine+Open.swift`.
public struct SessionMachine: Sendable {
    /// The configuration (validated).
    public let config: SessionConfig
    /// The current state.
    public internal(set) var state: SessionState = .idle
    /// Timer deadlines.
    public internal(set) var timers = SessionTimers()
    /// Started (manual or automatic start) and not manually stopped: errors then lead to
    /// an automatic restart after the idle hold time.
    public internal(set) var isEnabled = false
    /// Failures since the last reset of the back-off (see ``IdleHoldBackoff``).
    public internal(set) var consecutiveFailures = 0
    /// The OPEN we send.
    public let localOpen: OpenMessage
    /// The peer's accepted OPEN (OpenConfirm, Established).
    public internal(set) var peerOpen: OpenMessage?
    /// What was negotiated (OpenConfirm, Established).
    public internal(set) var negotiated: NegotiatedCapabilities?
    /// When the session last entered Established.
    public internal(set) var establishedAt: Instant?
    /// Why the session last failed or went down.
    public internal(set) var lastError: SessionError?
    /// The wait before the next attempt when the current one is refused, while no
    /// connection has come up since the start (``SessionConfig/refusedConnectRetryTime``,
    /// doubling); nil once it reached the connect retry time, after a connection came up or
    /// after an attempt that timed out.
    public internal(set) var refusedRetry: Duration?

    /// A machine in Idle; nothing happens until ``SessionEvent/manualStart``.
    public init(config: SessionConfig) throws(SessionConfig.Invalid) {
        try config.validate()
        self.config = config
        self.localOpen = Self.makeOpen(config)
    }

    // MARK: - Driver interface

    /// The earliest timer deadline, if any timer runs: arm one timer for it and call
    /// ``advance(to:)`` when it fires.
    public var nextDeadline: Instant? { timers.running.map(\.0).min() }

    /// Fires every timer whose deadline is at or before `now`, earliest first, and returns
    /// all the resulting actions.
    public mutating func advance(to now: Instant) -> [SessionAction] {
        var out: [SessionAction] = []
        // Each expiry stops its timer and re-arms it only later than `now` (all intervals
        // are positive), so this loop ends.
        while let (_, event) = timers.running.filter({ $0.0 <= now }).min(by: { $0.0 < $1.0 }) {
            timers.clear(event)
            out += handle(event, now: now)
        }
        return out
    }

    /// Processes one event at time `now` (RFC 4271 §8.2.2) and returns the actions to take.
    public mutating func handle(_ event: SessionEvent, now: Instant) -> [SessionAction] {
        timers.clear(event)
        // RFC 9687 output tracking is the same in every state that owns a connection.
        switch event {
        case .writeBlocked:
            if state.hasConnection && timers.sendHold == nil {
                timers.sendHold = now + config.effectiveSendHoldTime
            }
            return []
        case .writeProgress(let drained):
            if state.hasConnection && !drained && timers.sendHold != nil {
                timers.sendHold = now + config.effectiveSendHoldTime
            } else {
                timers.sendHold = nil
            }
            return []
        default:
            break
        }
        switch state {
        case .idle: return idle(event, now: now)
        case .connect: return connect(event, now: now)
        case .active: return active(event, now: now)
        case .openSent: return openSent(event, now: now)
        case .openConfirm: return openConfirm(event, now: now)
        case .established: return established(event, now: now)
        }
    }

    /// The context for decoding what the peer sends: ``CodecContext/initial`` until the
    /// OPENs are exchanged, then the negotiated one; `peerIsExternal` always set.
    public var decodeContext: CodecContext {
        var c = negotiated?.decodeContext ?? .initial
        c.peerIsExternal = config.peerIsExternal
        return c
    }

    /// The context for encoding what we send.
    public var encodeContext: CodecContext { negotiated?.encodeContext ?? .initial }

    /// The KEEPALIVE interval: a third of the negotiated hold time (RFC 4271 §10); nil
    /// when the hold time is 0 or not negotiated yet.
    public var keepaliveInterval: Duration? {
        guard let hold = negotiated?.holdTime, hold > 0 else { return nil }
        return .milliseconds(Int(hold) * 1000 / 3)
    }

    // MARK: - Shared transitions (used by the state handlers)

    /// Idle -> Connect (sending `.connect`) or, when passive, Active (§8.2.2 Idle rule 1).
    mutating func start(now: Instant, automatic: Bool) -> [SessionAction] {
        isEnabled = true
        if !automatic { consecutiveFailures = 0 }
        timers = SessionTimers()
        if config.passive {
            state = .active
            return []
        }
        timers.connectRetry = now + config.connectRetryTime
        refusedRetry = config.refusedConnectRetryTime < config.connectRetryTime ? config.refusedConnectRetryTime : nil
        state = .connect
        return [.connect]
    }

    /// Connect/Active -> OpenSent when TCP comes up: send OPEN, hold timer to the large
    /// value (§8.2.2 Connect rule 4, Active rule 3).
    mutating func connectionUp(now: Instant) -> [SessionAction] {
        timers.stopConnectionTimers()
        refusedRetry = nil
        timers.hold = now + config.openHoldTime
        state = .openSent
        return [.send(.open(localOpen))]
    }

    /// Back to Active after the TCP connection was lost before OPENs were exchanged,
    /// with the connect retry timer running unless passive (§8.2.2 OpenSent rule 5).
    mutating func backToActive(now: Instant, close: Bool, reason: String) -> [SessionAction] {
        lastError = SessionError(reason: reason, state: state, at: now)
        timers.stopConnectionTimers()
        if !config.passive { timers.connectRetry = now + config.connectRetryTime }
        state = .active
        return close ? [.closeConnection] : []
    }

    /// Any state -> Idle after an error: send `sent` (when a connection is open), close,
    /// report the end of an Established session, count the failure and arm the idle
    /// hold timer (RFC 4271 §8.1.1 DampPeerOscillations).
    mutating func fail(now: Instant, reason: String, sent: NotificationMessage? = nil,
                       received: NotificationMessage? = nil, countsAsFailure: Bool = true) -> [SessionAction] {
        var out: [SessionAction] = []
        if let n = sent, state.hasConnection { out.append(.send(.notification(n))) }
        if state.hasConnection || state == .connect { out.append(.closeConnection) }
        if state == .established {
            out.append(.sessionDown(reason: reason, notificationSent: sent, notificationReceived: received))
            if let since = establishedAt, now - since >= config.idleHold.resetAfter { consecutiveFailures = 0 }
        }
        lastError = SessionError(reason: reason, state: state, at: now, notificationSent: sent, notificationReceived: received)
        timers = SessionTimers()
        if countsAsFailure {
            consecutiveFailures += 1
            if isEnabled { timers.idleHold = now + config.idleHold.delay(afterFailures: consecutiveFailures) }
        }
        dropSessionState()
        return out
    }

    /// Any state -> Idle on ManualStop: Cease (default 2) when connected, no back-off,
    /// no automatic restart.
    mutating func stop(now: Instant, notification: NotificationMessage?) -> [SessionAction] {
        let cease = notification ?? NotificationMessage(code: NotificationCode.cease,
                                                        subcode: NotificationCode.Cease.administrativeShutdown)
        var out: [SessionAction] = []
        if state.hasConnection { out.append(.send(.notification(cease))) }
        if state.hasConnection || state == .connect { out.append(.closeConnection) }
        if state == .established {
            out.append(.sessionDown(reason: "stopped by administrator", notificationSent: cease, notificationReceived: nil))
        }
        if state != .idle {
            lastError = SessionError(reason: "stopped by administrator", state: state, at: now,
                                     notificationSent: state.hasConnection ? cease : nil)
        }
        isEnabled = false
        consecutiveFailures = 0
        timers = SessionTimers()
        dropSessionState()
        return out
    }

    private mutating func dropSessionState() {
        state = .idle
        peerOpen = nil
        negotiated = nil
        establishedAt = nil
    }

    /// Sends a KEEPALIVE and restarts the keepalive timer (§8.2.2 OpenConfirm rule 3,
    /// Established rule 3).
    mutating func sendKeepalive(now: Instant) -> [SessionAction] {
        if let interval = keepaliveInterval { timers.keepalive = now + interval }
        return [.send(.keepalive)]
    }

    /// Restarts the hold timer with the negotiated hold time (none when it is 0).
    mutating func restartHoldTimer(now: Instant) {
        if let hold = negotiated?.holdTime, hold > 0 {
            timers.hold = now + .seconds(Int(hold))
        } else {
            timers.hold = nil
        }
    }

    /// The NOTIFICATION for an FSM error in the current state (RFC 6608 §3).
    var fsmError: NotificationMessage {
        let sub: UInt8 = switch state {
        case .openSent: NotificationCode.FSM.unexpectedMessageInOpenSent
        case .openConfirm: NotificationCode.FSM.unexpectedMessageInOpenConfirm
        case .established: NotificationCode.FSM.unexpectedMessageInEstablished
        case .idle, .connect, .active: NotificationCode.FSM.unspecified
        }
        return NotificationMessage(code: NotificationCode.finiteStateMachineError, subcode: sub)
    }

    /// Hold Timer Expired, 4/0 (RFC 4271 §6.5).
    static let holdTimerExpired = NotificationMessage(code: NotificationCode.holdTimerExpired, subcode: 0)
    /// Send Hold Timer Expired, 8/0 (RFC 9687 §3).
    static let sendHoldTimerExpired = NotificationMessage(code: NotificationCode.sendHoldTimerExpired, subcode: 0)
    /// Cease / Connection Collision Resolution, 6/7 (RFC 4486 §4).
    static let collisionCease = NotificationMessage(code: NotificationCode.cease,
                                                    subcode: NotificationCode.Cease.connectionCollisionResolution)
}

extension SessionEvent {
    /// A short name for reasons and logs ("KEEPALIVE", "hold timer expiry").
    var name: String {
        switch self {
        case .manualStart: "manual start"
        case .manualStop: "manual stop"
        case .automaticStart: "automatic start"
        case .tcpConnectionConfirmed: "outgoing connection up"
        case .tcpConnectionAccepted: "incoming connection"
        case .tcpConnectionFails: "connection failed"
        case .bgpOpen: "OPEN"
        case .bgpHeaderErr(let e), .bgpOpenMsgErr(let e), .updateMsgErr(let e): "bad message (\(e.reason))"
        case .notifMsg: "NOTIFICATION"
        case .keepAliveMsg: "KEEPALIVE"
        case .updateMsg: "UPDATE"
        case .routeRefreshMsg: "ROUTE-REFRESH"
        case .openCollisionDump: "collision resolution"
        case .connectRetryTimerExpires: "connect retry timer expiry"
        case .holdTimerExpires: "hold timer expiry"
        case .keepaliveTimerExpires: "keepalive timer expiry"
        case .idleHoldTimerExpires: "idle hold timer expiry"
        case .sendHoldTimerExpires: "send hold timer expiry"
        case .writeBlocked: "write blocked"
        case .writeProgress: "write progress"
        }
    }
}
