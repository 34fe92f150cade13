import IPCore
import Testing
@testable import BGPWire

/// Hand-written Tunnel Encapsulation attribute values (RFC 9012 §2, §3) and what they mean,
/// checked both ways: decode(bytes) == value and value.encode() == bytes.
struct TunnelEncapGolden: Sendable, CustomStringConvertible {
    var name: String
    var bytes: String
    var value: TunnelEncapsulation
    var description: String { name }
}

let routerMAC: [UInt8] = [0x02, 0x74, 0x0A, 0x00, 0x00, 0x02]

let tunnelEncapGoldens: [TunnelEncapGolden] = [
    TunnelEncapGolden(name: "VXLAN: VNI 4096 + MAC (V and M set), IPv4 egress endpoint",
                      bytes: "0008 001A"
                          + "  01 0C  C0 001000  02740A000002  0000"       // §3.2.1: flags, VN-ID, MAC, reserved
                          + "  06 0A  00000000 0001 0A000002",              // §3.1: reserved, AFI 1, 10.0.0.2
                      value: .vxlan(vni: 4096, mac: routerMAC, endpoint: .v4(v4("10.0.0.2")))),
    TunnelEncapGolden(name: "VXLAN: VNI only (V set, MAC zero), endpoint address family 0, Color 100",
                      bytes: "0008 0020  01 0C 80 00ABCD 000000000000 0000  06 06 00000000 0000  04 08 030B 0000 00000064",
                      value: TunnelEncapsulation(tunnels: [TunnelTLV(type: .vxlan, subTLVs: [
                          .vxlanEncapsulation(VXLANEncapsulation(vni: 0xABCD, mac: nil)),
                          .egressEndpoint(TunnelEgressEndpoint(nil)),
                          .color(TunnelColor(100)),
                      ])])),
    TunnelEncapGolden(name: "VXLAN: reserved R bits and Reserved octets kept as received",
                      bytes: "0008 000E  01 0C E5 FFFFFF 0A0B0C0D0E0F BEEF",
                      value: TunnelEncapsulation(tunnels: [TunnelTLV(type: .vxlan, subTLVs: [
                          .vxlanEncapsulation(VXLANEncapsulation(flags: 0xE5, vnidField: 0xFF_FFFF,
                                                                 macField: [0x0A, 0x0B, 0x0C, 0x0D, 0x0E, 0x0F],
                                                                 reserved: 0xBEEF)),
                      ])])),
    TunnelEncapGolden(name: "IP-in-IP, IPv4 egress endpoint",
                      bytes: "0007 000C  06 0A 00000000 0001 C0000201",
                      value: .ipInIP(endpoint: .v4(v4("192.0.2.1")))),
    TunnelEncapGolden(name: "IP-in-IP, IPv6 egress endpoint",
                      bytes: "0007 0018  06 16 00000000 0002 20010DB8000000000000000000000001",
                      value: .ipInIP(endpoint: .v6(v6("2001:db8::1")))),
    TunnelEncapGolden(name: "IP-in-IP, egress endpoint address family 0 (the next hop)",
                      bytes: "0007 0008  06 06 00000000 0000",
                      value: .ipInIP(endpoint: nil)),
    TunnelEncapGolden(name: "egress endpoint: Reserved octets kept, other address family kept opaque",
                      bytes: "0007 000B  06 09 DEADBEEF 0019 AABBCC",
                      value: TunnelEncapsulation(tunnels: [TunnelTLV(type: .ipInIP, subTLVs: [
                          .egressEndpoint(TunnelEgressEndpoint(.otherFamily(afi: 25, bytes: [0xAA, 0xBB, 0xCC]),
                                                               reserved: 0xDEAD_BEEF)),
                      ])])),
    TunnelEncapGolden(name: "sub-TLV type 200: 2-octet length (§2), unknown tunnel type 19",
                      bytes: "0013 0008  C8 0005 0102030405",
                      value: TunnelEncapsulation(tunnels: [TunnelTLV(type: TunnelType(rawValue: 19), subTLVs: [
                          .opaque(type: 200, value: [1, 2, 3, 4, 5]),
                      ])])),
    TunnelEncapGolden(name: "unknown tunnel type and unknown sub-TLVs kept byte-identical",
                      bytes: "FFFE 000D  02 02 0800  08 02 12B5  7F 00  FF 0000",
                      value: TunnelEncapsulation(tunnels: [TunnelTLV(type: TunnelType(rawValue: 0xFFFE), subTLVs: [
                          .opaque(type: 2, value: [0x08, 0x00]),    // Protocol Type: IPv4
                          .opaque(type: 8, value: [0x12, 0xB5]),    // UDP Destination Port 4789
                          .opaque(type: 127, value: []),            // last 1-octet-length type
                          .opaque(type: 255, value: []),            // 2-octet length, empty
                      ])])),
    TunnelEncapGolden(name: "Encapsulation sub-TLV of a non-VXLAN tunnel (NVGRE) stays opaque",
                      bytes: "0009 000E  01 0C 80001000 02740A0000020000",
                      value: TunnelEncapsulation(tunnels: [TunnelTLV(type: .nvgre, subTLVs: [
                          .opaque(type: 1, value: hex("80001000 02740A0000020000")),
                      ])])),
    TunnelEncapGolden(name: "Color sub-TLV of the wrong length or type is unrecognized, not an error (§3.4.2)",
                      bytes: "0008 0010  04 04 00000064  04 08 0300 0000 00000064",
                      value: TunnelEncapsulation(tunnels: [TunnelTLV(type: .vxlan, subTLVs: [
                          .opaque(type: 4, value: [0, 0, 0, 0x64]),
                          .opaque(type: 4, value: hex("0300 0000 00000064")),
                      ])])),
    TunnelEncapGolden(name: "two TLVs; one with no sub-TLVs",
                      bytes: "0008 0000  0007 0008 06 06 00000000 0000",
                      value: TunnelEncapsulation(tunnels: [TunnelTLV(type: .vxlan, subTLVs: []),
                                                           TunnelTLV(type: .ipInIP, subTLVs: [.egressEndpoint(TunnelEgressEndpoint(nil))])])),
    TunnelEncapGolden(name: "empty attribute: no tunnels", bytes: "", value: TunnelEncapsulation(tunnels: [])),
]

