/// The reverse-path filter a workload interface gets (`net.ipv4.conf.<if>.rp_filter`,
/// Documentation/networking/ip-sysctl.rst): Calico copies the host's default.
public enum RPFilter: Hashable, Sendable, CustomStringConvertible {
    /// Copy `net.ipv4.conf.default.rp_filter` (Calico's behaviour).
    case copy
    /// 0 (off), 1 (strict, RFC 3704) or 2 (loose).
    case value(UInt8)

    /// The spellings accepted: `copy`, `0`, `1`, `2`.
    public static let spellings = ["copy", "0", "1", "2"]

    /// Parses `copy`, `0`, `1` or `2`.
    public init(_ text: String) throws(ModelError) {
        switch text {
        case "copy": self = .copy
        case "0", "1", "2": self = .value(UInt8(text)!)
        default:
            throw ModelError(field: "rpFilter", "\"\(text)\" is not an rp_filter setting (copy|0|1|2)",
                             hint: "copy (net.ipv4.conf.default.rp_filter), 0 (off), 1 (strict) or 2 (loose)")
        }
    }

    /// `copy`, or the number.
    public var description: String {
        switch self {
        case .copy: "copy"
        case .value(let v): "\(v)"
        }
    }
}
