import BGPWire
import Testing
@testable import BGPSession

/// A refused first connection (the peer is not listening yet, as when a whole mesh starts
/// at once) is retried after 1 s, 2 s, 4 s ... below the connect retry time, then every
/// connect retry time; a timed-out attempt or a connection that came up ends the quick
/// retries until the next start.
@Suite("Quick retries after refused connections")
struct RefusedConnectRetryTests {
    /// Refuses every attempt until `until`; returns the times the machine connected.
    func attempts(_ m: inout SessionMachine, until: Instant) -> [Instant] {
        var out: [Instant] = []
        var now = Instant.zero
        if kinds(m.handle(.manualStart, now: now)) == [.connect] { out.append(now) }
        while true {
            _ = m.handle(.tcpConnectionFails, now: now)       // refused at once
            guard let t = m.nextDeadline, t <= until else { return out }
            now = t
            if kinds(m.advance(to: now)).contains(.connect) { out.append(now) }
        }
    }

    @Test func refusedAttemptsRetryAfterOneTwoFourSecondsThenTheRetryTime() throws {
        var m = try SessionMachine(config: config())
        let times = attempts(&m, until: .seconds(30))
        #expect(times == [0, 1, 3, 7, 12, 17, 22, 27].map { Instant.zero + .seconds($0) })
        #expect(m.state == .active)
    }

    @Test func aConnectionThatCameUpEndsTheQuickRetriesUntilTheNextStart() throws {
        var m = try SessionMachine(config: config())
        _ = m.handle(.manualStart, now: .zero)
        _ = m.handle(.tcpConnectionConfirmed, now: .zero)      // up, OPEN sent
        _ = m.handle(.tcpConnectionFails, now: .seconds(1))    // lost in OpenSent -> Active
        #expect(m.state == .active && m.timers.connectRetry == .seconds(6))
        _ = m.advance(to: .seconds(6))
        #expect(m.state == .connect)
        _ = m.handle(.tcpConnectionFails, now: .seconds(6))    // refused: the full retry time
        #expect(m.timers.connectRetry == .seconds(11))
        // A new start (here manual, after a stop) arms the quick retries again.
        _ = m.handle(.manualStop(nil), now: .seconds(7))
        _ = m.handle(.manualStart, now: .seconds(8))
        _ = m.handle(.tcpConnectionFails, now: .seconds(8))
        #expect(m.timers.connectRetry == .seconds(9))
    }

    @Test func aTimedOutAttemptEndsTheQuickRetries() throws {
        var m = try SessionMachine(config: config())
        _ = m.handle(.manualStart, now: .zero)
        #expect(kinds(m.advance(to: .seconds(5))) == [.close, .connect])  // no answer at all
        _ = m.handle(.tcpConnectionFails, now: .seconds(5))
        #expect(m.timers.connectRetry == .seconds(10))
    }

    @Test func aShortConnectRetryTimeOrAnEqualSettingMeansNoQuickRetries() throws {
        var one = try SessionMachine(config: SessionConfig(localAS: 65001, peerAS: 65001, localID: idA,
                                                          connectRetryTime: .seconds(1)))
        #expect(attempts(&one, until: .seconds(3)) == [0, 1, 2, 3].map { Instant.zero + .seconds($0) })
        var off = try SessionMachine(config: SessionConfig(localAS: 65001, peerAS: 65001, localID: idA,
                                                          connectRetryTime: .seconds(5),
                                                          refusedConnectRetryTime: .seconds(5)))
        #expect(attempts(&off, until: .seconds(10)) == [0, 5, 10].map { Instant.zero + .seconds($0) })
    }

    @Test func aPassivePeerNeverConnects() throws {
        var m = try SessionMachine(config: config(passive: true))
        #expect(attempts(&m, until: .seconds(30)).isEmpty)
        #expect(m.nextDeadline == nil)
    }

    @Test func aNonPositiveRefusedRetryTimeIsInvalid() {
        #expect(throws: SessionConfig.Invalid.self) {
            try SessionConfig(localAS: 65001, peerAS: 65001, localID: idA, refusedConnectRetryTime: .zero).validate()
        }
    }
}
