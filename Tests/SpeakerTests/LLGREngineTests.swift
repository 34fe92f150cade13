import BGPSession
import BGPWire
import IPCore
import Testing
@testable import RIB
@testable import Speaker

/// Long-lived graceful restart (RFC 9494 §4.2, §4.3) in the route engine, with a manual clock:
/// B (iBGP, LLGR) sends routes and fails; C (iBGP, no LLGR) and D (iBGP, LLGR) listen.
@Suite struct LLGREngineTests {
    static let localAS: UInt32 = 64512
    static func pfx(_ s: String) -> IPPrefix { IPPrefix(s)! }
    static func v4(_ s: String) -> IPAddress { .v4(IPv4Address(s)!) }

    static func facts(id: String, llgr: Bool, preserved: Bool = true) -> SessionFacts {
        SessionFacts(peerAS: localAS, peerRouterID: IPv4Address(id)!, localAddress: v4("192.0.2.1"),
                     encodeContext: CodecContext(fourOctetAS: true), families: [.ipv4Unicast],
                     forwardingStatePreserved: preserved, longLivedGracefulRestart: llgr)
    }

    struct Setup {
        var engine = RouteEngine(config: RIBConfig(localAS: LLGREngineTests.localAS, routerID: IPv4Address("192.0.2.1")!,
                                                   clusterID: IPv4Address("192.0.2.1")!))
        var b, c, d: PeerID
        init() {
            // B and C are reflector clients, so B's routes are reflected to C and D.
            b = engine.addPeer(PeerRouting(address: LLGREngineTests.v4("192.0.2.2"), reflectorClient: true))
            c = engine.addPeer(PeerRouting(address: LLGREngineTests.v4("192.0.2.3"), reflectorClient: true))
            d = engine.addPeer(PeerRouting(address: LLGREngineTests.v4("192.0.2.4"), reflectorClient: true))
            _ = engine.trackFIB()
            _ = engine.handle(.established(b, LLGREngineTests.facts(id: "192.0.2.2", llgr: true)), now: .seconds(0))
            _ = engine.handle(.established(c, LLGREngineTests.facts(id: "192.0.2.3", llgr: false)), now: .seconds(0))
            _ = engine.handle(.established(d, LLGREngineTests.facts(id: "192.0.2.4", llgr: true)), now: .seconds(0))
        }

        mutating func announce(_ p: PeerID, _ prefixes: [String], nextHop: String, localPref: UInt32 = 100,
                               communities: [Community] = [], at t: UInt64 = 0) -> RouteEngineOutput {
            let a = PathAttributes(origin: .igp, asPath: .sequence([]), nextHop: IPv4Address(nextHop), localPref: localPref,
                                   communities: communities)
            return engine.handle(.update(p, UpdateMessage(attributes: a, nlri: prefixes.map { NLRI(LLGREngineTests.pfx($0)) }),
                                         treatAsWithdraw: false), now: .seconds(t))
        }

        func best(_ p: String) -> Path? { engine.rib.bestPath(for: LLGREngineTests.pfx(p)) }
    }

    /// The UPDATEs of one send, decoded.
    static func updates(_ out: RouteEngineOutput, to peer: PeerID) -> [UpdateMessage] {
        out.sends.filter { $0.peer == peer }.flatMap(\.messages).compactMap { bytes in
            guard case .update(let u)? = try? BGPMessage.decode(bytes: bytes, context: CodecContext(fourOctetAS: true)).message else { return nil }
            return u
        }
    }

    @Test func restartTimeThenLongLivedStaleThenExpiry() {
        var s = Setup()
        _ = s.announce(s.b, ["10.1.0.0/24"], nextHop: "192.0.2.2")
        _ = s.announce(s.b, ["10.9.0.0/24"], nextHop: "192.0.2.2", communities: [.noLLGR])
        // Down with restart time 5 s and long-lived stale time 60 s: plain GR first.
        var out = s.engine.handle(.down(s.b, gracefulRestartTime: 5, longLivedStaleTime: 60), now: .seconds(10))
        #expect(out.fib.isEmpty)
        #expect(s.engine.restartingPeers == [s.b])
        #expect(s.engine.longLivedStalePeers.isEmpty)
        #expect(s.engine.nextDeadline == .seconds(15))
        out = s.engine.advance(to: .seconds(14))
        #expect(out.isEmpty)
        // Restart time over: LLGR phase. NO_LLGR route removed at once, the other marked.
        out = s.engine.advance(to: .seconds(15))
        #expect(out.fib == [.remove(Self.pfx("10.9.0.0/24"))])
        #expect(out.restartTimedOut.isEmpty)
        #expect(out.longLivedStale == [s.b])
        #expect(s.engine.longLivedStalePeers == [s.b])
        #expect(s.best("10.1.0.0/24")?.attributes.communities.contains(.llgrStale) == true)
        #expect(s.best("10.9.0.0/24") == nil)
        #expect(s.engine.nextDeadline == .seconds(75))
        // §4.3: C (no LLGR) gets 10.1.0.0/24 withdrawn; D (LLGR) gets it again with LLGR_STALE.
        let toC = Self.updates(out, to: s.c)
        #expect(toC.flatMap(\.withdrawn).map(\.prefix).contains(Self.pfx("10.1.0.0/24")))
        #expect(!toC.contains { $0.nlri.contains { $0.prefix == Self.pfx("10.1.0.0/24") } })
        let toD = Self.updates(out, to: s.d)
        #expect(toD.contains { $0.nlri.contains { $0.prefix == Self.pfx("10.1.0.0/24") } && $0.attributes.communities.contains(.llgrStale) })
        // Long-lived stale time over: the route goes.
        out = s.engine.advance(to: .seconds(74))
        #expect(out.fib.isEmpty)
        out = s.engine.advance(to: .seconds(75))
        #expect(out.fib == [.remove(Self.pfx("10.1.0.0/24"))])
        #expect(out.restartTimedOut == [s.b])
        #expect(s.engine.restartingPeers.isEmpty)
        #expect(s.engine.nextDeadline == nil)
    }

