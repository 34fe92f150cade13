import IPCore
// MARK: - Attribute descriptor table (RFC 4271 §4.3, §5; RFC 7606 §3, §7)
//
// One descriptor per attribute code Tern knows, like BIRD's bgp_attr_table: the category
// flags the attribute must carry, how to decode and encode its value, and what RFC 7606
// does with a malformed instance. The decode loop below applies the generic rules:
//
//  1. attribute header or length overruns the attribute area -> treat-as-withdraw, stop
//     parsing (RFC 7606 §4); reset 3/1 when that hides the MP_REACH/MP_UNREACH NLRI
//     (RFC 7606 §5.3 / RFC 4760 §7: treat-as-withdraw needs them located).
//  2. the same code twice -> keep the first, discard the rest (RFC 7606 §3 g); a second
//     MP_REACH_NLRI or MP_UNREACH_NLRI -> reset 3/1.
//  3. known code, optional/transitive bits differ from its category -> treat-as-withdraw
//     (RFC 7606 §3 c).
//  4. known code, malformed value -> the descriptor's action (RFC 7606 §7.x).
//  5. unknown code: well-known -> reset 3/2 with the attribute as data (RFC 4271 §6.3);
//     optional transitive -> kept opaque (Partial set on re-encode, RFC 4271 §5);
//     optional non-transitive -> dropped quietly (RFC 4271 §9).

/// Why one attribute's value is malformed; the action defaults to its descriptor's.
struct AttributeFault: Error {
    var reason: String
    var action: ErrorAction?
    init(_ reason: String, action: ErrorAction? = nil) {
        self.reason = reason
        self.action = action
    }
}

/// How one known attribute code is checked, decoded and encoded.
///
/// A plain value (no closures, no reference-counted fields), so looking one up and copying it
/// costs nothing; its value decoder and encoder are selected by ``code`` in
/// ``AttributeTable/decodeValue(_:_:_:_:)`` / ``AttributeTable/encodeValue(_:_:_:_:)``.
struct AttributeDescriptor: Sendable {
    let code: UInt8
    let name: StaticString
    /// Expected optional/transitive bits (``AttributeFlags/categoryMask``).
    let flags: UInt8
    /// What a malformed instance gets (RFC 7606 §7).
    let malformed: ErrorAction

    init(code: UInt8, name: StaticString, flags: UInt8, malformed: ErrorAction) {
        self.code = code
        self.name = name
        self.flags = flags
        self.malformed = malformed
    }

    var isMultiprotocol: Bool { code == AttributeCode.mpReachNLRI || code == AttributeCode.mpUnreachNLRI }
}

