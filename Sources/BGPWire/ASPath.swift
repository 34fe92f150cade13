import IPCore
/// One AS_PATH segment (RFC 4271 §4.3 b; confederation types RFC 5065 §3).
///
/// ```
/// +-----------------+-----------------+--------------------------------+
/// | segment type(1) | segment len (1) | ASNs: len x 2 or 4 octets      |
/// +-----------------+-----------------+--------------------------------+
/// ```
public struct ASPathSegment: Hashable, Sendable, CustomStringConvertible {
    /// Segment type codes.
    public enum Kind: UInt8, Hashable, Sendable {
        /// AS_SET: unordered set of ASes an aggregate traversed.
        case set = 1
        /// AS_SEQUENCE: ordered ASes the route traversed.
        case sequence = 2
        /// AS_CONFED_SEQUENCE (RFC 5065).
        case confedSequence = 3
        /// AS_CONFED_SET (RFC 5065).
        case confedSet = 4

        /// True for the two confederation types.
        public var isConfederation: Bool { self == .confedSequence || self == .confedSet }
    }

    /// The segment type.
    public var kind: Kind
    /// The AS numbers, 4-octet wide in memory whatever the wire width.
    public var asns: [UInt32]

    public init(_ kind: Kind, _ asns: [UInt32]) {
        self.kind = kind
        self.asns = asns
    }

    /// "65001 65002", "{65001 65002}" (set), "(65001)" (confed sequence), "[65001]" (confed set).
    public var description: String {
        let body = asns.map(String.init).joined(separator: " ")
        switch kind {
        case .sequence: return body
        case .set: return "{\(body)}"
        case .confedSequence: return "(\(body))"
        case .confedSet: return "[\(body)]"
        }
    }
}

/// The AS_PATH attribute (RFC 4271 §4.3 b, §5.1.2) and AS4_PATH (RFC 6793 §3).
///
/// ```
/// +--------+--------+--------+------------------------------------------+
/// | 0x40   | 2      | len    | segment, segment, ...                    |
/// +--------+--------+--------+------------------------------------------+
/// ```
/// Each ASN is 2 octets unless both speakers support 4-octet ASNs (RFC 6793); AS4_PATH
/// (optional transitive, code 17) always uses 4 octets.
public struct ASPath: Hashable, Sendable, CustomStringConvertible {
    /// The segments in wire order (the neighbouring AS first).
    public var segments: [ASPathSegment]

    /// AS_TRANS, the 2-octet stand-in for a 4-octet ASN (RFC 6793 §9).
    public static let asTrans: UInt32 = 23456

    public init(_ segments: [ASPathSegment] = []) { self.segments = segments }

    /// A path of one AS_SEQUENCE (empty path for no ASNs).
    public static func sequence(_ asns: [UInt32]) -> ASPath {
        asns.isEmpty ? ASPath() : ASPath([ASPathSegment(.sequence, asns)])
    }

    /// True when there are no segments.
    public var isEmpty: Bool { segments.isEmpty }

    /// Path length for the decision process (RFC 4271 §9.1.2.2 a): an AS_SET counts 1,
    /// confederation segments count 0 (RFC 5065 §5.3).
    public var length: Int {
        var n = 0
        for s in segments {
            switch s.kind {
            case .sequence: n += s.asns.count
            case .set: n += 1
            case .confedSequence, .confedSet: break
            }
        }
        return n
    }

    /// The leftmost AS of the first AS_SEQUENCE (the neighbour AS), if any.
    public var firstAS: UInt32? {
        for s in segments where s.kind == .sequence { return s.asns.first }
        return nil
    }

    /// True when some ASN does not fit in 2 octets (RFC 6793 §4.2.2).
    public var needsFourOctet: Bool {
        segments.contains { $0.asns.contains { $0 > 0xFFFF } }
    }

    /// The path with AS_CONFED_* segments removed (AS4_PATH never carries them, RFC 6793 §3).
    public var withoutConfederationSegments: ASPath {
        ASPath(segments.filter { !$0.kind.isConfederation })
    }

    public var description: String { segments.map(\.description).joined(separator: " ") }
}

// MARK: - Wire form