/// Malformed values, the problem each must report, and where.
struct TunnelEncapMalformed: Sendable, CustomStringConvertible {
    var name: String
    var bytes: String
    var error: TunnelEncapsulationError
    var message: String
    var description: String { name }
}

let tunnelEncapMalformed: [TunnelEncapMalformed] = [
    TunnelEncapMalformed(name: "truncated tunnel TLV header",
                         bytes: "0008 00",
                         error: TunnelEncapsulationError(.truncatedTunnelHeader(available: 3), tunnelIndex: 0),
                         message: "tunnel TLV 0: 3 bytes left, a tunnel TLV header needs 4 (type, length)"),
    TunnelEncapMalformed(name: "truncated header of the second tunnel TLV",
                         bytes: "0007 0000  00",
                         error: TunnelEncapsulationError(.truncatedTunnelHeader(available: 1), tunnelIndex: 1),
                         message: "tunnel TLV 1: 1 byte left, a tunnel TLV header needs 4 (type, length)"),
    TunnelEncapMalformed(name: "tunnel TLV length past the end (the corpus' incident-2023 garbage)",
                         bytes: "0008 00FF  01 40 BAADF00D13370017",
                         error: TunnelEncapsulationError(.tunnelPastEnd(length: 255, available: 10), tunnelIndex: 0, tunnelType: .vxlan),
                         message: "tunnel TLV 0 (VXLAN): length 255 runs past the attribute (10 bytes left)"),
    TunnelEncapMalformed(name: "sub-TLV past the end of its tunnel TLV (more bytes follow in the attribute)",
                         bytes: "0007 0004  06 0A 0000   0007 0008 06 06 00000000 0000",
                         error: TunnelEncapsulationError(.subTLVPastEnd(length: 10, available: 2), tunnelIndex: 0,
                                                         tunnelType: .ipInIP, subTLVIndex: 0, subTLVType: 6),
                         message: "tunnel TLV 0 (IP-in-IP) sub-TLV 0 (Tunnel Egress Endpoint): length 10 runs past the end of the tunnel TLV (2 bytes left)"),
    TunnelEncapMalformed(name: "sub-TLV header cut short: type 200 needs a 2-octet length",
                         bytes: "0013 0002  C8 00",
                         error: TunnelEncapsulationError(.truncatedSubTLVHeader(needed: 3, available: 2), tunnelIndex: 0,
                                                         tunnelType: TunnelType(rawValue: 19), subTLVIndex: 0, subTLVType: 200),
                         message: "tunnel TLV 0 (type 19) sub-TLV 0 (type 200): 2 bytes left in the tunnel TLV, a sub-TLV header needs 3"),
    TunnelEncapMalformed(name: "sub-TLV header cut short: 1 byte left",
                         bytes: "0008 0003  7F 00  06",
                         error: TunnelEncapsulationError(.truncatedSubTLVHeader(needed: 2, available: 1), tunnelIndex: 0,
                                                         tunnelType: .vxlan, subTLVIndex: 1, subTLVType: 6),
                         message: "tunnel TLV 0 (VXLAN) sub-TLV 1 (Tunnel Egress Endpoint): 1 byte left in the tunnel TLV, a sub-TLV header needs 2"),
    TunnelEncapMalformed(name: "egress endpoint AFI 1 with a 2-octet address (length 8, needs 10)",
                         bytes: "0007 000A  06 08 00000000 0001 0A00",
                         error: TunnelEncapsulationError(.badEgressEndpoint(addressFamily: 1, length: 8), tunnelIndex: 0,
                                                         tunnelType: .ipInIP, subTLVIndex: 0, subTLVType: 6),
                         message: "tunnel TLV 0 (IP-in-IP) sub-TLV 0 (Tunnel Egress Endpoint): length 8, RFC 9012 §3.1 needs 10 for address family 1 (IPv4)"),
    TunnelEncapMalformed(name: "egress endpoint AFI 2 with an IPv4-sized address",
                         bytes: "0008 000C  06 0A 00000000 0002 0A000001",
                         error: TunnelEncapsulationError(.badEgressEndpoint(addressFamily: 2, length: 10), tunnelIndex: 0,
                                                         tunnelType: .vxlan, subTLVIndex: 0, subTLVType: 6),
                         message: "tunnel TLV 0 (VXLAN) sub-TLV 0 (Tunnel Egress Endpoint): length 10, RFC 9012 §3.1 needs 22 for address family 2 (IPv6)"),
    TunnelEncapMalformed(name: "egress endpoint AFI 0 with an address",
                         bytes: "0007 000C  06 0A 00000000 0000 0A000001",
                         error: TunnelEncapsulationError(.badEgressEndpoint(addressFamily: 0, length: 10), tunnelIndex: 0,
                                                         tunnelType: .ipInIP, subTLVIndex: 0, subTLVType: 6),
                         message: "tunnel TLV 0 (IP-in-IP) sub-TLV 0 (Tunnel Egress Endpoint): length 10, RFC 9012 §3.1 needs 6 for address family 0 (no address)"),
    TunnelEncapMalformed(name: "egress endpoint shorter than reserved + address family",
                         bytes: "0007 0006  06 04 00000000",
                         error: TunnelEncapsulationError(.badEgressEndpoint(addressFamily: nil, length: 4), tunnelIndex: 0,
                                                         tunnelType: .ipInIP, subTLVIndex: 0, subTLVType: 6),
                         message: "tunnel TLV 0 (IP-in-IP) sub-TLV 0 (Tunnel Egress Endpoint): length 4, RFC 9012 §3.1 needs at least 6 (reserved 4, address family 2)"),
    TunnelEncapMalformed(name: "VXLAN Encapsulation sub-TLV of 11 octets",
                         bytes: "0008 000D  01 0B C0 001000 02740A000002 00",
                         error: TunnelEncapsulationError(.badVXLANEncapsulationLength(11), tunnelIndex: 0,
                                                         tunnelType: .vxlan, subTLVIndex: 0, subTLVType: 1),
                         message: "tunnel TLV 0 (VXLAN) sub-TLV 0 (Encapsulation): length 11, RFC 9012 §3.2.1 needs 12 (flags 1, VN-ID 3, MAC 6, reserved 2)"),
    TunnelEncapMalformed(name: "VXLAN Encapsulation sub-TLV of 13 octets, in the second TLV",
                         bytes: "0007 0000  0008 000F  01 0D C0 001000 02740A000002 0000 00",
                         error: TunnelEncapsulationError(.badVXLANEncapsulationLength(13), tunnelIndex: 1,
                                                         tunnelType: .vxlan, subTLVIndex: 0, subTLVType: 1),
                         message: "tunnel TLV 1 (VXLAN) sub-TLV 0 (Encapsulation): length 13, RFC 9012 §3.2.1 needs 12 (flags 1, VN-ID 3, MAC 6, reserved 2)"),
]

