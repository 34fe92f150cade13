import BGPWire
import Testing
@testable import RIB

@Suite struct FullTableTests {
    let src = ebgpPeer(1, address: "10.0.0.1", asn: 64513, families: [.ipv4Unicast, .ipv6Unicast])

    func rib() -> RIB {
        var r = RIB(config: testConfig)
        r.addPeer(src)
        _ = r.apply(announce(["10.1.0.0/24", "10.2.0.0/24"]), from: src.id)
        _ = r.apply(announce6(["2001:db8:1::/48"]), from: src.id)
        _ = r.originate(prefix: pfx("10.244.0.0/26"))
        return r
    }

    @Test func endOfRIBPerNegotiatedFamily() throws {
        var r = rib()
        let dual = ibgpPeer(3, address: "10.0.0.3", families: [.ipv4Unicast, .ipv6Unicast])
        r.addPeer(dual)
        let msgs = r.fullTable(for: dual.id)
        let decoded = try msgs.map { try decodeUpdate($0) }
        let eors = decoded.enumerated().compactMap { i, u in u.endOfRIBFamily.map { (i, $0) } }
        #expect(eors.map(\.1) == [.ipv4Unicast, .ipv6Unicast])
        #expect(eors.last?.0 == msgs.count - 1)
        // IPv4 routes before the IPv4 marker, IPv6 routes between the two markers.
        let v4Part = Array(msgs[..<eors[0].0]), v6Part = Array(msgs[(eors[0].0 + 1)..<eors[1].0])
        #expect(Set(try announced(v4Part)) == [pfx("10.1.0.0/24"), pfx("10.2.0.0/24"), pfx("10.244.0.0/26")])
        #expect(try announced(v6Part) == [pfx("2001:db8:1::/48")])
        #expect(r.advertisedCount(to: dual.id) == 4)
    }

    @Test func onlyNegotiatedFamilies() throws {
        var r = rib()
        let v4only = ibgpPeer(3, address: "10.0.0.3")
        r.addPeer(v4only)
        let msgs = r.fullTable(for: v4only.id)
        #expect(try msgs.map { try decodeUpdate($0).endOfRIBFamily } .compactMap { $0 } == [.ipv4Unicast])
        #expect(try announced(msgs).allSatisfy { $0.family == .ipv4Unicast })
        #expect(msgs.last == BGPMessage.update(.endOfRIB(.ipv4Unicast)).encoded(context: v4only.encodeContext))
    }

    @Test func emptyTableIsJustEndOfRIB() throws {
        var r = RIB(config: testConfig)
        let p = ibgpPeer(3, address: "10.0.0.3", families: [.ipv4Unicast, .ipv6Unicast])
        r.addPeer(p)
        let msgs = r.fullTable(for: p.id)
        #expect(try msgs.map { try decodeUpdate($0).endOfRIBFamily } == [.ipv4Unicast, .ipv6Unicast])
    }

    @Test func routesFromThePeerItselfAreLeftOut() throws {
        var r = rib()
        let msgs = r.fullTable(for: src.id)
        #expect(try announced(msgs) == [pfx("10.244.0.0/26")])
        #expect(r.advertisedCount(to: src.id) == 1)
    }

    @Test func routeRefreshAnswersOneFamily() throws {
        var r = rib()
        let dual = ibgpPeer(3, address: "10.0.0.3", families: [.ipv4Unicast, .ipv6Unicast])
        r.addPeer(dual)
        _ = r.fullTable(for: dual.id)
        let refresh = r.fullTable(for: dual.id, families: [.ipv6Unicast])
        #expect(try announced(refresh) == [pfx("2001:db8:1::/48")])
        #expect(try refresh.map { try decodeUpdate($0).endOfRIBFamily }.compactMap { $0 } == [.ipv6Unicast])
        #expect(r.advertisedCount(to: dual.id) == 4)
        // A refresh does not duplicate the peer in its group.
        let out = r.exports(for: r.apply(announce(["10.9.0.0/24"]), from: src.id))
        #expect(out.map(\.peers) == [[dual.id]])
    }

    @Test func largeTablesArePacked() throws {
        var r = RIB(config: testConfig)
        r.addPeer(src)
        let n = 5000
        let prefixes = (0..<n).map { "10.\($0 / 256).\($0 % 256).0/24" }
        for chunk in stride(from: 0, to: n, by: 500) {
            _ = r.apply(announce(Array(prefixes[chunk..<chunk + 500])), from: src.id)
        }
        let p = ibgpPeer(3, address: "10.0.0.3")
        r.addPeer(p)
        let msgs = r.fullTable(for: p.id)
        // 4 bytes per /24, ~4000 bytes per message: about 5 UPDATEs plus End-of-RIB.
        #expect(msgs.count <= 7)
        #expect(msgs.allSatisfy { $0.count <= 4096 })
        #expect(Set(try announced(msgs)).count == n)
    }
}
