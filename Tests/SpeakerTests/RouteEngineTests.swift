import BGPSession
import BGPWire
import IPCore
import Testing
@testable import RIB
@testable import Speaker

/// The speaker's routing side without sockets, in holo's conformance style: a recorded
/// sequence of session events in; for each, the kernel route changes, the peers that are
/// sent something, and the End-of-RIB / restart status that must come out.
@Suite struct RouteEngineTests {
    static let localAS: UInt32 = 64512
    static func pfx(_ s: String) -> IPPrefix { IPPrefix(s)! }
    static func v4(_ s: String) -> IPAddress { .v4(IPv4Address(s)!) }

    /// Peers of every scenario: A eBGP (AS 64513), B and C iBGP.
    static let peerA = PeerRouting(address: v4("198.51.100.1"))
    static let peerB = PeerRouting(address: v4("192.0.2.2"))
    static let peerC = PeerRouting(address: v4("192.0.2.3"))

    static func facts(as asn: UInt32, id: String, gr: Bool = true) -> SessionFacts {
        SessionFacts(peerAS: asn, peerRouterID: IPv4Address(id)!, localAddress: v4("192.0.2.1"),
                     encodeContext: CodecContext(fourOctetAS: true), families: [.ipv4Unicast], forwardingStatePreserved: gr)
    }

    /// A recorded event: which peer (0 A, 1 B, 2 C) and what happened, at a time in seconds.
    enum Step: Sendable {
        case up(Int, gr: Bool)
        case announce(Int, [String], nextHop: String)
        case withdraw(Int, [String])
        case endOfRIB(Int)
        case down(Int, grSeconds: UInt16?)
        case removed(Int)
        case originate([String])
        case clock(seconds: UInt64)
    }

    /// What must come out of one step.
    struct Expect: Sendable {
        var fib: [FIBChange] = []
        var sentTo: Set<Int> = []
        var allEndOfRIB = false
        var timedOut: Set<Int> = []
        var restarting: Set<Int> = []
    }

    struct Scenario: Sendable, CustomTestStringConvertible {
        var name: String
        var steps: [(Step, Expect)]
        var testDescription: String { name }
    }

    static func set(_ p: String, _ nh: String...) -> FIBChange { .set(pfx(p), nextHops: nh.map(v4)) }
    static func remove(_ p: String) -> FIBChange { .remove(pfx(p)) }