extension ASPath {
    /// Decodes segments until the end of `r`, each ASN `asSize` (2 or 4) octets wide.
    /// RFC 7606 §7.2: an unknown segment type, a zero segment length or a segment that
    /// overruns the attribute makes it malformed. With `allowConfederation` false
    /// (AS4_PATH, RFC 6793 §6) confederation segments are malformed too.
    static func decode(from r: inout ByteReader, asSize: Int, name: String,
                       allowConfederation: Bool = true) throws(AttributeFault) -> ASPath {
        var segments: [ASPathSegment] = []
        let bytes = r.bytes
        var p = r.position
        let end = r.end
        while p < end {
            guard end - p >= 2 else {
                throw AttributeFault("\(name) segment header truncated (\(end - p) byte left)")
            }
            let t = bytes[p], n = Int(bytes[p + 1])
            guard let kind = ASPathSegment.Kind(rawValue: t) else {
                throw AttributeFault("\(name) segment type \(t) undefined")
            }
            guard allowConfederation || !kind.isConfederation else {
                throw AttributeFault("\(name) carries confederation segment type \(t)")
            }
            guard n > 0 else { throw AttributeFault("\(name) segment of length 0") }
            p += 2
            guard n * asSize <= end - p else {
                throw AttributeFault("\(name) segment length \(n) (\(n * asSize) bytes) overruns attribute (\(end - p) left)")
            }
            var asns: [UInt32] = []
            asns.reserveCapacity(n)
            if asSize == 4 {
                for i in 0..<n {
                    let q = p + 4 * i
                    asns.append(UInt32(bytes[q]) << 24 | UInt32(bytes[q + 1]) << 16 | UInt32(bytes[q + 2]) << 8 | UInt32(bytes[q + 3]))
                }
            } else {
                for i in 0..<n {
                    let q = p + 2 * i
                    asns.append(UInt32(bytes[q]) << 8 | UInt32(bytes[q + 1]))
                }
            }
            p += n * asSize
            segments.append(ASPathSegment(kind, asns))
        }
        try? r.skip(end - r.position)
        return ASPath(segments)
    }

    /// Appends the segments. With `fourOctet` false every ASN above 65535 is written as
    /// AS_TRANS (RFC 6793 §4.2.2). Segments longer than 255 ASNs are split.
    func encode(into w: inout ByteWriter, fourOctet: Bool) {
        for s in segments {
            var i = 0
            repeat {
                let n = min(255, s.asns.count - i)
                w.writeUInt8(s.kind.rawValue)
                w.writeUInt8(UInt8(n))
                let width = fourOctet ? 4 : 2
                let from = i
                // The ASNs in one go, through a pointer (exactly n * width bytes).
                s.asns.withUnsafeBufferPointer { src in
                    w.appendUnsafe(count: n * width) { out in
                        var o = 0
                        for k in from..<from + n {
                            let a = src[k]
                            if fourOctet {
                                out[o] = UInt8(truncatingIfNeeded: a >> 24)
                                out[o + 1] = UInt8(truncatingIfNeeded: a >> 16)
                                out[o + 2] = UInt8(truncatingIfNeeded: a >> 8)
                                out[o + 3] = UInt8(truncatingIfNeeded: a)
                            } else {
                                let b = a > 0xFFFF ? UInt16(ASPath.asTrans) : UInt16(a)
                                out[o] = UInt8(truncatingIfNeeded: b >> 8)
                                out[o + 1] = UInt8(truncatingIfNeeded: b)
                            }
                            o += width
                        }
                    }
                }
                i += n
            } while i < s.asns.count
        }
    }
}

// MARK: - AGGREGATOR

/// The AGGREGATOR attribute (RFC 4271 §5.1.7) and AS4_AGGREGATOR (RFC 6793 §3).
///
/// ```
/// +--------+--------+--------+---------------------+----------------------+
/// | 0xC0   | 7      | 6 or 8 | AS (2, or 4 octets) | IPv4 address (4)     |
/// +--------+--------+--------+---------------------+----------------------+
/// ```
/// AS4_AGGREGATOR (code 18) always has a 4-octet AS (length 8).
public struct Aggregator: Hashable, Sendable, CustomStringConvertible {
    /// The AS that formed the aggregate.
    public var asn: UInt32
    /// The BGP identifier / address of the aggregating speaker.
    public var address: IPv4Address

    public init(asn: UInt32, address: IPv4Address) {
        self.asn = asn
        self.address = address
    }

    public var description: String { "\(asn) \(address)" }
}
