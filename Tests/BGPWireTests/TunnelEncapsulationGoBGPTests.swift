import Foundation
import Testing
@testable import BGPWire

/// Interop: Tunnel Encapsulation attributes (RFC 9012) that GoBGP encoded, read by Tern.
@Suite struct TunnelEncapsulationGoBGPTests {
    /// What GoBGP 3.10.0 sends for routes carrying a Tunnel Encapsulation attribute.
    ///
    /// Fixtures/tunnel-encapsulation/gobgp-tunnel-encap.bgp is the byte stream gobgpd wrote to
    /// its peer (OPEN, KEEPALIVE, 3 UPDATEs), captured as root with
    ///
    ///     Tests/BGPWireTests/Fixtures/tunnel-encapsulation/capture.sh
    ///
    /// which puts gobgpd (AS 64512, 192.168.79.1) and bgp_listener.py (AS 64513, 192.168.79.2)
    /// in two network namespaces joined by a veth pair, adds the routes through gobgpd's gRPC
    /// AddPath with gobgp_add_paths.py (the `gobgp` CLI cannot attach attribute 23), and has the
    /// listener write everything gobgpd sent. GoBGP builds the attribute bytes itself; its
    /// Encapsulation sub-TLV is RFC 5512's generic Key + Cookie, so the VXLAN one was given as
    /// Key 0xC0001000 (V, M, VNI 4096) and Cookie 02:74:0a:00:00:02 + 00 00. The egress
    /// endpoints, Color, UDP port and the 2-octet-length sub-TLV are GoBGP's own encodings.
    /// See Fixtures/tunnel-encapsulation/README.md.
    @Test func gobgpOriginatedAttributes() throws {
        let dir = try #require(Bundle.module.url(forResource: "tunnel-encapsulation", withExtension: nil, subdirectory: "Fixtures"))
        let stream = try [UInt8](Data(contentsOf: dir.appendingPathComponent("gobgp-tunnel-encap.bgp")))
        #expect(stream.count == 339)
        let ctx = CodecContext(fourOctetAS: true, peerIsExternal: true)
        var updates: [UpdateMessage] = []
        for f in try Captures.frames(stream) {
            let d = try BGPMessage.decode(f, context: ctx)
            #expect(d.issues == [])
            if case .update(let u) = d.message { updates.append(u) }
        }
        try #require(updates.count == 3)
        #expect(updates.map(\.nlri) == [[p4("10.244.2.0/26")], [p4("10.244.3.0/26")], [p4("10.244.4.0/26")]])
        for u in updates {
            // GoBGP originates it optional transitive, no Partial bit; the codec keeps it opaque.
            #expect(u.attributes.unknown.map(\.flags) == [0xC0])
            #expect(u.attributes.unknown.map(\.code) == [23])
        }
        let raws = updates.map { $0.attributes.unknown[0].value }
        #expect(hexString(raws[0]) == "00080028010cc000100002740a0000020000060a000000000001c0a84f010408030b000000000064080212b5")
        let te = try updates.map { u throws in try #require(u.attributes.tunnelEncapsulation).get() }
        for i in 0..<3 { #expect(te[i].encode() == raws[i], "re-encoding UPDATE \(i)'s attribute is byte-identical") }

        // 10.244.2.0/26: VXLAN, VNI 4096, MAC 02:74:0a:00:00:02, endpoint 192.168.79.1, Color 100, UDP port 4789.
        #expect(te[0].vxlanVNI == 4096)
        #expect(te[0].vxlanMAC == routerMAC)
        #expect(te[0].vxlanEndpoint == .v4(v4("192.168.79.1")))
        #expect(te[0].firstVXLAN?.color == TunnelColor(100))
        #expect(te[0].tunnels == [TunnelTLV(type: .vxlan, subTLVs: [
            .vxlanEncapsulation(VXLANEncapsulation(vni: 4096, mac: routerMAC)),
            .egressEndpoint(TunnelEgressEndpoint(.v4(v4("192.168.79.1")))),
            .color(TunnelColor(100)),
            .opaque(type: TunnelSubTLVCode.udpDestinationPort, value: [0x12, 0xB5]),
        ])])
        // Tern's own VXLAN encoding is the first two sub-TLVs of GoBGP's, byte for byte.
        let mine = TunnelEncapsulation.vxlan(vni: 4096, mac: routerMAC, endpoint: .v4(v4("192.168.79.1"))).encode()
        #expect(Array(raws[0][4..<4 + 26]) == Array(mine[4...]))

        // 10.244.3.0/26: IP-in-IP to 2001:db8:79::1, then tunnel type 19 with a type 200 sub-TLV
        // (2-octet length) and endpoint 192.168.79.1.
        #expect(te[1].tunnels == [
            TunnelTLV(type: .ipInIP, subTLVs: [.egressEndpoint(TunnelEgressEndpoint(.v6(v6("2001:db8:79::1"))))]),
            TunnelTLV(type: TunnelType(rawValue: 19), subTLVs: [
                .opaque(type: 200, value: [1, 2, 3, 4, 5]),
                .egressEndpoint(TunnelEgressEndpoint(.v4(v4("192.168.79.1")))),
            ]),
        ])
        #expect(te[1].firstVXLAN == nil)

        // 10.244.4.0/26: IP-in-IP with address family 0: exactly what Tern's constructor encodes.
        #expect(te[2] == .ipInIP(endpoint: nil))
        #expect(raws[2] == TunnelEncapsulation.ipInIP(endpoint: nil).encode())
    }
}
