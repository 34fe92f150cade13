import BGPWire
import Testing
@testable import RIB

@Suite struct RIBApplyTests {
    let a = ebgpPeer(1, address: "10.0.0.1", asn: 64513)
    let b = ebgpPeer(2, address: "10.0.0.2", asn: 64514)
    let c = ibgpPeer(3, address: "10.0.0.3")

    func rib() -> RIB {
        var r = RIB(config: testConfig)
        r.addPeer(a); r.addPeer(b); r.addPeer(c)
        return r
    }

    @Test func announceAndWithdraw() {
        var r = rib()
        let ch = r.apply(announce(["10.1.0.0/24", "10.2.0.0/24"]), from: a.id)
        #expect(ch.prefixes == [pfx("10.1.0.0/24"), pfx("10.2.0.0/24")])
        #expect(ch.changes.allSatisfy { $0.old == nil && $0.new?.peer == a.id })
        #expect(r.bestPath(for: pfx("10.1.0.0/24"))?.nextHop == v4("198.51.100.1"))
        #expect(r.prefixCount == 2)
        #expect(r.prefixCount(from: a.id) == (2, 2))

        let w = r.apply(withdraw(["10.1.0.0/24"]), from: a.id)
        #expect(w.count == 1)
        #expect(w.changes[0].new == nil)
        #expect(w.changes[0].old?.peer == a.id)
        #expect(r.bestPath(for: pfx("10.1.0.0/24")) == nil)
        #expect(r.prefixCount(from: a.id) == (1, 1))
        // Withdrawing what the peer never sent changes nothing.
        #expect(r.apply(withdraw(["10.1.0.0/24", "10.9.0.0/24"]), from: a.id).isEmpty)
    }

    @Test func reannouncingTheSamePathIsNoChange() {
        var r = rib()
        _ = r.apply(announce(["10.1.0.0/24"]), from: a.id)
        #expect(r.apply(announce(["10.1.0.0/24"]), from: a.id).isEmpty)
        // New attributes under the same key replace the path: a change.
        let ch = r.apply(announce(["10.1.0.0/24"], attrs(med: 7)), from: a.id)
        #expect(ch.count == 1)
        #expect(ch.changes[0].new?.attributes.multiExitDisc == 7)
        #expect(r.route(for: pfx("10.1.0.0/24"))?.paths.count == 1)
    }

    @Test func betterAndWorsePaths() {
        var r = rib()
        _ = r.apply(announce(["10.1.0.0/24"], attrs([64513, 65000])), from: a.id)
        // Longer path from B: not best, no change.
        #expect(r.apply(announce(["10.1.0.0/24"], attrs([64514, 65001, 65000])), from: b.id).isEmpty)
        // Shorter path from B: new best.
        let ch = r.apply(announce(["10.1.0.0/24"], attrs([64514])), from: b.id)
        #expect(ch.changes.map(\.new?.peer) == [b.id])
        #expect(ch.changes.map(\.old?.peer) == [a.id])
        let view = r.route(for: pfx("10.1.0.0/24"))
        #expect(view?.paths.map(\.peer) == [b.id, a.id])
        #expect(view?.reason.description == "shorter AS_PATH")
    }

    @Test func treatAsWithdraw() {
        var r = rib()
        _ = r.apply(announce(["10.1.0.0/24", "10.2.0.0/24"]), from: a.id)
        // A broken UPDATE naming 10.1/24 in its NLRI: the route goes, the rest stays.
        let ch = r.apply(announce(["10.1.0.0/24"], attrs(med: 1)), from: a.id, treatAsWithdraw: true)
        #expect(ch.prefixes == [pfx("10.1.0.0/24")])
        #expect(ch.changes[0].new == nil)
        #expect(r.bestPath(for: pfx("10.2.0.0/24")) != nil)
        #expect(r.prefixCount == 1)
    }

    @Test func peerDownRecomputesOnlyItsPrefixes() {
        var r = rib()
        _ = r.apply(announce(["10.1.0.0/24", "10.2.0.0/24"], attrs([64513])), from: a.id)
        _ = r.apply(announce(["10.1.0.0/24", "10.3.0.0/24"], attrs([64514, 65000])), from: b.id)
        for i in 0..<50 { _ = r.apply(announce(["10.100.\(i).0/24"], attrs([64514])), from: b.id) }
        let decisionsBefore = r.stats.decisions
        let ch = r.peerDown(a.id)
        #expect(Set(ch.prefixes) == [pfx("10.1.0.0/24"), pfx("10.2.0.0/24")])
        #expect(ch.change(for: pfx("10.1.0.0/24"))?.new?.peer == b.id)
        #expect(ch.change(for: pfx("10.2.0.0/24"))?.new == nil)
        // One remaining path: no decision needed at all.
        #expect(r.stats.decisions == decisionsBefore)
        #expect(r.prefixCount(from: a.id) == (0, 0))
        #expect(r.prefixCount == 52)
        // The peer can come back.
        #expect(r.apply(announce(["10.2.0.0/24"]), from: a.id).count == 1)
    }

