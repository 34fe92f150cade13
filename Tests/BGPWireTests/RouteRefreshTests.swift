import Testing
@testable import BGPWire

@Suite struct RouteRefreshTests {
    static let goldens: [(String, RouteRefreshMessage)] = [
        ("0017 05 0001 00 01", RouteRefreshMessage(family: .ipv4Unicast)),
        ("0017 05 0002 01 01", RouteRefreshMessage(family: .ipv6Unicast, subtype: .beginningOfRouteRefresh)),
        ("0017 05 0001 02 01", RouteRefreshMessage(family: .ipv4Unicast, subtype: .endOfRouteRefresh)),
        ("0017 05 0001 ff 01", RouteRefreshMessage(family: .ipv4Unicast, subtype: .init(rawValue: 255))),
    ]

    @Test(arguments: 0..<goldens.count)
    func golden(_ i: Int) throws {
        let (hex, value) = Self.goldens[i]
        let bytes = hexBytes(markerHex + hex)
        #expect(try BGPMessage.decode(bytes: bytes).message == .routeRefresh(value))
        #expect(BGPMessage.routeRefresh(value).encoded() == bytes)
    }

    @Test func subtypes() {
        #expect(!RouteRefreshMessage.Subtype.normalRequest.isReserved)
        #expect(!RouteRefreshMessage.Subtype.endOfRouteRefresh.isReserved)
        #expect(RouteRefreshMessage.Subtype(rawValue: 3).isReserved)
        #expect(RouteRefreshMessage(family: .ipv6Unicast, subtype: .beginningOfRouteRefresh).description
                == "ROUTE-REFRESH ipv6-unicast BoRR")
        #expect(RouteRefreshMessage.Subtype(rawValue: 255).description == "reserved-255")
    }

    func error(_ hex: String) -> MessageError? {
        do {
            let m = try BGPMessage.decode(bytes: hexBytes(markerHex + hex))
            Issue.record("expected an error, decoded \(m)")
            return nil
        } catch { return error }
    }

    @Test(arguments: [UInt8(1), 2])
    func enhancedSubtypeWithWrongLengthIs7_1WithWholeMessage(_ subtype: UInt8) throws {
        // RFC 7313 §5: BoRR/EoRR body of 5 bytes -> 7/1, data = the complete message.
        let hex = "0018 05 0001 \([subtype].hexString) 01 00"
        let e = try #require(error(hex))
        #expect(e.notification.code == 7)
        #expect(e.notification.subcode == 1)
        #expect(e.notification.data == hexBytes(markerHex + hex))
    }

    @Test func normalRequestWithWrongLengthIs1_2WithLength() throws {
        let e = try #require(error("0019 05 0001 00 01 0000"))
        #expect(e.notification.code == 1)
        #expect(e.notification.subcode == 2)
        #expect(e.notification.data == [0x00, 0x19])
    }

    @Test func reservedSubtypeWithWrongLengthIs1_2() throws {
        let e = try #require(error("0018 05 0001 07 01 00"))
        #expect(e.notification.code == 1)
        #expect(e.notification.subcode == 2)
        #expect(e.notification.data == [0x00, 0x18])
    }

    @Test func shortBodyCalledDirectlyIs1_2() throws {
        var r = ByteReader([0, 1])
        #expect(throws: MessageError.header(.badMessageLength, data: [0, 21], reason: "ROUTE-REFRESH length 21, expected 23")) {
            try RouteRefreshMessage.decode(body: &r)
        }
    }
}
