import IPCore
import Testing
@testable import BGPWire

// MARK: - Helpers shared by the OPEN / capability / ROUTE-REFRESH / NOTIFICATION tests

/// Parses hex written with spaces; records an issue for malformed test input.
func hexBytes(_ hex: String, sourceLocation: SourceLocation = #_sourceLocation) -> [UInt8] {
    guard let b = [UInt8](hex: hex) else {
        Issue.record("bad hex in test: \(hex)", sourceLocation: sourceLocation)
        return []
    }
    return b
}

/// The 16-byte all-ones marker, as hex.
let markerHex = String(repeating: "ff", count: 16)

/// Decodes an OPEN body given as hex.
func decodeOpenBody(_ hex: String) throws(MessageError) -> OpenMessage {
    var r = ByteReader(hexBytes(hex))
    return try OpenMessage.decode(body: &r)
}

/// Encodes an OPEN body.
func encodeOpenBody(_ open: OpenMessage) -> [UInt8] {
    var w = ByteWriter()
    open.encode(into: &w)
    return w.bytes
}

/// The error an OPEN body throws, or nil (with an issue recorded) when it decodes.
func openError(_ hex: String, sourceLocation: SourceLocation = #_sourceLocation) -> MessageError? {
    do {
        let open = try decodeOpenBody(hex)
        Issue.record("expected an error, decoded \(open)", sourceLocation: sourceLocation)
        return nil
    } catch {
        return error
    }
}

// MARK: - OPEN golden pairs

@Suite struct OpenGoldenTests {
    static let id = IPv4Address("192.0.2.1")!

    /// Asserts decode(bytes) == value and encode(value) == bytes for an OPEN body.
    func checkBody(_ hex: String, _ value: OpenMessage, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let bytes = hexBytes(hex)
        #expect(try decodeOpenBody(hex) == value, sourceLocation: sourceLocation)
        #expect(encodeOpenBody(value).hexString == bytes.hexString, sourceLocation: sourceLocation)
    }

    static let threeCaps: [Capability] = [.multiprotocol(.ipv4Unicast), .routeRefresh, .fourOctetAS(65001)]

    @Test func noOptionalParameters() throws {
        try checkBody("04 fde9 00b4 0a000001 00",
                      OpenMessage(myAS: 65001, holdTime: 180, bgpIdentifier: IPv4Address("10.0.0.1")!))
    }

    @Test func severalCapabilitiesInOneParameter() throws {
        // Opt Parm Len 16: one Capabilities parameter (type 2, length 14) with MP, RR, AS4.
        try checkBody("04 fde9 005a c0000201 10 02 0e 010400010001 0200 41040000fde9",
                      OpenMessage(myAS: 65001, holdTime: 90, bgpIdentifier: Self.id, capabilities: Self.threeCaps))
    }

    @Test func oneParameterPerCapability() throws {
        // Opt Parm Len 20: three parameters of one capability each (FRR layout).
        try checkBody("04 fde9 005a c0000201 14 02 06 010400010001 02 02 0200 02 06 41040000fde9",
                      OpenMessage(myAS: 65001, holdTime: 90, bgpIdentifier: Self.id, capabilities: Self.threeCaps,
                                  capabilityLayout: .parameterPerCapability))
    }

    @Test func mixedGrouping() throws {
        // Two parameters: {MP, RR} then {AS4}; plus an empty Capabilities parameter at the end.
        try checkBody("04 fde9 005a c0000201 14 02 08 010400010001 0200 02 06 41040000fde9 02 00",
                      OpenMessage(myAS: 65001, holdTime: 90, bgpIdentifier: Self.id, capabilities: Self.threeCaps,
                                  capabilityLayout: .grouped([2, 1, 0])))
    }

