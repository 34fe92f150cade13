import IPCore
import BGPWire
import Testing
@testable import RIB

/// The RIB decides what goes to the FIB (``RIBChanges/fib``): events in, kernel route
/// changes out. Best path per RFC 4271 §9.1.2; paths tying with it before the tie-breakers
/// form one ECMP route; locally originated or next-hop-less best paths mean no route.
@Suite struct FIBChangeTests {
    static let a = ebgpPeer(1, address: "198.51.100.1")
    static let b = ibgpPeer(2, address: "192.0.2.2", families: [.ipv4Unicast, .ipv6Unicast])
    static let c = ibgpPeer(3, address: "192.0.2.3")
    static let stale = PeerID(100)

    /// One RIB operation.
    enum Event: Sendable {
        case announce(PeerID, [String], nextHop: String?, localPref: UInt32? = nil, med: UInt32? = nil)
        case announceAndWithdraw(PeerID, String, nextHop: String)
        case announce6(PeerID, String, nextHop: String)
        case withdraw(PeerID, [String])
        case originate(String)
        case withdrawOriginated(String)
        case peerDown(PeerID)
        case retainAsStale(PeerID, as: PeerID)
        case removePeer(PeerID)
    }

    /// A named sequence of events, each with the FIB changes it must produce.
    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var steps: [(Event, [FIBChange])]
        var testDescription: String { name }
    }

    static func rib(tracking: Bool = true) -> RIB {
        var r = RIB(config: testConfig)
        r.addPeer(a)
        r.addPeer(b)
        r.addPeer(c)
        if tracking { r.trackFIBChanges() }
        return r
    }

    static func run(_ e: Event, on r: inout RIB) -> RIBChanges {
        switch e {
        case .announce(let p, let prefixes, let nh, let lp, let med):
            return r.apply(announce(prefixes, attrs([64513], nextHop: nh, med: med, localPref: lp)), from: p)
        case .announceAndWithdraw(let p, let prefix, let nh):
            return r.apply(announce([prefix], attrs([64513], nextHop: nh), withdrawn: [prefix]), from: p)
        case .announce6(let p, let prefix, let nh):
            return r.apply(announce6([prefix], nextHop: nh), from: p)
        case .withdraw(let p, let prefixes): return r.apply(withdraw(prefixes), from: p)
        case .originate(let p): return r.originate(prefix: pfx(p))
        case .withdrawOriginated(let p): return r.withdrawOriginated(prefix: pfx(p))
        case .peerDown(let p): return r.peerDown(p)
        case .retainAsStale(let p, let s): r.retainAsStale(p, as: s); return RIBChanges()
        case .removePeer(let p): return r.removePeer(p)
        }
    }

    static func set(_ p: String, _ hops: String...) -> FIBChange { .set(pfx(p), nextHops: hops.map(v4)) }
    static func remove(_ p: String) -> FIBChange { .remove(pfx(p)) }

    static let cases: [Case] = [
        Case(name: "route learned", steps: [
            (.announce(b.id, ["10.1.0.0/24"], nextHop: "192.0.2.2"), [set("10.1.0.0/24", "192.0.2.2")]),
        ]),
        Case(name: "better path replaces", steps: [
            (.announce(b.id, ["10.1.0.0/24"], nextHop: "192.0.2.2"), [set("10.1.0.0/24", "192.0.2.2")]),
            (.announce(c.id, ["10.1.0.0/24"], nextHop: "192.0.2.3", localPref: 200), [set("10.1.0.0/24", "192.0.2.3")]),
        ]),
        Case(name: "two equal paths, then one withdrawn", steps: [
            (.announce(c.id, ["10.1.0.0/24"], nextHop: "192.0.2.3"), [set("10.1.0.0/24", "192.0.2.3")]),
            (.announce(b.id, ["10.1.0.0/24"], nextHop: "192.0.2.2"), [set("10.1.0.0/24", "192.0.2.2", "192.0.2.3")]),
            (.withdraw(c.id, ["10.1.0.0/24"]), [set("10.1.0.0/24", "192.0.2.2")]),
        ]),
        Case(name: "identical re-announcement", steps: [
            (.announce(b.id, ["10.1.0.0/24"], nextHop: "192.0.2.2"), [set("10.1.0.0/24", "192.0.2.2")]),
            (.announce(b.id, ["10.1.0.0/24"], nextHop: "192.0.2.2"), []),
        ]),
        Case(name: "withdrawn and announced again in one UPDATE", steps: [
            (.announce(b.id, ["10.1.0.0/24"], nextHop: "192.0.2.2"), [set("10.1.0.0/24", "192.0.2.2")]),
            (.announceAndWithdraw(b.id, "10.1.0.0/24", nextHop: "192.0.2.2"), []),
            (.announceAndWithdraw(b.id, "10.1.0.0/24", nextHop: "192.0.2.9"), [set("10.1.0.0/24", "192.0.2.9")]),
        ]),
        Case(name: "non-best change leaves the multipath set", steps: [
            (.announce(b.id, ["10.1.0.0/24"], nextHop: "192.0.2.2", localPref: 200), [set("10.1.0.0/24", "192.0.2.2")]),
            (.announce(c.id, ["10.1.0.0/24"], nextHop: "192.0.2.3", localPref: 100), []),
            (.announce(c.id, ["10.1.0.0/24"], nextHop: "192.0.2.3", localPref: 150), []),
            (.withdraw(c.id, ["10.1.0.0/24"]), []),
        ]),
        Case(name: "same next hop from two peers is one hop", steps: [
            (.announce(b.id, ["10.1.0.0/24"], nextHop: "192.0.2.9"), [set("10.1.0.0/24", "192.0.2.9")]),
            (.announce(c.id, ["10.1.0.0/24"], nextHop: "192.0.2.9"), []),
        ]),
        Case(name: "locally originated: no route", steps: [
            (.originate("10.1.0.0/24"), []),
            (.announce(b.id, ["10.1.0.0/24"], nextHop: "192.0.2.2"), []),
            (.withdrawOriginated("10.1.0.0/24"), [set("10.1.0.0/24", "192.0.2.2")]),
        ]),
        Case(name: "originated over an installed peer route removes it", steps: [
            (.announce(b.id, ["10.1.0.0/24"], nextHop: "192.0.2.2"), [set("10.1.0.0/24", "192.0.2.2")]),
            (.originate("10.1.0.0/24"), [remove("10.1.0.0/24")]),
            (.withdrawOriginated("10.1.0.0/24"), [set("10.1.0.0/24", "192.0.2.2")]),
        ]),
        Case(name: "best path gone", steps: [
            (.announce(b.id, ["10.1.0.0/24"], nextHop: "192.0.2.2"), [set("10.1.0.0/24", "192.0.2.2")]),
            (.withdraw(b.id, ["10.1.0.0/24"]), [remove("10.1.0.0/24")]),
            (.withdraw(b.id, ["10.1.0.0/24"]), []),
        ]),
        Case(name: "IPv6 route", steps: [
            (.announce6(b.id, "2001:db8:1::/48", nextHop: "2001:db8::2"),
             [.set(pfx("2001:db8:1::/48"), nextHops: [v6("2001:db8::2")])]),
            (.peerDown(b.id), [.remove(pfx("2001:db8:1::/48"))]),
        ]),
        Case(name: "graceful restart: stale kept, refreshed, flushed", steps: [
            (.announce(a.id, ["10.1.0.0/24", "10.2.0.0/24", "10.3.0.0/24"], nextHop: "198.51.100.1"),
             [set("10.1.0.0/24", "198.51.100.1"), set("10.2.0.0/24", "198.51.100.1"), set("10.3.0.0/24", "198.51.100.1")]),
            (.retainAsStale(a.id, as: stale), []),
            (.announce(a.id, ["10.1.0.0/24"], nextHop: "198.51.100.1"), []),
            // Same neighbour AS, equal attributes: the fresh and the stale path tie (ECMP).
            (.announce(a.id, ["10.2.0.0/24"], nextHop: "198.51.100.9"), [set("10.2.0.0/24", "198.51.100.1", "198.51.100.9")]),
            // End-of-RIB: the stale paths go.
            (.removePeer(stale), [set("10.2.0.0/24", "198.51.100.9"), remove("10.3.0.0/24")]),
        ]),
    ]

    @Test(arguments: cases) func eventsGiveFIBChanges(_ c: Case) {
        var r = Self.rib()
        for (i, (event, expected)) in c.steps.enumerated() {
            let got = Self.run(event, on: &r).fib
            #expect(got == expected, "step \(i): \(event)")
        }
    }

    @Test func peerDownWithManyPrefixes() {
        var r = Self.rib()
        let all = (0..<200).map { "10.\($0 / 256).\($0 % 256).0/24" }
        let shared = Array(all.prefix(80))
        _ = r.apply(announce(all, attrs([64513], nextHop: "192.0.2.2")), from: Self.b.id)
        let widened = r.apply(announce(shared, attrs([64513], nextHop: "192.0.2.3")), from: Self.c.id).fib
        #expect(widened == shared.map { Self.set($0, "192.0.2.2", "192.0.2.3") })
        let down = r.peerDown(Self.b.id).fib
        #expect(down.count == all.count)
        #expect(Set(down) == Set(shared.map { Self.set($0, "192.0.2.3") } + all.dropFirst(80).map { Self.remove($0) }))
    }

    @Test func trackingOffGivesNone() {
        var r = Self.rib(tracking: false)
        #expect(!r.tracksFIBChanges)
        for c in Self.cases {
            var r2 = Self.rib(tracking: false)
            for (e, _) in c.steps { #expect(Self.run(e, on: &r2).fib.isEmpty) }
        }
        // Best-path changes are still reported.
        let ch = r.apply(announce(["10.1.0.0/24"], attrs([64513], nextHop: "192.0.2.2")), from: Self.b.id)
        #expect(ch.count == 1)
        #expect(ch.fib.isEmpty)
    }

    /// The kernel state reached by applying `changes` in order.
    static func accumulate(_ changes: [FIBChange], into table: inout [IPPrefix: [IPAddress]]) {
        for c in changes {
            switch c {
            case .set(let p, let hops): table[p] = hops
            case .remove(let p): table[p] = nil
            }
        }
    }

    @Test func snapshotEqualsAccumulatedChanges() {
        var r = Self.rib()
        var kernel: [IPPrefix: [IPAddress]] = [:]
        for c in Self.cases {
            for (e, _) in c.steps {
                if case .retainAsStale = e { continue }  // the stale handle exists once
                if case .removePeer = e { continue }
                Self.accumulate(Self.run(e, on: &r).fib, into: &kernel)
            }
        }
        #expect(!kernel.isEmpty)
        var snap: [IPPrefix: [IPAddress]] = [:]
        Self.accumulate(r.fibSnapshot(), into: &snap)
        #expect(snap == kernel)
        #expect(r.fibSnapshot().count == kernel.count)
    }

    /// Batch origination gives what one call per prefix gives (each prefix once), and a
    /// batch withdrawal takes them all back.
    @Test func batchOriginationEqualsOneByOne() {
        let prefixes = ["10.9.0.0/26", "10.9.0.64/26", "10.9.0.0/26", "fd00:9::/64"].map(pfx)
        var batch = Self.rib(tracking: false), single = Self.rib(tracking: false)
        let b = batch.originate(prefixes: prefixes)
        var s = RIBChanges()
        for p in ["10.9.0.0/26", "10.9.0.64/26", "fd00:9::/64"].map(pfx) { s.merge(single.originate(prefix: p)) }
        #expect(b.changes.map(\.prefix) == s.changes.map(\.prefix))
        let describe = { (r: RIB) in r.routes().map { "\($0.prefix) \($0.paths.count) \($0.reason) local=\($0.best.peer.isLocal)" } }
        #expect(describe(batch) == describe(single))
        #expect(batch.prefixCount == 3)
        #expect(batch.withdrawOriginated(prefixes: prefixes).changes.count == 3)
        #expect(batch.prefixCount == 0)
    }

    @Test func snapshotCoversRoutesLearnedBeforeTracking() {
        var r = Self.rib(tracking: false)
        _ = r.apply(announce(["10.1.0.0/24"], attrs([64513], nextHop: "192.0.2.3")), from: Self.c.id)
        _ = r.apply(announce(["10.1.0.0/24", "10.2.0.0/24"], attrs([64513], nextHop: "192.0.2.2")), from: Self.b.id)
        _ = r.originate(prefix: pfx("10.9.0.0/24"))
        r.trackFIBChanges()
        #expect(Set(r.fibSnapshot()) == [Self.set("10.1.0.0/24", "192.0.2.2", "192.0.2.3"),
                                         Self.set("10.2.0.0/24", "192.0.2.2")])
        // From here on changes are relative to the snapshot.
        #expect(r.withdrawOriginated(prefix: pfx("10.9.0.0/24")).fib.isEmpty)
        #expect(r.peerDown(Self.c.id).fib == [Self.set("10.1.0.0/24", "192.0.2.2")])
    }

    @Test func mergeKeepsOneChangePerPrefix() {
        var r = Self.rib()
        var ch = r.apply(announce(["10.1.0.0/24", "10.2.0.0/24"], attrs([64513], nextHop: "192.0.2.2")), from: Self.b.id)
        ch.merge(r.apply(withdraw(["10.1.0.0/24"]), from: Self.b.id))            // set then remove: nothing
        ch.merge(r.apply(announce(["10.2.0.0/24"], attrs([64513], nextHop: "192.0.2.3")), from: Self.c.id))
        #expect(ch.fib == [Self.set("10.2.0.0/24", "192.0.2.2", "192.0.2.3")])
    }
}
