import Testing
@testable import Netlink

/// Parsers read what the builders write, and never trap on malformed kernel input.
@Suite struct ParserTests {
    /// Our request bytes re-read as a kernel message (same layout as a dump reply).
    func reparse(_ r: NetlinkRequest) -> NetlinkMessage? {
        NetlinkMessage.split(r.encode(sequence: 7)).first
    }

    @Test func routeRoundTripsThroughBytes() throws {
        let routes = [
            Route(destination: pfx("10.244.5.0/26"), table: 1000, proto: 80, scope: .link, metric: 100, outputInterface: 3),
            Route(destination: pfx("10.244.4.0/26"), proto: 80, nextHops: [
                NextHop(gateway: ip("10.0.0.2"), interfaceIndex: 3, weight: 3),
                NextHop(gateway: ip("10.0.0.3"), interfaceIndex: 4, flags: .onlink),
            ]),
            Route(destination: pfx("2001:db8:2::/64"), proto: 80, metric: 1024, outputInterface: 3, gateway: ip("2001:db8::2"),
                  preferredSource: ip("2001:db8::1")),
            Route(destination: pfx("10.244.1.0/26"), proto: 80, type: .blackhole),
            Route(destination: pfx("10.244.3.0/26"), proto: 80, outputInterface: 3, gateway: ip("10.0.0.9"), flags: .onlink),
        ]
        for r in routes {
            let m = try #require(reparse(RouteMessage.new(r)))
            #expect(RouteMessage.parse(m) == r)
        }
    }

    @Test func linkAddressNeighbourRoundTrip() throws {
        let veth = try #require(reparse(LinkMessage.createVeth(name: "cali1", peerName: "eth0")))
        let link = try #require(LinkMessage.parse(veth))
        #expect(link.name == "cali1")
        #expect(link.kind == "veth")
        let a = Address(interfaceIndex: 3, prefix: ifa("10.0.0.5/24"))
        #expect(AddressMessage.parse(try #require(reparse(AddressMessage.add(a)))) == a)
        let n = Neighbour(interfaceIndex: 3, ip: ip("10.0.0.7"), lladdr: HardwareAddress("ee:ee:ee:ee:ee:ee"))
        #expect(NeighbourMessage.parse(try #require(reparse(NeighbourMessage.new(n)))) == n)
        let fdb = Neighbour(interfaceIndex: 5, ip: ip("192.168.1.2"), lladdr: HardwareAddress("66:77:88:99:aa:bb"),
                            flags: 2, family: .bridge)
        let fm = try #require(reparse(NeighbourMessage.new(fdb)))
        #expect(fm.payload[0] == 7)  // AF_BRIDGE
        #expect(NeighbourMessage.parse(fm) == fdb)
    }

    @Test func attributeWalkStopsAtOverrunningLength() {
        // RTA_DST claims 200 bytes in a 12-byte region: the walk must stop, not read past.
        var body: [UInt8] = [2, 32, 0, 0, 254, 80, 253, 1, 0, 0, 0, 0]
        body += [200, 0, 1, 0, 10, 244, 1, 5]
        let m = NetlinkMessage(type: 24, payload: body)
        let r = RouteMessage.parse(m)
        #expect(r?.destination == pfx("0.0.0.0/32"))  // no trusted RTA_DST: zero address
        #expect(NetlinkAttributes(body[12...]).all.isEmpty)
        // Attribute length below 4 also ends the walk.
        #expect(NetlinkAttributes([2, 0, 1, 0, 8, 0, 4, 0, 3, 0, 0, 0][...]).all.isEmpty)
    }

    @Test func multipathWithBogusNexthopLengthIsCut() {
        // rtnh_len 0xFFFF in an 8-byte RTA_MULTIPATH value.
        let nh: [UInt8] = [0xFF, 0xFF, 0, 0, 3, 0, 0, 0]
        #expect(RouteMessage.parseNextHops(nh[...]).isEmpty)
        let ok: [UInt8] = [8, 0, 4, 1, 3, 0, 0, 0]
        #expect(RouteMessage.parseNextHops(ok[...]) == [NextHop(gateway: nil, interfaceIndex: 3, flags: .onlink, weight: 2)])
    }

    @Test func wrongFamilyAndShortPayloadsAreRejected() {
        #expect(RouteMessage.parse(NetlinkMessage(type: 24, payload: [2, 32, 0])) == nil)
        #expect(RouteMessage.parse(NetlinkMessage(type: 24, payload: [128] + [UInt8](repeating: 0, count: 11))) == nil)
        #expect(LinkMessage.parse(NetlinkMessage(type: 16, payload: [UInt8](repeating: 0, count: 16))) == nil)  // no IFLA_IFNAME
        #expect(AddressMessage.parse(NetlinkMessage(type: 20, payload: [2, 24, 0, 0, 3, 0])) == nil)
        #expect(NeighbourMessage.parse(NetlinkMessage(type: 28, payload: [2, 0, 0])) == nil)
        // A v4 address attribute inside a v6 ifaddrmsg does not pass as v6.
        var p: [UInt8] = [10, 64, 0, 0, 3, 0, 0, 0]
        p.appendAttribute(2, [10, 0, 0, 1])
        #expect(AddressMessage.parse(NetlinkMessage(type: 20, payload: p)) == nil)
    }

    @Test func splitStopsOnBadHeaderLengths() {
        var buf = RouteMessage.new(Route(destination: pfx("10.1.0.0/16"))).encode(sequence: 1)
        let good = buf.count
        buf += [8, 0, 0, 0, 24, 0, 0, 0]  // truncated header
        #expect(NetlinkMessage.split(buf).count == 1)
        var huge = buf
        huge.replaceSubrange(0..<4, with: [0xFF, 0xFF, 0, 0])
        #expect(NetlinkMessage.split(huge).isEmpty)
        #expect(good == 36)
    }

    @Test func everyTruncationOfEveryFixtureIsSafe() {
        let fixtures = [IprouteFixtures.v4Multipath, IprouteFixtures.v6ViaMetric, IprouteFixtures.linkVethPeerPid,
                        IprouteFixtures.addrAddV6, IprouteFixtures.neighAddV6, IprouteFixtures.v4TableMetric]
        var parsed = 0
        for f in fixtures {
            let bytes = hex(f)
            for cut in 0...bytes.count {
                var b = Array(bytes[0..<cut])
                if b.count >= 4 { b.replaceSubrange(0..<4, with: withUnsafeBytes(of: UInt32(cut)) { Array($0) }) }
                for m in NetlinkMessage.split(b) {
                    // Kernel-side types: treat requests as if they were notifications.
                    if NetlinkEvent.parse(m) != nil { parsed += 1 }
                }
            }
        }
        #expect(parsed > 0)
    }

    @Test func errorAckCarriesExtendedMessage() throws {
        // NLMSG_ERROR, flags NLM_F_CAPPED|NLM_F_ACK_TLVS, error -19, original header, NLMSGERR_ATTR_MSG.
        var p: [UInt8] = []
        p.appendNative(Int32(-19))
        p += RouteMessage.new(Route(destination: pfx("10.0.0.0/8"))).encode(sequence: 9)[0..<16]
        p.appendAttribute(1, string: "Nexthop device is not up")
        let m = NetlinkMessage(type: 2, flags: 0x300, sequence: 9, payload: p)
        let info = try #require(m.errorInfo)
        #expect(info.code == 19)
        #expect(info.message == "Nexthop device is not up")
        #expect(NetlinkError(code: info.code, operation: "add route x").name == "ENODEV")
    }
}
