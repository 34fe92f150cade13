import BGPWire
import Testing
@testable import RIB

@Suite struct ExportPolicyTests {
    // A: eBGP peer in AS 64513 (the source of most routes), E: another eBGP peer,
    // I, J: iBGP peers. Our address on every session: 192.0.2.1.
    let a = ebgpPeer(1, address: "10.0.0.1", asn: 64513)
    let e = ebgpPeer(2, address: "10.0.0.2", asn: 64514)
    let i = ibgpPeer(3, address: "10.0.0.3")
    let j = ibgpPeer(4, address: "10.0.0.4")

    /// A RIB with all four peers in sync (full tables sent).
    func rib() -> RIB {
        var r = RIB(config: testConfig)
        for p in [a, e, i, j] { r.addPeer(p); _ = r.fullTable(for: p.id) }
        return r
    }

    func batch(_ out: [UpdateBatch], for peer: PeerDescriptor) -> [[UInt8]] {
        out.filter { $0.peers.contains(peer.id) }.flatMap(\.messages)
    }

    @Test func ebgpExportPrependsSetsNextHopSelfDropsLocalPrefAndMED() throws {
        var r = rib()
        let ch = r.apply(announce(["10.1.0.0/24"], attrs([64513, 65000], nextHop: "10.0.0.1", med: 50)), from: a.id)
        let out = r.exports(for: ch)
        let msgs = batch(out, for: e)
        #expect(msgs.count == 1)
        let u = try decodeUpdate(msgs[0])
        #expect(u.nlri.map(\.prefix) == [pfx("10.1.0.0/24")])
        #expect(u.attributes.asPath == .sequence([localAS, 64513, 65000]))
        #expect(u.attributes.nextHop == ip4("192.0.2.1"))
        #expect(u.attributes.localPref == nil)
        #expect(u.attributes.multiExitDisc == nil)
        #expect(u.attributes.origin == .igp)
        #expect(r.advertisedCount(to: e.id) == 1)
    }

    @Test func notSentBackToItsSource() {
        var r = rib()
        let ch = r.apply(announce(["10.1.0.0/24"]), from: a.id)
        let out = r.exports(for: ch)
        #expect(batch(out, for: a).isEmpty)
        #expect(!batch(out, for: e).isEmpty)
        #expect(r.advertisedCount(to: a.id) == 0)
    }

    /// By default (``RIBConfig/nextHopSelfForExternal``) an eBGP path goes to iBGP peers
    /// with our address as next hop; off, the received next hop is kept (RFC 4271 §5.1.3).
    @Test func ibgpGetsEbgpPathsWithNextHopSelfAndLocalPref100() throws {
        var r = rib()
        let ch = r.apply(announce(["10.1.0.0/24"], attrs([64513], nextHop: "10.0.0.1", med: 50)), from: a.id)
        let msgs = batch(r.exports(for: ch), for: i)
        #expect(msgs.count == 1)
        let u = try decodeUpdate(msgs[0])
        #expect(u.attributes.asPath == .sequence([64513]))
        #expect(u.attributes.nextHop == ip4("192.0.2.1"))   // i's local address
        #expect(u.attributes.nextHop != ip4("10.0.0.1"))
        #expect(u.attributes.localPref == 100)
        #expect(u.attributes.multiExitDisc == 50)  // MED from a neighbour AS may go to iBGP
    }

