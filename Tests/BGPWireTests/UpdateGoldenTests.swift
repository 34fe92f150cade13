import Testing
@testable import BGPWire

/// Whole UPDATE messages written by hand from RFC 4271 §4.3 / RFC 4760 §3-4, both directions.
@Suite struct UpdateGoldenTests {
    let marker = String(repeating: "FF", count: 16)

    func check(_ body: String, length: Int, _ value: UpdateMessage, _ ctx: CodecContext = .initial,
               sourceLocation: SourceLocation = #_sourceLocation) throws {
        let bytes = hex(marker) + [UInt8(length >> 8), UInt8(length & 0xFF), 2] + hex(body)
        #expect(bytes.count == length, "hand-computed length", sourceLocation: sourceLocation)
        let (u, issues) = try decodeUpdate(bytes, ctx)
        #expect(issues == [], sourceLocation: sourceLocation)
        #expect(u == value, sourceLocation: sourceLocation)
        #expect(hexString(BGPMessage.update(value).encoded(context: ctx)) == hexString(bytes), sourceLocation: sourceLocation)
    }

    @Test func withdrawalsOnly() throws {
        try check("00 06 08 0A 18 C0 A8 01 00 00", length: 29,
                  UpdateMessage(withdrawn: [p4("10.0.0.0/8"), p4("192.168.1.0/24")]))
    }

    @Test func ipv4NLRI() throws {
        let attrs = PathAttributes(origin: .igp, asPath: .sequence([65001]), nextHop: v4("192.0.2.1"))
        try check("00 00 00 12  40 01 01 00  40 02 04 02 01 FD E9  40 03 04 C0 00 02 01  10 0A 01  18 C6 33 64",
                  length: 48, UpdateMessage(attributes: attrs, nlri: [p4("10.1.0.0/16"), p4("198.51.100.0/24")]))
    }

    @Test func mpReachIPv6GlobalNextHop() throws {
        let attrs = PathAttributes(origin: .igp, asPath: ASPath(), localPref: 100)
        let mp = MPReachNLRI(family: .ipv6Unicast, nextHops: [.v6(v6("2001:db8::1"))], nlri: [p6("2001:db8:1::/48")])
        // RFC 7606 §5.1: MP_REACH_NLRI is the very first attribute.
        try check("00 00 00 2D  80 0E 1C 00 02 01 10 20 01 0D B8 00 00 00 00 00 00 00 00 00 00 00 01 00 30 20 01 0D B8 00 01"
                  + " 40 01 01 00  40 02 00  40 05 04 00 00 00 64",
                  length: 68, UpdateMessage(attributes: attrs, mpReach: mp), CodecContext(fourOctetAS: true))
    }

    @Test func mpReachIPv6GlobalAndLinkLocalNextHop() throws {
        let attrs = PathAttributes(origin: .igp, asPath: ASPath())
        let mp = MPReachNLRI(family: .ipv6Unicast, nextHops: [.v6(v6("2001:db8::1")), .v6(v6("fe80::1"))],
                             nlri: [p6("2001:db8:1::/48")])
        try check("00 00 00 36"
                  + " 80 0E 2C 00 02 01 20 20 01 0D B8 00 00 00 00 00 00 00 00 00 00 00 01"
                  + " FE 80 00 00 00 00 00 00 00 00 00 00 00 00 00 01 00 30 20 01 0D B8 00 01  40 01 01 00  40 02 00",
                  length: 77, UpdateMessage(attributes: attrs, mpReach: mp))
    }

    @Test func mpUnreachIPv6() throws {
        try check("00 00 00 0D  80 0F 0A 00 02 01 30 20 01 0D B8 00 01", length: 36,
                  UpdateMessage(mpUnreach: MPUnreachNLRI(family: .ipv6Unicast, withdrawn: [p6("2001:db8:1::/48")])))
    }