enum AttributeTable {
    /// The known attributes in type-code order (encoding order).
    static let descriptors: [AttributeDescriptor] = [
        // RFC 4271 §5.1.1, RFC 7606 §7.1
        AttributeDescriptor(code: AttributeCode.origin, name: "ORIGIN", flags: AttributeFlags.wellKnown,
                            malformed: .treatAsWithdraw),
        // RFC 4271 §5.1.2, RFC 7606 §7.2
        AttributeDescriptor(code: AttributeCode.asPath, name: "AS_PATH", flags: AttributeFlags.wellKnown,
                            malformed: .treatAsWithdraw),
        // RFC 4271 §5.1.3, RFC 7606 §7.3
        AttributeDescriptor(code: AttributeCode.nextHop, name: "NEXT_HOP", flags: AttributeFlags.wellKnown,
                            malformed: .treatAsWithdraw),
        // RFC 4271 §5.1.4, RFC 7606 §7.4
        AttributeDescriptor(code: AttributeCode.multiExitDisc, name: "MULTI_EXIT_DISC", flags: AttributeFlags.optionalNonTransitive,
                            malformed: .treatAsWithdraw),
        // RFC 4271 §5.1.5, RFC 7606 §7.5
        AttributeDescriptor(code: AttributeCode.localPref, name: "LOCAL_PREF", flags: AttributeFlags.wellKnown,
                            malformed: .treatAsWithdraw),
        // RFC 4271 §5.1.6, RFC 7606 §7.6
        AttributeDescriptor(code: AttributeCode.atomicAggregate, name: "ATOMIC_AGGREGATE", flags: AttributeFlags.wellKnown,
                            malformed: .attributeDiscard),
        // RFC 4271 §5.1.7, RFC 7606 §7.7
        AttributeDescriptor(code: AttributeCode.aggregator, name: "AGGREGATOR", flags: AttributeFlags.optionalTransitive,
                            malformed: .attributeDiscard),
        // RFC 1997, RFC 7606 §7.8
        AttributeDescriptor(code: AttributeCode.communities, name: "COMMUNITIES", flags: AttributeFlags.optionalTransitive,
                            malformed: .treatAsWithdraw),
        // RFC 4456 §8, RFC 7606 §7.9
        AttributeDescriptor(code: AttributeCode.originatorID, name: "ORIGINATOR_ID", flags: AttributeFlags.optionalNonTransitive,
                            malformed: .treatAsWithdraw),
        // RFC 4456 §8, RFC 7606 §7.10
        AttributeDescriptor(code: AttributeCode.clusterList, name: "CLUSTER_LIST", flags: AttributeFlags.optionalNonTransitive,
                            malformed: .treatAsWithdraw),
        // RFC 4760 §3/§4, RFC 7606 §7.11, §5.3: decoded by MPReachNLRI / MPUnreachNLRI.
        AttributeDescriptor(code: AttributeCode.mpReachNLRI, name: "MP_REACH_NLRI", flags: AttributeFlags.optionalNonTransitive,
                            malformed: .sessionReset),
        AttributeDescriptor(code: AttributeCode.mpUnreachNLRI, name: "MP_UNREACH_NLRI", flags: AttributeFlags.optionalNonTransitive,
                            malformed: .sessionReset),
        // RFC 4360, RFC 7606 §7.14
        AttributeDescriptor(code: AttributeCode.extendedCommunities, name: "EXTENDED_COMMUNITIES", flags: AttributeFlags.optionalTransitive,
                            malformed: .treatAsWithdraw),
        // RFC 6793 §6: a malformed AS4_PATH / AS4_AGGREGATOR is discarded.
        AttributeDescriptor(code: AttributeCode.as4Path, name: "AS4_PATH", flags: AttributeFlags.optionalTransitive,
                            malformed: .attributeDiscard),
        AttributeDescriptor(code: AttributeCode.as4Aggregator, name: "AS4_AGGREGATOR", flags: AttributeFlags.optionalTransitive,
                            malformed: .attributeDiscard),
        // RFC 8092 §6
        AttributeDescriptor(code: AttributeCode.largeCommunities, name: "LARGE_COMMUNITY", flags: AttributeFlags.optionalTransitive,
                            malformed: .treatAsWithdraw),
    ]

    /// Index into ``descriptors`` by type code, -1 for codes Tern does not know.
    static let index: [Int8] = {
        var t = [Int8](repeating: -1, count: 256)
        for (i, d) in descriptors.enumerated() { t[Int(d.code)] = Int8(i) }
        return t
    }()

    @inline(__always)
    static func descriptor(_ code: UInt8) -> AttributeDescriptor? {
        let i = index[Int(code)]
        return i < 0 ? nil : descriptors[Int(i)]
    }

    /// Decodes the value of known attribute `code` (not MP_REACH/MP_UNREACH) into `a`.
    @inline(__always)
    static func decodeValue(_ code: UInt8, _ r: inout ByteReader, _ a: inout PathAttributes, _ c: CodecContext) throws(AttributeFault) {
        switch code {
        case AttributeCode.origin: try decodeOrigin(&r, &a, c)
        case AttributeCode.asPath: try decodeASPath(&r, &a, c)
        case AttributeCode.nextHop: try decodeNextHop(&r, &a, c)
        case AttributeCode.multiExitDisc: try decodeMED(&r, &a, c)
        case AttributeCode.localPref: try decodeLocalPref(&r, &a, c)
        case AttributeCode.atomicAggregate: try decodeAtomicAggregate(&r, &a, c)
        case AttributeCode.aggregator: try decodeAggregator(&r, &a, c)
        case AttributeCode.communities: try decodeCommunities(&r, &a, c)
        case AttributeCode.originatorID: try decodeOriginatorID(&r, &a, c)
        case AttributeCode.clusterList: try decodeClusterList(&r, &a, c)
        case AttributeCode.extendedCommunities: try decodeExtendedCommunities(&r, &a, c)
        case AttributeCode.as4Path: try decodeAS4Path(&r, &a, c)
        case AttributeCode.as4Aggregator: try decodeAS4Aggregator(&r, &a, c)
        case AttributeCode.largeCommunities: try decodeLargeCommunities(&r, &a, c)
        default: break
        }
    }

