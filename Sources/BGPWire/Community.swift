import IPCore
/// One RFC 1997 community: a 32-bit value, conventionally `AS:value`.
///
/// ```
/// COMMUNITIES attribute (optional transitive, code 8):
/// +--------+--------+--------+-----------------------------------------+
/// | 0xC0   | 8      | 4 x n  | community (4 octets) ...                |
/// +--------+--------+--------+-----------------------------------------+
/// ```
public struct Community: RawRepresentable, Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The 32-bit value (high 16 bits: AS, low 16 bits: value).
    public var rawValue: UInt32

    public init(rawValue: UInt32) { self.rawValue = rawValue }
    /// `asn:value`.
    public init(asn: UInt16, value: UInt16) { rawValue = UInt32(asn) << 16 | UInt32(value) }

    /// The high 16 bits.
    public var asn: UInt16 { UInt16(truncatingIfNeeded: rawValue >> 16) }
    /// The low 16 bits.
    public var value: UInt16 { UInt16(truncatingIfNeeded: rawValue) }

    /// NO_EXPORT (RFC 1997).
    public static let noExport = Community(rawValue: 0xFFFF_FF01)
    /// NO_ADVERTISE (RFC 1997).
    public static let noAdvertise = Community(rawValue: 0xFFFF_FF02)
    /// NO_EXPORT_SUBCONFED (RFC 1997).
    public static let noExportSubconfed = Community(rawValue: 0xFFFF_FF03)
    /// NOPEER (RFC 3765).
    public static let noPeer = Community(rawValue: 0xFFFF_FF04)
    /// GRACEFUL_SHUTDOWN (RFC 8326).
    public static let gracefulShutdown = Community(rawValue: 0xFFFF_0000)
    /// ACCEPT_OWN (RFC 7611).
    public static let acceptOwn = Community(rawValue: 0xFFFF_0001)
    /// LLGR_STALE (RFC 9494).
    public static let llgrStale = Community(rawValue: 0xFFFF_0006)
    /// NO_LLGR (RFC 9494).
    public static let noLLGR = Community(rawValue: 0xFFFF_0007)
    /// BLACKHOLE (RFC 7999).
    public static let blackhole = Community(rawValue: 0xFFFF_029A)

    /// The well-known name, if this is a well-known community.
    public var wellKnownName: String? {
        switch self {
        case .noExport: "NO_EXPORT"
        case .noAdvertise: "NO_ADVERTISE"
        case .noExportSubconfed: "NO_EXPORT_SUBCONFED"
        case .noPeer: "NOPEER"
        case .gracefulShutdown: "GRACEFUL_SHUTDOWN"
        case .acceptOwn: "ACCEPT_OWN"
        case .llgrStale: "LLGR_STALE"
        case .noLLGR: "NO_LLGR"
        case .blackhole: "BLACKHOLE"
        default: nil
        }
    }

    /// "65000:100", or the well-known name ("NO_EXPORT").
    public var description: String { wellKnownName ?? "\(asn):\(value)" }

    public static func < (a: Community, b: Community) -> Bool { a.rawValue < b.rawValue }
}

// MARK: - Large communities (RFC 8092)

/// One RFC 8092 large community: three 32-bit fields.
///
/// ```
/// LARGE_COMMUNITY attribute (optional transitive, code 32):
/// +--------+--------+--------+------------------------------------------+
/// | 0xC0   | 32     | 12 x n | Global Administrator (4) | Local Data 1 (4) | Local Data 2 (4) | ...
/// +--------+--------+--------+------------------------------------------+
/// ```
public struct LargeCommunity: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// Global Administrator (an ASN).
    public var global: UInt32
    /// Local Data Part 1.
    public var local1: UInt32
    /// Local Data Part 2.
    public var local2: UInt32

    public init(global: UInt32, local1: UInt32, local2: UInt32) {
        self.global = global
        self.local1 = local1
        self.local2 = local2
    }

    /// "4200000000:1:2".
    public var description: String { "\(global):\(local1):\(local2)" }

    public static func < (a: LargeCommunity, b: LargeCommunity) -> Bool {
        (a.global, a.local1, a.local2) < (b.global, b.local1, b.local2)
    }
}

