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

    /// Validated settings; each error names its field.
    public init(minimumRecvInterval: Int = 100, minimumSendInterval: Int = 100, multiplier: Int = 3,
                graceful: Bool = false) throws(ModelError) {
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
        self.graceful = graceful
    }

    /// "rx 100 ms, tx 100 ms, x3" (", graceful").
    public var description: String {
        "rx \(minimumRecvInterval) ms, tx \(minimumSendInterval) ms, x\(multiplier)\(graceful ? ", graceful" : "")"
    }
}
