import IPCore
import BGPSession
import EventLoop
import RIB

// MARK: - Routes: events to the engine, its output to peers and the sink

extension BGPSpeaker {
    /// Originates `prefixes` as local routes (the node's blocks, borrowed workload addresses).
    public func originate(_ prefixes: [IPPrefix]) {
        if !prefixes.isEmpty { perform(route: .originate(prefixes)) }
    }

    /// Withdraws locally originated `prefixes`.
    public func withdrawOriginated(_ prefixes: [IPPrefix]) {
        if !prefixes.isEmpty { perform(route: .withdrawOriginated(prefixes)) }
    }

    /// From now on the sink gets kernel route changes; returns every route the RIB already
    /// holds (learned before the dataplane started) as `set` changes.
    public func trackFIB() -> [FIBChange] { engine.trackFIB() }

    /// Hands one event to the route engine and performs what it asks for.
    func perform(route event: RouteEngineEvent) {
        perform(engine.handle(event, now: Instant(nanoseconds: loop.now)))
    }

    /// Kernel route changes to the sink, messages to the peers, "stale routes may go" after
    /// the last End-of-RIB, and the graceful-restart timer re-armed.
    func perform(_ out: RouteEngineOutput) {
        if !out.fib.isEmpty { sink?.fibChanged(out.fib) }
        for send in out.sends { peersByRIBID[send.peer]?.send(send.messages) }
        if out.allPeersSentEndOfRIB { sink?.staleRoutesMayGo() }
        for id in out.restartTimedOut {
            let who = peersByRIBID[id].map { "\($0.config.endpoint)" } ?? "\(id)"
            logger.warning("peer \(who) did not finish its graceful restart in time: removing its stale routes")
        }
        rearmRestartTimer()
    }

    /// One timer for every restarting peer: at the engine's earliest deadline.
    private func rearmRestartTimer() {
        guard let deadline = engine.nextDeadline else {
            restartTimer?.cancel()
            return
        }
        if restartTimer == nil {
            restartTimer = LoopTimer(on: loop) { [weak self] in
                guard let self else { return }
                self.perform(self.engine.advance(to: Instant(nanoseconds: self.loop.now)))
            }
        }
        restartTimer?.arm(at: deadline.nanoseconds)
    }
}