    /// Appends the whole attribute (header and value) for descriptor `d` when `a` has it.
    @inline(__always)
    static func encodeValue(_ d: AttributeDescriptor, _ a: PathAttributes, _ w: inout ByteWriter, _ c: CodecContext) {
        switch d.code {
        case AttributeCode.origin: encodeOrigin(d, a, &w, c)
        case AttributeCode.asPath: encodeASPath(d, a, &w, c)
        case AttributeCode.nextHop: encodeNextHop(d, a, &w, c)
        case AttributeCode.multiExitDisc: encodeMED(d, a, &w, c)
        case AttributeCode.localPref: encodeLocalPref(d, a, &w, c)
        case AttributeCode.atomicAggregate: encodeAtomicAggregate(d, a, &w, c)
        case AttributeCode.aggregator: encodeAggregator(d, a, &w, c)
        case AttributeCode.communities: encodeCommunities(d, a, &w, c)
        case AttributeCode.originatorID: encodeOriginatorID(d, a, &w, c)
        case AttributeCode.clusterList: encodeClusterList(d, a, &w, c)
        case AttributeCode.extendedCommunities: encodeExtendedCommunities(d, a, &w, c)
        case AttributeCode.as4Path: encodeAS4Path(d, a, &w, c)
        case AttributeCode.as4Aggregator: encodeAS4Aggregator(d, a, &w, c)
        case AttributeCode.largeCommunities: encodeLargeCommunities(d, a, &w, c)
        default: break
        }
    }

    // MARK: Value decoders

    static func expectLength(_ r: ByteReader, _ n: Int, _ name: String) throws(AttributeFault) {
        guard r.remaining == n else { throw AttributeFault("\(name) length \(r.remaining), expected \(n)") }
    }

    static func expectMultiple(_ r: ByteReader, _ n: Int, _ name: String) throws(AttributeFault) {
        guard r.remaining > 0, r.remaining % n == 0 else {
            throw AttributeFault("\(name) length \(r.remaining) is not a non-zero multiple of \(n)")
        }
    }

    static func u32(_ r: inout ByteReader) -> UInt32 { (try? r.readUInt32()) ?? 0 }

    static func decodeOrigin(_ r: inout ByteReader, _ a: inout PathAttributes, _ c: CodecContext) throws(AttributeFault) {
        try expectLength(r, 1, "ORIGIN")
        let v = (try? r.readUInt8()) ?? 0xFF
        guard let o = Origin(rawValue: v) else { throw AttributeFault("ORIGIN value \(v) is undefined") }
        a.origin = o
    }

    static func decodeASPath(_ r: inout ByteReader, _ a: inout PathAttributes, _ c: CodecContext) throws(AttributeFault) {
        a.asPath = try ASPath.decode(from: &r, asSize: c.fourOctetAS ? 4 : 2, name: "AS_PATH")
    }

    static func decodeNextHop(_ r: inout ByteReader, _ a: inout PathAttributes, _ c: CodecContext) throws(AttributeFault) {
        try expectLength(r, 4, "NEXT_HOP")
        a.nextHop = IPv4Address(u32(&r))
    }

    static func decodeMED(_ r: inout ByteReader, _ a: inout PathAttributes, _ c: CodecContext) throws(AttributeFault) {
        try expectLength(r, 4, "MULTI_EXIT_DISC")
        a.multiExitDisc = u32(&r)
    }

    static func decodeLocalPref(_ r: inout ByteReader, _ a: inout PathAttributes, _ c: CodecContext) throws(AttributeFault) {
        // RFC 7606 §7.5: from an external peer it is discarded, whatever its length.
        if c.peerIsExternal { throw AttributeFault("LOCAL_PREF from an external peer", action: .attributeDiscard) }
        try expectLength(r, 4, "LOCAL_PREF")
        a.localPref = u32(&r)
    }

    static func decodeAtomicAggregate(_ r: inout ByteReader, _ a: inout PathAttributes, _ c: CodecContext) throws(AttributeFault) {
        try expectLength(r, 0, "ATOMIC_AGGREGATE")
        a.atomicAggregate = true
    }

