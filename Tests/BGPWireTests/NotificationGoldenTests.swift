import Testing
@testable import BGPWire

/// Golden (whole message, NotificationMessage) pairs in both directions.
@Suite struct NotificationGoldenTests {
    static let goldens: [(String, NotificationMessage)] = [
        // Cease / Administrative Shutdown with the RFC 9003 communication "maintenance".
        ("0021 03 06 02 0b 6d61696e74656e616e6365", .cease(2, communication: "maintenance")),
        // Cease / Administrative Reset with a multi-byte UTF-8 communication "über".
        ("001b 03 06 04 05 c3bc626572", .cease(4, communication: "über")),
        // Message Header Error / Bad Message Length, data = the bad length 18.
        ("0017 03 01 02 0012", NotificationMessage(code: 1, subcode: 2, data: [0x00, 0x12])),
        // Send Hold Timer Expired (RFC 9687).
        ("0015 03 08 00", NotificationMessage(code: 8, subcode: 0)),
        // Hold Timer Expired.
        ("0015 03 04 00", NotificationMessage(code: 4, subcode: 0)),
        // OPEN Message Error / Unsupported Version Number, data = version 4.
        ("0017 03 02 01 0004", NotificationMessage(code: 2, subcode: 1, data: [0, 4])),
        // Cease / Connection Collision Resolution.
        ("0015 03 06 07", NotificationMessage(code: 6, subcode: 7)),
    ]

    @Test(arguments: 0..<goldens.count)
    func golden(_ i: Int) throws {
        let (hex, value) = Self.goldens[i]
        let bytes = hexBytes(markerHex + hex)
        #expect(try BGPMessage.decode(bytes: bytes).message == .notification(value))
        #expect(BGPMessage.notification(value).encoded() == bytes)
    }

    @Test func shutdownCommunicationAndNames() throws {
        let decoded = try BGPMessage.decode(bytes: hexBytes(markerHex + Self.goldens[0].0)).message
        guard case .notification(let n) = decoded else {
            Issue.record("not a NOTIFICATION: \(decoded)")
            return
        }
        #expect(n.shutdownCommunication == "maintenance")
        #expect(n.name == "Cease / Administrative Shutdown")
        #expect(Self.goldens[1].1.shutdownCommunication == "über")
        #expect(Self.goldens[3].1.name == "Send Hold Timer Expired / Unspecific")
        #expect(Self.goldens[2].1.name == "Message Header Error / Bad Message Length")
        // Only Cease 2 and 4 carry a communication.
        #expect(NotificationMessage(code: 6, subcode: 3, data: [3, 0x61, 0x62, 0x63]).shutdownCommunication == nil)
    }
}