    @Test func removePeerForgetsIt() {
        var r = rib()
        _ = r.apply(announce(["10.1.0.0/24"]), from: a.id)
        #expect(r.removePeer(a.id).count == 1)
        #expect(r.peer(a.id) == nil)
        #expect(r.apply(announce(["10.1.0.0/24"]), from: a.id).isEmpty)  // unknown peer: ignored
    }

    @Test func ebgpASLoopIsIgnored() {
        var r = rib()
        _ = r.apply(announce(["10.1.0.0/24"], attrs([64513, 65000])), from: a.id)
        // The same key now carries our AS: the old path goes, the new one is not taken.
        let ch = r.apply(announce(["10.1.0.0/24", "10.2.0.0/24"], attrs([64513, localAS, 65000])), from: a.id)
        #expect(ch.prefixes == [pfx("10.1.0.0/24")])
        #expect(ch.changes[0].new == nil)
        #expect(r.prefixCount == 0)
        #expect(r.prefixCount(from: a.id) == (2, 0))
        // Withdrawal of an ignored route clears the received count.
        _ = r.apply(withdraw(["10.2.0.0/24"]), from: a.id)
        #expect(r.prefixCount(from: a.id) == (1, 0))
        // Our AS in an iBGP path is not a loop (it is our own AS).
        #expect(r.apply(announce(["10.5.0.0/24"], attrs([localAS, 65000])), from: c.id).count == 1)
    }

    @Test func reflectorLoopsAreIgnored() {
        var r = RIB(config: RIBConfig(localAS: localAS, routerID: ourRouterID, clusterID: ip4("192.0.2.100")))
        r.addPeer(c)
        #expect(r.apply(announce(["10.1.0.0/24"], attrs([], originatorID: "192.0.2.1")), from: c.id).isEmpty)
        #expect(r.apply(announce(["10.2.0.0/24"], attrs([], originatorID: "10.9.9.9", clusterList: ["10.7.7.7", "192.0.2.100"])), from: c.id).isEmpty)
        #expect(r.apply(announce(["10.3.0.0/24"], attrs([], originatorID: "10.9.9.9", clusterList: ["10.7.7.7"])), from: c.id).count == 1)
        #expect(r.prefixCount(from: c.id) == (3, 1))
    }

    @Test func twoOctetPeerPathIsReconstructed() {
        var r = RIB(config: testConfig)
        let old = ebgpPeer(4, address: "10.0.0.4", asn: 64520, context: CodecContext(fourOctetAS: false))
        r.addPeer(old)
        var a = attrs([64520, ASPath.asTrans])
        a.as4Path = .sequence([4_200_000_000])
        _ = r.apply(announce(["10.1.0.0/24"], a), from: old.id)
        let stored = r.bestPath(for: pfx("10.1.0.0/24"))?.attributes
        #expect(stored?.asPath == .sequence([64520, 4_200_000_000]))
        #expect(stored?.as4Path == nil)
    }

    @Test func addPathKeysPathsByPathID() {
        var r = rib()
        _ = r.apply(announce(["10.1.0.0/24"], attrs([64513, 1, 2]), pathID: 1), from: a.id)
        let ch = r.apply(announce(["10.1.0.0/24"], attrs([64513]), pathID: 2), from: a.id)
        #expect(ch.changes.first?.new?.pathID == 2)
        #expect(r.route(for: pfx("10.1.0.0/24"))?.paths.map(\.pathID) == [2, 1])
        #expect(r.prefixCount(from: a.id) == (2, 2))
        let w = r.apply(withdraw(["10.1.0.0/24"], pathID: 2), from: a.id)
        #expect(w.changes.first?.new?.pathID == 1)
        #expect(r.prefixCount(from: a.id) == (1, 1))
        // The peer still has a path: peer down must still find the prefix.
        #expect(r.peerDown(a.id).changes.first?.new == nil)
        #expect(r.prefixCount == 0)
    }

    @Test func ipv6FromMPReach() {
        var r = rib()
        let ch = r.apply(announce6(["2001:db8:1::/48"]), from: a.id)
        #expect(ch.prefixes == [pfx("2001:db8:1::/48")])
        #expect(r.bestPath(for: pfx("2001:db8:1::/48"))?.nextHop == v6("2001:db8::1"))
        let w = r.apply(UpdateMessage(mpUnreach: MPUnreachNLRI(family: .ipv6Unicast, withdrawn: [NLRI(pfx("2001:db8:1::/48"))])), from: a.id)
        #expect(w.changes.first?.new == nil)
    }