    static func decodeAggregator(_ r: inout ByteReader, _ a: inout PathAttributes, _ c: CodecContext) throws(AttributeFault) {
        if c.fourOctetAS {
            try expectLength(r, 8, "AGGREGATOR")
            a.aggregator = Aggregator(asn: u32(&r), address: IPv4Address(u32(&r)))
        } else {
            try expectLength(r, 6, "AGGREGATOR")
            let asn = UInt32((try? r.readUInt16()) ?? 0)
            a.aggregator = Aggregator(asn: asn, address: IPv4Address(u32(&r)))
        }
    }

    static func decodeCommunities(_ r: inout ByteReader, _ a: inout PathAttributes, _ c: CodecContext) throws(AttributeFault) {
        try expectMultiple(r, 4, "COMMUNITIES")
        var out: [Community] = []
        out.reserveCapacity(r.remaining / 4)
        while !r.isAtEnd { out.append(Community(rawValue: u32(&r))) }
        a.communities = out
    }

    static func decodeOriginatorID(_ r: inout ByteReader, _ a: inout PathAttributes, _ c: CodecContext) throws(AttributeFault) {
        // RFC 7606 §7.9: from an external peer it is discarded, whatever its length
        // (RFC 4456 §8: ORIGINATOR_ID is only meaningful inside the AS).
        if c.peerIsExternal { throw AttributeFault("ORIGINATOR_ID from an external peer", action: .attributeDiscard) }
        try expectLength(r, 4, "ORIGINATOR_ID")
        a.originatorID = IPv4Address(u32(&r))
    }

    static func decodeClusterList(_ r: inout ByteReader, _ a: inout PathAttributes, _ c: CodecContext) throws(AttributeFault) {
        // RFC 7606 §7.10: from an external peer it is discarded, whatever its length.
        if c.peerIsExternal { throw AttributeFault("CLUSTER_LIST from an external peer", action: .attributeDiscard) }
        try expectMultiple(r, 4, "CLUSTER_LIST")
        var out: [IPv4Address] = []
        out.reserveCapacity(r.remaining / 4)
        while !r.isAtEnd { out.append(IPv4Address(u32(&r))) }
        a.clusterList = out
    }

    static func decodeExtendedCommunities(_ r: inout ByteReader, _ a: inout PathAttributes, _ c: CodecContext) throws(AttributeFault) {
        try expectMultiple(r, 8, "EXTENDED_COMMUNITIES")
        var out: [ExtendedCommunity] = []
        out.reserveCapacity(r.remaining / 8)
        while !r.isAtEnd { out.append(ExtendedCommunity(rawValue: (try? r.readUInt64()) ?? 0)) }
        a.extendedCommunities = out
    }

    static func decodeAS4Path(_ r: inout ByteReader, _ a: inout PathAttributes, _ c: CodecContext) throws(AttributeFault) {
        // RFC 6793 §3: AS4_PATH is not exchanged between NEW speakers; one received is discarded.
        if c.fourOctetAS { throw AttributeFault("AS4_PATH from a 4-octet-AS peer") }
        a.as4Path = try ASPath.decode(from: &r, asSize: 4, name: "AS4_PATH", allowConfederation: false)
    }

    static func decodeAS4Aggregator(_ r: inout ByteReader, _ a: inout PathAttributes, _ c: CodecContext) throws(AttributeFault) {
        if c.fourOctetAS { throw AttributeFault("AS4_AGGREGATOR from a 4-octet-AS peer") }
        try expectLength(r, 8, "AS4_AGGREGATOR")
        a.as4Aggregator = Aggregator(asn: u32(&r), address: IPv4Address(u32(&r)))
    }

    static func decodeLargeCommunities(_ r: inout ByteReader, _ a: inout PathAttributes, _ c: CodecContext) throws(AttributeFault) {
        try expectMultiple(r, 12, "LARGE_COMMUNITY")
        var out: [LargeCommunity] = []
        out.reserveCapacity(r.remaining / 12)
        while !r.isAtEnd { out.append(LargeCommunity(global: u32(&r), local1: u32(&r), local2: u32(&r))) }
        a.largeCommunities = out
    }

    // MARK: Value encoders
    //
    // Each writes nothing when the attribute is absent; otherwise the header (``begin``),
    // the value straight into the output, and the length (``finish``).

    static func encodeOrigin(_ d: AttributeDescriptor, _ a: PathAttributes, _ w: inout ByteWriter, _ c: CodecContext) {
        guard let o = a.origin else { return }
        let at = begin(d, &w)
        w.writeUInt8(o.rawValue)
        finish(at, &w)
    }