    static let scenarios: [Scenario] = [
        Scenario(name: "learned route goes to the kernel and to the other peers; withdrawal removes it", steps: [
            (.up(0, gr: true), Expect(sentTo: [0])),
            (.up(1, gr: true), Expect(sentTo: [1])),
            (.announce(0, ["10.1.0.0/24"], nextHop: "198.51.100.1"), Expect(fib: [set("10.1.0.0/24", "198.51.100.1")], sentTo: [1])),
            (.withdraw(0, ["10.1.0.0/24"]), Expect(fib: [remove("10.1.0.0/24")], sentTo: [1])),
        ]),
        Scenario(name: "locally originated blocks are advertised but never become kernel routes", steps: [
            (.up(1, gr: true), Expect(sentTo: [1])),
            (.originate(["10.244.1.0/26"]), Expect(sentTo: [1])),
        ]),
        Scenario(name: "session down without graceful restart: routes go at once", steps: [
            (.up(0, gr: true), Expect(sentTo: [0])),
            (.announce(0, ["10.1.0.0/24", "10.2.0.0/24"], nextHop: "198.51.100.1"),
             Expect(fib: [set("10.1.0.0/24", "198.51.100.1"), set("10.2.0.0/24", "198.51.100.1")])),
            (.down(0, grSeconds: nil), Expect(fib: [remove("10.1.0.0/24"), remove("10.2.0.0/24")])),
        ]),
        Scenario(name: "graceful restart (RFC 4724 §4.2): routes stay stale, End-of-RIB removes what was not re-announced", steps: [
            (.up(0, gr: true), Expect(sentTo: [0])),
            (.announce(0, ["10.1.0.0/24", "10.2.0.0/24"], nextHop: "198.51.100.1"),
             Expect(fib: [set("10.1.0.0/24", "198.51.100.1"), set("10.2.0.0/24", "198.51.100.1")])),
            (.down(0, grSeconds: 120), Expect(restarting: [0])),
            (.clock(seconds: 30), Expect(restarting: [0])),
            (.up(0, gr: true), Expect(sentTo: [0], restarting: [0])),
            (.announce(0, ["10.1.0.0/24"], nextHop: "198.51.100.1"), Expect(restarting: [0])),
            // B and C are configured and have not sent End-of-RIB: kernel stale routes stay.
            // The withdrawal of the stale copy reaches A itself: at re-establishment A was sent
            // the stale copy (another RIB handle than A's live session); A ignores both (its
            // AS is in the path, RFC 4271 §9.1.2). Known; see docs/ARCHITECTURE.md.
            (.endOfRIB(0), Expect(fib: [remove("10.2.0.0/24")], sentTo: [0])),
        ]),
        Scenario(name: "graceful restart time runs out: the stale routes go at the deadline, not before", steps: [
            (.up(0, gr: true), Expect(sentTo: [0])),
            (.announce(0, ["10.1.0.0/24"], nextHop: "198.51.100.1"), Expect(fib: [set("10.1.0.0/24", "198.51.100.1")])),
            (.down(0, grSeconds: 5), Expect(restarting: [0])),
            (.clock(seconds: 4), Expect(restarting: [0])),
            (.clock(seconds: 5), Expect(fib: [remove("10.1.0.0/24")], timedOut: [0])),
        ]),
        Scenario(name: "back without forwarding state: the kept routes go at once", steps: [
            (.up(0, gr: true), Expect(sentTo: [0])),
            (.announce(0, ["10.1.0.0/24"], nextHop: "198.51.100.1"), Expect(fib: [set("10.1.0.0/24", "198.51.100.1")])),
            (.down(0, grSeconds: 120), Expect(restarting: [0])),
            (.up(0, gr: false), Expect(fib: [remove("10.1.0.0/24")], sentTo: [0])),
        ]),
        Scenario(name: "End-of-RIB from every configured peer frees stale kernel routes; the last one decides", steps: [
            (.up(0, gr: true), Expect(sentTo: [0])),
            (.up(1, gr: true), Expect(sentTo: [1])),
            (.endOfRIB(0), Expect()),
            (.endOfRIB(1), Expect()),
            (.up(2, gr: true), Expect(sentTo: [2])),
            (.endOfRIB(2), Expect(allEndOfRIB: true)),
        ]),
        Scenario(name: "reload removes a peer that never sent End-of-RIB: the others' suffice, its routes go", steps: [
            (.up(0, gr: true), Expect(sentTo: [0])),
            (.up(1, gr: true), Expect(sentTo: [1])),
            (.up(2, gr: true), Expect(sentTo: [2])),
            (.announce(0, ["10.1.0.0/24"], nextHop: "198.51.100.1"), Expect(fib: [set("10.1.0.0/24", "198.51.100.1")], sentTo: [1, 2])),
            (.endOfRIB(1), Expect()),
            (.endOfRIB(2), Expect()),
            (.removed(0), Expect(fib: [remove("10.1.0.0/24")], sentTo: [1, 2], allEndOfRIB: true)),
        ]),
        Scenario(name: "two iBGP paths that tie before the tie-breakers form one ECMP route", steps: [
            (.up(1, gr: true), Expect(sentTo: [1])),
            (.up(2, gr: true), Expect(sentTo: [2])),
            (.announce(1, ["10.9.0.0/24"], nextHop: "192.0.2.2"), Expect(fib: [set("10.9.0.0/24", "192.0.2.2")])),
            (.announce(2, ["10.9.0.0/24"], nextHop: "192.0.2.3"), Expect(fib: [set("10.9.0.0/24", "192.0.2.2", "192.0.2.3")])),
            (.down(1, grSeconds: nil), Expect(fib: [set("10.9.0.0/24", "192.0.2.3")])),
        ]),
    ]

