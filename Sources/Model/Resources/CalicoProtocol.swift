/// A rule's `protocol` / `notProtocol` (Calico "Rule" reference: `TCP`, `UDP`, `ICMP`,
/// `ICMPv6`, `SCTP`, `UDPLite`, or a protocol number 1-255).
///
/// A number is kept as written: `.number(6)` is not equal to `.tcp`, but ``ianaNumber`` and
/// ``hasPorts`` treat them the same.
public enum CalicoProtocol: Sendable, Hashable, CustomStringConvertible {
    case tcp, udp, sctp, icmp, icmpv6, udplite
    /// Any other IP protocol, by its IANA number (1-255).
    case number(UInt8)

    /// The names Calico accepts, as it writes them (it also accepts them in lowercase).
    public static let names: [(String, CalicoProtocol)] = [
        ("TCP", .tcp), ("UDP", .udp), ("ICMP", .icmp), ("ICMPv6", .icmpv6), ("SCTP", .sctp), ("UDPLite", .udplite),
    ]

    /// The protocol named `name` (as Calico writes it, or in lowercase); nil for other text.
    public init?(name: String) {
        guard let p = CalicoProtocol.names.first(where: { $0.0 == name || $0.0.lowercased() == name })?.1 else { return nil }
        self = p
    }

    /// The IP protocol number (IANA "Protocol Numbers"): TCP 6, UDP 17, SCTP 132, ICMP 1, ICMPv6 58, UDPLite 136.
    public var ianaNumber: UInt8 {
        switch self {
        case .tcp: return 6
        case .udp: return 17
        case .sctp: return 132
        case .icmp: return 1
        case .icmpv6: return 58
        case .udplite: return 136
        case .number(let n): return n
        }
    }

    /// Whether ports may be given with it: TCP, UDP, SCTP, UDPLite (Calico's rule
    /// validation: ports are only valid with those), by name or by number.
    public var hasPorts: Bool { [6, 17, 132, 136].contains(ianaNumber) }

    /// The name Calico writes, or the number.
    public var description: String {
        if case .number(let n) = self { return String(n) }
        return CalicoProtocol.names.first { $0.1 == self }!.0
    }
}
