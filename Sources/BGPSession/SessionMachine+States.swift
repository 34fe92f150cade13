import BGPWire

// One handler per RFC 4271 §8.2.2 state. Each has its rule table above it:
// event -> actions -> next state. "fail" means: NOTIFICATION (if given and a connection
// is open), close, `sessionDown` when leaving Established, count a failure and arm the
// idle hold timer (back-off), -> Idle. "stop" is the same without back-off or restart.
// RFC 9687 write events are handled before these (SessionMachine.handle).

extension SessionMachine {
    // MARK: - Idle (§8.2.2 "Idle state")
    //
    //  1. manualStart                  -> reset back-off; connect (unless passive)    -> Connect | Active
    //  2. automaticStart, idle hold timer expiry
    //                                  -> as 1, keeping the back-off count            -> Connect | Active
    //  3. manualStop                   -> disable automatic restart, stop timers       -> Idle
    //  4. tcpConnectionAccepted/Confirmed -> closeConnection (Idle refuses peers)     -> Idle
    //  5. anything else                -> ignored                                     -> Idle
    mutating func idle(_ event: SessionEvent, now: Instant) -> [SessionAction] {
        switch event {
        case .manualStart:                                           // rule 1
            return start(now: now, automatic: false)
        case .automaticStart, .idleHoldTimerExpires:                 // rule 2
            return start(now: now, automatic: true)
        case .manualStop:                                            // rule 3
            return stop(now: now, notification: nil)
        case .tcpConnectionAccepted, .tcpConnectionConfirmed:        // rule 4
            return [.closeConnection]
        default:                                                     // rule 5
            return []
        }
    }

    // MARK: - Connect (§8.2.2 "Connect State"; DelayOpen is not supported)
    //
    //  1. manualStart, automaticStart  -> ignored                                     -> Connect
    //  2. manualStop                   -> closeConnection (abandon the attempt)       -> Idle
    //  3. connect retry timer expiry   -> closeConnection, connect, restart timer;
    //                                     no quick retries after a timed-out attempt   -> Connect
    //  4. tcpConnectionConfirmed/Accepted -> send OPEN, hold timer = openHoldTime      -> OpenSent
    //  5. tcpConnectionFails           -> keep the connect retry timer running        -> Active
    //     (RFC 1771 §8 and BIRD; RFC 4271 goes to Idle, which with the idle hold
    //      back-off would slow reconnection to an unreachable peer for no benefit);
    //     while no connection came up since the start, the timer runs only for
    //     refusedRetry (1 s, 2 s, 4 s ... below connectRetryTime): a peer that refused
    //     because it was not listening yet (a mesh starting at once) is reached without
    //     waiting the whole connect retry time
    //  6. anything else (messages, other timers) -> fail, no NOTIFICATION (no connection) -> Idle
    mutating func connect(_ event: SessionEvent, now: Instant) -> [SessionAction] {
        switch event {
        case .manualStart, .automaticStart:                          // rule 1
            return []
        case .manualStop(let n):                                     // rule 2
            return stop(now: now, notification: n)
        case .connectRetryTimerExpires:                              // rule 3
            timers.connectRetry = now + config.connectRetryTime
            refusedRetry = nil
            return [.closeConnection, .connect]
        case .tcpConnectionConfirmed, .tcpConnectionAccepted:        // rule 4
            return connectionUp(now: now)
        case .tcpConnectionFails:                                    // rule 5
            lastError = SessionError(reason: "connection failed", state: state, at: now)
            if let wait = refusedRetry, let t = timers.connectRetry, now + wait < t {
                timers.connectRetry = now + wait
                refusedRetry = wait * 2 < config.connectRetryTime ? wait * 2 : nil
            }
            state = .active
            return []
        default:                                                     // rule 6
            return fail(now: now, reason: "unexpected \(event.name) in Connect")
        }
    }