    @Test(arguments: scenarios)
    func scenario(_ s: Scenario) {
        var engine = RouteEngine(config: RIBConfig(localAS: Self.localAS, routerID: IPv4Address("192.0.2.1")!))
        let ids = [Self.peerA, Self.peerB, Self.peerC].map { engine.addPeer($0) }
        let index = Dictionary(uniqueKeysWithValues: ids.enumerated().map { ($1, $0) })
        #expect(engine.trackFIB().isEmpty)
        var now = Instant(nanoseconds: 0)
        for (n, (step, want)) in s.steps.enumerated() {
            let out: RouteEngineOutput
            switch step {
            case .up(let p, let gr):
                out = engine.handle(.established(ids[p], p == 0 ? Self.facts(as: 64513, id: "198.51.100.1", gr: gr)
                                                          : Self.facts(as: Self.localAS, id: p == 1 ? "192.0.2.2" : "192.0.2.3", gr: gr)), now: now)
            case .announce(let p, let prefixes, let nh):
                let path: [UInt32] = p == 0 ? [64513] : []
                let a = PathAttributes(origin: .igp, asPath: .sequence(path), nextHop: IPv4Address(nh), localPref: p == 0 ? nil : 100)
                out = engine.handle(.update(ids[p], UpdateMessage(attributes: a, nlri: prefixes.map { NLRI(Self.pfx($0)) }),
                                            treatAsWithdraw: false), now: now)
            case .withdraw(let p, let prefixes):
                out = engine.handle(.update(ids[p], UpdateMessage(withdrawn: prefixes.map { NLRI(Self.pfx($0)) }), treatAsWithdraw: false), now: now)
            case .endOfRIB(let p):
                out = engine.handle(.update(ids[p], .endOfRIB(.ipv4Unicast), treatAsWithdraw: false), now: now)
            case .down(let p, let gr):
                out = engine.handle(.down(ids[p], gracefulRestartTime: gr), now: now)
            case .removed(let p):
                out = engine.handle(.removed(ids[p]), now: now)
            case .originate(let prefixes):
                out = engine.handle(.originate(prefixes.map(Self.pfx)), now: now)
            case .clock(let seconds):
                now = .seconds(seconds)
                out = engine.advance(to: now)
            }
            let label = "\(s.name), step \(n): \(step)"
            #expect(out.fib == want.fib, "\(label)")
            #expect(Set(out.sends.filter { !$0.messages.isEmpty }.compactMap { index[$0.peer] }) == want.sentTo, "\(label)")
            #expect(out.allPeersSentEndOfRIB == want.allEndOfRIB, "\(label)")
            #expect(Set(out.restartTimedOut.compactMap { index[$0] }) == want.timedOut, "\(label)")
            #expect(Set(engine.restartingPeers.compactMap { index[$0] }) == want.restarting, "\(label)")
        }
    }

    /// The FIB snapshot at tracking time holds what was learned before the dataplane started.
    @Test func trackingLateGivesTheSnapshot() {
        var engine = RouteEngine(config: RIBConfig(localAS: Self.localAS, routerID: IPv4Address("192.0.2.1")!))
        let a = engine.addPeer(Self.peerA)
        _ = engine.handle(.established(a, Self.facts(as: 64513, id: "198.51.100.1")), now: .seconds(0))
        let a1 = PathAttributes(origin: .igp, asPath: .sequence([64513]), nextHop: IPv4Address("198.51.100.1"))
        let out = engine.handle(.update(a, UpdateMessage(attributes: a1, nlri: [NLRI(Self.pfx("10.1.0.0/24"))]), treatAsWithdraw: false), now: .seconds(0))
        #expect(out.fib.isEmpty)
        #expect(engine.trackFIB() == [Self.set("10.1.0.0/24", "198.51.100.1")])
    }

    /// Events for a peer the engine does not know (removed by a reload) change nothing.
    @Test func unknownPeerIsIgnored() {
        var engine = RouteEngine(config: RIBConfig(localAS: Self.localAS, routerID: IPv4Address("192.0.2.1")!))
        let a = engine.addPeer(Self.peerA)
        _ = engine.handle(.removed(a), now: .seconds(0))
        let a1 = PathAttributes(origin: .igp, asPath: .sequence([64513]), nextHop: IPv4Address("198.51.100.1"))
        #expect(engine.handle(.update(a, UpdateMessage(attributes: a1, nlri: [NLRI(Self.pfx("10.1.0.0/24"))]), treatAsWithdraw: false),
                              now: .seconds(0)).isEmpty)
        #expect(engine.rib.routes().isEmpty)
    }
}
