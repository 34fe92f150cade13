import IPCore

// MARK: - Wire form (RFC 4760 §5: same <length, prefix> encoding as RFC 4271 §4.3)

extension IPv6Prefix {
    /// Bytes this prefix takes on the wire.
    public var wireSize: Int { 1 + (Int(length) + 7) / 8 }

    /// Decodes `<length, prefix>`; throws ``NLRIError`` for a length over 128 or truncation.
    public static func decode(from r: inout ByteReader) throws(NLRIError) -> IPv6Prefix {
        guard let len = try? r.readUInt8() else { throw NLRIError.truncated }
        guard len <= 128 else { throw NLRIError.lengthTooLong(len, max: 128) }
        let n = (Int(len) + 7) >> 3
        guard r.remaining >= n else { throw NLRIError.truncated }
        // The significant octets, big-endian, into the two halves (no intermediate arrays).
        var h: UInt64 = 0, l: UInt64 = 0
        for i in 0..<n {
            let b = UInt64(r.bytes[r.position + i])
            if i < 8 { h |= b << (56 - 8 * UInt64(i)) } else { l |= b << (56 - 8 * UInt64(i - 8)) }
        }
        try? r.skip(n)
        guard let p = IPv6Prefix(address: IPv6Address(high: h, low: l), length: len) else {
            throw NLRIError.truncated
        }
        return p
    }

    /// Appends `<length, prefix>`.
    public func encode(into w: inout ByteWriter) {
        w.writeUInt8(length)
        let n = (Int(length) + 7) >> 3
        w.writeBytes(address.octets.prefix(n))
    }
}