    // MARK: - Active (§8.2.2 "Active State")
    //
    //  1. manualStart, automaticStart  -> ignored                                     -> Active
    //  2. manualStop                   -> stop                                        -> Idle
    //  3. connect retry timer expiry   -> connect, restart timer (never when passive) -> Connect
    //  4. tcpConnectionAccepted/Confirmed -> send OPEN, hold timer = openHoldTime      -> OpenSent
    //  5. tcpConnectionFails           -> restart connect retry timer (not passive)   -> Active
    //  6. anything else                -> fail, no NOTIFICATION                       -> Idle
    mutating func active(_ event: SessionEvent, now: Instant) -> [SessionAction] {
        switch event {
        case .manualStart, .automaticStart:                          // rule 1
            return []
        case .manualStop(let n):                                     // rule 2
            return stop(now: now, notification: n)
        case .connectRetryTimerExpires:                              // rule 3
            guard !config.passive else { return [] }
            timers.connectRetry = now + config.connectRetryTime
            state = .connect
            return [.connect]
        case .tcpConnectionAccepted, .tcpConnectionConfirmed:        // rule 4
            return connectionUp(now: now)
        case .tcpConnectionFails:                                    // rule 5
            return backToActive(now: now, close: false, reason: "connection failed")
        default:                                                     // rule 6
            return fail(now: now, reason: "unexpected \(event.name) in Active")
        }
    }

    // MARK: - OpenSent (§8.2.2 "OpenSent"; RFC 6608)
    //
    //  1. manualStart, automaticStart  -> ignored                                     -> OpenSent
    //  2. manualStop(n)                -> stop: send n (default Cease 2), close       -> Idle
    //  3. hold timer expiry            -> fail: 4/0                                   -> Idle
    //  4. tcpConnectionAccepted/Confirmed -> ignored: a second connection gets its own
    //                                     machine (§6.8, see CollisionResolver)       -> OpenSent
    //  5. tcpConnectionFails           -> closeConnection, connect retry timer         -> Active
    //  6. bgpOpen, acceptable (§6.2 checks in SessionMachine+Open.swift)
    //                                  -> negotiate; send KEEPALIVE; hold timer and
    //                                     keepalive timer from the negotiated hold time -> OpenConfirm
    //  7. bgpOpen, unacceptable        -> fail: 2/2, 2/3 or 2/7 with data             -> Idle
    //  8. bgpHeaderErr, bgpOpenMsgErr  -> fail: the error's NOTIFICATION              -> Idle
    //  9. openCollisionDump            -> Cease 7, close, no back-off                 -> Idle
    // 10. notifMsg                     -> close, no reply                             -> Idle
    // 11. send hold timer expiry       -> fail: 8/0 (RFC 9687)                        -> Idle
    // 12. anything else (KEEPALIVE, UPDATE, ROUTE-REFRESH, updateMsgErr, other timers)
    //                                  -> fail: 5/1 (RFC 6608)                        -> Idle
    mutating func openSent(_ event: SessionEvent, now: Instant) -> [SessionAction] {
        switch event {
        case .manualStart, .automaticStart:                          // rule 1
            return []
        case .manualStop(let n):                                     // rule 2
            return stop(now: now, notification: n)
        case .holdTimerExpires:                                      // rule 3
            return fail(now: now, reason: "hold timer expired waiting for OPEN", sent: Self.holdTimerExpired)
        case .tcpConnectionAccepted, .tcpConnectionConfirmed:        // rule 4
            return []
        case .tcpConnectionFails:                                    // rule 5
            return backToActive(now: now, close: true, reason: "connection lost in OpenSent")
        case .bgpOpen(let open):
            if let error = checkPeerOpen(open) {                     // rule 7
                return fail(now: now, reason: error.reason, sent: error.notification)
            }
            return acceptOpen(open, now: now)                        // rule 6
        case .bgpHeaderErr(let e), .bgpOpenMsgErr(let e):            // rule 8
            return fail(now: now, reason: e.reason, sent: e.notification)
        case .openCollisionDump:                                     // rule 9
            return fail(now: now, reason: "connection collision resolution", sent: Self.collisionCease,
                        countsAsFailure: false)
        case .notifMsg(let n):                                       // rule 10
            return fail(now: now, reason: "peer sent NOTIFICATION \(n)", received: n)
        case .sendHoldTimerExpires:                                  // rule 11
            return fail(now: now, reason: "send hold timer expired", sent: Self.sendHoldTimerExpired)
        default:                                                     // rule 12
            return fail(now: now, reason: "unexpected \(event.name) in OpenSent", sent: fsmError)
        }
    }