    static func encodeASPath(_ d: AttributeDescriptor, _ a: PathAttributes, _ w: inout ByteWriter, _ c: CodecContext) {
        guard let p = a.asPath else { return }
        let at = begin(d, &w)
        p.encode(into: &w, fourOctet: c.fourOctetAS)
        finish(at, &w)
    }

    static func encodeNextHop(_ d: AttributeDescriptor, _ a: PathAttributes, _ w: inout ByteWriter, _ c: CodecContext) {
        guard let n = a.nextHop else { return }
        let at = begin(d, &w)
        w.writeUInt32(n.value)
        finish(at, &w)
    }

    static func encodeMED(_ d: AttributeDescriptor, _ a: PathAttributes, _ w: inout ByteWriter, _ c: CodecContext) {
        guard let m = a.multiExitDisc else { return }
        let at = begin(d, &w)
        w.writeUInt32(m)
        finish(at, &w)
    }

    static func encodeLocalPref(_ d: AttributeDescriptor, _ a: PathAttributes, _ w: inout ByteWriter, _ c: CodecContext) {
        guard let l = a.localPref else { return }
        let at = begin(d, &w)
        w.writeUInt32(l)
        finish(at, &w)
    }

    static func encodeAtomicAggregate(_ d: AttributeDescriptor, _ a: PathAttributes, _ w: inout ByteWriter, _ c: CodecContext) {
        guard a.atomicAggregate else { return }
        finish(begin(d, &w), &w)
    }

    static func encodeAggregator(_ d: AttributeDescriptor, _ a: PathAttributes, _ w: inout ByteWriter, _ c: CodecContext) {
        guard let g = a.aggregator else { return }
        let at = begin(d, &w)
        if c.fourOctetAS { w.writeUInt32(g.asn) } else { w.writeUInt16(g.asn > 0xFFFF ? UInt16(ASPath.asTrans) : UInt16(g.asn)) }
        w.writeUInt32(g.address.value)
        finish(at, &w)
    }

    static func encodeCommunities(_ d: AttributeDescriptor, _ a: PathAttributes, _ w: inout ByteWriter, _ c: CodecContext) {
        guard !a.communities.isEmpty else { return }
        let at = begin(d, &w)
        for x in a.communities { w.writeUInt32(x.rawValue) }
        finish(at, &w)
    }

    static func encodeOriginatorID(_ d: AttributeDescriptor, _ a: PathAttributes, _ w: inout ByteWriter, _ c: CodecContext) {
        guard let o = a.originatorID else { return }
        let at = begin(d, &w)
        w.writeUInt32(o.value)
        finish(at, &w)
    }

    static func encodeClusterList(_ d: AttributeDescriptor, _ a: PathAttributes, _ w: inout ByteWriter, _ c: CodecContext) {
        guard let l = a.clusterList else { return }
        let at = begin(d, &w)
        for x in l { w.writeUInt32(x.value) }
        finish(at, &w)
    }

    static func encodeExtendedCommunities(_ d: AttributeDescriptor, _ a: PathAttributes, _ w: inout ByteWriter, _ c: CodecContext) {
        guard !a.extendedCommunities.isEmpty else { return }
        let at = begin(d, &w)
        for x in a.extendedCommunities { w.writeUInt64(x.rawValue) }
        finish(at, &w)
    }

    /// RFC 6793 §4.2.2: to a 2-octet peer, a path with 4-octet ASNs goes as AS_TRANS in
    /// AS_PATH plus the full path (without confederation segments) in AS4_PATH. Never sent
    /// to a 4-octet peer.
    static func encodeAS4Path(_ d: AttributeDescriptor, _ a: PathAttributes, _ w: inout ByteWriter, _ c: CodecContext) {
        guard !c.fourOctetAS else { return }
        if let p = a.asPath, p.needsFourOctet {
            let at = begin(d, &w)
            p.withoutConfederationSegments.encode(into: &w, fourOctet: true)
            finish(at, &w)
            return
        }
        guard let p4 = a.as4Path else { return }
        let at = begin(d, &w)
        p4.encode(into: &w, fourOctet: true)
        finish(at, &w)
    }

