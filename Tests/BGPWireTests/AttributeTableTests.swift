import IPCore
import Testing
@testable import BGPWire

/// The descriptor table (`AttributeTable.descriptors`) and the value decoder, value encoder
/// and size bound are separate `switch`es over the type code. These tests fail when one of
/// them lacks a code the table lists: every descriptor's encoder writes that attribute, its
/// decoder reads it back to the same bytes, and the size bound covers the whole encoding.
@Suite struct AttributeTableTests {
    /// Every attribute Tern knows, present (2-octet-AS context, so AS4_* are written too).
    let full = PathAttributes(
        origin: .igp, asPath: ASPath([ASPathSegment(.sequence, [64512, 64513])]),
        nextHop: IPv4Address("192.0.2.1"), multiExitDisc: 5, localPref: 100, atomicAggregate: true,
        aggregator: Aggregator(asn: 64512, address: IPv4Address("192.0.2.9")!),
        communities: [Community(asn: 64512, value: 1)], originatorID: IPv4Address("192.0.2.2"),
        clusterList: [IPv4Address("192.0.2.3")!],
        extendedCommunities: [ExtendedCommunity(rawValue: 0x0002_FC00_0000_0001)],
        as4Path: ASPath([ASPathSegment(.sequence, [4_200_000_000, 64513])]),
        as4Aggregator: Aggregator(asn: 4_200_000_000, address: IPv4Address("192.0.2.9")!),
        largeCommunities: [LargeCommunity(global: 64512, local1: 1, local2: 2)])
    let context = CodecContext(fourOctetAS: false)

    /// (header length, value) of the one attribute in `bytes`.
    func split(_ bytes: [UInt8]) -> (code: UInt8, flags: UInt8, value: [UInt8]) {
        let extended = bytes[0] & AttributeFlags.extendedLength != 0
        let header = extended ? 4 : 3
        return (bytes[1], bytes[0], Array(bytes[header...]))
    }

    @Test func tableIsInCodeOrderWithoutRepeats() {
        let codes = AttributeTable.descriptors.map(\.code)
        #expect(codes == codes.sorted() && Set(codes).count == codes.count)
        for d in AttributeTable.descriptors { #expect(AttributeTable.descriptor(d.code)?.code == d.code) }
    }

    @Test(arguments: AttributeTable.descriptors.filter { !$0.isMultiprotocol }.map(\.code))
    func encoderAndDecoderHandleEveryDescriptor(code: UInt8) throws {
        let d = try #require(AttributeTable.descriptor(code))
        var w = ByteWriter()
        AttributeTable.encodeValue(d, full, &w, context)
        try #require(w.count > 0, "no encoder for code \(code) (\(d.name))")
        let (wrote, flags, value) = split(w.bytes)
        #expect(wrote == code)
        #expect(flags & AttributeFlags.categoryMask == d.flags)
        var r = ByteReader(value)
        var back = PathAttributes()
        try AttributeTable.decodeValue(code, &r, &back, context)
        #expect(!back.isEmpty, "no decoder for code \(code) (\(d.name))")
        var again = ByteWriter()
        AttributeTable.encodeValue(d, back, &again, context)
        #expect(again.bytes == w.bytes, "code \(code) (\(d.name)) does not round-trip")
        // The size bound counts this attribute on its own (a code missing there gives 0).
        #expect(back.encodedSizeBound(context: context) >= w.count, "size bound misses code \(code) (\(d.name))")
    }

    @Test func sizeBoundCoversEveryAttributeTogether() {
        var w = ByteWriter()
        full.encode(into: &w, context: context)
        #expect(w.count > 0 && w.count <= full.encodedSizeBound(context: context))
    }
}