    /// OpenSent rule 6.
    private mutating func acceptOpen(_ open: OpenMessage, now: Instant) -> [SessionAction] {
        peerOpen = open
        negotiated = NegotiatedCapabilities(local: localOpen, remote: open)
        timers.stopConnectionTimers()
        restartHoldTimer(now: now)
        state = .openConfirm
        return sendKeepalive(now: now)
    }

    // MARK: - OpenConfirm (§8.2.2 "OpenConfirm State"; RFC 6608)
    //
    //  1. manualStart, automaticStart  -> ignored                                     -> OpenConfirm
    //  2. manualStop(n)                -> stop: send n (default Cease 2), close       -> Idle
    //  3. hold timer expiry            -> fail: 4/0                                   -> Idle
    //  4. keepalive timer expiry       -> send KEEPALIVE, restart timer               -> OpenConfirm
    //  5. tcpConnectionAccepted/Confirmed -> ignored (second connection: §6.8)         -> OpenConfirm
    //  6. tcpConnectionFails           -> fail, no NOTIFICATION                       -> Idle
    //  7. notifMsg                     -> close, no reply                             -> Idle
    //  8. bgpHeaderErr, bgpOpenMsgErr  -> fail: the error's NOTIFICATION              -> Idle
    //  9. openCollisionDump            -> Cease 7, close, no back-off                 -> Idle
    // 10. keepAliveMsg                 -> restart hold timer; `established`           -> Established
    // 11. send hold timer expiry       -> fail: 8/0                                   -> Idle
    // 12. anything else (a second OPEN, UPDATE, ROUTE-REFRESH, updateMsgErr, other
    //     timers)                      -> fail: 5/2 (RFC 6608)                        -> Idle
    mutating func openConfirm(_ event: SessionEvent, now: Instant) -> [SessionAction] {
        switch event {
        case .manualStart, .automaticStart:                          // rule 1
            return []
        case .manualStop(let n):                                     // rule 2
            return stop(now: now, notification: n)
        case .holdTimerExpires:                                      // rule 3
            return fail(now: now, reason: "hold timer expired", sent: Self.holdTimerExpired)
        case .keepaliveTimerExpires:                                 // rule 4
            return sendKeepalive(now: now)
        case .tcpConnectionAccepted, .tcpConnectionConfirmed:        // rule 5
            return []
        case .tcpConnectionFails:                                    // rule 6
            return fail(now: now, reason: "connection lost in OpenConfirm")
        case .notifMsg(let n):                                       // rule 7
            return fail(now: now, reason: "peer sent NOTIFICATION \(n)", received: n)
        case .bgpHeaderErr(let e), .bgpOpenMsgErr(let e):            // rule 8
            return fail(now: now, reason: e.reason, sent: e.notification)
        case .openCollisionDump:                                     // rule 9
            return fail(now: now, reason: "connection collision resolution", sent: Self.collisionCease,
                        countsAsFailure: false)
        case .keepAliveMsg:                                          // rule 10
            guard let caps = negotiated, let open = peerOpen else {
                preconditionFailure("OpenConfirm without negotiated capabilities")
            }
            restartHoldTimer(now: now)
            establishedAt = now
            state = .established
            return [.established(caps, peerOpen: open, decodeContext: decodeContext, encodeContext: encodeContext)]
        case .sendHoldTimerExpires:                                  // rule 11
            return fail(now: now, reason: "send hold timer expired", sent: Self.sendHoldTimerExpired)
        default:                                                     // rule 12
            return fail(now: now, reason: "unexpected \(event.name) in OpenConfirm", sent: fsmError)
        }
    }

