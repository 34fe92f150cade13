import IPCore
import Testing

/// The shared address vocabulary: each value is validated once at its initialiser.
@Suite struct IPCoreTests {
    @Test(arguments: [
        ("192.0.2.1", "192.0.2.1"), ("0.0.0.0", "0.0.0.0"), ("2001:db8::1", "2001:db8::1"),
        ("2001:DB8:0:0:0:0:0:1", "2001:db8::1"), ("::ffff:192.0.2.1", "::ffff:c000:201"),
    ])
    func addressTextRoundTrips(text: String, canonical: String) throws {
        let a = try #require(IPAddress(text))
        #expect(a.description == canonical)
        #expect(IPAddress(octets: a.octets) == a)
        var bytes: [UInt8] = []
        a.appendOctets(to: &bytes)
        #expect(bytes == a.octets)
    }

    @Test(arguments: ["", "1.2.3", "1.2.3.4.5", "256.0.0.1", "+1.2.3.4", " 1.2.3.4", "1::2::3", "gggg::1", "fe80::1%eth0"])
    func invalidAddressesAreRejected(text: String) {
        #expect(IPAddress(text) == nil)
    }

    @Test func octetCountsDecideTheFamily() {
        #expect(IPAddress(octets: [10, 0, 0, 1]) == .v4(IPv4Address(0x0A00_0001)))
        #expect(IPAddress(octets: [UInt8](repeating: 0, count: 16))?.family == .v6)
        #expect(IPAddress(octets: [1, 2, 3]) == nil)
        #expect(IPAddress(octets: [UInt8](repeating: 0, count: 5)) == nil)
    }

    @Test func addressClasses() throws {
        #expect(try #require(IPAddress("224.0.0.5")).isMulticast)
        #expect(try #require(IPAddress("ff02::1")).isMulticast)
        #expect(try #require(IPAddress("127.1.2.3")).isLoopback)
        #expect(try #require(IPAddress("::1")).isLoopback)
        #expect(try #require(IPAddress("0.0.0.0")).isUnspecified)
        #expect(try #require(IPAddress("::")).isUnspecified)
        #expect(!(try #require(IPAddress("10.0.0.1")).isMulticast))
    }

    @Test func prefixesClearHostBitsUnlessStrict() throws {
        #expect(IPPrefix("10.244.1.7/26")?.description == "10.244.1.0/26")
        #expect(IPPrefix("10.244.1.7/26", strict: true) == nil)
        #expect(IPPrefix("2001:db8::1/64")?.description == "2001:db8::/64")
        #expect(IPPrefix("10.0.0.0/33") == nil)
        let a = try #require(IPAddress("10.1.2.3"))
        let p = try #require(IPPrefix(address: a, length: 8))
        #expect(p.description == "10.0.0.0/8")
        #expect(p.contains(address: try #require(IPAddress("10.200.0.1"))))
        #expect(!p.contains(address: try #require(IPAddress("11.0.0.1"))))
        #expect(!p.contains(address: try #require(IPAddress("::a01:203"))))
        #expect(IPPrefix.host(try #require(IPAddress("2001:db8::5"))).description == "2001:db8::5/128")
        #expect(IPPrefix.host(try #require(IPAddress("10.0.0.5"))).isHost)
    }

    @Test func interfaceAddressesKeepHostBits() throws {
        let a = try #require(InterfaceAddress("10.0.0.1/24"))
        #expect(a.description == "10.0.0.1/24")
        #expect(a.subnet.description == "10.0.0.0/24")
        #expect(InterfaceAddress("10.0.0.1")?.length == 32)
        #expect(InterfaceAddress("fe80::1/64")?.family == .v6)
        #expect(InterfaceAddress("10.0.0.1/40") == nil)
        #expect(InterfaceAddress("10.0.0.1/x") == nil)
        #expect(IPPrefix("10.0.0.0/+8") == nil)
    }

    @Test(arguments: [("aa:bb:cc:dd:ee:ff", "aa:bb:cc:dd:ee:ff"), ("EE-EE-EE-EE-EE-EE", "ee:ee:ee:ee:ee:ee"), ("02:74:0a:00:00:01", "02:74:0a:00:00:01")])
    func macAddressesParse(text: String, canonical: String) throws {
        let m = try #require(MACAddress(text))
        #expect(m.description == canonical)
        #expect(MACAddress(octets: m.octets) == m)
    }

    @Test(arguments: ["+1:+2:3:4:5:6", "1:2:3:4:5:6", "aa:bb:cc:dd:ee", "aa:bb:cc:dd:ee:ff:00", "aa:bb:cc:dd:ee:fg", "", "aa:bb:cc:dd:ee:f f"])
    func invalidMACsAreRejected(text: String) {
        #expect(MACAddress(text) == nil)
    }

    @Test func macClasses() throws {
        #expect(try #require(MACAddress("01:00:5e:00:00:01")).isMulticast)
        #expect(try #require(MACAddress("ff:ff:ff:ff:ff:ff")).isBroadcast)
        #expect(!(try #require(MACAddress("00:00:00:00:00:00")).isUnicast))
        #expect(try #require(MACAddress("ee:ee:ee:ee:ee:ee")).isUnicast)
        #expect(MACAddress(value: 1 << 48) == nil)
    }

    @Test func interfaceNamesFollowTheKernelRules() {
        #expect(InterfaceName("eth0")?.rawValue == "eth0")
        #expect(InterfaceName("cali1234567890a") != nil)      // 15 bytes
        #expect(throws: InterfaceName.Problem.tooLong(16)) { try InterfaceName(validating: "cali1234567890ab") }
        #expect(throws: InterfaceName.Problem.empty) { try InterfaceName(validating: "") }
        #expect(throws: InterfaceName.Problem.dotName) { try InterfaceName(validating: "..") }
        #expect(throws: InterfaceName.Problem.forbiddenCharacter("/")) { try InterfaceName(validating: "a/b") }
        #expect(throws: InterfaceName.Problem.forbiddenCharacter(":")) { try InterfaceName(validating: "eth0:1") }
        #expect(throws: InterfaceName.Problem.forbiddenCharacter(" ")) { try InterfaceName(validating: "a b") }
        #expect("\(InterfaceName.Problem.tooLong(16))".contains("15"))
    }
}
