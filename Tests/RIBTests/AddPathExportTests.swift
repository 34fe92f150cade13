import BGPWire
import Testing
@testable import RIB

/// RFC 7911 add-path send: several paths per prefix with path IDs, to update groups whose
/// encoding has add-path for the family.
@Suite struct AddPathExportTests {
    static let addPath = CodecContext(fourOctetAS: true, addPath: [.ipv4Unicast])
    let config = RIBConfig(localAS: localAS, routerID: ourRouterID, clusterID: ip4("192.0.2.100"))
    let c1 = ibgpPeer(1, address: "10.0.0.1", routerID: "10.255.0.1", reflectorClient: true)
    let c2 = ibgpPeer(2, address: "10.0.0.2", routerID: "10.255.0.2", reflectorClient: true)
    /// Clients that negotiated add-path receive (we send).
    let c3 = ibgpPeer(3, address: "10.0.0.3", routerID: "10.255.0.3", context: addPath, reflectorClient: true)
    let c4 = ibgpPeer(4, address: "10.0.0.4", routerID: "10.255.0.4", context: addPath, reflectorClient: true)
    let block = pfx("10.244.7.0/26")

    func rib() -> RIB {
        var r = RIB(config: config)
        for p in [c1, c2, c3, c4] { r.addPeer(p); _ = r.fullTable(for: p.id) }
        return r
    }

    func to(_ out: [UpdateBatch], _ p: PeerDescriptor) -> [[UInt8]] {
        out.filter { $0.peers.contains(p.id) }.flatMap(\.messages)
    }

    /// (prefix, path ID, next hop) announced, and (prefix, path ID) withdrawn.
    func decoded(_ messages: [[UInt8]]) throws -> (announced: Set<String>, withdrawn: Set<String>) {
        var a = Set<String>(), w = Set<String>()
        for m in messages {
            let u = try decodeUpdate(m, context: Self.addPath)
            for n in u.nlri { a.insert("\(n.prefix) #\(n.pathID ?? 0) via \(u.attributes.nextHop.map { "\($0)" } ?? "-")") }
            for n in u.withdrawn { w.insert("\(n.prefix) #\(n.pathID ?? 0)") }
        }
        return (a, w)
    }

    @Test func twoPathsWithIDsThenWithdrawalByID() throws {
        var r = rib()
        #expect(c3.updateGroupKey == c4.updateGroupKey)
        #expect(c3.updateGroupKey != c1.updateGroupKey)
        var out = r.exports(for: r.apply(announce([block.description], attrs([], nextHop: "10.0.0.1")), from: c1.id))
        out += r.exports(for: r.apply(announce([block.description], attrs([], nextHop: "10.0.0.2")), from: c2.id))
        let toC3 = try decoded(to(out, c3))
        #expect(toC3.announced == ["10.244.7.0/26 #1 via 10.0.0.1", "10.244.7.0/26 #2 via 10.0.0.2"])
        #expect(toC3.withdrawn.isEmpty)
        // c3 and c4 share the encoding.
        #expect(out.contains { Set($0.peers) == [c3.id, c4.id] })
        #expect(r.advertisedCount(to: c3.id) == 2)
        // The single-path group still gets one path (c2 now has c1's).
        #expect(try announced(to(out, c2)) == [block])

        // c1 withdraws: its path ID 1 is withdrawn; path 2 stays as it was.
        let w = try decoded(to(r.exports(for: r.apply(withdraw([block.description]), from: c1.id)), c3))
        #expect(w.withdrawn == ["10.244.7.0/26 #1"])
        #expect(w.announced.isEmpty)
        #expect(r.advertisedCount(to: c3.id) == 1)
        // A path coming back takes the lowest free ID.
        let again = try decoded(to(r.exports(for: r.apply(announce([block.description], attrs([], nextHop: "10.0.0.1")), from: c1.id)), c3))
        #expect(again.announced == ["10.244.7.0/26 #1 via 10.0.0.1"])
    }

