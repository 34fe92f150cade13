import Testing
@testable import BGPWire

/// Hand-written attribute bytes (from the RFC diagrams) and the values they mean,
/// checked in both directions.
struct AttributeGolden: Sendable, CustomStringConvertible {
    var name: String
    var bytes: String
    var value: PathAttributes
    var fourOctet: Bool = false
    var description: String { name }
}

let fourByteASN: UInt32 = 4_200_000_000  // 0xFA56EA00

let attributeGoldens: [AttributeGolden] = [
    AttributeGolden(name: "ORIGIN IGP", bytes: "40 01 01 00", value: PathAttributes(origin: .igp)),
    AttributeGolden(name: "ORIGIN EGP", bytes: "40 01 01 01", value: PathAttributes(origin: .egp)),
    AttributeGolden(name: "ORIGIN INCOMPLETE", bytes: "40 01 01 02", value: PathAttributes(origin: .incomplete)),
    AttributeGolden(name: "AS_PATH empty", bytes: "40 02 00", value: PathAttributes(asPath: ASPath())),
    AttributeGolden(name: "AS_SEQUENCE 2-octet", bytes: "40 02 06 02 02 FD E9 FD EA",
                    value: PathAttributes(asPath: .sequence([65001, 65002]))),
    AttributeGolden(name: "AS_SEQUENCE 4-octet", bytes: "40 02 0A 02 02 00 00 FD E9 FA 56 EA 00",
                    value: PathAttributes(asPath: .sequence([65001, fourByteASN])), fourOctet: true),
    AttributeGolden(name: "AS_SET 2-octet", bytes: "40 02 06 01 02 FD EB FD EC",
                    value: PathAttributes(asPath: ASPath([ASPathSegment(.set, [65003, 65004])]))),
    AttributeGolden(name: "AS_CONFED_SEQUENCE", bytes: "40 02 04 03 01 FD F2",
                    value: PathAttributes(asPath: ASPath([ASPathSegment(.confedSequence, [65010])]))),
    AttributeGolden(name: "AS_CONFED_SET 4-octet", bytes: "40 02 0A 04 02 00 00 FD F3 00 00 FD F4",
                    value: PathAttributes(asPath: ASPath([ASPathSegment(.confedSet, [65011, 65012])])), fourOctet: true),
    AttributeGolden(name: "AS_PATH mixed segments", bytes: "40 02 0E 03 01 FD F2 02 01 FD E9 01 02 FD EB FD EC",
                    value: PathAttributes(asPath: ASPath([ASPathSegment(.confedSequence, [65010]),
                                                          ASPathSegment(.sequence, [65001]),
                                                          ASPathSegment(.set, [65003, 65004])]))),
    AttributeGolden(name: "NEXT_HOP", bytes: "40 03 04 C0 00 02 01", value: PathAttributes(nextHop: v4("192.0.2.1"))),
    AttributeGolden(name: "MULTI_EXIT_DISC", bytes: "80 04 04 00 00 00 64", value: PathAttributes(multiExitDisc: 100)),
    AttributeGolden(name: "LOCAL_PREF", bytes: "40 05 04 00 00 00 C8", value: PathAttributes(localPref: 200)),
    AttributeGolden(name: "ATOMIC_AGGREGATE", bytes: "40 06 00", value: PathAttributes(atomicAggregate: true)),
    AttributeGolden(name: "AGGREGATOR 2-octet", bytes: "C0 07 06 FD E9 C0 00 02 09",
                    value: PathAttributes(aggregator: Aggregator(asn: 65001, address: v4("192.0.2.9")))),
    AttributeGolden(name: "AGGREGATOR 4-octet", bytes: "C0 07 08 FA 56 EA 00 C0 00 02 09",
                    value: PathAttributes(aggregator: Aggregator(asn: fourByteASN, address: v4("192.0.2.9"))), fourOctet: true),
    AttributeGolden(name: "COMMUNITIES", bytes: "C0 08 08 FD E8 00 64 FF FF FF 01",
                    value: PathAttributes(communities: [Community(asn: 65000, value: 100), .noExport])),
    AttributeGolden(name: "ORIGINATOR_ID", bytes: "80 09 04 0A 00 00 01", value: PathAttributes(originatorID: v4("10.0.0.1"))),
    AttributeGolden(name: "CLUSTER_LIST", bytes: "80 0A 08 0A 00 00 02 0A 00 00 03",
                    value: PathAttributes(clusterList: [v4("10.0.0.2"), v4("10.0.0.3")])),
    AttributeGolden(name: "EXTENDED_COMMUNITIES", bytes: "C0 10 18 00 02 FD E8 00 00 00 64 01 03 C0 00 02 01 00 07 02 02 FA 56 EA 00 00 05",
                    value: PathAttributes(extendedCommunities: [
                        .twoOctetAS(subtype: 2, asn: 65000, local: 100),
                        .ipv4Address(subtype: 3, address: v4("192.0.2.1"), local: 7),
                        .fourOctetAS(subtype: 2, asn: fourByteASN, local: 5)])),
    AttributeGolden(name: "AS4_PATH", bytes: "40 02 04 02 01 5B A0 C0 11 06 02 01 FA 56 EA 00",
                    value: PathAttributes(asPath: .sequence([ASPath.asTrans]), as4Path: .sequence([fourByteASN]))),
    AttributeGolden(name: "AS4_AGGREGATOR", bytes: "C0 07 06 5B A0 C0 00 02 09 C0 12 08 FA 56 EA 00 C0 00 02 09",
                    value: PathAttributes(aggregator: Aggregator(asn: ASPath.asTrans, address: v4("192.0.2.9")),
                                          as4Aggregator: Aggregator(asn: fourByteASN, address: v4("192.0.2.9")))),
    AttributeGolden(name: "LARGE_COMMUNITY", bytes: "C0 20 0C FA 56 EA 00 00 00 00 01 00 00 00 02",
                    value: PathAttributes(largeCommunities: [LargeCommunity(global: fourByteASN, local1: 1, local2: 2)])),
    AttributeGolden(name: "unknown optional transitive, Partial already set", bytes: "E0 63 02 AB CD",
                    value: PathAttributes(unknown: [RawAttribute(flags: 0xE0, code: 99, value: [0xAB, 0xCD])])),
    AttributeGolden(name: "all in type-code order, unknowns interleaved",
                    bytes: "40 01 01 02  40 02 04 02 01 FD E9  40 03 04 C0 00 02 01  80 04 04 00 00 00 64"
                        + " 40 05 04 00 00 00 C8  40 06 00  C0 08 04 FF FF FF 02  E0 0B 01 07  C0 20 0C 00 00 FD E9 00 00 00 01 00 00 00 02"
                        + " E0 FF 00",
                    value: PathAttributes(origin: .incomplete, asPath: .sequence([65001]), nextHop: v4("192.0.2.1"),
                                          multiExitDisc: 100, localPref: 200, atomicAggregate: true,
                                          communities: [.noAdvertise],
                                          largeCommunities: [LargeCommunity(global: 65001, local1: 1, local2: 2)],
                                          unknown: [RawAttribute(flags: 0xE0, code: 11, value: [7]),
                                                    RawAttribute(flags: 0xE0, code: 255, value: [])])),
]

