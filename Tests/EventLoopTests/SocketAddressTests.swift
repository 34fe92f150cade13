import Testing
@testable import EventLoop

@Suite("Addresses and errors")
struct SocketAddressTests {
    @Test(arguments: [
        ("192.168.77.1", 179, "192.168.77.1:179"),
        ("::1", 179, "[::1]:179"),
        ("2001:db8::1", 1179, "[2001:db8::1]:1179"),
        ("0.0.0.0", 0, "0.0.0.0:0"),
    ])
    func parseAndFormat(text: String, port: Int, expected: String) throws {
        let address = try SocketAddress(parsing: text, port: UInt16(port))
        #expect(address.description == expected)
        #expect(address.host == text)
        #expect(address.bytes.count == (text.contains(":") ? 16 : 4))
        // Through sockaddr and back.
        #expect(SocketAddress(storage: address.storage) == address)
    }

    @Test(arguments: ["", "192.168.77", "256.1.1.1", "host.example", "::g", "1.2.3.4%lo"])
    func rejectsNonNumeric(text: String) {
        #expect(SocketAddress(ip: text, port: 1) == nil)
        #expect {
            try SocketAddress(parsing: text, port: 1)
        } throws: { error in
            (error as? SocketError)?.code == .invalidArgument
        }
    }

    @Test func errnoNamesAndDescriptions() {
        let error = SocketError(.connectionRefused, operation: "connect to 192.168.77.2:179")
        #expect(error.name == "ECONNREFUSED")
        #expect(error.description == "connect to 192.168.77.2:179: ECONNREFUSED (Connection refused)")
        #expect(Errno.addressInUse.name == "EADDRINUSE")
        #expect(Errno(rawValue: 9999).name == "errno 9999")
    }
}