    @Test func nonBestChangeReachesAddPathPeersOnly() throws {
        var r = rib()
        _ = r.exports(for: r.apply(announce([block.description], attrs([], nextHop: "10.0.0.1")), from: c1.id))
        _ = r.exports(for: r.apply(announce([block.description], attrs([], nextHop: "10.0.0.2")), from: c2.id))
        // c2's path is not the best (higher router ID); its MED changes.
        let ch = r.apply(announce([block.description], attrs([], nextHop: "10.0.0.2", med: 5)), from: c2.id)
        #expect(ch.changes.isEmpty)
        #expect(ch.touched == [block])
        let out = r.exports(for: ch)
        #expect(to(out, c1).isEmpty)
        let u = try decodeUpdate(try #require(to(out, c3).first), context: Self.addPath)
        #expect(u.nlri == [NLRI(block, pathID: 2)])
        #expect(u.attributes.multiExitDisc == 5)
    }

    @Test func sourceMemberGetsTheOtherPathsAndLimitHolds() throws {
        var r = rib()
        var out: [UpdateBatch] = []
        for (p, nh) in [(c1, "10.0.0.1"), (c2, "10.0.0.2"), (c3, "10.0.0.3")] {
            out += r.exports(for: r.apply(announce([block.description], attrs([], nextHop: nh)), from: p.id))
        }
        // Paths rank c1, c2, c3 (router IDs). c4 gets the best two; c3 gets c1 and c2 (not its own).
        let toC4 = try decoded(to(out, c4)), toC3 = try decoded(to(out, c3))
        #expect(toC4.announced == ["10.244.7.0/26 #1 via 10.0.0.1", "10.244.7.0/26 #2 via 10.0.0.2"])
        #expect(toC3.announced == toC4.announced)
        // c1 goes: c4 now gets c3's path (ID 3, held since it was ranked third); c3 keeps just c2's.
        let after = r.exports(for: r.apply(withdraw([block.description]), from: c1.id))
        let c4b = try decoded(to(after, c4)), c3b = try decoded(to(after, c3))
        #expect(c4b.withdrawn == ["10.244.7.0/26 #1"])
        #expect(c4b.announced == ["10.244.7.0/26 #3 via 10.0.0.3"])
        #expect(c3b.withdrawn == ["10.244.7.0/26 #1"])
        #expect(c3b.announced.isEmpty)
        #expect(r.advertisedCount(to: c4.id) == 2)
        #expect(r.advertisedCount(to: c3.id) == 1)
    }

    @Test func fullTableOfLateMemberUsesGroupIDs() throws {
        var r = rib()
        _ = r.exports(for: r.apply(announce([block.description], attrs([], nextHop: "10.0.0.1")), from: c1.id))
        _ = r.exports(for: r.apply(announce([block.description], attrs([], nextHop: "10.0.0.2")), from: c2.id))
        let late = ibgpPeer(9, address: "10.0.0.9", routerID: "10.255.0.9", context: Self.addPath, reflectorClient: true)
        r.addPeer(late)
        let table = r.fullTable(for: late.id)
        let got = try decoded(Array(table.dropLast()))   // last: End-of-RIB
        #expect(got.announced == ["10.244.7.0/26 #1 via 10.0.0.1", "10.244.7.0/26 #2 via 10.0.0.2"])
        #expect(r.advertisedCount(to: late.id) == 2)
        // A group built from scratch (all members down, one back) ranks the same way.
        var r2 = RIB(config: config)
        for p in [c1, c2] { r2.addPeer(p) }
        _ = r2.apply(announce([block.description], attrs([], nextHop: "10.0.0.2")), from: c2.id)
        _ = r2.apply(announce([block.description], attrs([], nextHop: "10.0.0.1")), from: c1.id)
        r2.addPeer(c3)
        let fresh = try decoded(Array(r2.fullTable(for: c3.id).dropLast()))
        #expect(fresh.announced == ["10.244.7.0/26 #1 via 10.0.0.1", "10.244.7.0/26 #2 via 10.0.0.2"])
    }

    @Test func noTouchedTrackingWithoutAddPathGroups() {
        var r = RIB(config: config)
        for p in [c1, c2] { r.addPeer(p); _ = r.fullTable(for: p.id) }
        _ = r.apply(announce([block.description], attrs([], nextHop: "10.0.0.1")), from: c1.id)
        let ch = r.apply(announce([block.description], attrs([], nextHop: "10.0.0.2")), from: c2.id)
        #expect(ch.isEmpty)
    }
}

extension AddPathExportTests {
    @Test func gracefulRestartKeepsPathIDs() throws {
        var r = rib()
        _ = r.exports(for: r.apply(announce([block.description], attrs([], nextHop: "10.0.0.1")), from: c1.id))
        _ = r.exports(for: r.apply(announce([block.description], attrs([], nextHop: "10.0.0.2")), from: c2.id))
        r.retainAsStale(c1.id, as: PeerID(99))
        // c1 comes back and announces the same path: the stale copy is removed at End-of-RIB.
        r.addPeer(c1)
        _ = r.fullTable(for: c1.id)
        let back = try decoded(to(r.exports(for: r.apply(announce([block.description], attrs([], nextHop: "10.0.0.1")), from: c1.id)), c3))
        // The stale path keeps #1 (not withdrawn, not re-sent); the refreshed copy is new (#3)
        // and, ranking with it (same router ID, lower than c2's), takes the second slot for now.
        #expect(!back.withdrawn.contains("10.244.7.0/26 #1"))
        #expect(back.announced == ["10.244.7.0/26 #3 via 10.0.0.1"])
        // End-of-RIB: the stale copy goes, c2's path is back in the second slot.
        let eor = try decoded(to(r.exports(for: r.removePeer(PeerID(99))), c3))
        #expect(eor.withdrawn == ["10.244.7.0/26 #1"])
        #expect(eor.announced == ["10.244.7.0/26 #2 via 10.0.0.2"])
        #expect(r.advertisedCount(to: c3.id) == 2)
    }
}
