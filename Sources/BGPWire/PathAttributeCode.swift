// MARK: - Attribute flags (RFC 4271 §4.3)

/// The bits of the Attribute Flags octet (RFC 4271 §4.3).
///
/// ```
///  0                   1
///  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |  Attr. Flags  |Attr. Type Code|
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
///  O T P E 0 0 0 0
/// ```
public enum AttributeFlags {
    /// O: the attribute is optional (0 = well-known).
    public static let optional: UInt8 = 0x80
    /// T: the attribute is transitive (always 1 for well-known).
    public static let transitive: UInt8 = 0x40
    /// P: some speaker on the path did not recognise this optional transitive attribute.
    public static let partial: UInt8 = 0x20
    /// E: the length field is two octets instead of one.
    public static let extendedLength: UInt8 = 0x10

    /// The two bits that define an attribute's category (RFC 7606 §3 c checks these).
    public static let categoryMask: UInt8 = optional | transitive
    /// Well-known (mandatory or discretionary): optional 0, transitive 1.
    public static let wellKnown: UInt8 = transitive
    /// Optional transitive.
    public static let optionalTransitive: UInt8 = optional | transitive
    /// Optional non-transitive.
    public static let optionalNonTransitive: UInt8 = optional
}

// MARK: - Attribute type codes (IANA "BGP Path Attributes")

/// Path attribute type codes that Tern knows by name.
public enum AttributeCode {
    /// ORIGIN, RFC 4271 §5.1.1.
    public static let origin: UInt8 = 1
    /// AS_PATH, RFC 4271 §5.1.2.
    public static let asPath: UInt8 = 2
    /// NEXT_HOP, RFC 4271 §5.1.3.
    public static let nextHop: UInt8 = 3
    /// MULTI_EXIT_DISC, RFC 4271 §5.1.4.
    public static let multiExitDisc: UInt8 = 4
    /// LOCAL_PREF, RFC 4271 §5.1.5.
    public static let localPref: UInt8 = 5
    /// ATOMIC_AGGREGATE, RFC 4271 §5.1.6.
    public static let atomicAggregate: UInt8 = 6
    /// AGGREGATOR, RFC 4271 §5.1.7.
    public static let aggregator: UInt8 = 7
    /// COMMUNITIES, RFC 1997.
    public static let communities: UInt8 = 8
    /// ORIGINATOR_ID, RFC 4456 §8.
    public static let originatorID: UInt8 = 9
    /// CLUSTER_LIST, RFC 4456 §8.
    public static let clusterList: UInt8 = 10
    /// MP_REACH_NLRI, RFC 4760 §3.
    public static let mpReachNLRI: UInt8 = 14
    /// MP_UNREACH_NLRI, RFC 4760 §4.
    public static let mpUnreachNLRI: UInt8 = 15
    /// EXTENDED COMMUNITIES, RFC 4360.
    public static let extendedCommunities: UInt8 = 16
    /// AS4_PATH, RFC 6793.
    public static let as4Path: UInt8 = 17
    /// AS4_AGGREGATOR, RFC 6793.
    public static let as4Aggregator: UInt8 = 18
    /// Tunnel Encapsulation, RFC 9012 (not decoded by Tern: carried opaque).
    public static let tunnelEncapsulation: UInt8 = 23
    /// LARGE_COMMUNITY, RFC 8092.
    public static let largeCommunities: UInt8 = 32
    /// BGP Prefix-SID, RFC 8669 (not decoded by Tern: carried opaque).
    public static let prefixSID: UInt8 = 40

    /// The RFC name of `code` ("AS_PATH"), or "attribute N".
    public static func name(_ code: UInt8) -> String {
        switch code {
        case origin: "ORIGIN"
        case asPath: "AS_PATH"
        case nextHop: "NEXT_HOP"
        case multiExitDisc: "MULTI_EXIT_DISC"
        case localPref: "LOCAL_PREF"
        case atomicAggregate: "ATOMIC_AGGREGATE"
        case aggregator: "AGGREGATOR"
        case communities: "COMMUNITIES"
        case originatorID: "ORIGINATOR_ID"
        case clusterList: "CLUSTER_LIST"
        case mpReachNLRI: "MP_REACH_NLRI"
        case mpUnreachNLRI: "MP_UNREACH_NLRI"
        case extendedCommunities: "EXTENDED_COMMUNITIES"
        case as4Path: "AS4_PATH"
        case as4Aggregator: "AS4_AGGREGATOR"
        case tunnelEncapsulation: "TUNNEL_ENCAPSULATION"
        case largeCommunities: "LARGE_COMMUNITY"
        case prefixSID: "PREFIX_SID"
        default: "attribute \(code)"
        }
    }
}

// MARK: - Unrecognised attributes

/// A path attribute Tern does not decode, kept as its flags, type code and value bytes.
///
/// ```
/// +---------------------------+---------------------------+-----------------+
/// | Attr. Flags (1) | Code (1)| Length (1, or 2 if E set) | Value (Length)  |
/// +---------------------------+---------------------------+-----------------+
/// ```
/// Only optional transitive attributes are kept (RFC 4271 §5, §9): they are passed on with
/// the Partial bit set when re-encoded.
public struct RawAttribute: Hashable, Sendable, CustomStringConvertible {
    /// The flags as received, without the extended-length bit (framing, recomputed on encode).
    public var flags: UInt8
    /// The attribute type code.
    public var code: UInt8
    /// The value bytes.
    public var value: [UInt8]

    public init(flags: UInt8, code: UInt8, value: [UInt8]) {
        self.flags = flags
        self.code = code
        self.value = value
    }

    public var description: String { "\(AttributeCode.name(code)) flags 0x\(String(flags, radix: 16)) \(value.count) bytes" }
}
