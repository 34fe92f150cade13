import BGPWire
import Testing
@testable import RIB

/// RFC 4724 §4.2, receiving side: a restarting peer's routes are kept (stale) until its
/// End-of-RIB, then only the ones it did not announce again are removed.
@Suite struct GracefulRestartTests {
    let a = ebgpPeer(1, address: "198.51.100.1")
    let b = ibgpPeer(2, address: "192.0.2.2")

    func rib() -> RIB {
        var r = RIB(config: RIBConfig(localAS: 64512, routerID: ip4("192.0.2.1")))
        r.addPeer(a)
        r.addPeer(b)
        _ = r.fullTable(for: b.id)
        return r
    }

    @Test func staleRoutesStayUntilEndOfRIBThenOnlyTheUnrefreshedGo() throws {
        var r = rib()
        _ = r.apply(announce(["10.1.0.0/24", "10.2.0.0/24"]), from: a.id)
        let stale = PeerID(100)
        r.retainAsStale(a.id, as: stale)
        // Still routed, now held by the stale handle; the live peer starts empty.
        #expect(r.bestPath(for: pfx("10.1.0.0/24"))?.peer == stale)
        #expect(r.bestPath(for: pfx("10.2.0.0/24"))?.peer == stale)
        #expect(r.prefixCount(from: a.id) == (0, 0))
        // The peer comes back and announces one of the two again.
        _ = r.apply(announce(["10.1.0.0/24"]), from: a.id)
        // End-of-RIB: the stale handle goes; only 10.2.0.0/24 disappears.
        let ch = r.removePeer(stale)
        #expect(r.bestPath(for: pfx("10.1.0.0/24"))?.peer == a.id)
        #expect(r.bestPath(for: pfx("10.2.0.0/24")) == nil)
        #expect(ch.changes.contains { $0.prefix == pfx("10.2.0.0/24") && $0.new == nil })
        // b (iBGP, in sync) is told to withdraw 10.2.0.0/24 and nothing else.
        let batches = r.exports(for: ch)
        let msgs = try batches.filter { $0.peers.contains(b.id) }.flatMap(\.messages).map { try decodeUpdate($0) }
        #expect(msgs.flatMap(\.withdrawn).map(\.prefix) == [pfx("10.2.0.0/24")])
        #expect(msgs.allSatisfy { $0.nlri.isEmpty })
    }

    @Test func restartTimeRunningOutRemovesEverything() {
        var r = rib()
        _ = r.apply(announce(["10.1.0.0/24", "10.2.0.0/24"]), from: a.id)
        r.retainAsStale(a.id, as: PeerID(101))
        let ch = r.removePeer(PeerID(101))
        #expect(ch.count == 2)
        #expect(r.prefixCount == 0)
    }
}
