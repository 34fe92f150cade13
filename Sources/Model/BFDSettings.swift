/// BFD for one BGP neighbour (RFC 5880, RFC 5881 single hop): the timers we offer and what
/// a BFD failure does to the BGP session. Written per peer as
/// `bfd: {enabled: true, minimumRecvInterval: 100, minimumSendInterval: 100, multiplier: 3, graceful: false}`
/// and for the mesh as `nodeMeshBFD` (BIRD's `bfd` options: `min rx interval`,
/// `min tx interval`, `multiplier`, `bfd graceful`). Intervals are milliseconds.
public struct BFDSettings: Hashable, Sendable, CustomStringConvertible {
    /// The range of both intervals, in milliseconds (1 ms to 1 h; BIRD accepts the same).
    public static let intervalRange = 1...3_600_000
    /// The range of ``multiplier`` (RFC 5880 §4.1: Detect Mult is a nonzero octet).
    public static let multiplierRange = 1...255

    /// Required Min RX Interval (ms): the fastest we accept the peer's packets.
    public let minimumRecvInterval: Int
    /// Desired Min TX Interval (ms): the fastest we want to send while Up (RFC 5880 §6.8.3:
    /// at least 1 s while not Up).
    public let minimumSendInterval: Int
    /// Detect Mult: packets the peer may miss before it declares us down.
    public let multiplier: Int
    /// BFD Down is taken as a graceful restart (routes kept stale, RFC 4724) instead of an
    /// immediate withdrawal, as BIRD's `bfd graceful`.
    public let graceful: Bool
    /// RFC 5883 multihop (UDP 4784, any TTL unless ``minimumTTL``): true or false as
    /// written; nil = automatic, multihop when the peer has `ebgpMultihop` > 1 (as BIRD's
    /// `bfd` on a `multihop` BGP session).
    public let multihop: Bool?
    /// Multihop only: the least TTL / hop limit a received packet may carry (RFC 5883 §5);
    /// nil accepts any (BIRD and FRR's `minimum-ttl 1`).
    public let minimumTTL: Int?
    /// RFC 5880 §6.7.4 keyed SHA1 authentication, nil for none.
    public let authentication: BFDAuthenticationSettings?

    /// Validated settings; each error names its field.
    public init(minimumRecvInterval: Int = 100, minimumSendInterval: Int = 100, multiplier: Int = 3,
                graceful: Bool = false, multihop: Bool? = nil, minimumTTL: Int? = nil,
                authentication: BFDAuthenticationSettings? = nil) throws(ModelError) {
        for (field, v) in [("minimumRecvInterval", minimumRecvInterval), ("minimumSendInterval", minimumSendInterval)]
        where !BFDSettings.intervalRange.contains(v) {
            throw ModelError(field: field, "\(v) ms is out of range 1-3600000 ms", hint: "100 is usual (with multiplier 3: 300 ms detection)")
        }
        guard BFDSettings.multiplierRange.contains(multiplier) else {
            throw ModelError(field: "multiplier", "multiplier \(multiplier) is out of range 1-255", hint: "3 is usual")
        }
        self.minimumRecvInterval = minimumRecvInterval
        self.minimumSendInterval = minimumSendInterval
        self.multiplier = multiplier
        if let t = minimumTTL, !(1...255).contains(t) {
            throw ModelError(field: "minimumTTL", "minimumTTL \(t) is out of range 1-255", hint: "255 - hops + 1: 254 for a peer two hops away")
        }
        if minimumTTL != nil && multihop == false {
            throw ModelError(field: "minimumTTL", "minimumTTL is for multihop BFD only", hint: "single hop BFD accepts TTL 255 only (RFC 5881 §5); remove minimumTTL or set multihop: true")
        }
        self.graceful = graceful
        self.multihop = multihop
        self.minimumTTL = minimumTTL
        self.authentication = authentication
    }

    /// Whether the session is multihop for a peer with this `ebgpMultihop`.
    public func isMultihop(ebgpMultihop: UInt8?) -> Bool { multihop ?? ((ebgpMultihop ?? 1) > 1) }

    /// "rx 100 ms, tx 100 ms, x3" (", graceful").
    public var description: String {
        "rx \(minimumRecvInterval) ms, tx \(minimumSendInterval) ms, x\(multiplier)\(graceful ? ", graceful" : "")"
            + (multihop == true ? ", multihop" : "") + (minimumTTL.map { ", min TTL \($0)" } ?? "")
            + (authentication.map { ", \($0.type.rawValue) key \($0.keyID)" } ?? "")
    }
}

/// BFD authentication for one session (RFC 5880 §6.7.4): the SHA1 forms only.
/// Written as `authentication: {type: keyed-sha1 | meticulous-keyed-sha1, keyID: N, keyFile: PATH}`.
public struct BFDAuthenticationSettings: Hashable, Sendable {
    /// Auth Type 4 or 5.
    public enum AuthType: String, Hashable, Sendable, CaseIterable {
        case keyedSHA1 = "keyed-sha1"
        case meticulousKeyedSHA1 = "meticulous-keyed-sha1"
    }

    /// RFC 5880 §4.4: a SHA1 key is at most 20 bytes.
    public static let maxKeyLength = 20

    public let type: AuthType
    /// Auth Key ID (0-255).
    public let keyID: UInt8
    /// The key: 1-20 bytes.
    public let key: [UInt8]

    public init(type: AuthType, keyID: Int = 1, key: [UInt8]) throws(ModelError) {
        guard (0...255).contains(keyID) else {
            throw ModelError(field: "keyID", "keyID \(keyID) is out of range 0-255", hint: "the peer's Auth Key ID, often 1")
        }
        guard (1...Self.maxKeyLength).contains(key.count) else {
            throw ModelError(field: "keyFile", "a BFD SHA1 key of \(key.count) bytes; it must be 1-20 (RFC 5880 §4.4)", hint: "write a key of at most 20 bytes into the file")
        }
        self.type = type
        self.keyID = UInt8(keyID)
        self.key = key
    }
}