    @Test func ibgpGetsEbgpPathsWithNextHopUnchangedWhenAsked() throws {
        var config = testConfig
        config.nextHopSelfForExternal = false
        var r = RIB(config: config)
        for p in [a, e, i, j] { r.addPeer(p); _ = r.fullTable(for: p.id) }
        let ch = r.apply(announce(["10.1.0.0/24"], attrs([64513], nextHop: "10.0.0.1", med: 50)), from: a.id)
        let u = try decodeUpdate(try #require(batch(r.exports(for: ch), for: i).first))
        #expect(u.attributes.nextHop == ip4("10.0.0.1"))
    }

    @Test func ibgpSplitHorizon() throws {
        var r = rib()
        let ch = r.apply(announce(["10.5.0.0/24"], attrs([], nextHop: "10.0.0.3", localPref: 200)), from: i.id)
        let out = r.exports(for: ch)
        #expect(batch(out, for: j).isEmpty)  // iBGP-learned: not to iBGP
        #expect(batch(out, for: i).isEmpty)
        let toE = batch(out, for: e)
        #expect(toE.count == 1)
        let u = try decodeUpdate(toE[0])
        #expect(u.attributes.asPath == .sequence([localAS]))
        #expect(u.attributes.localPref == nil)
        #expect(u.attributes.nextHop == ip4("192.0.2.1"))
    }

    @Test func localOrigination() throws {
        var r = rib()
        let ch = r.originate(prefix: pfx("10.244.1.0/26"), attributes: PathAttributes(multiExitDisc: 10))
        let out = r.exports(for: ch)
        let ui = try decodeUpdate(batch(out, for: i)[0])
        #expect(ui.nlri.map(\.prefix) == [pfx("10.244.1.0/26")])
        #expect(ui.attributes.asPath == ASPath())
        #expect(ui.attributes.origin == .igp)
        #expect(ui.attributes.nextHop == ip4("192.0.2.1"))
        #expect(ui.attributes.localPref == 100)
        #expect(batch(out, for: j) == batch(out, for: i))
        let ue = try decodeUpdate(batch(out, for: e)[0])
        #expect(ue.attributes.asPath == .sequence([localAS]))
        #expect(ue.attributes.multiExitDisc == 10)  // our own MED does go to eBGP
        #expect(ue.attributes.localPref == nil)
        // All four peers get it (the local source is nobody's peer).
        #expect(out.flatMap(\.peers).sorted() == [a.id, e.id, i.id, j.id])
    }

    @Test func withdrawnWhenBestDisappears() throws {
        var r = rib()
        _ = r.exports(for: r.apply(announce(["10.1.0.0/24", "10.2.0.0/24"]), from: a.id))
        #expect(r.advertisedCount(to: e.id) == 2)
        let out = r.exports(for: r.apply(withdraw(["10.1.0.0/24"]), from: a.id))
        #expect(try withdrawn(batch(out, for: e)) == [pfx("10.1.0.0/24")])
        #expect(try withdrawn(batch(out, for: i)) == [pfx("10.1.0.0/24")])
        #expect(batch(out, for: a).isEmpty)  // A never had it from us
        #expect(r.advertisedCount(to: e.id) == 1)
        let down = r.exports(for: r.peerDown(a.id))
        #expect(try withdrawn(batch(down, for: e)) == [pfx("10.2.0.0/24")])
        #expect(r.advertisedCount(to: e.id) == 0)
    }

    @Test func withdrawnWhenBestStopsBeingExportable() throws {
        var r = rib()
        _ = r.exports(for: r.apply(announce(["10.1.0.0/24"]), from: a.id))
        // An iBGP path with higher LOCAL_PREF wins: J may not get it (split horizon), so
        // J's copy of A's path must be withdrawn; E gets the new path.
        let out = r.exports(for: r.apply(announce(["10.1.0.0/24"], attrs([65100], nextHop: "10.0.0.3", localPref: 300)), from: i.id))
        #expect(try withdrawn(batch(out, for: j)) == [pfx("10.1.0.0/24")])
        #expect(try announced(batch(out, for: j)).isEmpty)
        let ue = try decodeUpdate(batch(out, for: e)[0])
        #expect(ue.attributes.asPath == .sequence([localAS, 65100]))
        // A now gets the iBGP-learned path (it is not A's own any more).
        #expect(try announced(batch(out, for: a)) == [pfx("10.1.0.0/24")])
        #expect(r.advertisedCount(to: j.id) == 0)
        #expect(r.advertisedCount(to: a.id) == 1)
    }

    @Test func sourceGetsWithdrawalWhenItsPathBecomesBest() throws {
        var r = rib()
        _ = r.exports(for: r.apply(announce(["10.1.0.0/24"], attrs([64514, 1, 2])), from: e.id))
        #expect(r.advertisedCount(to: a.id) == 1)
        // A's shorter path wins: A had E's path from us, it must be withdrawn there.
        let out = r.exports(for: r.apply(announce(["10.1.0.0/24"], attrs([64513])), from: a.id))
        #expect(try withdrawn(batch(out, for: a)) == [pfx("10.1.0.0/24")])
        #expect(try announced(batch(out, for: e)) == [pfx("10.1.0.0/24")])
        #expect(r.advertisedCount(to: a.id) == 0)
    }

    @Test func noExportAndNoAdvertise() {
        var r = rib()
        let ch = r.apply(announce(["10.1.0.0/24"], attrs(communities: [.noExport])), from: a.id)
        let out = r.exports(for: ch)
        #expect(batch(out, for: e).isEmpty)
        #expect(!batch(out, for: i).isEmpty)
        let ch2 = r.apply(announce(["10.2.0.0/24"], attrs(communities: [.noAdvertise])), from: a.id)
        #expect(r.exports(for: ch2).isEmpty)
    }

    @Test func ipv6OverIPv4SessionUsesMappedNextHop() throws {
        var r = RIB(config: testConfig)
        let a6 = ebgpPeer(1, address: "10.0.0.1", families: [.ipv4Unicast, .ipv6Unicast])
        let e6 = ebgpPeer(2, address: "10.0.0.2", asn: 64514, families: [.ipv4Unicast, .ipv6Unicast])
        for p in [a6, e6] { r.addPeer(p); _ = r.fullTable(for: p.id) }
        let out = r.exports(for: r.apply(announce6(["2001:db8:1::/48"]), from: a6.id))
        let u = try decodeUpdate(batch(out, for: e6)[0])
        #expect(u.mpReach?.nlri.map(\.prefix) == [pfx("2001:db8:1::/48")])
        #expect(u.mpReach?.nextHops == [v6("::ffff:192.0.2.1")])
        #expect(u.attributes.nextHop == nil)
    }

    @Test func policyFunctionDirectly() {
        let route = RouteAttributes(attrs([64513], nextHop: "10.0.0.1", localPref: 120, originatorID: "10.9.9.9", clusterList: ["10.8.8.8"]))
        let ebgp = ExportTarget(isExternal: true, localAddress: v4("192.0.2.1"))
        let ibgp = ExportTarget(isExternal: false, localAddress: v4("192.0.2.1"))
        let fromIBGP = ExportSource(peer: PeerID(3), isExternal: false)
        #expect(ExportPolicy.export(route, family: .ipv4Unicast, from: fromIBGP, to: ibgp, config: testConfig) == nil)
        let out = ExportPolicy.export(route, family: .ipv4Unicast, from: fromIBGP, to: ebgp, config: testConfig)
        #expect(out?.attributes.originatorID == nil)
        #expect(out?.attributes.clusterList == nil)
        #expect(out?.attributes.localPref == nil)
        // An IPv4 route cannot go with only an IPv6 session address.
        let v6only = ExportTarget(isExternal: true, localAddress: v6("2001:db8::99"))
        #expect(ExportPolicy.export(route, family: .ipv4Unicast, from: fromIBGP, to: v6only, config: testConfig) == nil)
        #expect(!ExportPolicy.mayAdvertise(fromIBGP, to: PeerID(3)))
        #expect(ExportPolicy.mayAdvertise(fromIBGP, to: PeerID(4)))
    }
}
