import BGPWire
import Testing
@testable import RIB

@Suite struct UpdateGroupTests {
    let src = ebgpPeer(1, address: "10.0.0.1", asn: 64513)

    @Test func identicalPolicySharesOneEncoding() throws {
        var r = RIB(config: testConfig)
        let i1 = ibgpPeer(3, address: "10.0.0.3"), i2 = ibgpPeer(4, address: "10.0.0.4"), i3 = ibgpPeer(5, address: "10.0.0.5")
        for p in [src, i1, i2, i3] { r.addPeer(p); _ = r.fullTable(for: p.id) }
        #expect(i1.updateGroupKey == i2.updateGroupKey)
        let before = r.stats.encodedMessages
        let out = r.exports(for: r.apply(announce(["10.1.0.0/24", "10.2.0.0/24"]), from: src.id))
        #expect(out.count == 1)
        #expect(out[0].peers == [i1.id, i2.id, i3.id])
        #expect(out[0].messages.count == 1)
        // Encoded once for the three peers.
        #expect(r.stats.encodedMessages - before == 1)
        #expect(try announced(out[0].messages) == [pfx("10.1.0.0/24"), pfx("10.2.0.0/24")])
        for p in [i1, i2, i3] { #expect(r.advertisedCount(to: p.id) == 2) }
    }

    @Test func differentPolicyOrEncodingMeansDifferentGroups() throws {
        var r = RIB(config: testConfig)
        let ibgp = ibgpPeer(3, address: "10.0.0.3")
        let ebgp = ebgpPeer(4, address: "10.0.0.4", asn: 64600)
        let twoOctet = ibgpPeer(5, address: "10.0.0.5", context: CodecContext(fourOctetAS: false))
        let otherLocal = ebgpPeer(6, address: "10.0.1.6", asn: 64601, local: "10.0.1.1")
        let client = ibgpPeer(7, address: "10.0.0.7", reflectorClient: true)
        let keys = Set([ibgp, ebgp, twoOctet, otherLocal, client].map(\.updateGroupKey))
        #expect(keys.count == 5)
        for p in [src, ibgp, ebgp, twoOctet, otherLocal] { r.addPeer(p); _ = r.fullTable(for: p.id) }
        let out = r.exports(for: r.apply(announce(["10.1.0.0/24"], attrs([64513, 4_200_000_000])), from: src.id))
        // The source shares the eBGP peer's group but gets nothing: four single-peer batches.
        #expect(Set(out.map(\.peers)) == [[ibgp.id], [ebgp.id], [twoOctet.id], [otherLocal.id]])
        func to(_ p: PeerDescriptor) -> [UInt8] { out.first { $0.peers == [p.id] }?.messages.first ?? [] }
        let toIBGP = to(ibgp), toEBGP = to(ebgp), to2 = to(twoOctet), toOther = to(otherLocal)
        #expect(toIBGP != toEBGP)
        #expect(toIBGP != to2)  // AS_TRANS + AS4_PATH for the 2-octet peer
        #expect(toEBGP != toOther)  // different next-hop-self
        let u2 = try decodeUpdate(to2, context: CodecContext(fourOctetAS: false))
        #expect(u2.attributes.as4Path == .sequence([64513, 4_200_000_000]))
        #expect(try decodeUpdate(toOther).attributes.nextHop == ip4("10.0.1.1"))
    }

    @Test func sourceMemberGetsItsOwnBatch() {
        var r = RIB(config: testConfig)
        let e1 = ebgpPeer(2, address: "10.0.0.2", asn: 64600), e2 = ebgpPeer(3, address: "10.0.0.3", asn: 64601)
        for p in [e1, e2] { r.addPeer(p); _ = r.fullTable(for: p.id) }
        #expect(e1.updateGroupKey == e2.updateGroupKey)
        let out = r.exports(for: r.apply(announce(["10.1.0.0/24"], attrs([64600])), from: e1.id))
        #expect(out.map(\.peers) == [[e2.id]])
    }

    @Test func prefixesSharingAttributesArePacked() throws {
        var r = RIB(config: testConfig)
        let i1 = ibgpPeer(3, address: "10.0.0.3")
        for p in [src, i1] { r.addPeer(p); _ = r.fullTable(for: p.id) }
        let many = (0..<300).map { "10.\($0 / 256).\($0 % 256).0/24" }
        var ch = r.apply(announce(many), from: src.id)
        ch.merge(r.apply(announce(["10.50.0.0/24", "10.50.1.0/24"], attrs(med: 9)), from: src.id))
        let out = r.exports(for: ch)
        #expect(out.count == 1)
        #expect(out[0].messages.count == 2)  // one UPDATE per attribute set
        let first = try decodeUpdate(out[0].messages[0]), second = try decodeUpdate(out[0].messages[1])
        #expect(first.nlri.count == 300)
        #expect(second.nlri.count == 2)
        // Several sets with the same exported form (MED dropped towards eBGP) share one UPDATE.
        let e = ebgpPeer(4, address: "10.0.0.4", asn: 64600)
        r.addPeer(e)
        var ch2 = r.apply(announce(["10.60.0.0/24"], attrs(med: 1)), from: src.id)
        ch2.merge(r.apply(announce(["10.60.1.0/24"], attrs(med: 2)), from: src.id))
        _ = r.fullTable(for: e.id)
        let out2 = r.exports(for: ch2)
        let toE = out2.first { $0.peers == [e.id] }?.messages ?? []
        #expect(toE.count == 1)
        #expect(try announced(toE) == [pfx("10.60.0.0/24"), pfx("10.60.1.0/24")])
    }

    @Test func peersOutOfSyncGetNothing() {
        var r = RIB(config: testConfig)
        let i1 = ibgpPeer(3, address: "10.0.0.3")
        r.addPeer(src); r.addPeer(i1)
        #expect(r.exports(for: r.apply(announce(["10.1.0.0/24"]), from: src.id)).isEmpty)
        _ = r.fullTable(for: i1.id)
        #expect(r.exports(for: r.apply(announce(["10.2.0.0/24"]), from: src.id)).map(\.peers) == [[i1.id]])
        _ = r.peerDown(i1.id)
        #expect(r.exports(for: r.apply(announce(["10.3.0.0/24"]), from: src.id)).isEmpty)
    }

    @Test func descriptorUpdateMovesGroup() {
        var r = RIB(config: testConfig)
        let i1 = ibgpPeer(3, address: "10.0.0.3"), i2 = ibgpPeer(4, address: "10.0.0.4")
        for p in [src, i1, i2] { r.addPeer(p); _ = r.fullTable(for: p.id) }
        var changed = i2
        changed.encodeContext = CodecContext(fourOctetAS: true, extendedMessage: true)
        r.addPeer(changed)
        let out = r.exports(for: r.apply(announce(["10.1.0.0/24"]), from: src.id))
        #expect(out.map(\.peers) == [[i1.id], [i2.id]])
    }
}