    static func encodeAS4Aggregator(_ d: AttributeDescriptor, _ a: PathAttributes, _ w: inout ByteWriter, _ c: CodecContext) {
        guard !c.fourOctetAS else { return }
        let g: Aggregator
        if let agg = a.aggregator, agg.asn > 0xFFFF { g = agg } else if let agg4 = a.as4Aggregator { g = agg4 } else { return }
        let at = begin(d, &w)
        w.writeUInt32(g.asn)
        w.writeUInt32(g.address.value)
        finish(at, &w)
    }

    static func encodeLargeCommunities(_ d: AttributeDescriptor, _ a: PathAttributes, _ w: inout ByteWriter, _ c: CodecContext) {
        guard !a.largeCommunities.isEmpty else { return }
        let at = begin(d, &w)
        for x in a.largeCommunities {
            w.writeUInt32(x.global)
            w.writeUInt32(x.local1)
            w.writeUInt32(x.local2)
        }
        finish(at, &w)
    }

    // MARK: Attribute header

    /// Writes `<flags, code, 0>` (one-octet length, patched by ``finish(_:_:)``); returns its offset.
    @inline(__always)
    static func begin(flags: UInt8, code: UInt8, _ w: inout ByteWriter) -> Int {
        let at = w.count
        w.writeUInt16(UInt16(flags & ~AttributeFlags.extendedLength) << 8 | UInt16(code))
        w.writeUInt8(0)
        return at
    }

    @inline(__always)
    static func begin(_ d: AttributeDescriptor, _ w: inout ByteWriter) -> Int {
        begin(flags: d.flags, code: d.code, &w)
    }

    /// Fills in the length of the attribute begun at `at`, with the extended-length flag set
    /// (and a two-octet length field) exactly when the value is longer than 255 bytes.
    @inline(__always)
    static func finish(_ at: Int, _ w: inout ByteWriter) {
        let len = w.count - at - 3
        if len <= 255 {
            w.setByte(UInt8(truncatingIfNeeded: len), at: at + 2)
        } else {
            w.widenAttributeLength(at: at, length: len)
        }
    }

    /// Appends `<flags, code, length, value>`, with the extended-length flag set exactly when
    /// the value is longer than 255 bytes.
    static func writeAttribute(flags: UInt8, code: UInt8, value: [UInt8], into w: inout ByteWriter) {
        if value.count > 255 {
            w.writeUInt8(flags | AttributeFlags.extendedLength)
            w.writeUInt8(code)
            w.writeUInt16(UInt16(value.count))
        } else {
            w.writeUInt8(flags & ~AttributeFlags.extendedLength)
            w.writeUInt8(code)
            w.writeUInt8(UInt8(value.count))
        }
        w.writeBytes(value)
    }
}

// MARK: - Set of seen codes (no allocation)

/// 256 bits, one per attribute type code.
struct AttributeCodeSet {
    private var words: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)

    func contains(_ code: UInt8) -> Bool {
        let bit = UInt64(1) << UInt64(code & 63)
        switch code >> 6 {
        case 0: return words.0 & bit != 0
        case 1: return words.1 & bit != 0
        case 2: return words.2 & bit != 0
        default: return words.3 & bit != 0
        }
    }

    mutating func insert(_ code: UInt8) {
        let bit = UInt64(1) << UInt64(code & 63)
        switch code >> 6 {
        case 0: words.0 |= bit
        case 1: words.1 |= bit
        case 2: words.2 |= bit
        default: words.3 |= bit
        }
    }
}

// MARK: - Decoding the attribute block

/// What one pass over the Path Attributes field yields.
struct AttributeBlock {
    var attributes = PathAttributes()
    var mpReach: MPReachNLRI?
    var mpUnreach: MPUnreachNLRI?
    /// Codes met (including malformed and discarded instances).
    var seen = AttributeCodeSet()
}

extension PathAttributes {
    /// Decodes the Path Attributes field `r` once, collecting RFC 7606 issues.
    /// `hasIPv4Prefixes`: the message has IPv4 withdrawn routes or NLRI (so a
    /// treat-as-withdraw still has its prefixes located when the attribute list is cut).
    static func decodeBlock(_ r: ByteReader, context: CodecContext, hasIPv4Prefixes: Bool,
                            issues: inout [UpdateIssue]) throws(MessageError) -> AttributeBlock {
        var block = AttributeBlock()
        try decodeBlock(r, context: context, hasIPv4Prefixes: hasIPv4Prefixes, issues: &issues,
                        attributes: &block.attributes, mpReach: &block.mpReach, mpUnreach: &block.mpUnreach,
                        seen: &block.seen)
        return block
    }

