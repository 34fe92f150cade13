/// An IPv4 or IPv6 address: the one address type of every Tern target (BGP next hops,
/// kernel routes, neighbours, sockets, workloads).
public enum IPAddress: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// An IPv4 address (4 octets).
    case v4(IPv4Address)
    /// An IPv6 address (16 octets).
    case v6(IPv6Address)

    /// Parses dotted-quad IPv4 or RFC 4291 IPv6 text; nil for anything else (no host names,
    /// no zone suffix, no surrounding spaces).
    public init?(_ text: some StringProtocol) {
        if let a = IPv4Address(text) { self = .v4(a) }
        else if text.contains(":"), let a = IPv6Address(text) { self = .v6(a) }
        else { return nil }
    }

    /// An address from network-order octets: 4 make an IPv4 address, 16 an IPv6 address;
    /// nil for any other count.
    public init?(octets: some Collection<UInt8>) {
        switch octets.count {
        case 4: self = .v4(IPv4Address(octets.reduce(UInt32(0)) { $0 << 8 | UInt32($1) }))
        case 16:
            guard let a = IPv6Address(octets: Array(octets)) else { return nil }
            self = .v6(a)
        default: return nil
        }
    }

    /// The address family.
    public var family: IPFamily {
        switch self {
        case .v4: .v4
        case .v6: .v6
        }
    }

    /// The network-order octets (4 or 16).
    public var octets: [UInt8] {
        switch self {
        case .v4(let a): a.octets
        case .v6(let a): a.octets
        }
    }

    /// Appends the network-order octets to `bytes` without an intermediate array.
    public func appendOctets(to bytes: inout [UInt8]) {
        switch self {
        case .v4(let a):
            let v = a.value
            bytes.append(UInt8(truncatingIfNeeded: v >> 24)); bytes.append(UInt8(truncatingIfNeeded: v >> 16))
            bytes.append(UInt8(truncatingIfNeeded: v >> 8)); bytes.append(UInt8(truncatingIfNeeded: v))
        case .v6(let a):
            for i in 0..<8 { bytes.append(UInt8(truncatingIfNeeded: a.high >> (56 - 8 * UInt64(i)))) }
            for i in 0..<8 { bytes.append(UInt8(truncatingIfNeeded: a.low >> (56 - 8 * UInt64(i)))) }
        }
    }

    /// The all-zero address of its family (0.0.0.0 or ::).
    public var isUnspecified: Bool {
        switch self {
        case .v4(let a): a.value == 0
        case .v6(let a): a.high == 0 && a.low == 0
        }
    }

    /// 224.0.0.0/4 (RFC 5771) or ff00::/8 (RFC 4291 §2.7).
    public var isMulticast: Bool {
        switch self {
        case .v4(let a): a.value >> 28 == 0xE
        case .v6(let a): a.high >> 56 == 0xFF
        }
    }

    /// 127.0.0.0/8 (RFC 1122 §3.2.1.3) or ::1 (RFC 4291 §2.5.3).
    public var isLoopback: Bool {
        switch self {
        case .v4(let a): a.value >> 24 == 127
        case .v6(let a): a.high == 0 && a.low == 1
        }
    }

    /// Dotted-quad or RFC 5952 text.
    public var description: String {
        switch self {
        case .v4(let a): a.description
        case .v6(let a): a.description
        }
    }

    /// IPv4 sorts before IPv6; within a family, numerically.
    public static func < (a: IPAddress, b: IPAddress) -> Bool {
        switch (a, b) {
        case (.v4(let x), .v4(let y)): x < y
        case (.v6(let x), .v6(let y)): x < y
        case (.v4, .v6): true
        case (.v6, .v4): false
        }
    }
}

/// IPv4 or IPv6, without a wire or kernel numbering (BGPWire maps it to an AFI, Netlink to
/// AF_INET/AF_INET6).
public enum IPFamily: Hashable, Sendable, CustomStringConvertible {
    /// IPv4.
    case v4
    /// IPv6.
    case v6

    /// Address width in bits (32 or 128).
    public var bits: UInt8 { self == .v4 ? 32 : 128 }

    /// "IPv4" or "IPv6".
    public var description: String { self == .v4 ? "IPv4" : "IPv6" }
}
