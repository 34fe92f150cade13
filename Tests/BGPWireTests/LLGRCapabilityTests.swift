import IPCore
import Testing
@testable import BGPWire

/// The Long-Lived Graceful Restart capability, code 71 (RFC 9494 §3): golden TLVs both ways,
/// malformed lengths, and negotiation of the stale time.
@Suite struct LLGRCapabilityTests {
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
        // BIRD 2 with `long lived graceful restart on; long lived stale time 60;` for IPv4
        // unicast (AFI 1, SAFI 1, no F bit, 0x00003c), as captured in interop/topologies/llgr.sh.
        ("47 07 0001 01 00 00003c",
         .longLivedGracefulRestart(LongLivedGracefulRestartCapability(families: [.init(.ipv4Unicast, staleTime: 60)]))),
        // Two families, F bit on IPv6, 3600 s and the largest 24-bit time.
        ("47 0e 0001 01 00 000e10 0002 01 80 ffffff",
         .longLivedGracefulRestart(LongLivedGracefulRestartCapability(families: [
            .init(.ipv4Unicast, staleTime: 3600),
            .init(.ipv6Unicast, forwardingStatePreserved: true, staleTime: 0xFF_FFFF)]))),
        // Empty (no families): legal 7n with n = 0.
        ("47 00", .longLivedGracefulRestart(LongLivedGracefulRestartCapability(families: []))),
    ]

    @Test(arguments: 0..<goldens.count)
    func golden(_ i: Int) throws {
        let (hex, value) = Self.goldens[i]
        #expect(try decodeTLV(hexBytes(hex)) == [value])
        #expect(encodeTLV(value) == hexBytes(hex))
        #expect(value.name == "Long-Lived Graceful Restart")
    }

    @Test func reservedFlagBitsAreIgnored() throws {
        #expect(try decodeTLV(hexBytes("47 07 0001 01 7f 000001")) ==
                [.longLivedGracefulRestart(LongLivedGracefulRestartCapability(families: [.init(.ipv4Unicast, staleTime: 1)]))])
    }

    @Test(arguments: ["47 06 0001 01 00 0000", "47 08 0001 01 00 00003c 00"])
    func wrongLengthIsMalformedOpen(_ hex: String) {
        #expect(throws: MessageError.self) { try decodeTLV(hexBytes(hex)) }
    }

    static func open(_ caps: [Capability]) -> OpenMessage {
        OpenMessage(asNumber: 64512, holdTime: 90, bgpIdentifier: IPv4Address("10.0.0.1")!,
                    capabilities: [.multiprotocol(.ipv4Unicast)] + caps)
    }

    static func llgr(_ t: UInt32) -> Capability {
        .longLivedGracefulRestart(LongLivedGracefulRestartCapability(families: [.init(.ipv4Unicast, staleTime: t)]))
    }

    @Test func negotiatedOnlyWhenBothSidesSendIt() {
        let both = NegotiatedCapabilities(local: Self.open([Self.llgr(3600)]), remote: Self.open([Self.llgr(60)]))
        #expect(both.longLivedStaleTime == 60)            // the peer's, below ours
        #expect(both.peerLongLivedGracefulRestart != nil)
        let capped = NegotiatedCapabilities(local: Self.open([Self.llgr(30)]), remote: Self.open([Self.llgr(3600)]))
        #expect(capped.longLivedStaleTime == 30)          // capped by our configuration
        let oursOnly = NegotiatedCapabilities(local: Self.open([Self.llgr(3600)]), remote: Self.open([]))
        #expect(oursOnly.longLivedStaleTime == nil)
        let theirsOnly = NegotiatedCapabilities(local: Self.open([]), remote: Self.open([Self.llgr(60)]))
        #expect(theirsOnly.longLivedStaleTime == nil)
        #expect(theirsOnly.peerLongLivedGracefulRestart == nil)
    }

    @Test func familiesNotNegotiatedAreIgnored() {
        let remote = OpenMessage(asNumber: 64512, holdTime: 90, bgpIdentifier: IPv4Address("10.0.0.2")!, capabilities: [
            .multiprotocol(.ipv4Unicast),
            .longLivedGracefulRestart(LongLivedGracefulRestartCapability(families: [
                .init(.ipv6Unicast, staleTime: 5), .init(.ipv4Unicast, staleTime: 120)])),
        ])
        #expect(NegotiatedCapabilities(local: Self.open([Self.llgr(3600)]), remote: remote).longLivedStaleTime == 120)
    }
}