@Suite struct TunnelEncapsulationTests {
    @Test(arguments: tunnelEncapGoldens)
    func decodesAndEncodes(_ g: TunnelEncapGolden) throws {
        let bytes = hex(g.bytes)
        #expect(try TunnelEncapsulation(value: bytes) == g.value)
        #expect(hexString(g.value.encode()) == hexString(bytes))
        var issues: [TunnelEncapsulationError] = []
        #expect(try TunnelEncapsulation(value: bytes, issues: &issues) == g.value)
        #expect(issues == [])
    }

    @Test(arguments: tunnelEncapMalformed)
    func rejectsMalformed(_ m: TunnelEncapMalformed) {
        #expect(throws: m.error) { try TunnelEncapsulation(value: hex(m.bytes)) }
        #expect(m.error.description == m.message)
    }

    /// RFC 9012 §13: which handling each problem gets.
    @Test func handlingFollowsSection13() {
        let byName = Dictionary(uniqueKeysWithValues: tunnelEncapMalformed.map { ($0.name, $0.error.handling) })
        #expect(byName["truncated tunnel TLV header"] == .treatAsWithdraw)
        #expect(byName["tunnel TLV length past the end (the corpus' incident-2023 garbage)"] == .treatAsWithdraw)
        #expect(byName["sub-TLV past the end of its tunnel TLV (more bytes follow in the attribute)"] == .treatAsWithdraw)
        #expect(byName["sub-TLV header cut short: type 200 needs a 2-octet length"] == .treatAsWithdraw)
        #expect(byName["egress endpoint AFI 1 with a 2-octet address (length 8, needs 10)"] == .removeTunnel)
        #expect(byName["VXLAN Encapsulation sub-TLV of 11 octets"] == .treatAsUnrecognizedSubTLV)
    }