@Suite struct PathAttributeGoldenTests {
    @Test(arguments: attributeGoldens)
    func decodesAndEncodes(_ g: AttributeGolden) throws {
        let ctx = CodecContext(fourOctetAS: g.fourOctet)
        let (block, issues) = try decodeAttrs(hex(g.bytes), ctx)
        #expect(issues == [])
        #expect(block.attributes == g.value)
        #expect(hexString(encodeAttrs(g.value, ctx)) == hexString(hex(g.bytes)))
    }

    @Test func unknownTransitiveGetsPartialBitOnReencode() throws {
        let (block, issues) = try decodeAttrs(hex("C0 63 02 AB CD"))
        #expect(issues == [])
        #expect(block.attributes.unknown == [RawAttribute(flags: 0xC0, code: 99, value: [0xAB, 0xCD])])
        #expect(encodeAttrs(block.attributes) == hex("E0 63 02 AB CD"))
    }

    @Test func unknownNonTransitiveIsDropped() throws {
        let (block, issues) = try decodeAttrs(hex("40 01 01 00 80 64 02 01 02"))
        #expect(issues == [])
        #expect(block.attributes == PathAttributes(origin: .igp))
        #expect(encodeAttrs(block.attributes) == hex("40 01 01 00"))
    }

    @Test func extendedLengthWhenValueOver255() throws {
        let comms = (0..<70).map { Community(asn: 65000, value: UInt16($0)) }  // 280 bytes
        let a = PathAttributes(communities: comms)
        let bytes = encodeAttrs(a)
        #expect(Array(bytes.prefix(4)) == hex("D0 08 01 18"))
        #expect(bytes.count == 4 + 280)
        #expect(try decodeAttrs(bytes).0.attributes == a)
        // Extended length on a short value is accepted and normalised on encode.
        let (b, issues) = try decodeAttrs(hex("50 01 00 01 00"))
        #expect(issues == [])
        #expect(b.attributes.origin == .igp)
        #expect(encodeAttrs(b.attributes) == hex("40 01 01 00"))
    }