    // MARK: - Established (§8.2.2 "Established State"; RFC 6608, 7606, 2918, 7313)
    //
    //  1. manualStart, automaticStart  -> ignored                                     -> Established
    //  2. manualStop(n)                -> stop: send n (default Cease 2), close, sessionDown -> Idle
    //  3. hold timer expiry            -> fail: 4/0, sessionDown                      -> Idle
    //  4. keepalive timer expiry       -> send KEEPALIVE, restart timer               -> Established
    //  5. tcpConnectionAccepted/Confirmed -> ignored: the driver closes the new
    //                                     connection with Cease 7 (§6.8 last paragraph) -> Established
    //  6. tcpConnectionFails           -> fail, sessionDown                           -> Idle
    //  7. notifMsg                     -> close, no reply, sessionDown                -> Idle
    //  8. keepAliveMsg                 -> restart hold timer                          -> Established
    //  9. updateMsg                    -> restart hold timer (treat-as-withdraw too,
    //                                     RFC 7606 §2); deliverUpdate                 -> Established
    // 10. routeRefreshMsg              -> deliverRouteRefresh, unless: route refresh not
    //                                     negotiated, family not negotiated (RFC 2918 §4),
    //                                     reserved subtype (RFC 7313 §3.2), or BoRR/EoRR
    //                                     without enhanced route refresh: then ignored -> Established
    // 11. updateMsgErr, bgpHeaderErr, bgpOpenMsgErr
    //                                  -> fail: the error's NOTIFICATION, sessionDown -> Idle
    // 12. openCollisionDump            -> Cease 7, close, sessionDown, no back-off    -> Idle
    // 13. send hold timer expiry       -> fail: 8/0, sessionDown (RFC 9687)           -> Idle
    // 14. anything else (OPEN, connect retry/idle hold expiry)
    //                                  -> fail: 5/3 (RFC 6608), sessionDown           -> Idle
    mutating func established(_ event: SessionEvent, now: Instant) -> [SessionAction] {
        switch event {
        case .manualStart, .automaticStart:                          // rule 1
            return []
        case .manualStop(let n):                                     // rule 2
            return stop(now: now, notification: n)
        case .holdTimerExpires:                                      // rule 3
            return fail(now: now, reason: "hold timer expired", sent: Self.holdTimerExpired)
        case .keepaliveTimerExpires:                                 // rule 4
            return sendKeepalive(now: now)
        case .tcpConnectionAccepted, .tcpConnectionConfirmed:        // rule 5
            return []
        case .tcpConnectionFails:                                    // rule 6
            return fail(now: now, reason: "connection lost")
        case .notifMsg(let n):                                       // rule 7
            return fail(now: now, reason: "peer sent NOTIFICATION \(n)", received: n)
        case .keepAliveMsg:                                          // rule 8
            restartHoldTimer(now: now)
            return []
        case .updateMsg(let update):                                 // rule 9
            restartHoldTimer(now: now)
            return [.deliverUpdate(update)]
        case .routeRefreshMsg(let rr):                               // rule 10
            return acceptsRouteRefresh(rr) ? [.deliverRouteRefresh(rr)] : []
        case .updateMsgErr(let e), .bgpHeaderErr(let e), .bgpOpenMsgErr(let e): // rule 11
            return fail(now: now, reason: e.reason, sent: e.notification)
        case .openCollisionDump:                                     // rule 12
            return fail(now: now, reason: "connection collision resolution", sent: Self.collisionCease,
                        countsAsFailure: false)
        case .sendHoldTimerExpires:                                  // rule 13
            return fail(now: now, reason: "send hold timer expired", sent: Self.sendHoldTimerExpired)
        default:                                                     // rule 14
            return fail(now: now, reason: "unexpected \(event.name) in Established", sent: fsmError)
        }
    }

    /// Established rule 10.
    private func acceptsRouteRefresh(_ rr: RouteRefreshMessage) -> Bool {
        guard let caps = negotiated, caps.routeRefresh || caps.enhancedRouteRefresh else { return false }
        guard caps.families.contains(rr.family), !rr.subtype.isReserved else { return false }
        if rr.subtype != .normalRequest && !caps.enhancedRouteRefresh { return false }
        return true
    }
}
