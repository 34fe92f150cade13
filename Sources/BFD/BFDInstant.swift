/// A point on a monotonic clock, in nanoseconds since an arbitrary origin.
///
/// The BFD session never reads a clock: the driver passes the current instant with every
/// call. (A separate type from BGPSession's `Instant`, so a module importing both targets
/// has no ambiguity; the representation is the same, `BFDInstant(nanoseconds: i.nanoseconds)`.)
public struct BFDInstant: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// Nanoseconds since the clock's origin.
    public var nanoseconds: UInt64

    /// An instant `nanoseconds` after the origin.
    public init(nanoseconds: UInt64) { self.nanoseconds = nanoseconds }

    /// The origin.
    public static let zero = BFDInstant(nanoseconds: 0)

    /// An instant `us` microseconds after the origin (BFD's unit, RFC 5880 §4.1).
    public static func microseconds(_ us: UInt64) -> BFDInstant { BFDInstant(nanoseconds: us &* 1_000) }

    /// An instant `ms` milliseconds after the origin.
    public static func milliseconds(_ ms: UInt64) -> BFDInstant { BFDInstant(nanoseconds: ms &* 1_000_000) }

    /// An instant `s` seconds after the origin.
    public static func seconds(_ s: UInt64) -> BFDInstant { BFDInstant(nanoseconds: s &* 1_000_000_000) }

    /// This instant moved forward by `us` microseconds (saturating).
    public func adding(microseconds us: UInt64) -> BFDInstant {
        let (d, o1) = us.multipliedReportingOverflow(by: 1_000)
        let (sum, o2) = nanoseconds.addingReportingOverflow(d)
        return BFDInstant(nanoseconds: o1 || o2 ? .max : sum)
    }

    public static func < (a: BFDInstant, b: BFDInstant) -> Bool { a.nanoseconds < b.nanoseconds }

    /// "12.345s".
    public var description: String {
        let ms = nanoseconds / 1_000_000
        let frac = ms % 1000
        return "\(ms / 1000)." + (frac < 10 ? "00" : frac < 100 ? "0" : "") + "\(frac)s"
    }
}
