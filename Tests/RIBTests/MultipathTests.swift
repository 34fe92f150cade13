import BGPWire
import Testing
@testable import RIB

/// ECMP next hops for the dataplane: paths that tie with the best before the tie-breakers
/// (RFC 4271 §9.1.2.2 a-d) form one kernel route (``RIBChanges/fib``).
@Suite struct MultipathTests {
    let b = ibgpPeer(2, address: "192.0.2.2")
    let c = ibgpPeer(3, address: "192.0.2.3")

    func rib() -> RIB {
        var r = RIB(config: RIBConfig(localAS: 64512, routerID: ip4("192.0.2.1")))
        r.addPeer(b)
        r.addPeer(c)
        r.trackFIBChanges()
        return r
    }

    @Test func twoEqualIBGPPathsGiveTwoNextHops() {
        var r = rib()
        _ = r.apply(announce(["10.9.0.0/26"], attrs([], nextHop: "192.0.2.2")), from: b.id)
        // The best path may stay: the kernel route still widens.
        let ch = r.apply(announce(["10.9.0.0/26"], attrs([], nextHop: "192.0.2.3")), from: c.id)
        #expect(ch.fib == [.set(pfx("10.9.0.0/26"), nextHops: [v4("192.0.2.2"), v4("192.0.2.3")])])
        // One goes: back to a single next hop.
        let back = r.apply(withdraw(["10.9.0.0/26"]), from: c.id)
        #expect(back.fib == [.set(pfx("10.9.0.0/26"), nextHops: [v4("192.0.2.2")])])
    }

    @Test func aWorsePathIsNotUsed() {
        var r = rib()
        _ = r.apply(announce(["10.9.0.0/26"], attrs([], nextHop: "192.0.2.2")), from: b.id)
        let ch = r.apply(announce(["10.9.0.0/26"], attrs([64999], nextHop: "192.0.2.3")), from: c.id)  // longer AS path
        #expect(ch.fib.isEmpty)
        #expect(r.fibSnapshot() == [.set(pfx("10.9.0.0/26"), nextHops: [v4("192.0.2.2")])])
    }

    @Test func locallyOriginatedHasNone() {
        var r = rib()
        #expect(r.originate(prefix: pfx("10.1.0.0/26")).fib.isEmpty)
        #expect(r.fibSnapshot().isEmpty)
    }
}