    @Test func addPathNLRIAndWithdrawals() throws {
        let attrs = PathAttributes(origin: .igp, asPath: .sequence([65001]), nextHop: v4("192.0.2.1"))
        try check("00 06 00 00 00 07 08 0A  00 12  40 01 01 00  40 02 04 02 01 FD E9  40 03 04 C0 00 02 01"
                  + " 00 00 00 01 10 0A 01  00 00 00 02 18 C6 33 64",
                  length: 62,
                  UpdateMessage(withdrawn: [p4("10.0.0.0/8", id: 7)], attributes: attrs,
                                nlri: [p4("10.1.0.0/16", id: 1), p4("198.51.100.0/24", id: 2)]),
                  CodecContext(addPath: [.ipv4Unicast]))
    }

    @Test func addPathIPv6InMPReach() throws {
        let attrs = PathAttributes(origin: .igp, asPath: ASPath())
        let mp = MPReachNLRI(family: .ipv6Unicast, nextHops: [.v6(v6("2001:db8::1"))], nlri: [p6("2001:db8:1::/48", id: 9)])
        try check("00 00 00 2A"
                  + " 80 0E 20 00 02 01 10 20 01 0D B8 00 00 00 00 00 00 00 00 00 00 00 01 00 00 00 00 09 30 20 01 0D B8 00 01"
                  + " 40 01 01 00  40 02 00",
                  length: 65, UpdateMessage(attributes: attrs, mpReach: mp), CodecContext(addPath: [.ipv6Unicast]))
    }

    @Test func endOfRIBIPv4() throws {
        try check("00 00 00 00", length: 23, .endOfRIB(.ipv4Unicast))
        #expect(UpdateMessage.endOfRIB(.ipv4Unicast).endOfRIBFamily == .ipv4Unicast)
    }

    @Test func endOfRIBIPv6() throws {
        try check("00 00 00 06 80 0F 03 00 02 01", length: 29, .endOfRIB(.ipv6Unicast))
        #expect(UpdateMessage.endOfRIB(.ipv6Unicast).endOfRIBFamily == .ipv6Unicast)
        #expect(UpdateMessage(withdrawn: [p4("10.0.0.0/8")]).endOfRIBFamily == nil)
        #expect(UpdateMessage(mpUnreach: MPUnreachNLRI(family: .ipv6Unicast, withdrawn: [p6("2001:db8::/32")])).endOfRIBFamily == nil)
    }

    @Test func unsupportedFamilyKeptOpaque() throws {
        // AFI 25 (L2VPN) / SAFI 70 (EVPN): next hop and NLRI bytes carried as they are.
        let mp = MPReachNLRI(family: AddressFamily(afi: AFI(rawValue: 25), safi: SAFI(rawValue: 70)),
                             unsupportedNextHop: [192, 0, 2, 1], unsupportedNLRI: [1, 2, 3])
        let attrs = PathAttributes(origin: .igp, asPath: ASPath())
        try check("00 00 00 16  80 0E 0C 00 19 46 04 C0 00 02 01 00 01 02 03  40 01 01 00  40 02 00",
                  length: 45, UpdateMessage(attributes: attrs, mpReach: mp))
    }

    @Test func treatedAsWithdrawCollectsEveryPrefix() {
        let u = UpdateMessage(withdrawn: [p4("10.0.0.0/8")], nlri: [p4("10.1.0.0/16")],
                              mpReach: MPReachNLRI(family: .ipv6Unicast, nextHops: [], nlri: [p6("2001:db8:1::/48")]),
                              mpUnreach: MPUnreachNLRI(family: .ipv6Unicast, withdrawn: [p6("2001:db8:2::/48")]))
        #expect(Set(u.allPrefixes) == [p4("10.0.0.0/8"), p4("10.1.0.0/16"), p6("2001:db8:1::/48"), p6("2001:db8:2::/48")])
        let w = u.treatedAsWithdraw
        #expect(w.withdrawn == [p4("10.0.0.0/8"), p4("10.1.0.0/16")])
        #expect(w.nlri.isEmpty && w.mpReach == nil)
        #expect(w.mpUnreach == MPUnreachNLRI(family: .ipv6Unicast, withdrawn: [p6("2001:db8:1::/48"), p6("2001:db8:2::/48")]))
    }
}
