import BGPWire
import Testing
@testable import RIB

/// RFC 4456 route reflection: the rule table of ``ExportPolicy`` rule 3 and the attributes
/// a reflected path gets, checked on the decoded UPDATEs.
@Suite struct ReflectionTests {
    static let cluster = ip4("192.0.2.100")
    let reflectorConfig = RIBConfig(localAS: localAS, routerID: ourRouterID, clusterID: cluster)
    // Clients C1, C2; non-clients N1, N2 (other reflectors, or iBGP peers outside the
    // cluster); eBGP peer E. Router IDs differ from addresses to tell ORIGINATOR_ID apart.
    let c1 = ibgpPeer(1, address: "10.0.0.1", routerID: "10.255.0.1", reflectorClient: true)
    let c2 = ibgpPeer(2, address: "10.0.0.2", routerID: "10.255.0.2", reflectorClient: true)
    let n1 = ibgpPeer(3, address: "10.0.0.3", routerID: "10.255.0.3")
    let n2 = ibgpPeer(4, address: "10.0.0.4", routerID: "10.255.0.4")
    let e = ebgpPeer(5, address: "10.0.0.5", asn: 64600)

    func rib(_ config: RIBConfig? = nil) -> RIB {
        var r = RIB(config: config ?? reflectorConfig)
        for p in [c1, c2, n1, n2, e] { r.addPeer(p); _ = r.fullTable(for: p.id) }
        return r
    }

    func to(_ out: [UpdateBatch], _ p: PeerDescriptor) -> [[UInt8]] {
        out.filter { $0.peers.contains(p.id) }.flatMap(\.messages)
    }

    /// Who receives a path announced by `from` (iBGP attributes unless eBGP).
    func receivers(of from: PeerDescriptor, config: RIBConfig? = nil) throws -> Set<PeerID> {
        var r = rib(config)
        let a = from.isExternal ? attrs([64600], nextHop: "10.0.0.5") : attrs([], nextHop: "10.9.0.1", localPref: 100)
        let out = r.exports(for: r.apply(announce(["10.1.0.0/24"], a), from: from.id))
        var got = Set<PeerID>()
        for p in [c1, c2, n1, n2, e] where try announced(to(out, p)) == [pfx("10.1.0.0/24")] { got.insert(p.id) }
        return got
    }

    @Test func ruleTable() throws {
        // 3c: from a client to every client and non-client (never back to the source: rule 1).
        #expect(try receivers(of: c1) == [c2.id, n1.id, n2.id, e.id])
        // 3d: from a non-client to clients only.
        #expect(try receivers(of: n1) == [c1.id, c2.id, e.id])
        // 3a: from eBGP to all.
        #expect(try receivers(of: e) == [c1.id, c2.id, n1.id, n2.id])
        // 3b: locally originated to all.
        var r = rib()
        let out = r.exports(for: r.originate(prefix: pfx("10.244.0.0/26")))
        for p in [c1, c2, n1, n2, e] { #expect(try announced(to(out, p)) == [pfx("10.244.0.0/26")]) }
        // 3e: not a reflector: plain iBGP split horizon, clients or not.
        #expect(try receivers(of: c1, config: testConfig) == [e.id])
        #expect(try receivers(of: n1, config: testConfig) == [e.id])
    }

    @Test func reflectedPathGetsOriginatorAndClusterListKeepsNextHopLocalPrefMED() throws {
        var r = rib()
        let ch = r.apply(announce(["10.1.0.0/24"], attrs([], nextHop: "10.9.0.1", med: 7, localPref: 300)), from: c1.id)
        let out = r.exports(for: ch)
        for p in [c2, n1] {
            let u = try decodeUpdate(try #require(to(out, p).first))
            #expect(u.attributes.originatorID == c1.routerID)   // the source's router ID, not its address
            #expect(u.attributes.clusterList == [Self.cluster])
            #expect(u.attributes.nextHop == ip4("10.9.0.1"))
            #expect(u.attributes.localPref == 300)
            #expect(u.attributes.multiExitDisc == 7)
            #expect(u.attributes.asPath == .sequence([]))
        }
    }

    @Test func existingOriginatorKeptClusterPrepended() throws {
        var r = rib()
        let a = attrs([], nextHop: "10.9.0.1", originatorID: "10.77.0.1", clusterList: ["192.0.2.200", "192.0.2.201"])
        let out = r.exports(for: r.apply(announce(["10.1.0.0/24"], a), from: n1.id))
        let u = try decodeUpdate(try #require(to(out, c1).first))
        #expect(u.attributes.originatorID == ip4("10.77.0.1"))
        #expect(u.attributes.clusterList == [Self.cluster, ip4("192.0.2.200"), ip4("192.0.2.201")])
        #expect(to(out, n2).isEmpty)
    }

    @Test func originatorAndClusterListStrippedTowardEBGP() throws {
        var r = rib()
        let a = attrs([], nextHop: "10.9.0.1", originatorID: "10.77.0.1", clusterList: ["192.0.2.200"])
        let out = r.exports(for: r.apply(announce(["10.1.0.0/24"], a), from: c1.id))
        let u = try decodeUpdate(try #require(to(out, e).first))
        #expect(u.attributes.originatorID == nil)
        #expect(u.attributes.clusterList == nil)
        #expect(u.attributes.nextHop == ip4("192.0.2.1"))
        #expect(u.attributes.asPath == .sequence([localAS]))
    }

    @Test func loopedPathIsDroppedCountedAndWithdrawnFromOthers() throws {
        var r = rib()
        _ = r.exports(for: r.apply(announce(["10.1.0.0/24"], attrs([], nextHop: "10.9.0.1")), from: c1.id))
        #expect(r.advertisedCount(to: c2.id) == 1)
        // The same key comes back with our cluster ID in CLUSTER_LIST: a loop. The earlier
        // path goes (withdrawn from everyone), the announcement counts as received, not accepted.
        let looped = attrs([], nextHop: "10.9.0.1", originatorID: "10.255.0.9", clusterList: ["192.0.2.100"])
        let out = r.exports(for: r.apply(announce(["10.1.0.0/24"], looped), from: c1.id))
        #expect(try withdrawn(to(out, c2)) == [pfx("10.1.0.0/24")])
        #expect(try withdrawn(to(out, e)) == [pfx("10.1.0.0/24")])
        #expect(r.prefixCount(from: c1.id) == (1, 0))
        #expect(r.advertisedCount(to: c2.id) == 0)
        // Our router ID as ORIGINATOR_ID: also a loop.
        let own = attrs([], nextHop: "10.9.0.1", originatorID: "192.0.2.1")
        #expect(r.apply(announce(["10.2.0.0/24"], own), from: n1.id).isEmpty)
        #expect(r.prefixCount(from: n1.id) == (1, 0))
    }

    @Test func clientsAndNonClientsAreDifferentUpdateGroups() {
        var r = rib()
        let before = r.stats.encodedMessages
        let out = r.exports(for: r.apply(announce(["10.1.0.0/24"], attrs([64600], nextHop: "10.0.0.5")), from: e.id))
        #expect(Set(out.map(\.peers)) == [[c1.id, c2.id], [n1.id, n2.id]])
        #expect(r.stats.encodedMessages - before == 2)
    }
}
