import IPCore

// MARK: - Wire form (RFC 4271 §4.3)

extension IPv4Prefix {
    /// Bytes this prefix takes on the wire: one length octet plus the significant octets.
    public var wireSize: Int { 1 + (Int(length) + 7) / 8 }

    /// Decodes `<length, prefix>` as in RFC 4271 §4.3. Trailing bits past the length are ignored.
    /// Throws ``NLRIError`` for a length over 32 or a truncated prefix (UPDATE error 3/10).
    public static func decode(from r: inout ByteReader) throws(NLRIError) -> IPv4Prefix {
        guard let len = try? r.readUInt8() else { throw NLRIError.truncated }
        guard len <= 32 else { throw NLRIError.lengthTooLong(len, max: 32) }
        let n = (Int(len) + 7) >> 3
        guard r.remaining >= n else { throw NLRIError.truncated }
        var v: UInt32 = 0
        for i in 0..<n { v |= UInt32(r.bytes[r.position + i]) << (24 - 8 * UInt32(i)) }
        try? r.skip(n)
        return IPv4Prefix(unchecked: v & mask(len), length: len)
    }

    /// Appends `<length, prefix>`.
    public func encode(into w: inout ByteWriter) {
        w.writeUInt8(length)
        let v = address.value
        let n = (Int(length) + 7) >> 3
        for i in 0..<n { w.writeUInt8(UInt8(truncatingIfNeeded: v >> (24 - 8 * UInt32(i)))) }
    }
}

/// Why a prefix in an NLRI or withdrawn-routes field could not be decoded (RFC 4271 §6.3: 3/10).
public enum NLRIError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The prefix length octet exceeds the family's maximum.
    case lengthTooLong(UInt8, max: UInt8)
    /// The field ended inside a prefix or path identifier.
    case truncated

    public var description: String {
        switch self {
        case .lengthTooLong(let l, let max): "prefix length \(l) exceeds \(max)"
        case .truncated: "prefix truncated by the end of the field"
        }
    }
}