    @Test func fourOctetPathToTwoOctetPeerUsesASTransAndAS4Path() throws {
        let a = PathAttributes(asPath: ASPath([ASPathSegment(.confedSequence, [65010]), ASPathSegment(.sequence, [65001, fourByteASN])]),
                               aggregator: Aggregator(asn: fourByteASN, address: v4("192.0.2.9")))
        let bytes = encodeAttrs(a, CodecContext(fourOctetAS: false))
        #expect(hexString(bytes) == hexString(hex(
            "40 02 0A 03 01 FD F2 02 02 FD E9 5B A0   C0 07 06 5B A0 C0 00 02 09"
            + " C0 11 0A 02 02 00 00 FD E9 FA 56 EA 00   C0 12 08 FA 56 EA 00 C0 00 02 09")))
        let back = try decodeAttrs(bytes).0.attributes
        #expect(back.asPath == ASPath([ASPathSegment(.confedSequence, [65010]), ASPathSegment(.sequence, [65001, 23456])]))
        #expect(back.reconstructedASPath == a.asPath)
        #expect(back.reconstructedAggregator == a.aggregator)
        #expect(back.reconstructed == a)
        // A 4-octet peer never gets AS4_PATH / AS4_AGGREGATOR.
        let four = encodeAttrs(back.reconstructed, CodecContext(fourOctetAS: true))
        #expect(hexString(four) == hexString(hex("40 02 10 03 01 00 00 FD F2 02 02 00 00 FD E9 FA 56 EA 00  C0 07 08 FA 56 EA 00 C0 00 02 09")))
    }

    @Test func descriptions() {
        #expect(Community.noExport.description == "NO_EXPORT")
        #expect(Community.blackhole.description == "BLACKHOLE")
        #expect(Community.gracefulShutdown.description == "GRACEFUL_SHUTDOWN")
        #expect(Community(asn: 65000, value: 100).description == "65000:100")
        #expect(ExtendedCommunity.twoOctetAS(subtype: 2, asn: 65000, local: 100).description == "rt:65000:100")
        #expect(ExtendedCommunity.ipv4Address(subtype: 3, address: v4("192.0.2.1"), local: 7).description == "ro:192.0.2.1:7")
        #expect(ExtendedCommunity.fourOctetAS(subtype: 2, asn: fourByteASN, local: 5).description == "rt:4200000000:5")
        #expect(ExtendedCommunity(rawValue: 0x0300_0000_0000_000A).description == "0x0300:00000000000a")
        #expect(LargeCommunity(global: 1, local1: 2, local2: 3).description == "1:2:3")
        #expect(ASPath([ASPathSegment(.confedSequence, [1]), ASPathSegment(.sequence, [2, 3]), ASPathSegment(.set, [4, 5])]).description
                == "(1) 2 3 {4 5}")
        #expect(ASPath([ASPathSegment(.sequence, [2, 3]), ASPathSegment(.set, [4, 5]), ASPathSegment(.confedSet, [6])]).length == 3)
    }
}

// MARK: - RFC 6793 §4.2.3 reconstruction

@Suite struct AS4ReconstructionTests {
    let t = ASPath.asTrans
    let big1: UInt32 = 4_200_000_000, big2: UInt32 = 4_200_000_001

    @Test func mergesLeadingASPathWithAS4Path() {
        let a = PathAttributes(asPath: .sequence([65001, t, t]), as4Path: .sequence([big1, big2]))
        #expect(a.reconstructedASPath == .sequence([65001, big1, big2]))
    }

    @Test func as4PathLongerThanASPathIsIgnored() {
        let a = PathAttributes(asPath: .sequence([t]), as4Path: .sequence([big1, 65001]))
        #expect(a.reconstructedASPath == .sequence([t]))
    }

    @Test func aggregatorWithoutASTransMeansAS4AttributesIgnored() {
        let agg = Aggregator(asn: 65001, address: v4("192.0.2.9"))
        let a = PathAttributes(asPath: .sequence([t]), aggregator: agg, as4Path: .sequence([big1]),
                               as4Aggregator: Aggregator(asn: big2, address: v4("192.0.2.9")))
        #expect(a.reconstructedAggregator == agg)
        #expect(a.reconstructedASPath == .sequence([t]))
    }

    @Test func aggregatorWithASTransTakesAS4Aggregator() {
        let agg4 = Aggregator(asn: big2, address: v4("192.0.2.9"))
        let a = PathAttributes(asPath: .sequence([t]), aggregator: Aggregator(asn: t, address: v4("192.0.2.9")),
                               as4Path: .sequence([big1]), as4Aggregator: agg4)
        #expect(a.reconstructedAggregator == agg4)
        #expect(a.reconstructedASPath == .sequence([big1]))
    }

    @Test func keepsLeadingConfederationSegments() {
        let a = PathAttributes(asPath: ASPath([ASPathSegment(.confedSequence, [65010]), ASPathSegment(.sequence, [65001, t])]),
                               as4Path: .sequence([big1]))
        #expect(a.reconstructedASPath == ASPath([ASPathSegment(.confedSequence, [65010]), ASPathSegment(.sequence, [65001, big1])]))
    }

    @Test func asSetCountsAsOne() {
        let a = PathAttributes(asPath: ASPath([ASPathSegment(.sequence, [65002, t]), ASPathSegment(.set, [65003, t])]),
                               as4Path: ASPath([ASPathSegment(.sequence, [big1]), ASPathSegment(.set, [65003, big2])]))
        #expect(a.reconstructedASPath == ASPath([ASPathSegment(.sequence, [65002, big1]), ASPathSegment(.set, [65003, big2])]))
    }

    @Test func noAS4PathMeansASPathAsIs() {
        let a = PathAttributes(asPath: .sequence([65001, 65002]))
        #expect(a.reconstructedASPath == a.asPath)
        #expect(PathAttributes().reconstructedASPath == nil)
    }
}
