import IPCore
// MARK: - Packing many prefixes into few UPDATEs (RFC 4271 §4.3, RFC 4760, RFC 8654)

/// Builds whole UPDATE messages (header included) that share one attribute set, filling
/// each up to `context.maxMessageLength` (4096, or 65535 with RFC 8654 extended messages).
///
/// IPv4 unicast goes in the Withdrawn Routes / NLRI fields; every other family in one
/// MP_REACH_NLRI / MP_UNREACH_NLRI per message, the other attributes repeated in each.
/// The attribute block is encoded once; each message costs one buffer allocation, of
/// exactly the message's size.
public enum UpdatePacker {
    /// Announcements of `nlri` (all of `family`) with `attributes`. For IPv4 unicast the
    /// next hop is `attributes.nextHop`; for other families it is `nextHops` (MP_REACH_NLRI).
    public static func announce(_ attributes: PathAttributes, family: AddressFamily, nlri: [NLRI],
                                nextHops: [IPAddress] = [], context: CodecContext) -> [[UInt8]] {
        guard !nlri.isEmpty else { return [] }
        let max = context.maxMessageLength
        let addPath = context.hasAddPath(family)
        var out: [[UInt8]] = []
        if family == .ipv4Unicast {
            // The first message gets the attributes encoded straight into it (no intermediate
            // buffer); later messages copy them from the first. Its capacity: the attributes'
            // upper bound plus what would fit with no attributes at all (never less than needed,
            // and for a short message close to its size).
            let (_, roomy) = fit(nlri, from: 0, budget: max - MessageHeader.length - 4, addPath: addPath)
            var w = ByteWriter(capacity: MessageHeader.length + 4 + attributes.encodedSizeBound(context: context) + roomy)
            var at = MessageHeader.begin(.update, into: &w)
            w.writeUInt16(0)
            let al = w.reserveLength16()
            attributes.encode(into: &w, context: context)
            w.patchLength16(at: al)
            let attrsEnd = w.count
            let attrsCount = attrsEnd - al - 2
            let budget = max - MessageHeader.length - 4 - attrsCount
            var i = 0
            while i < nlri.count {
                let (j, size) = fit(nlri, from: i, budget: budget, addPath: addPath)
                if i > 0 {
                    // Exactly the message's size: a short last message holds no unused buffer.
                    let first = out[0]
                    w = ByteWriter(capacity: MessageHeader.length + 4 + attrsCount + size)
                    at = MessageHeader.begin(.update, into: &w)
                    w.writeUInt16(0)
                    w.writeBytes(first[MessageHeader.length + 2..<attrsEnd])
                }
                NLRI.encodeList(nlri, i..<j, size: size, addPath: addPath, into: &w)
                MessageHeader.finish(lengthAt: at, into: &w)
                out.append(w.bytes)
                i = j
            }
            return out
        }
        precondition(MPReachNLRI.decodes(family), "UpdatePacker: family \(family) is not one Tern encodes")
        // RFC 7606 §5.1: MP_REACH_NLRI goes first, then every other attribute.
        var aw = ByteWriter(capacity: 256)
        attributes.encode(into: &aw, context: context)
        let rest = aw.bytes
        let mp = MPReachNLRI(family: family, nextHops: nextHops, nlri: [])
        let mpHeader = mp.headerSize
        // Room for NLRI with a 4-byte (extended length) MP_REACH_NLRI attribute header.
        let budget = max - MessageHeader.length - 4 - rest.count - 4 - mpHeader
        var i = 0
        while i < nlri.count {
            // Count what fits; a value of 255 bytes or less saves the extended-length octet.
            var n = 0, size = 0, j = i
            while j < nlri.count {
                let s = nlri[j].wireSize(addPath: addPath)
                if size + s > budget + 1 { break }
                size += s; n += 1; j += 1
            }
            if mpHeader + size > 255 && size > budget { size -= nlri[j - 1].wireSize(addPath: addPath); n -= 1; j -= 1 }
            precondition(n > 0, "UpdatePacker: attributes leave no room for a prefix")
            var w = ByteWriter(capacity: MessageHeader.length + 4 + 4 + mpHeader + size + rest.count)
            let at = MessageHeader.begin(.update, into: &w)
            w.writeUInt16(0)
            let al = w.reserveLength16()
            writeHeader(flags: AttributeFlags.optionalNonTransitive, code: AttributeCode.mpReachNLRI,
                        length: mpHeader + size, into: &w)
            mp.encodeHeader(into: &w)
            NLRI.encodeList(nlri, i..<j, size: size, addPath: addPath, into: &w)
            w.writeBytes(rest)
            w.patchLength16(at: al)
            MessageHeader.finish(lengthAt: at, into: &w)
            out.append(w.bytes)
            i = j
        }
        return out
    }

