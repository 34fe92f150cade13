import IPCore
// MARK: - NLRI lists (RFC 4271 §4.3, RFC 4760 §5, RFC 7911 §3)

extension NLRI {
    /// Decodes every NLRI in `r` until its end, for `family`, with path identifiers
    /// when `addPath` is true. Throws ``NLRIError`` on the first bad entry.
    public static func decodeList(
        from r: inout ByteReader, family: AddressFamily, addPath: Bool
    ) throws(NLRIError) -> [NLRI] {
        if r.isAtEnd { return [] }
        return family.afi == .ipv4 ? try decodeIPv4List(from: &r, addPath: addPath)
                                   : try decodeIPv6List(from: &r, addPath: addPath)
    }

    /// The IPv4 hot path: one pass over the raw bytes, every read checked against the
    /// reader's window first, errors in the same order and form as one-by-one decoding.
    /// Entries go straight into an uninitialised array sized for 4-byte entries (/17-/24,
    /// most of a table); if the list holds more, the rest is appended.
    static func decodeIPv4List(from r: inout ByteReader, addPath: Bool) throws(NLRIError) -> [NLRI] {
        let start = r.position, end = r.end
        let capacity = (end - start) / (addPath ? 8 : 4) + 1
        var failure: NLRIError?
        var pos = start
        let out: [NLRI] = r.bytes.withUnsafeBufferPointer { buf in
            precondition(end <= buf.count, "reader window outside buffer")
            let p = buf.baseAddress!
            var out = [NLRI](unsafeUninitializedCapacity: capacity) { dst, initialized in
                var k = 0
                do throws(NLRIError) {
                    while pos < end && k < capacity {
                        (dst.baseAddress! + k).initialize(to: try decodeIPv4Entry(p, &pos, end, addPath))
                        k += 1
                    }
                } catch { failure = error }
                initialized = k
            }
            if failure == nil && pos < end {
                do throws(NLRIError) {
                    while pos < end { out.append(try decodeIPv4Entry(p, &pos, end, addPath)) }
                } catch { failure = error }
            }
            return out
        }
        if let failure { throw failure }
        r.skipToEnd()
        return out
    }

    /// One `[path id,] <length, prefix>` entry at `p[pos]`, reading nothing at or past `end`.
    @inline(__always)
    private static func decodeIPv4Entry(_ p: UnsafePointer<UInt8>, _ pos: inout Int, _ end: Int,
                                        _ addPath: Bool) throws(NLRIError) -> NLRI {
        var id: UInt32?
        if addPath {
            if end - pos < 4 { throw .truncated }
            id = UInt32(p[pos]) << 24 | UInt32(p[pos + 1]) << 16 | UInt32(p[pos + 2]) << 8 | UInt32(p[pos + 3])
            pos += 4
            if pos >= end { throw .truncated }
        }
        let len = p[pos]
        if len > 32 { throw .lengthTooLong(len, max: 32) }
        let n = (Int(len) + 7) >> 3
        let left = end - pos - 1
        if left < n { throw .truncated }
        var v: UInt32
        if left >= 4 {
            // Four octets are in the window: one load; the mask drops the octets past the
            // prefix (they belong to the next entry).
            v = UInt32(bigEndian: UnsafeRawPointer(p + pos + 1).loadUnaligned(as: UInt32.self))
        } else {
            v = 0
            for i in 0..<n { v |= UInt32(p[pos + 1 + i]) << (24 - 8 * UInt32(i)) }
        }
        // Branch-free netmask (len <= 32): the high 32 bits of all-ones shifted left by 32 - len.
        let mask = UInt32(truncatingIfNeeded: UInt64(UInt32.max) << UInt64(32 - len))
        pos += 1 + n
        return NLRI(.v4(IPv4Prefix(unchecked: v & mask, length: len)), pathID: id)
    }

    static func decodeIPv6List(from r: inout ByteReader, addPath: Bool) throws(NLRIError) -> [NLRI] {
        var out: [NLRI] = []
        out.reserveCapacity(r.remaining / (addPath ? 12 : 8))
        while !r.isAtEnd {
            var id: UInt32?
            if addPath {
                guard let v = try? r.readUInt32() else { throw NLRIError.truncated }
                id = v
            }
            out.append(NLRI(.v6(try IPv6Prefix.decode(from: &r)), pathID: id))
        }
        return out
    }

    /// Bytes this entry takes on the wire, with or without its path identifier.
    public func wireSize(addPath: Bool) -> Int {
        let length: UInt8
        switch prefix {
        case .v4(let p): length = p.length
        case .v6(let p): length = p.length
        }
        return 1 + (Int(length) + 7) >> 3 + (addPath ? 4 : 0)
    }

    /// Appends this entry; the path identifier is written when `addPath` (0 if none is set).
    public func encode(into w: inout ByteWriter, addPath: Bool) {
        if addPath { w.writeUInt32(pathID ?? 0) }
        switch prefix {
        case .v4(let p): p.encode(into: &w)
        case .v6(let p): p.encode(into: &w)
        }
    }

    /// Appends `nlri[range]`, which take `size` bytes on the wire (the sum of their
    /// ``wireSize(addPath:)``), the same bytes as ``encode(into:addPath:)`` for each.
    static func encodeList(_ nlri: [NLRI], _ range: Range<Int>, size: Int, addPath: Bool, into w: inout ByteWriter) {
        w.appendUnsafe(count: size) { out in
            var o = 0
            nlri.withUnsafeBufferPointer { src in
                for k in range {
                    let e = src[k]
                    // Never write past the `size` bytes appended (the caller's sum must be right).
                    precondition(o + e.wireSize(addPath: addPath) <= size, "NLRI size mismatch")
                    if addPath {
                        let id = e.pathID ?? 0
                        out[o] = UInt8(truncatingIfNeeded: id >> 24)
                        out[o + 1] = UInt8(truncatingIfNeeded: id >> 16)
                        out[o + 2] = UInt8(truncatingIfNeeded: id >> 8)
                        out[o + 3] = UInt8(truncatingIfNeeded: id)
                        o += 4
                    }
                    switch e.prefix {
                    case .v4(let p):
                        let n = (Int(p.length) + 7) >> 3
                        out[o] = p.length
                        let v = p.address.value
                        for i in 0..<n { out[o + 1 + i] = UInt8(truncatingIfNeeded: v >> (24 - 8 * UInt32(i))) }
                        o += 1 + n
                    case .v6(let p):
                        let n = (Int(p.length) + 7) >> 3
                        out[o] = p.length
                        let h = p.address.high, l = p.address.low
                        for i in 0..<n {
                            out[o + 1 + i] = i < 8 ? UInt8(truncatingIfNeeded: h >> (56 - 8 * UInt64(i)))
                                                   : UInt8(truncatingIfNeeded: l >> (56 - 8 * UInt64(i - 8)))
                        }
                        o += 1 + n
                    }
                }
            }
            precondition(o == size, "NLRI size mismatch")
        }
    }
}