// MARK: - Extended communities (RFC 4360, RFC 5668)

/// One RFC 4360 extended community: 8 octets, type (and for most types a sub-type) first.
///
/// ```
///  0                   1                   2                   3
///  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |  Type high    |  Type low(*)  |                               |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+          Value                |
/// |                                                               |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// ```
/// EXTENDED COMMUNITIES attribute: optional transitive, code 16, length 8 x n.
public struct ExtendedCommunity: RawRepresentable, Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The 8 octets as a big-endian integer.
    public var rawValue: UInt64

    public init(rawValue: UInt64) { self.rawValue = rawValue }

    /// Type high octet: 0x00 2-octet AS specific, 0x01 IPv4 address specific,
    /// 0x02 4-octet AS specific (RFC 5668); bit 0x40 set means non-transitive.
    public var type: UInt8 { UInt8(truncatingIfNeeded: rawValue >> 56) }
    /// Sub-type octet: 0x02 route target, 0x03 route origin.
    public var subtype: UInt8 { UInt8(truncatingIfNeeded: rawValue >> 48) }

    /// Sub-type of a route target (RFC 4360 §4).
    public static let routeTargetSubtype: UInt8 = 0x02
    /// Sub-type of a route origin (RFC 4360 §5).
    public static let routeOriginSubtype: UInt8 = 0x03

    /// A route target / origin with a 2-octet AS global administrator (type 0x00).
    public static func twoOctetAS(subtype: UInt8, asn: UInt16, local: UInt32) -> ExtendedCommunity {
        ExtendedCommunity(rawValue: UInt64(subtype) << 48 | UInt64(asn) << 32 | UInt64(local))
    }
    /// A route target / origin with an IPv4 address global administrator (type 0x01).
    public static func ipv4Address(subtype: UInt8, address: IPv4Address, local: UInt16) -> ExtendedCommunity {
        ExtendedCommunity(rawValue: 0x01 << 56 | UInt64(subtype) << 48 | UInt64(address.value) << 16 | UInt64(local))
    }
    /// A route target / origin with a 4-octet AS global administrator (type 0x02, RFC 5668).
    public static func fourOctetAS(subtype: UInt8, asn: UInt32, local: UInt16) -> ExtendedCommunity {
        ExtendedCommunity(rawValue: 0x02 << 56 | UInt64(subtype) << 48 | UInt64(asn) << 16 | UInt64(local))
    }

    /// "rt:65000:100", "ro:192.0.2.1:7", "rt:4200000000:5"; otherwise "0xTTSS:<value hex>".
    public var description: String {
        let kind: String? = switch subtype {
        case Self.routeTargetSubtype: "rt"
        case Self.routeOriginSubtype: "ro"
        default: nil
        }
        if let kind {
            switch type & ~0x40 {
            case 0x00: return "\(kind):\(UInt16(truncatingIfNeeded: rawValue >> 32)):\(UInt32(truncatingIfNeeded: rawValue))"
            case 0x01: return "\(kind):\(IPv4Address(UInt32(truncatingIfNeeded: rawValue >> 16))):\(UInt16(truncatingIfNeeded: rawValue))"
            case 0x02: return "\(kind):\(UInt32(truncatingIfNeeded: rawValue >> 16)):\(UInt16(truncatingIfNeeded: rawValue))"
            default: break
            }
        }
        let v = rawValue & 0x0000_FFFF_FFFF_FFFF
        let hex = String(v, radix: 16)
        let tt = String(UInt16(truncatingIfNeeded: rawValue >> 48), radix: 16)
        return "0x\(String(repeating: "0", count: 4 - tt.count))\(tt):\(String(repeating: "0", count: 12 - hex.count))\(hex)"
    }

    public static func < (a: ExtendedCommunity, b: ExtendedCommunity) -> Bool { a.rawValue < b.rawValue }
}