    @Test func localOriginationTakesPart() {
        var r = rib()
        _ = r.apply(announce(["10.244.1.0/26"], attrs([], nextHop: "10.0.0.3")), from: c.id)
        let ch = r.originate(prefix: pfx("10.244.1.0/26"))
        #expect(ch.changes.first?.new?.peer == .local)
        #expect(r.route(for: pfx("10.244.1.0/26"))?.reason.description == "local route over iBGP")
        let w = r.withdrawOriginated(prefix: pfx("10.244.1.0/26"))
        #expect(w.changes.first?.new?.peer == c.id)
        #expect(r.withdrawOriginated(prefix: pfx("10.244.1.0/26")).isEmpty)
    }

    @Test func attributeSetsAreShared() {
        // b passes a's path on unchanged (as a route server does), so first-AS is not enforced.
        var cfg = testConfig
        cfg.enforceFirstAS = false
        var r = RIB(config: cfg)
        r.addPeer(a); r.addPeer(b); r.addPeer(c)
        let prefixes = (0..<1000).map { "10.\($0 / 256).\($0 % 256).0/24" }
        _ = r.apply(announce(prefixes), from: a.id)
        _ = r.apply(announce(["10.200.0.0/24"]), from: b.id)  // equal attributes from another peer
        #expect(r.attributeSetCount == 1)
        let x = r.bestPath(for: pfx("10.0.5.0/24")), y = r.bestPath(for: pfx("10.200.0.0/24"))
        #expect(x?.attributeSet === y?.attributeSet)
        _ = r.apply(announce(["10.0.0.0/24"], attrs(med: 3)), from: a.id)
        #expect(r.attributeSetCount == 2)
        _ = r.apply(withdraw(["10.0.0.0/24"]), from: a.id)
        r.compactAttributeSets()
        #expect(r.attributeSetCount == 1)
    }

    @Test func perPrefixStorageIsSmall() {
        #expect(MemoryLayout<Path>.size == 16)
        #expect(MemoryLayout<PathList>.size == 16)
    }

    @Test func changesMerge() {
        var r = rib()
        var all = r.apply(announce(["10.1.0.0/24", "10.2.0.0/24"]), from: a.id)
        all.merge(r.apply(withdraw(["10.1.0.0/24"]), from: a.id))  // announced then gone: no net change
        all.merge(r.apply(announce(["10.3.0.0/24"]), from: a.id))
        #expect(all.prefixes == [pfx("10.2.0.0/24"), pfx("10.3.0.0/24")])
    }

    /// The per-peer prefix lists keep stale entries after withdrawals and are compacted
    /// when they grow past twice the peer's paths; peer down still removes exactly the
    /// peer's paths, once each.
    @Test func adjRIBInIndexSurvivesChurn() {
        var r = rib()
        let prefixes = (0..<600).map { "10.\($0 / 256).\($0 % 256).0/24" }
        _ = r.apply(announce(prefixes, attrs([64514, 65000])), from: b.id)  // longer: a's paths win
        for round in 0..<8 {
            _ = r.apply(announce(prefixes, attrs(med: UInt32(round))), from: a.id)
            _ = r.apply(withdraw(Array(prefixes[0..<300])), from: a.id)
        }
        #expect(r.prefixCount(from: a.id) == (300, 300))
        let listed = r.adjIn[a.id].map { $0.v4.count } ?? -1
        #expect(listed <= 2 * 300 + 1024 + 600)
        let down = r.peerDown(a.id)
        // The 300 prefixes a still had fall back to b's path: one change each.
        #expect(down.count == 300)
        #expect(down.changes.allSatisfy { $0.old?.peer == a.id && $0.new?.peer == b.id })
        #expect(r.prefixCount == 600)
        #expect(r.prefixCount(from: a.id) == (0, 0))
        #expect(r.routes().allSatisfy { $0.paths.count == 1 && $0.best.peer == b.id })
        // Withdrawing everything empties the list.
        _ = r.apply(announce(prefixes), from: a.id)
        _ = r.apply(withdraw(prefixes), from: a.id)
        #expect(r.adjIn[a.id]?.v4.isEmpty == true)
    }

    /// Compaction runs (many more entries than paths) and keeps every live prefix once.
    @Test func adjRIBInIndexCompacts() {
        var r = rib()
        let prefixes = (0..<100).map { "10.0.\($0).0/24" }
        for _ in 0..<40 {
            _ = r.apply(announce(prefixes), from: a.id)
            _ = r.apply(withdraw(Array(prefixes[50...])), from: a.id)
        }
        let list = r.adjIn[a.id]?.v4 ?? []
        #expect(list.count < 40 * 100)
        #expect(Set(list.map(\.prefix)).count >= 50)
        #expect(r.peerDown(a.id).count == 50)
        #expect(r.prefixCount == 0)
    }
}
