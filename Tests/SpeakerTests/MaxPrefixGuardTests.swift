import BGPWire
import IPCore
import Model
import Testing
@testable import Speaker

/// RFC 4486 as pure logic: per-family counting, the warning threshold once per crossing,
/// the trip and its restart back-off on a manual clock, and the Cease data byte for byte.
@Suite struct MaxPrefixGuardTests {
    static let s: UInt64 = 1_000_000_000

    static func guardWith(_ limit: Int = 10, _ action: MaxPrefixSettings.Action = .restart, restart: Int = 60,
                          percent: Int = 90) throws -> MaxPrefixGuard {
        MaxPrefixGuard(settings: try MaxPrefixSettings(limit: limit, warningPercent: percent, action: action, restartTime: restart))
    }

    @Test func warnsOnceAtTheThresholdUntilTheCountFalls() throws {
        var g = try Self.guardWith(10)
        #expect(g.check([.v4: 8]).isEmpty)
        #expect(g.check([.v4: 9]) == [.warning(.v4, count: 9)])
        #expect(g.check([.v4: 10]).isEmpty)          // at the limit: not over
        #expect(g.check([.v4: 8]).isEmpty)           // below again: re-armed
        #expect(g.check([.v4: 9]) == [.warning(.v4, count: 9)])
    }

    @Test func eachFamilyIsCountedSeparately() throws {
        var g = try Self.guardWith(10)
        #expect(g.check([.v4: 10, .v6: 10]) == [.warning(.v4, count: 10), .warning(.v6, count: 10)])
        #expect(g.check([.v4: 10, .v6: 11]) == [.exceeded(.v6, count: 11)])
        var h = try Self.guardWith(10)
        #expect(h.check([.v4: 6, .v6: 6]).isEmpty)   // 12 in all, 6 per family
    }

    @Test func warnActionLogsOncePerCrossingAndNeverTrips() throws {
        var g = try Self.guardWith(10, .warn)
        #expect(g.check([.v4: 11]) == [.overLimitWarnOnly(.v4, count: 11)])
        #expect(g.check([.v4: 12]).isEmpty)
        #expect(!g.tripped)
        #expect(g.check([.v4: 10]) == [.warning(.v4, count: 10)])
        #expect(g.check([.v4: 11]) == [.overLimitWarnOnly(.v4, count: 11)])
    }

    @Test func restartBacksOffDoublingUpToAnHour() throws {
        var g = try Self.guardWith(10, .restart, restart: 60)
        var now: UInt64 = 1000 * Self.s
        var delays: [UInt64] = []
        for _ in 0..<8 {
            let next = g.trip(family: .v4, now: now)
            let at = try #require(next)
            #expect(g.tripped && g.trippedFamily == .v4)
            #expect(g.check([.v4: 100]).isEmpty)          // tripped: nothing more until resumed
            delays.append((at - now) / Self.s)
            now = at
            g.resume()
            #expect(!g.tripped && g.restartAt == nil)
            now += 10 * Self.s                            // up 10 s, then over again
        }
        #expect(delays == [60, 120, 240, 480, 960, 1920, 3600, 3600])
        // A trip more than an hour after the previous one starts over at restartTime.
        now += 3601 * Self.s
        let again = g.trip(family: .v4, now: now)
        #expect(again == now + 60 * Self.s)
        #expect(g.consecutiveTrips == 1)
    }

    @Test func disableHasNoRestart() throws {
        var g = try Self.guardWith(10, .disable)
        #expect(g.check([.v4: 11]) == [.exceeded(.v4, count: 11)])
        let none = g.trip(family: .v4, now: 5 * Self.s)
        #expect(none == nil)
        #expect(g.tripped && g.restartAt == nil)
    }

    /// RFC 4486 §4: Cease, subcode 1, data AFI (2) SAFI (1) limit (4), network byte order.
    @Test func ceaseDataIsByteExact() throws {
        let v4 = MaxPrefixGuard.notification(family: .v4, limit: 10)
        #expect(v4.code == 6 && v4.subcode == 1)
        #expect(v4.data == [0x00, 0x01, 0x01, 0x00, 0x00, 0x00, 0x0A])
        let v6 = MaxPrefixGuard.notification(family: .v6, limit: 0x0102_0304)
        #expect(v6.data == [0x00, 0x02, 0x01, 0x01, 0x02, 0x03, 0x04])
        // The whole message on the wire: header, code, subcode, data.
        let wire = BGPMessage.notification(v4).encoded()
        #expect(Array(wire.suffix(9)) == [6, 1, 0x00, 0x01, 0x01, 0x00, 0x00, 0x00, 0x0A])
        #expect(wire.count == 19 + 2 + 7)
    }

    @Test func md5CountersParseNetstat() {
        let text = """
            TcpExt: SyncookiesSent TCPMD5NotFound TCPMD5Unexpected TCPMD5Failure Other
            TcpExt: 0 3 0 7 9
            IpExt: InNoRoutes
            IpExt: 0
            """
        let c = TCPMD5Counters.parse(text)
        #expect(c == ["TCPMD5NotFound": 3, "TCPMD5Unexpected": 0, "TCPMD5Failure": 7])
        let why = TCPMD5Counters.diagnosis(counters: c)
        #expect(why.contains("TCP-MD5 is configured for this peer") && why.hasSuffix("(kernel: TCPMD5NotFound 3, TCPMD5Unexpected 0, TCPMD5Failure 7)"))
    }
}
