/// A point on a monotonic clock, in nanoseconds since an arbitrary origin.
///
/// The session machine never reads a clock: the driver passes the current `Instant`
/// with every call (as OpenBGPD's timers take `now`). Tests use a manual clock.
public struct Instant: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// Nanoseconds since the clock's origin.
    public var nanoseconds: UInt64

    /// An instant `nanoseconds` after the origin.
    public init(nanoseconds: UInt64) { self.nanoseconds = nanoseconds }

    /// The origin.
    public static let zero = Instant(nanoseconds: 0)

    /// An instant `s` seconds after the origin.
    public static func seconds(_ s: UInt64) -> Instant { Instant(nanoseconds: s &* 1_000_000_000) }

    /// An instant `ms` milliseconds after the origin.
    public static func milliseconds(_ ms: UInt64) -> Instant { Instant(nanoseconds: ms &* 1_000_000) }

    /// This instant moved forward by `d` (saturating; negative durations move it back,
    /// never below the origin).
    public func advanced(by d: Duration) -> Instant {
        let n = d.nanoseconds
        if n >= 0 {
            let (sum, overflow) = nanoseconds.addingReportingOverflow(UInt64(n))
            return Instant(nanoseconds: overflow ? .max : sum)
        }
        let back = n.magnitude
        return Instant(nanoseconds: back > nanoseconds ? 0 : nanoseconds - back)
    }

    /// `a` moved forward by `d`.
    public static func + (a: Instant, d: Duration) -> Instant { a.advanced(by: d) }

    /// `a` moved back by `d` (never below the origin).
    public static func - (a: Instant, d: Duration) -> Instant { a.advanced(by: .zero - d) }

    /// Moves `a` forward by `d`.
    public static func += (a: inout Instant, d: Duration) { a = a.advanced(by: d) }

    /// The time from `b` to `a` (negative when `a` is earlier).
    public static func - (a: Instant, b: Instant) -> Duration {
        a >= b ? .nanoseconds(Int64(clamping: a.nanoseconds - b.nanoseconds))
               : .nanoseconds(-Int64(clamping: b.nanoseconds - a.nanoseconds))
    }

    public static func < (a: Instant, b: Instant) -> Bool { a.nanoseconds < b.nanoseconds }

    /// "12.345s".
    public var description: String {
        let ms = nanoseconds / 1_000_000
        let frac = ms % 1000
        return "\(ms / 1000)." + (frac < 10 ? "00" : frac < 100 ? "0" : "") + "\(frac)s"
    }
}

extension Duration {
    /// The duration in whole nanoseconds (saturating).
    var nanoseconds: Int64 {
        let (s, atto) = components
        let (ns, overflow) = s.multipliedReportingOverflow(by: 1_000_000_000)
        if overflow { return s < 0 ? .min : .max }
        return ns.addingReportingOverflow(atto / 1_000_000_000).overflow ? (s < 0 ? .min : .max) : ns + atto / 1_000_000_000
    }
}
