import IPCore
import Testing
@testable import BGPWire

@Suite struct UpdatePackerTests {
    let attrs = PathAttributes(origin: .igp, asPath: .sequence([65001]), nextHop: v4("192.0.2.1"))

    func v4Prefixes(_ n: Int) -> [NLRI] {
        (0..<n).map { i in NLRI(.v4(IPv4Prefix(address: IPv4Address(0x0A00_0000 | UInt32(i) << 8), length: 24)!)) }
    }

    func v6Prefixes(_ n: Int) -> [NLRI] {
        (0..<n).map { i in NLRI(.v6(IPv6Prefix(address: IPv6Address(high: 0x2001_0DB8_0000_0000 | UInt64(i) << 16, low: 0), length: 48)!)) }
    }

    /// Decodes every message; returns all announced / withdrawn prefixes, checking sizes.
    func decodeAll(_ msgs: [[UInt8]], _ ctx: CodecContext) throws -> (announced: [NLRI], withdrawn: [NLRI]) {
        var a: [NLRI] = [], w: [NLRI] = []
        for m in msgs {
            #expect(m.count <= ctx.maxMessageLength)
            let (u, issues) = try decodeUpdate(m, ctx)
            #expect(issues == [])
            a += u.nlri + (u.mpReach?.nlri ?? [])
            w += u.withdrawn + (u.mpUnreach?.withdrawn ?? [])
        }
        return (a, w)
    }

    /// The fewest messages `n` prefixes of `size` bytes need, given `perMessageRoom` bytes each.
    func minimum(_ n: Int, size: Int, room: Int) -> Int { let per = room / size; return (n + per - 1) / per }

    @Test(arguments: [false, true])
    func tenThousandIPv4(extended: Bool) throws {
        let ctx = CodecContext(extendedMessage: extended)
        let nlri = v4Prefixes(10_000)
        let msgs = UpdatePacker.announce(attrs, family: .ipv4Unicast, nlri: nlri, context: ctx)
        let room = ctx.maxMessageLength - 19 - 4 - encodeAttrs(attrs).count
        #expect(msgs.count == minimum(10_000, size: 4, room: room))
        let (a, w) = try decodeAll(msgs, ctx)
        #expect(a == nlri && w.isEmpty)
        // All messages but the last are full to within one prefix.
        for m in msgs.dropLast() { #expect(m.count > ctx.maxMessageLength - 4) }
    }

    @Test func ipv4WithdrawalsWithAddPath() throws {
        let ctx = CodecContext(addPath: [.ipv4Unicast])
        let nlri = v4Prefixes(10_000).enumerated().map { NLRI($1.prefix, pathID: UInt32($0)) }
        let msgs = UpdatePacker.withdraw(family: .ipv4Unicast, nlri: nlri, context: ctx)
        #expect(msgs.count == minimum(10_000, size: 8, room: 4096 - 23))
        let (a, w) = try decodeAll(msgs, ctx)
        #expect(a.isEmpty && w == nlri)
    }

    @Test(arguments: [false, true])
    func ipv6Announcements(extended: Bool) throws {
        let ctx = CodecContext(fourOctetAS: true, extendedMessage: extended)
        let a6 = PathAttributes(origin: .igp, asPath: ASPath(), localPref: 100, communities: [.noExport],
                                largeCommunities: [LargeCommunity(global: 1, local1: 2, local2: 3)])
        let nlri = v6Prefixes(10_000)
        let hops: [IPAddress] = [.v6(v6("2001:db8::1")), .v6(v6("fe80::1"))]
        let msgs = UpdatePacker.announce(a6, family: .ipv6Unicast, nlri: nlri, nextHops: hops, context: ctx)
        let mpHeader = 5 + 32
        let room = ctx.maxMessageLength - 19 - 4 - encodeAttrs(a6, ctx).count - 4 - mpHeader
        #expect(msgs.count == minimum(10_000, size: 7, room: room))
        let (a, w) = try decodeAll(msgs, ctx)
        #expect(a == nlri && w.isEmpty)
        for m in msgs {
            let (u, _) = try decodeUpdate(m, ctx)
            #expect(u.attributes == a6 && u.mpReach?.nextHops == hops)
        }
    }

    @Test func ipv6Withdrawals() throws {
        let ctx = CodecContext()
        let nlri = v6Prefixes(3_000)
        let msgs = UpdatePacker.withdraw(family: .ipv6Unicast, nlri: nlri, context: ctx)
        #expect(msgs.count == minimum(3_000, size: 7, room: 4096 - 23 - 4 - 3))
        let (a, w) = try decodeAll(msgs, ctx)
        #expect(a.isEmpty && w == nlri)
    }

    @Test func smallBatchUsesShortAttributeLength() throws {
        let msgs = UpdatePacker.withdraw(family: .ipv6Unicast, nlri: v6Prefixes(2), context: .initial)
        #expect(msgs.count == 1)
        #expect(hexString(msgs[0]) == hexString(updateBytes(attrs: hex("80 0F 11 00 02 01 30 20 01 0D B8 00 00 30 20 01 0D B8 00 01"))))
    }
}