    @Test func layoutChangesBytesNotCapabilities() throws {
        let one = try decodeOpenBody("04 fde9 005a c0000201 10 02 0e 010400010001 0200 41040000fde9")
        let many = try decodeOpenBody("04 fde9 005a c0000201 14 02 06 010400010001 02 02 0200 02 06 41040000fde9")
        #expect(one.capabilities == many.capabilities)
        #expect(one.capabilityLayout == .oneParameter)
        #expect(many.capabilityLayout == .parameterPerCapability)
    }

    @Test func rfc9072ExtendedParameters() throws {
        // Non-Ext OP Len 255, Non-Ext OP Type 255, Extended Opt. Parm. Length 17,
        // then type 2 with a 2-octet length 14.
        try checkBody("04 fde9 005a c0000201 ff ff 0011 02 000e 010400010001 0200 41040000fde9",
                      OpenMessage(myAS: 65001, holdTime: 90, bgpIdentifier: Self.id, capabilities: Self.threeCaps,
                                  useExtendedParameters: true))
    }

    @Test func rfc9072EmptyExtendedParameters() throws {
        try checkBody("04 fde9 005a c0000201 ff ff 0000",
                      OpenMessage(myAS: 65001, holdTime: 90, bgpIdentifier: Self.id, useExtendedParameters: true))
    }

    @Test func extendedFormChosenWhenParametersExceed255Bytes() throws {
        // 45 MP capabilities of 6 bytes = 270 bytes in one parameter: cannot use 1-octet lengths.
        let caps = (1...45).map { Capability.multiprotocol(AddressFamily(afi: AFI(rawValue: UInt16($0)), safi: .unicast)) }
        let open = OpenMessage(myAS: 65001, holdTime: 90, bgpIdentifier: Self.id, capabilities: caps)
        let bytes = encodeOpenBody(open)
        #expect(Array(bytes[9...12]) == [0xff, 0xff, 0x01, 0x11]) // ext length 3 + 270 = 273
        #expect(Array(bytes[13...15]) == [0x02, 0x01, 0x0e])       // type 2, length 270
        #expect(bytes.count == 9 + 4 + 273)
        var r = ByteReader(bytes)
        let back = try OpenMessage.decode(body: &r)
        #expect(back.capabilities == caps)
        #expect(back.useExtendedParameters)
        #expect(encodeOpenBody(back) == bytes)
    }

    @Test func exactly255BytesStaysRegular() throws {
        // One parameter with a value of 253 bytes: 2 + 253 = 255 fits the 1-octet length.
        let caps = [Capability.unknown(code: 200, value: Array(repeating: 0xab, count: 251))]
        let bytes = encodeOpenBody(OpenMessage(myAS: 65001, holdTime: 90, bgpIdentifier: Self.id, capabilities: caps))
        #expect(bytes[9] == 255)
        #expect(bytes[10] == 2)   // the first parameter's type, not the RFC 9072 marker
        #expect(bytes[11] == 253)
        #expect(bytes.count == 10 + 255)
        var r = ByteReader(bytes)
        let back = try OpenMessage.decode(body: &r)
        #expect(back.capabilities == caps)
        #expect(!back.useExtendedParameters)
    }

    // MARK: Whole messages

    /// A BIRD 2-like OPEN: AS 65001, hold 240, router id 10.0.0.1, IPv4 + IPv6 channels,
    /// extended messages, graceful restart 120 s, add-path receive, enhanced route refresh,
    /// hostname "bird1". All capabilities in one parameter, in BIRD's order.
    static let birdHex = markerHex + """
         0052 01
        04 fde9 00f0 0a000001 35
        02 33
          010400010001 010400020001
          0200
          0600
          400a 0078 00010100 00020100
          41040000fde9
          4504 00010101
          4600
          4907 05 6269726431 00
        """
    static let bird = OpenMessage(
        myAS: 65001, holdTime: 240, bgpIdentifier: IPv4Address("10.0.0.1")!,
        capabilities: [
            .multiprotocol(.ipv4Unicast), .multiprotocol(.ipv6Unicast), .routeRefresh, .extendedMessage,
            .gracefulRestart(GracefulRestartCapability(restartTime: 120, families: [.init(.ipv4Unicast), .init(.ipv6Unicast)])),
            .fourOctetAS(65001), .addPath([.init(.ipv4Unicast, .receive)]), .enhancedRouteRefresh,
            .fqdn(hostname: "bird1", domain: ""),
        ])