    /// ``decodeBlock(_:context:hasIPv4Prefixes:issues:)`` writing straight into the caller's
    /// storage (the UPDATE being built), so the attributes are never copied.
    static func decodeBlock(_ r: ByteReader, context: CodecContext, hasIPv4Prefixes: Bool,
                            issues: inout [UpdateIssue], attributes: inout PathAttributes,
                            mpReach: inout MPReachNLRI?, mpUnreach: inout MPUnreachNLRI?,
                            seen: inout AttributeCodeSet) throws(MessageError) {
        let bytes = r.bytes
        var p = r.position
        let end = r.end
        while p < end {
            let start = p
            // RFC 7606 §4: header or length overrunning the attribute area.
            var overrun: String?
            var code: UInt8?
            var hdr = 3
            var len = 0
            if end - p < 3 {
                overrun = "\(end - p) byte(s) left in the attribute area, too few for an attribute header"
            } else {
                let flags = bytes[p]
                code = bytes[p + 1]
                if flags & AttributeFlags.extendedLength != 0 {
                    hdr = 4
                    if end - p < 4 {
                        overrun = "\(AttributeCode.name(bytes[p + 1])) extended length field truncated"
                    } else {
                        len = Int(bytes[p + 2]) << 8 | Int(bytes[p + 3])
                    }
                } else {
                    len = Int(bytes[p + 2])
                }
                if overrun == nil && len > end - p - hdr {
                    overrun = "\(AttributeCode.name(bytes[p + 1])) length \(len) overruns the attribute area (\(end - p - hdr) bytes left)"
                }
            }
            if let why = overrun {
                if let c = code, c == AttributeCode.mpReachNLRI || c == AttributeCode.mpUnreachNLRI {
                    throw MessageError.update(NotificationCode.Update.malformedAttributeList,
                                              reason: "\(why): its NLRI cannot be located")
                }
                if !hasIPv4Prefixes && mpReach == nil && mpUnreach == nil {
                    throw MessageError.update(NotificationCode.Update.malformedAttributeList,
                                              reason: "\(why), and no NLRI could be located to withdraw")
                }
                issues.append(UpdateIssue(.treatAsWithdraw, attributeCode: code, reason: why))
                break
            }
            let flags = bytes[p]
            let c = bytes[p + 1]
            p += hdr + len

            // RFC 7606 §3 g: duplicates.
            if seen.contains(c) {
                if c == AttributeCode.mpReachNLRI || c == AttributeCode.mpUnreachNLRI {
                    throw MessageError.update(NotificationCode.Update.malformedAttributeList,
                                              reason: "\(AttributeCode.name(c)) appears more than once")
                }
                issues.append(UpdateIssue(.attributeDiscard, attributeCode: c,
                                          reason: "duplicate \(AttributeCode.name(c)) discarded, first kept"))
                continue
            }
            seen.insert(c)

            guard let d = AttributeTable.descriptor(c) else {
                // Unknown codes (RFC 4271 §5, §6.3, §9).
                if flags & AttributeFlags.optional == 0 {
                    throw MessageError.update(NotificationCode.Update.unrecognizedWellKnownAttribute,
                                              data: Array(bytes[start..<p]),
                                              reason: "unrecognized well-known attribute \(c)")
                }
                if flags & AttributeFlags.transitive != 0 {
                    attributes.unknown.append(RawAttribute(flags: flags & ~AttributeFlags.extendedLength, code: c, value: Array(bytes[start + hdr..<p])))
                }
                continue
            }

            // RFC 7606 §3 c: category bits conflicting with the type.
            let flagsOK = flags & AttributeFlags.categoryMask == d.flags
            if !flagsOK {
                issues.append(UpdateIssue(.treatAsWithdraw, attributeCode: c,
                                          reason: "\(d.name) flags 0x\(String(flags, radix: 16)) conflict with its type (expected optional/transitive bits 0x\(String(d.flags, radix: 16)))"))
            }
            var value = ByteReader(unchecked: bytes, range: start + hdr..<p)
            if d.isMultiprotocol {
                // Still parsed with bad flags: treat-as-withdraw needs its NLRI.
                let whole = start..<p
                if c == AttributeCode.mpReachNLRI {
                    mpReach = try MPReachNLRI.decode(&value, attribute: whole, context: context)
                } else {
                    mpUnreach = try MPUnreachNLRI.decode(&value, attribute: whole, context: context)
                }
                continue
            }
            guard flagsOK else { continue }
            do {
                try AttributeTable.decodeValue(c, &value, &attributes, context)
            } catch {
                issues.append(UpdateIssue(error.action ?? d.malformed, attributeCode: c, reason: error.reason))
            }
        }
    }

