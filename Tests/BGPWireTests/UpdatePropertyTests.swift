import IPCore
import Testing
@testable import BGPWire

/// Random well-formed UPDATEs: encode -> decode gives the value back, and re-encoding the
/// decoded value gives the same bytes.
@Suite struct UpdatePropertyTests {
    struct Gen {
        var rng: SplitMix64
        mutating func int(_ r: ClosedRange<Int>) -> Int { Int.random(in: r, using: &rng) }
        mutating func u32() -> UInt32 { UInt32.random(in: 0...UInt32.max, using: &rng) }
        mutating func bool() -> Bool { Bool.random(using: &rng) }
        mutating func asn(_ four: Bool) -> UInt32 { four ? u32() : UInt32(int(1...65535)) }

        mutating func path(_ four: Bool, confed: Bool = true) -> ASPath {
            ASPath((0..<int(0...3)).map { _ in
                let kinds: [ASPathSegment.Kind] = confed ? [.set, .sequence, .confedSequence, .confedSet] : [.set, .sequence]
                let k = kinds[int(0...kinds.count - 1)]
                return ASPathSegment(k, (0..<int(1...6)).map { _ in asn(four) })
            })
        }

        mutating func v4NLRI(_ addPath: Bool) -> NLRI {
            let len = UInt8(int(0...32))
            return NLRI(.v4(IPv4Prefix(address: IPv4Address(u32()), length: len)!), pathID: addPath ? u32() : nil)
        }

        mutating func v6NLRI(_ addPath: Bool) -> NLRI {
            let a = IPv6Address(high: UInt64(u32()) << 32 | UInt64(u32()), low: UInt64(u32()) << 32 | UInt64(u32()))
            return NLRI(.v6(IPv6Prefix(address: a, length: UInt8(int(0...128)))!), pathID: addPath ? u32() : nil)
        }

        mutating func attributes(_ four: Bool) -> PathAttributes {
            var a = PathAttributes()
            if bool() { a.origin = Origin(rawValue: UInt8(int(0...2))) }
            if bool() { a.asPath = path(four) }
            if bool() { a.nextHop = IPv4Address(u32()) }
            if bool() { a.multiExitDisc = u32() }
            if bool() { a.localPref = u32() }
            a.atomicAggregate = bool()
            if bool() { a.aggregator = Aggregator(asn: asn(four), address: IPv4Address(u32())) }
            if bool() { a.communities = (0..<int(1...5)).map { _ in Community(rawValue: u32()) } }
            if bool() { a.originatorID = IPv4Address(u32()) }
            if bool() { a.clusterList = (0..<int(1...4)).map { _ in IPv4Address(u32()) } }
            if bool() { a.extendedCommunities = (0..<int(1...4)).map { _ in ExtendedCommunity(rawValue: UInt64(u32()) << 32 | UInt64(u32())) } }
            if !four && bool() { a.as4Path = path(true, confed: false) }
            if !four && bool() { a.as4Aggregator = Aggregator(asn: u32(), address: IPv4Address(u32())) }
            if bool() { a.largeCommunities = (0..<int(1...3)).map { _ in LargeCommunity(global: u32(), local1: u32(), local2: u32()) } }
            if bool() {
                // Unknown optional transitive codes, Partial already set, in code order.
                a.unknown = [23, 40, 99, 201].filter { _ in bool() }.map { code in
                    RawAttribute(flags: 0xE0, code: UInt8(code), value: (0..<int(0...300)).map { _ in UInt8(truncatingIfNeeded: u32()) })
                }
            }
            return a
        }

        mutating func update(_ ctx: CodecContext) -> UpdateMessage {
            let ap4 = ctx.hasAddPath(.ipv4Unicast), ap6 = ctx.hasAddPath(.ipv6Unicast)
            var u = UpdateMessage()
            u.withdrawn = (0..<int(0...20)).map { _ in v4NLRI(ap4) }
            u.attributes = attributes(ctx.fourOctetAS)
            if bool() {
                u.nlri = (0..<int(1...40)).map { _ in v4NLRI(ap4) }
                u.attributes.origin = u.attributes.origin ?? .igp
                u.attributes.asPath = u.attributes.asPath ?? ASPath()
                u.attributes.nextHop = u.attributes.nextHop ?? IPv4Address(u32())
            }
            if bool() {
                var hops: [IPAddress] = [.v6(IPv6Address(high: UInt64(u32()), low: UInt64(u32())))]
                if bool() { hops.append(.v6(IPv6Address(high: 0xFE80 << 48, low: UInt64(u32())))) }
                u.mpReach = MPReachNLRI(family: .ipv6Unicast, nextHops: hops, nlri: (0..<int(1...30)).map { _ in v6NLRI(ap6) })
                u.attributes.origin = u.attributes.origin ?? .egp
                u.attributes.asPath = u.attributes.asPath ?? ASPath()
            }
            if bool() { u.mpUnreach = MPUnreachNLRI(family: .ipv6Unicast, withdrawn: (0..<int(0...30)).map { _ in v6NLRI(ap6) }) }
            return u
        }
    }

    @Test func randomUpdatesRoundTrip() throws {
        var g = Gen(rng: SplitMix64(seed: 0x7E27_2026))
        var checked = 0
        for _ in 0..<600 {
            var ctx = CodecContext(fourOctetAS: g.bool())
            if g.bool() { ctx.addPath.insert(.ipv4Unicast) }
            if g.bool() { ctx.addPath.insert(.ipv6Unicast) }
            let u = g.update(ctx)
            let bytes = BGPMessage.update(u).encoded(context: ctx)
            guard bytes.count <= 4096 else { continue }
            let (back, issues) = try decodeUpdate(bytes, ctx)
            #expect(issues == [], "\(issues)")
            #expect(back.withdrawn == u.withdrawn)
            #expect(back.nlri == u.nlri)
            #expect(back.mpReach == u.mpReach)
            #expect(back.mpUnreach == u.mpUnreach)
            #expect(back.attributes == u.attributes)
            #expect(back == u)
            #expect(BGPMessage.update(back).encoded(context: ctx) == bytes)
            checked += 1
        }
        #expect(checked > 400)
    }

    @Test func randomBytesNeverCrash() {
        // Mutated valid messages: every outcome is a value or a thrown MessageError.
        var g = Gen(rng: SplitMix64(seed: 42))
        var outcomes = (ok: 0, issues: 0, reset: 0)
        for _ in 0..<2000 {
            let ctx = CodecContext(fourOctetAS: g.bool())
            var bytes = BGPMessage.update(g.update(ctx)).encoded(context: ctx)
            guard bytes.count <= 4096, bytes.count > 19 else { continue }
            for _ in 0..<g.int(1...4) { bytes[g.int(19...bytes.count - 1)] = UInt8(truncatingIfNeeded: g.u32()) }
            do {
                let d = try BGPMessage.decode(bytes: bytes, context: ctx)
                if d.issues.isEmpty { outcomes.ok += 1 } else { outcomes.issues += 1 }
            } catch {
                outcomes.reset += 1
            }
        }
        #expect(outcomes.ok > 0 && outcomes.issues > 0 && outcomes.reset > 0)
    }
}
