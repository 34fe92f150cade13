import Testing
@testable import BGPWire

/// Golden (TLV bytes, Capability) pairs in both directions.
@Suite struct CapabilityGoldenTests {
    /// Decodes one capability TLV the way the OPEN decoder does.
    func decodeTLV(_ bytes: [UInt8]) throws(MessageError) -> [Capability] {
        var r = ByteReader(bytes)
        return try Capability.decodeList(&r)
    }

    func encodeTLV(_ c: Capability) -> [UInt8] {
        var w = ByteWriter()
        c.encode(into: &w)
        return w.bytes
    }

    static let goldens: [(String, Capability)] = [
        ("01 04 0001 00 01", .multiprotocol(.ipv4Unicast)),
        ("01 04 0002 00 01", .multiprotocol(.ipv6Unicast)),
        ("01 04 0001 00 02", .multiprotocol(AddressFamily(afi: .ipv4, safi: .multicast))),
        ("02 00", .routeRefresh),
        ("06 00", .extendedMessage),
        // R and N set, restart time 120 (0x078); ipv4-unicast with F, ipv6-unicast without.
        ("40 0a c078 0001 01 80 0002 01 00",
         .gracefulRestart(GracefulRestartCapability(restartState: true, notification: true, restartTime: 120,
                                                    families: [.init(.ipv4Unicast, forwardingStatePreserved: true),
                                                               .init(.ipv6Unicast)]))),
        // No flags, 90 s, no families (helper mode only).
        ("40 02 005a", .gracefulRestart(GracefulRestartCapability(restartTime: 90))),
        // N only, the largest 12-bit time.
        ("40 02 4fff", .gracefulRestart(GracefulRestartCapability(notification: true, restartTime: 4095))),
        ("41 04 fa56ea00", .fourOctetAS(4_200_000_000)),
        ("41 04 0000fde9", .fourOctetAS(65001)),
        ("45 08 0001 01 03 0002 01 01", .addPath([.init(.ipv4Unicast, .both), .init(.ipv6Unicast, .receive)])),
        ("45 04 0002 01 02", .addPath([.init(.ipv6Unicast, .send)])),
        ("46 00", .enhancedRouteRefresh),
        ("49 13 06 6e6f64652d31 0b 6578616d706c652e636f6d", .fqdn(hostname: "node-1", domain: "example.com")),
        ("49 05 03 727231 00", .fqdn(hostname: "rr1", domain: "")),
        // Extended next hop (code 5) is not interpreted: kept opaque.
        ("05 06 0001 0001 0002", .unknown(code: 5, value: [0, 1, 0, 1, 0, 2])),
        ("80 00", .unknown(code: 128, value: [])),
    ]

    @Test(arguments: 0..<goldens.count)
    func golden(_ i: Int) throws {
        let (hex, value) = Self.goldens[i]
        let bytes = hexBytes(hex)
        #expect(try decodeTLV(bytes) == [value])
        #expect(encodeTLV(value) == bytes)
        #expect(value.code == bytes[0])
    }

    @Test func severalTLVsInOneParameterValue() throws {
        #expect(try decodeTLV(hexBytes("0200 4600 41040000fde9")) == [.routeRefresh, .enhancedRouteRefresh, .fourOctetAS(65001)])
    }

    @Test func addPathWithUnknownDirectionIsNotUnderstood() throws {
        // RFC 7911 §4: Send/Receive 4 -> capability ignored, kept opaque (not an error).
        let bytes = hexBytes("45 08 0001 01 03 0002 01 04")
        #expect(try decodeTLV(bytes) == [.unknown(code: 69, value: Array(bytes[2...]))])
        #expect(encodeTLV(.unknown(code: 69, value: Array(bytes[2...]))) == bytes)
    }

    @Test func fqdnWithInvalidUTF8IsKeptOpaque() throws {
        #expect(try decodeTLV(hexBytes("49 04 02 ff fe 00")) == [.unknown(code: 73, value: [2, 0xff, 0xfe, 0])])
    }

    @Test func mpReservedOctetIsIgnored() throws {
        #expect(try decodeTLV(hexBytes("01 04 0002 7f 01")) == [.multiprotocol(.ipv6Unicast)])
    }

    @Test func grReservedBitsAreIgnored() throws {
        // Restart flags 0x3 (reserved) and family flags 0x7f (reserved) are dropped.
        #expect(try decodeTLV(hexBytes("40 06 3078 0001 01 7f")) ==
                [.gracefulRestart(GracefulRestartCapability(restartTime: 120, families: [.init(.ipv4Unicast)]))])
    }

    @Test func fqdnEncodingTruncatesLongNamesOnCharacterBoundaries() throws {
        let long = String(repeating: "é", count: 200) // 400 UTF-8 bytes
        let bytes = encodeTLV(.fqdn(hostname: long, domain: "x"))
        #expect(bytes[1] == 255)  // 1 + 252 + 1 + 1
        #expect(bytes[2] == 252)  // 126 two-byte characters: a 127th would leave no room for the domain length
        #expect(Int(bytes[1]) == bytes.count - 2)
        guard case .fqdn(let h, let d) = try decodeTLV(bytes).first else {
            Issue.record("expected fqdn")
            return
        }
        #expect(h == String(repeating: "é", count: 126))
        #expect(d == "x")
    }

    @Test func namesAndDescriptions() {
        #expect(Capability.routeRefresh.name == "Route Refresh")
        #expect(Capability.fourOctetAS(1).name == "4-octet AS number")
        #expect(Capability.multiprotocol(.ipv6Unicast).description == "Multiprotocol Extensions (ipv6-unicast)")
        #expect(Capability.fqdn(hostname: "n1", domain: "example.com").description == "FQDN (n1.example.com)")
        #expect(Capability.unknown(code: 200, value: [1, 2]).description == "Capability 200 (0102)")
        #expect(Capability.gracefulRestart(GracefulRestartCapability(restartState: true, restartTime: 120,
                                                                     families: [.init(.ipv4Unicast, forwardingStatePreserved: true)])).description
                == "Graceful Restart (R time 120s ipv4-unicast+F)")
    }
}