    // MARK: - Encoding

    /// An upper bound of what ``encode(into:context:mpReach:mpUnreach:codes:)`` writes without
    /// MP attributes (every header counted as extended, every ASN as 4 octets): for sizing buffers.
    func encodedSizeBound(context: CodecContext) -> Int {
        func path(_ p: ASPath?) -> Int {
            guard let p else { return 0 }
            var n = 4
            for s in p.segments { n += 2 * (s.asns.count / 255 + 1) + 4 * s.asns.count }
            return n
        }
        var n = 0
        if origin != nil { n += 5 }
        n += path(asPath)
        if nextHop != nil { n += 8 }
        if multiExitDisc != nil { n += 8 }
        if localPref != nil { n += 8 }
        if atomicAggregate { n += 4 }
        if aggregator != nil { n += 12 }
        if !communities.isEmpty { n += 4 + 4 * communities.count }
        if originatorID != nil { n += 8 }
        if let l = clusterList { n += 4 + 4 * l.count }
        if !extendedCommunities.isEmpty { n += 4 + 8 * extendedCommunities.count }
        if !context.fourOctetAS { n += max(path(asPath), path(as4Path)) + 12 }
        if !largeCommunities.isEmpty { n += 4 + 12 * largeCommunities.count }
        for u in unknown { n += 4 + u.value.count }
        return n
    }


    /// Appends the attributes whose codes lie in `codes`: `mpReach` / `mpUnreach` first
    /// (RFC 7606 §5.1: they SHALL be the very first path attributes, so a receiver can always
    /// locate the NLRI), then the rest in type-code order. Unknown attributes get the Partial bit.
    /// Each attribute's header is written first and its length filled in after its value
    /// (no intermediate buffer).
    func encode(into w: inout ByteWriter, context: CodecContext,
                mpReach: MPReachNLRI? = nil, mpUnreach: MPUnreachNLRI? = nil,
                codes: ClosedRange<UInt8> = 0...255) {
        if let m = mpReach, codes.contains(AttributeCode.mpReachNLRI) {
            let at = AttributeTable.begin(flags: AttributeFlags.optionalNonTransitive, code: AttributeCode.mpReachNLRI, &w)
            m.encodeValue(into: &w, context: context)
            AttributeTable.finish(at, &w)
        }
        if let m = mpUnreach, codes.contains(AttributeCode.mpUnreachNLRI) {
            let at = AttributeTable.begin(flags: AttributeFlags.optionalNonTransitive, code: AttributeCode.mpUnreachNLRI, &w)
            m.encodeValue(into: &w, context: context)
            AttributeTable.finish(at, &w)
        }
        if unknown.isEmpty {
            for d in AttributeTable.descriptors where !d.isMultiprotocol && codes.contains(d.code) {
                AttributeTable.encodeValue(d, self, &w, context)
            }
            return
        }
        var unknownSorted = unknown
        if unknownSorted.count > 1 { unknownSorted.sort { $0.code < $1.code } }
        var u = 0
        func flushUnknown(below limit: Int, _ w: inout ByteWriter) {
            while u < unknownSorted.count, Int(unknownSorted[u].code) < limit {
                let x = unknownSorted[u]
                u += 1
                // Only optional transitive unknown attributes are passed on (RFC 4271 §9).
                guard codes.contains(x.code), AttributeTable.descriptor(x.code) == nil,
                      x.flags & AttributeFlags.categoryMask == AttributeFlags.optionalTransitive else { continue }
                AttributeTable.writeAttribute(flags: x.flags | AttributeFlags.partial, code: x.code, value: x.value, into: &w)
            }
        }
        for d in AttributeTable.descriptors where !d.isMultiprotocol {
            flushUnknown(below: Int(d.code), &w)
            guard codes.contains(d.code) else { continue }
            AttributeTable.encodeValue(d, self, &w, context)
        }
        flushUnknown(below: 256, &w)
    }
}
