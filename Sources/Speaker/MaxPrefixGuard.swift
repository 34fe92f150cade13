import BGPWire
import IPCore
import Model

/// One peer's prefix limit (RFC 4486): counts in, what to do out. Pure: time is a parameter
/// (loop nanoseconds), so thresholds and back-off are tested with a manual clock.
///
/// - Each family's count of accepted paths is checked against the limit separately.
/// - At `warningPercent` of the limit a warning is due once; it is due again only after the
///   count fell back below the threshold.
/// - Over the limit: `warn` logs once per crossing; `restart` and `disable` trip: Cease 1
///   with the RFC 4486 §4 data, the peer's routes removed. `restart` starts again after
///   `restartTime`, doubled for each trip within ``MaxPrefixSettings/maxRestartDelay`` (1 hour)
///   of the previous restart, capped at that (1 hour); `disable` stays down until a reload.
public struct MaxPrefixGuard: Sendable, Hashable {
    /// What a check found for one family.
    public enum Verdict: Hashable, Sendable {
        /// At or over the warning threshold (first time since below it).
        case warning(IPFamily, count: Int)
        /// Over the limit with action `warn`: logged, nothing else.
        case overLimitWarnOnly(IPFamily, count: Int)
        /// Over the limit: end the session (``trip(family:now:)``).
        case exceeded(IPFamily, count: Int)
    }

    public let settings: MaxPrefixSettings
    /// Families whose warning was given (count still at or above the threshold).
    public private(set) var warned: Set<IPFamily> = []
    /// Families over the limit with action `warn` (logged once).
    public private(set) var overLimit: Set<IPFamily> = []
    /// The session was ended for too many prefixes and is not restarted yet.
    public private(set) var tripped = false
    /// The family that tripped it.
    public private(set) var trippedFamily: IPFamily?
    /// When a `restart` session starts again (loop nanoseconds); nil when not tripped or `disable`.
    public private(set) var restartAt: UInt64?
    /// Trips in a row (each within the cap of the previous one).
    public private(set) var consecutiveTrips = 0
    /// When the previous trip's session started again (its restart time; for `disable`, the trip).
    private var lastRestartAt: UInt64?

    public init(settings: MaxPrefixSettings) { self.settings = settings }

    /// Checks the accepted counts per family (after each UPDATE). Families not given count 0.
    public mutating func check(_ counts: [IPFamily: Int]) -> [Verdict] {
        guard !tripped else { return [] }
        var out: [Verdict] = []
        for family in [IPFamily.v4, .v6] {
            let n = counts[family] ?? 0
            if n > settings.limit {
                if settings.action == .warn {
                    if overLimit.insert(family).inserted { out.append(.overLimitWarnOnly(family, count: n)) }
                } else {
                    out.append(.exceeded(family, count: n))
                }
                continue
            }
            overLimit.remove(family)
            if n >= settings.warningThreshold {
                if warned.insert(family).inserted { out.append(.warning(family, count: n)) }
            } else {
                warned.remove(family)
            }
        }
        return out
    }

    /// The delay before the next restart, in seconds, for the trip about to happen at `now`.
    public func nextDelay(now: UInt64) -> Int {
        let n = tripsInARow(now: now)
        var delay = settings.restartTime
        for _ in 0..<min(n, 20) { delay = min(delay * 2, MaxPrefixSettings.maxRestartDelay) }
        return max(settings.restartTime, min(delay, MaxPrefixSettings.maxRestartDelay))
    }

    /// The session is ended for `family` at `now`; returns when to start again (nil: `disable`).
    @discardableResult
    public mutating func trip(family: IPFamily, now: UInt64) -> UInt64? {
        let delay = nextDelay(now: now)
        consecutiveTrips = tripsInARow(now: now) + 1
        tripped = true
        trippedFamily = family
        warned = []
        overLimit = []
        restartAt = settings.action == .restart ? now + UInt64(delay) * 1_000_000_000 : nil
        lastRestartAt = restartAt ?? now
        return restartAt
    }

    /// The trips in a row before one at `now`: those before count when this one comes within
    /// ``MaxPrefixSettings/maxRestartDelay`` of the previous restart; else none.
    private func tripsInARow(now: UInt64) -> Int {
        guard let last = lastRestartAt, now >= last, now - last < UInt64(MaxPrefixSettings.maxRestartDelay) * 1_000_000_000 else { return 0 }
        return consecutiveTrips
    }

    /// The session is started again (restart timer, or a reload for `disable`).
    public mutating func resume() {
        tripped = false
        trippedFamily = nil
        restartAt = nil
    }

    /// The NOTIFICATION for a trip: Cease, subcode 1, and the RFC 4486 §4 data: AFI (2
    /// octets), SAFI (1 octet), the upper bound (4 octets), network byte order.
    public static func notification(family: IPFamily, limit: Int) -> NotificationMessage {
        let f = AddressFamily.unicast(family)
        let bound = UInt32(clamping: limit)
        let data: [UInt8] = [UInt8(f.afi.rawValue >> 8), UInt8(f.afi.rawValue & 0xFF), f.safi.rawValue,
                             UInt8(bound >> 24), UInt8((bound >> 16) & 0xFF), UInt8((bound >> 8) & 0xFF), UInt8(bound & 0xFF)]
        return NotificationMessage(code: NotificationCode.cease, subcode: NotificationCode.Cease.maximumPrefixesReached, data: data)
    }
}