    @Test func noRestartTimeGoesStraightToLongLivedStale() {
        var s = Setup()
        _ = s.announce(s.b, ["10.1.0.0/24"], nextHop: "192.0.2.2")
        let out = s.engine.handle(.down(s.b, gracefulRestartTime: nil, longLivedStaleTime: 60), now: .seconds(0))
        #expect(out.fib.isEmpty)        // still forwarding
        #expect(s.engine.longLivedStalePeers == [s.b])
        #expect(s.best("10.1.0.0/24")?.attributes.communities.contains(.llgrStale) == true)
        #expect(s.engine.nextDeadline == .seconds(60))
    }

    @Test func withoutLongLivedStaleTimeTheRestartTimeStillEndsIt() {
        var s = Setup()
        _ = s.announce(s.b, ["10.1.0.0/24"], nextHop: "192.0.2.2")
        _ = s.engine.handle(.down(s.b, gracefulRestartTime: 5), now: .seconds(0))
        let out = s.engine.advance(to: .seconds(5))
        #expect(out.fib == [.remove(Self.pfx("10.1.0.0/24"))])
        #expect(out.restartTimedOut == [s.b])
    }

    @Test func staleIsLeastPreferred() {
        var s = Setup()
        // B has the better LOCAL_PREF; C's path wins once B's is LLGR_STALE.
        _ = s.announce(s.b, ["10.1.0.0/24"], nextHop: "192.0.2.2", localPref: 200)
        _ = s.announce(s.c, ["10.1.0.0/24"], nextHop: "192.0.2.3", localPref: 50)
        #expect(s.best("10.1.0.0/24")?.peer == s.b)
        let out = s.engine.handle(.down(s.b, gracefulRestartTime: nil, longLivedStaleTime: 60), now: .seconds(0))
        #expect(out.fib == [.set(Self.pfx("10.1.0.0/24"), nextHops: [Self.v4("192.0.2.3")])])
        #expect(s.best("10.1.0.0/24")?.peer == s.c)
        #expect(s.engine.rib.route(for: Self.pfx("10.1.0.0/24"))?.reason.step == .notLongLivedStale)
        // C withdraws: the stale path is used again (forwarding continues on it).
        let w = s.engine.handle(.update(s.c, UpdateMessage(withdrawn: [NLRI(Self.pfx("10.1.0.0/24"))]), treatAsWithdraw: false),
                                now: .seconds(1))
        #expect(w.fib == [.set(Self.pfx("10.1.0.0/24"), nextHops: [Self.v4("192.0.2.2")])])
    }

    @Test func receivedLLGRStaleIsLeastPreferredToo() {
        var s = Setup()
        _ = s.announce(s.b, ["10.1.0.0/24"], nextHop: "192.0.2.2", localPref: 200, communities: [.llgrStale])
        _ = s.announce(s.d, ["10.1.0.0/24"], nextHop: "192.0.2.4", localPref: 50)
        #expect(s.best("10.1.0.0/24")?.peer == s.d)
    }

    @Test func peerBackEndOfRIBRemovesWhatWasNotRefreshed() {
        var s = Setup()
        _ = s.announce(s.b, ["10.1.0.0/24", "10.2.0.0/24"], nextHop: "192.0.2.2")
        _ = s.engine.handle(.down(s.b, gracefulRestartTime: 5, longLivedStaleTime: 60), now: .seconds(0))
        _ = s.engine.advance(to: .seconds(5))
        #expect(s.engine.longLivedStalePeers == [s.b])
        _ = s.engine.handle(.established(s.b, Self.facts(id: "192.0.2.2", llgr: true)), now: .seconds(20))
        // Re-announced: the fresh path (no LLGR_STALE) wins over the stale copy.
        _ = s.announce(s.b, ["10.1.0.0/24"], nextHop: "192.0.2.2", at: 21)
        #expect(s.best("10.1.0.0/24")?.peer == s.b)
        #expect(s.best("10.1.0.0/24")?.attributes.communities.contains(.llgrStale) == false)
        let out = s.engine.handle(.update(s.b, .endOfRIB(.ipv4Unicast), treatAsWithdraw: false), now: .seconds(22))
        #expect(out.fib == [.remove(Self.pfx("10.2.0.0/24"))])
        #expect(s.engine.restartingPeers.isEmpty)
        #expect(s.engine.rib.route(for: Self.pfx("10.1.0.0/24"))?.paths.count == 1)
    }

    @Test func peerBackWithoutForwardingStateFlushesAtOnce() {
        var s = Setup()
        _ = s.announce(s.b, ["10.1.0.0/24"], nextHop: "192.0.2.2")
        _ = s.engine.handle(.down(s.b, gracefulRestartTime: nil, longLivedStaleTime: 60), now: .seconds(0))
        let out = s.engine.handle(.established(s.b, Self.facts(id: "192.0.2.2", llgr: true, preserved: false)), now: .seconds(3))
        #expect(out.fib == [.remove(Self.pfx("10.1.0.0/24"))])
        #expect(s.engine.restartingPeers.isEmpty)
    }
}
