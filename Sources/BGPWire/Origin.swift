/// The ORIGIN attribute value (RFC 4271 §4.3 a, §5.1.1).
///
/// ```
/// +--------+--------+--------+--------+
/// | 0x40   | 1      | len=1  | value  |   value: 0 IGP, 1 EGP, 2 INCOMPLETE
/// +--------+--------+--------+--------+
/// ```
public enum Origin: UInt8, Hashable, Comparable, Sendable, CustomStringConvertible {
    /// Learned from an interior protocol.
    case igp = 0
    /// Learned via EGP.
    case egp = 1
    /// Learned some other way (redistribution).
    case incomplete = 2

    public var description: String {
        switch self {
        case .igp: "IGP"
        case .egp: "EGP"
        case .incomplete: "incomplete"
        }
    }

    public static func < (a: Origin, b: Origin) -> Bool { a.rawValue < b.rawValue }
}
