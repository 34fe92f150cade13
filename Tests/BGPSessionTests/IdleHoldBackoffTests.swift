import BGPWire
import Testing
@testable import BGPSession

@Suite("Idle hold back-off after errors")
struct IdleHoldBackoffTests {
    /// Connects, receives an OPEN with the wrong AS (2/2) and returns the idle hold wait.
    func failOnce(_ m: inout SessionMachine, at now: Instant) -> Duration? {
        _ = m.handle(.tcpConnectionConfirmed, now: now)
        let out = m.handle(.bgpOpen(peerOpen(asNumber: 65099)), now: now)
        guard kinds(out) == [.notify(2, 2), .close], m.state == .idle, let until = m.timers.idleHold else { return nil }
        return until - now
    }

    /// Waits out the idle hold timer; returns the time the machine connected again.
    func waitAndRestart(_ m: inout SessionMachine) -> Instant? {
        guard let t = m.nextDeadline else { return nil }
        #expect(m.advance(to: t - .nanoseconds(1)).isEmpty)
        let out = m.advance(to: t)
        return kinds(out) == [.connect] && m.state == .connect ? t : nil
    }

    @Test func backOffGrowsFiveTenTwentyThirtyThirtyAndResets() throws {
        var m = try SessionMachine(config: config(hold: 0))
        var now = Instant.zero
        _ = m.handle(.manualStart, now: now)
        var waits: [Duration] = []
        for _ in 0..<5 {
            waits.append(try #require(failOnce(&m, at: now)))
            now = try #require(waitAndRestart(&m))
        }
        #expect(waits == [.seconds(5), .seconds(10), .seconds(20), .seconds(30), .seconds(30)])
        #expect(m.consecutiveFailures == 5)

        // Established for only a minute: the peer still counts as flapping.
        _ = m.handle(.tcpConnectionConfirmed, now: now)
        _ = m.handle(.bgpOpen(peerOpen()), now: now)
        _ = m.handle(.keepAliveMsg, now: now)
        #expect(m.state == .established)
        now += .seconds(60)
        _ = m.handle(.tcpConnectionFails, now: now)
        #expect(m.timers.idleHold.map { $0 - now } == .seconds(30))
        now = try #require(waitAndRestart(&m))

        // Established for the forget time (300 s): the next failure starts over at 5 s.
        _ = m.handle(.tcpConnectionConfirmed, now: now)
        _ = m.handle(.bgpOpen(peerOpen()), now: now)
        _ = m.handle(.keepAliveMsg, now: now)
        now += .seconds(300)
        _ = m.handle(.notifMsg(notification(6, 4)), now: now)
        #expect(m.timers.idleHold.map { $0 - now } == .seconds(5))
        #expect(m.consecutiveFailures == 1)
        now = try #require(waitAndRestart(&m))
        #expect(failOnce(&m, at: now) == .seconds(10))
    }

    @Test func manualStartAndStopResetTheBackOff() throws {
        var m = try SessionMachine(config: config())
        _ = m.handle(.manualStart, now: .zero)
        _ = failOnce(&m, at: .zero)
        _ = waitAndRestart(&m)
        #expect(failOnce(&m, at: .seconds(5)) == .seconds(10))
        // Manual start skips the wait and forgets the failures.
        #expect(kinds(m.handle(.manualStart, now: .seconds(6))) == [.connect])
        #expect(m.consecutiveFailures == 0)
        #expect(failOnce(&m, at: .seconds(6)) == .seconds(5))
        // Manual stop cancels the restart.
        _ = m.handle(.manualStop(nil), now: .seconds(7))
        #expect(m.nextDeadline == nil)
        #expect(m.advance(to: .seconds(1000)).isEmpty)
        #expect(m.state == .idle)
    }

    @Test func idleRefusesConnectionsDuringTheBackOff() throws {
        var m = try SessionMachine(config: config(passive: true))
        _ = m.handle(.manualStart, now: .zero)
        _ = m.handle(.tcpConnectionAccepted, now: .zero)
        _ = m.handle(.holdTimerExpires, now: .seconds(240))
        #expect(m.state == .idle)
        #expect(kinds(m.handle(.tcpConnectionAccepted, now: .seconds(241))) == [.close])
        #expect(m.advance(to: .seconds(245)).isEmpty)
        #expect(m.state == .active, "passive: back to waiting, no connect")
        #expect(kinds(m.handle(.tcpConnectionAccepted, now: .seconds(246))) == [.send(.open)])
    }

    @Test func collisionLossIsNotAFailure() throws {
        var m = try machine(in: .openSent)
        _ = m.handle(.openCollisionDump, now: .zero)
        #expect(m.consecutiveFailures == 0)
        #expect(m.nextDeadline == nil)
    }

    @Test func delayFormula() {
        let b = IdleHoldBackoff()
        #expect((1...7).map { b.delay(afterFailures: $0) } ==
                [.seconds(5), .seconds(10), .seconds(20), .seconds(30), .seconds(30), .seconds(30), .seconds(30)])
        #expect(IdleHoldBackoff(initial: .seconds(1), maximum: .seconds(60)).delay(afterFailures: 1000) == .seconds(60))
    }
}