    /// The tolerant reader: a malformed egress endpoint removes only its TLV, a malformed VXLAN
    /// Encapsulation sub-TLV is kept opaque; both are reported.
    @Test func tolerantReaderAppliesSection13() throws {
        let bytes = hex("0007 000A  06 08 00000000 0001 0A00"                  // TLV 0: bad endpoint
                        + " 0008 0019  01 0B C0 001000 02740A000002 00"        // TLV 1: 11-octet VXLAN encapsulation
                        + "  06 0A 00000000 0001 0A000002")
        var issues: [TunnelEncapsulationError] = []
        let te = try TunnelEncapsulation(value: bytes, issues: &issues)
        #expect(issues.map(\.handling) == [.removeTunnel, .treatAsUnrecognizedSubTLV])
        #expect(issues.map(\.tunnelIndex) == [0, 1])
        #expect(te.tunnels == [TunnelTLV(type: .vxlan, subTLVs: [
            .opaque(type: 1, value: hex("C0 001000 02740A000002 00")),
            .egressEndpoint(TunnelEgressEndpoint(.v4(v4("10.0.0.2")))),
        ])])
        #expect(te.vxlanVNI == nil)
        #expect(te.vxlanEndpoint == .v4(v4("10.0.0.2")))
        // The strict reader reports the first of them.
        #expect(throws: issues[0]) { try TunnelEncapsulation(value: bytes) }
        // A framing error still throws, and outranks an earlier sub-TLV problem.
        var more: [TunnelEncapsulationError] = []
        let framing = hex("0008 000D  01 0B C0 001000 02740A000002 00   0007 0009")
        #expect(throws: TunnelEncapsulationError(.tunnelPastEnd(length: 9, available: 0), tunnelIndex: 1, tunnelType: .ipInIP)) {
            try TunnelEncapsulation(value: framing, issues: &more)
        }
        #expect(throws: TunnelEncapsulationError(.tunnelPastEnd(length: 9, available: 0), tunnelIndex: 1, tunnelType: .ipInIP)) {
            try TunnelEncapsulation(value: framing)
        }
    }

    @Test func convenienceAccessors() throws {
        let te = TunnelEncapsulation.vxlan(vni: 0xFF_FFFF, mac: routerMAC, endpoint: .v6(v6("2001:db8::7")))
        #expect(te.vxlanVNI == 0xFF_FFFF)
        #expect(te.vxlanMAC == routerMAC)
        #expect(te.vxlanEndpoint == .v6(v6("2001:db8::7")))
        #expect(te.firstVXLAN?.egressEndpoint?.afi == 2)
        #expect(te.description == "VXLAN [vni 16777215 mac 02:74:0a:00:00:02, endpoint 2001:db8::7]")
        let ipip = TunnelEncapsulation.ipInIP(endpoint: nil)
        #expect(ipip.firstVXLAN == nil && ipip.vxlanVNI == nil && ipip.vxlanMAC == nil && ipip.vxlanEndpoint == nil)
        #expect(ipip.tunnels[0].egressEndpoint?.address == .nextHop)
        #expect(ipip.description == "IP-in-IP [endpoint next-hop]")
        // The first VXLAN TLV is found after others; the first Encapsulation sub-TLV wins (§13).
        let two = TunnelEncapsulation(tunnels: ipip.tunnels + [TunnelTLV(type: .vxlan, subTLVs: [
            .vxlanEncapsulation(VXLANEncapsulation(vni: 7, mac: nil)),
            .vxlanEncapsulation(VXLANEncapsulation(vni: 8, mac: routerMAC)),
        ])])
        #expect(two.vxlanVNI == 7)
        #expect(two.vxlanMAC == nil)
        #expect(try TunnelEncapsulation(value: two.encode()) == two)
    }

    /// The typed view sits on top of the opaque attribute: the UPDATE codec still carries
    /// attribute 23 as a RawAttribute, and the view reads it from there.
    @Test func pathAttributesView() throws {
        let te = TunnelEncapsulation.vxlan(vni: 4096, mac: routerMAC, endpoint: .v4(v4("10.0.0.2")))
        #expect(te.rawAttribute == RawAttribute(flags: 0xC0, code: 23, value: te.encode()))
        #expect(try TunnelEncapsulation(te.rawAttribute) == te)

        var a = PathAttributes(origin: .igp)
        #expect(a.tunnelEncapsulation == nil)
        a.setTunnelEncapsulation(te)
        a.setTunnelEncapsulation(te)  // replaces, does not add a second one
        #expect(a.unknown == [te.rawAttribute])
        #expect(try a.tunnelEncapsulation?.get() == te)

        // Through the UPDATE codec: the encoder passes unknown attributes on with the Partial
        // bit (0xE0), and decoding gives back the same value bytes.
        let wire = encodeAttrs(a)
        #expect(hexString(Array(wire.prefix(5))) == "40010100e0")
        let (block, issues) = try decodeAttrs(wire)
        #expect(issues == [])
        #expect(try block.attributes.tunnelEncapsulation?.get() == te)

        // A malformed value stays carried; the view reports why.
        var bad = PathAttributes()
        bad.unknown = [RawAttribute(flags: 0xC0, code: 23, value: hex("0008 00FF 01"))]
        guard case .failure(let e)? = bad.tunnelEncapsulation else { Issue.record("expected a failure"); return }
        #expect(e.problem == .tunnelPastEnd(length: 255, available: 1))
        bad.setTunnelEncapsulation(nil)
        #expect(bad.unknown == [])
    }

    /// The malformed corpus's incident-2023 message: the codec carries attribute 23 opaque
    /// (no issue, no reset) and the typed view says what is wrong with it.
    @Test func corpusIncident2023GarbageIsCarriedAndExplained() throws {
        let bytes = hex("ffffffffffffffffffffffffffffffff004f02000000304001010040020a02020000fdf20000fdfc400304c0000201"
                        + "40050400000064c0170e000800ff0140baadf00d13370017180a0000180a0001")
        let (u, issues) = try decodeUpdate(bytes, CodecContext(fourOctetAS: true))
        #expect(issues == [])
        #expect(u.attributes.unknown.map(\.code) == [23])
        guard case .failure(let e)? = u.attributes.tunnelEncapsulation else { Issue.record("expected a failure"); return }
        #expect(e.description == "tunnel TLV 0 (VXLAN): length 255 runs past the attribute (10 bytes left)")
        #expect(e.handling == .treatAsWithdraw)
    }

    // MARK: - Properties

    /// encode(decode(x)) == x and decode(encode(v)) == v for random well-formed values.
    @Test func randomWellFormedValuesRoundTrip() throws {
        var rng = SplitMix64(seed: 0x7E55_0023)
        for _ in 0..<2000 {
            let v = randomTunnelEncapsulation(&rng)
            let bytes = v.encode()
            let back = try TunnelEncapsulation(value: bytes)
            #expect(back == v)
            #expect(back.encode() == bytes)
        }
    }

    /// Whatever the bytes, reading never traps, and a value read without issues re-encodes to
    /// exactly those bytes. Fed with mutations and truncations of well-formed values.
    @Test func arbitraryBytesNeverTrapAndAcceptedOnesRoundTrip() {
        var rng = SplitMix64(seed: 0xBAD_0023)
        var accepted = 0
        for i in 0..<4000 {
            var bytes = randomTunnelEncapsulation(&rng).encode()
            switch i % 4 {
            case 0 where !bytes.isEmpty:
                bytes[Int.random(in: 0..<bytes.count, using: &rng)] = UInt8.random(in: 0...255, using: &rng)
            case 1:
                bytes = Array(bytes.prefix(Int.random(in: 0...bytes.count, using: &rng)))
            case 2:
                bytes = (0..<Int.random(in: 0...40, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
            default:
                break
            }
            var issues: [TunnelEncapsulationError] = []
            if let te = try? TunnelEncapsulation(value: bytes, issues: &issues), issues.isEmpty {
                accepted += 1
                #expect(te.encode() == bytes)
            }
        }
        #expect(accepted > 1000)
    }
}

// MARK: - Generators

/// A random value in the form the decoder produces (so decode(encode(v)) == v).
func randomTunnelEncapsulation(_ rng: inout SplitMix64) -> TunnelEncapsulation {
    let types: [UInt16] = [7, 8, 8, 8, 9, 19, 0, 0xFFFF]
    return TunnelEncapsulation(tunnels: (0..<Int.random(in: 0...4, using: &rng)).map { _ in
        let type = TunnelType(rawValue: Bool.random(using: &rng) ? types.randomElement(using: &rng)! : UInt16.random(in: 0...0xFFFF, using: &rng))
        return TunnelTLV(type: type, subTLVs: (0..<Int.random(in: 0...5, using: &rng)).map { _ in randomSubTLV(in: type, &rng) })
    })
}

func randomBytes(_ n: Int, _ rng: inout SplitMix64) -> [UInt8] {
    (0..<n).map { _ in UInt8.random(in: 0...255, using: &rng) }
}

func randomSubTLV(in type: TunnelType, _ rng: inout SplitMix64) -> TunnelSubTLV {
    switch Int.random(in: 0..<6, using: &rng) {
    case 0 where type == .vxlan:
        return .vxlanEncapsulation(VXLANEncapsulation(flags: UInt8.random(in: 0...255, using: &rng),
                                                      vnidField: UInt32.random(in: 0...0xFF_FFFF, using: &rng),
                                                      macField: randomBytes(6, &rng), reserved: UInt16.random(in: 0...0xFFFF, using: &rng)))
    case 1:
        let address: TunnelEgressEndpoint.Address = switch Int.random(in: 0..<4, using: &rng) {
        case 0: .nextHop
        case 1: .ip(.v4(IPv4Address(UInt32.random(in: 0...UInt32.max, using: &rng))))
        case 2: .ip(.v6(IPv6Address(high: UInt64.random(in: 0...UInt64.max, using: &rng), low: UInt64.random(in: 0...UInt64.max, using: &rng))))
        default: .otherFamily(afi: UInt16.random(in: 3...0xFFFF, using: &rng), bytes: randomBytes(Int.random(in: 0...20, using: &rng), &rng))
        }
        return .egressEndpoint(TunnelEgressEndpoint(address, reserved: Bool.random(using: &rng) ? 0 : UInt32.random(in: 0...UInt32.max, using: &rng)))
    case 2:
        return .color(TunnelColor(UInt32.random(in: 0...UInt32.max, using: &rng), flags: UInt16.random(in: 0...3, using: &rng)))
    case 3:
        // A 2-octet-length sub-TLV, sometimes longer than 255 octets.
        let n = Bool.random(using: &rng) ? Int.random(in: 0...10, using: &rng) : Int.random(in: 256...700, using: &rng)
        return .opaque(type: UInt8.random(in: 128...255, using: &rng), value: randomBytes(n, &rng))
    default:
        // A 1-octet-length sub-TLV the decoder keeps opaque: not Color (4) or Egress Endpoint (6);
        // Encapsulation (1) only outside VXLAN.
        var t: UInt8
        repeat { t = UInt8.random(in: 0...127, using: &rng) } while t == 4 || t == 6 || (t == 1 && type == .vxlan)
        return .opaque(type: t, value: randomBytes(Int.random(in: 0...(Bool.random(using: &rng) ? 16 : 255), using: &rng), &rng))
    }
}
