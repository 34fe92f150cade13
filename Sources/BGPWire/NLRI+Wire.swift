// MARK: - NLRI lists (RFC 4271 §4.3, RFC 4760 §5, RFC 7911 §3)

extension NLRI {
    /// Decodes every NLRI in `r` until its end, for `family`, with path identifiers
    /// when `addPath` is true. Throws ``NLRIError`` on the first bad entry.
    public static func decodeList(
        from r: inout ByteReader, family: AddressFamily, addPath: Bool
    ) throws(NLRIError) -> [NLRI] {
        var out: [NLRI] = []
        // Most prefixes in a table are /17-/24: 4 bytes each (5 with a length octet).
        out.reserveCapacity(r.remaining / (addPath ? 8 : 4))
        let v4 = family.afi == .ipv4
        while !r.isAtEnd {
            var id: UInt32?
            if addPath {
                guard let v = try? r.readUInt32() else { throw NLRIError.truncated }
                id = v
            }
            if v4 {
                out.append(NLRI(.v4(try IPv4Prefix.decode(from: &r)), pathID: id))
            } else {
                out.append(NLRI(.v6(try IPv6Prefix.decode(from: &r)), pathID: id))
            }
        }
        return out
    }

    /// Bytes this entry takes on the wire, with or without its path identifier.
    public func wireSize(addPath: Bool) -> Int {
        let base: Int
        switch prefix {
        case .v4(let p): base = p.wireSize
        case .v6(let p): base = p.wireSize
        }
        return addPath ? base + 4 : base
    }

    /// Appends this entry; the path identifier is written when `addPath` (0 if none is set).
    public func encode(into w: inout ByteWriter, addPath: Bool) {
        if addPath { w.writeUInt32(pathID ?? 0) }
        switch prefix {
        case .v4(let p): p.encode(into: &w)
        case .v6(let p): p.encode(into: &w)
        }
    }
}