    @Test func birdLikeOpen() throws {
        let bytes = hexBytes(Self.birdHex)
        #expect(bytes.count == 0x52)
        let decoded = try BGPMessage.decode(bytes: bytes)
        #expect(decoded.message == .open(Self.bird))
        #expect(decoded.issues.isEmpty)
        #expect(BGPMessage.open(Self.bird).encoded() == bytes)
        #expect(Self.bird.asNumber == 65001)
    }

    /// A GoBGP-like OPEN: 4-octet AS 4200000001 (My AS = AS_TRANS), hold 90, router id
    /// 10.0.0.2, route refresh first, then MP per family, AS4, add-path both for IPv4.
    static let gobgpHex = markerHex + """
         0039 01
        04 5ba0 005a 0a000002 1c
        02 1a
          0200
          010400010001 010400020001
          4104fa56ea01
          4504 00010103
        """
    static let gobgp = OpenMessage(
        myAS: 23456, holdTime: 90, bgpIdentifier: IPv4Address("10.0.0.2")!,
        capabilities: [.routeRefresh, .multiprotocol(.ipv4Unicast), .multiprotocol(.ipv6Unicast),
                       .fourOctetAS(4_200_000_001), .addPath([.init(.ipv4Unicast, .both)])])

    @Test func gobgpLikeOpen() throws {
        let bytes = hexBytes(Self.gobgpHex)
        #expect(bytes.count == 0x39)
        #expect(try BGPMessage.decode(bytes: bytes).message == .open(Self.gobgp))
        #expect(BGPMessage.open(Self.gobgp).encoded() == bytes)
        #expect(Self.gobgp.asNumber == 4_200_000_001)
        #expect(Self.gobgp.myAS == OpenMessage.asTrans)
    }

    // MARK: asNumber convenience

    @Test func convenienceInitUsesASTransAndSetsCapabilityInPlace() {
        let built = OpenMessage(asNumber: 4_200_000_001, holdTime: 90, bgpIdentifier: IPv4Address("10.0.0.2")!,
                                capabilities: [.routeRefresh, .multiprotocol(.ipv4Unicast), .multiprotocol(.ipv6Unicast),
                                               .fourOctetAS(0), .addPath([.init(.ipv4Unicast, .both)])])
        #expect(built == Self.gobgp)
    }

    @Test func convenienceInitTwoOctetASAppendsCapability() {
        let built = OpenMessage(asNumber: 65001, holdTime: 90, bgpIdentifier: Self.id,
                                capabilities: [.multiprotocol(.ipv4Unicast), .routeRefresh])
        #expect(built.myAS == 65001)
        #expect(built.capabilities == Self.threeCaps)
        #expect(built.asNumber == 65001)
        let edge = OpenMessage(asNumber: 65536, holdTime: 90, bgpIdentifier: Self.id)
        #expect(edge.myAS == 23456)
        #expect(edge.capabilities == [.fourOctetAS(65536)])
    }

    @Test func asNumberFallsBackToMyAS() throws {
        let open = try decodeOpenBody("04 fde9 00b4 0a000001 00")
        #expect(open.fourOctetASCapability == nil)
        #expect(open.asNumber == 65001)
    }

    @Test func descriptionNamesASAndCapabilities() {
        let text = Self.gobgp.description
        #expect(text.contains("AS 4200000001"))
        #expect(text.contains("my AS 23456"))
        #expect(text.contains("ADD-PATH (ipv4-unicast send/receive)"))
    }
}
