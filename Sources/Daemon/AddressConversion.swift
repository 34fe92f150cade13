import BGPWire
import EventLoop

extension SocketAddress {
    /// The socket address of `ip` at `port`.
    init(_ ip: IPAddress, port: UInt16) {
        switch ip {
        case .v4(let a): self = SocketAddress(bytes: a.octets, port: port)!
        case .v6(let a): self = SocketAddress(bytes: a.octets, port: port)!
        }
    }

    /// The address without the port, as BGPWire's value type.
    var ipAddress: IPAddress? {
        if bytes.count == 4 { return .v4(IPv4Address(UInt32(bytes[0]) << 24 | UInt32(bytes[1]) << 16 | UInt32(bytes[2]) << 8 | UInt32(bytes[3]))) }
        guard let v6 = IPv6Address(octets: bytes) else { return nil }
        // An IPv4 peer reaching an IPv6 listener shows up as ::ffff:a.b.c.d.
        if v6.high == 0, v6.low >> 32 == 0xFFFF { return .v4(IPv4Address(UInt32(truncatingIfNeeded: v6.low))) }
        return .v6(v6)
    }
}
