/// A peer's prefix limit (RFC 4486 §4, Cease subcode 1 "Maximum Number of Prefixes
/// Reached"): `maxPrefixes: {limit, warningPercent, action, restartTime}`. The limit counts
/// the paths accepted from the peer into its Adj-RIB-In, each address family separately.
public struct MaxPrefixSettings: Hashable, Sendable {
    /// What happens when a family goes over the limit.
    public enum Action: String, Hashable, Sendable, CaseIterable {
        /// Cease 1, the peer's routes removed, the session started again after `restartTime`
        /// (doubling on each trip in a row, capped at ``MaxPrefixSettings/maxRestartDelay``).
        case restart
        /// Cease 1, the routes removed, and the session stays down until the next reload
        /// (SIGHUP, a datastore change).
        case disable
        /// A log line only; the session and its routes stay.
        case warn
    }

    /// The most restart back-off (1 hour), however many trips in a row.
    public static let maxRestartDelay = 3600

    /// Accepted paths per family allowed, 1...4294967295.
    public let limit: Int
    /// At this percentage of the limit a warning is logged (once until the count falls back), 1...100.
    public let warningPercent: Int
    public let action: Action
    /// Seconds before a `restart` session starts again, 1...65535.
    public let restartTime: Int

    /// Validated settings; errors name the field.
    public init(limit: Int, warningPercent: Int = 90, action: Action = .restart, restartTime: Int = 60) throws(ModelError) {
        guard (1...Int(UInt32.max)).contains(limit) else {
            throw ModelError(field: "limit", "limit \(limit) is out of range 1-4294967295", hint: "the most prefixes per family the peer may send, e.g. 1000")
        }
        guard (1...100).contains(warningPercent) else {
            throw ModelError(field: "warningPercent", "warningPercent \(warningPercent) is out of range 1-100", hint: "90 is usual")
        }
        guard (1...65535).contains(restartTime) else {
            throw ModelError(field: "restartTime", "restartTime \(restartTime) is out of range 1-65535 seconds", hint: "60 is usual")
        }
        self.limit = limit
        self.warningPercent = warningPercent
        self.action = action
        self.restartTime = restartTime
    }

    /// The count at which the warning is logged: ceil(limit × warningPercent / 100).
    public var warningThreshold: Int { (limit * warningPercent + 99) / 100 }
}
