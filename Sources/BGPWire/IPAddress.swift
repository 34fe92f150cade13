/// An IPv4 or IPv6 address, as carried in an MP_REACH_NLRI next hop (RFC 4760 §3).
public enum IPAddress: Hashable, Sendable, CustomStringConvertible {
    /// An IPv4 address (4 octets on the wire).
    case v4(IPv4Address)
    /// An IPv6 address (16 octets on the wire).
    case v6(IPv6Address)

    /// Dotted-quad or RFC 5952 text.
    public var description: String {
        switch self {
        case .v4(let a): a.description
        case .v6(let a): a.description
        }
    }

    /// Octets this address takes on the wire (4 or 16).
    public var wireSize: Int {
        switch self {
        case .v4: 4
        case .v6: 16
        }
    }

    /// Appends the address in network order.
    func encode(into w: inout ByteWriter) {
        switch self {
        case .v4(let a): w.writeUInt32(a.value)
        case .v6(let a):
            w.writeUInt64(a.high)
            w.writeUInt64(a.low)
        }
    }
}