    /// Withdrawals of `nlri` (all of `family`): IPv4 unicast in Withdrawn Routes, others in
    /// MP_UNREACH_NLRI with no other attribute.
    public static func withdraw(family: AddressFamily, nlri: [NLRI], context: CodecContext) -> [[UInt8]] {
        guard !nlri.isEmpty else { return [] }
        let max = context.maxMessageLength
        let addPath = context.hasAddPath(family)
        var out: [[UInt8]] = []
        if family == .ipv4Unicast {
            let budget = max - MessageHeader.length - 4
            var i = 0
            while i < nlri.count {
                let (j, size) = fit(nlri, from: i, budget: budget, addPath: addPath)
                var w = ByteWriter(capacity: MessageHeader.length + 4 + size)
                let at = MessageHeader.begin(.update, into: &w)
                w.writeUInt16(UInt16(size))
                NLRI.encodeList(nlri, i..<j, size: size, addPath: addPath, into: &w)
                w.writeUInt16(0)
                MessageHeader.finish(lengthAt: at, into: &w)
                out.append(w.bytes)
                i = j
            }
            return out
        }
        precondition(MPReachNLRI.decodes(family), "UpdatePacker: family \(family) is not one Tern encodes")
        let budget = max - MessageHeader.length - 4 - 4 - 3
        var i = 0
        while i < nlri.count {
            var n = 0, size = 0, j = i
            while j < nlri.count {
                let s = nlri[j].wireSize(addPath: addPath)
                if size + s > budget + 1 { break }
                size += s; n += 1; j += 1
            }
            if 3 + size > 255 && size > budget { size -= nlri[j - 1].wireSize(addPath: addPath); n -= 1; j -= 1 }
            var w = ByteWriter(capacity: MessageHeader.length + 4 + 4 + 3 + size)
            let at = MessageHeader.begin(.update, into: &w)
            w.writeUInt16(0)
            let al = w.reserveLength16()
            writeHeader(flags: AttributeFlags.optionalNonTransitive, code: AttributeCode.mpUnreachNLRI, length: 3 + size, into: &w)
            w.writeUInt16(family.afi.rawValue)
            w.writeUInt8(family.safi.rawValue)
            NLRI.encodeList(nlri, i..<j, size: size, addPath: addPath, into: &w)
            w.patchLength16(at: al)
            MessageHeader.finish(lengthAt: at, into: &w)
            out.append(w.bytes)
            i = j
        }
        return out
    }

    /// How many NLRI from `start` fit in `budget` bytes: returns the end index and their size.
    private static func fit(_ nlri: [NLRI], from start: Int, budget: Int, addPath: Bool) -> (end: Int, size: Int) {
        var used = 0, i = start
        nlri.withUnsafeBufferPointer { p in
            while i < p.count {
                let s = p[i].wireSize(addPath: addPath)
                if used + s > budget { break }
                used += s
                i += 1
            }
        }
        precondition(i > start, "UpdatePacker: attributes leave no room for a prefix")
        return (i, used)
    }

    private static func writeHeader(flags: UInt8, code: UInt8, length: Int, into w: inout ByteWriter) {
        if length > 255 {
            w.writeUInt8(flags | AttributeFlags.extendedLength)
            w.writeUInt8(code)
            w.writeUInt16(UInt16(length))
        } else {
            w.writeUInt8(flags)
            w.writeUInt8(code)
            w.writeUInt8(UInt8(length))
        }
    }
}
