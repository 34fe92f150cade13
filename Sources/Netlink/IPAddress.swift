import Glibc

/// An address family as the kernel numbers it (`<sys/socket.h>` AF_*).
public struct AddressFamily: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }
    /// AF_UNSPEC (0): all families in a dump request.
    public static let unspec = AddressFamily(rawValue: 0)
    /// AF_INET (2).
    public static let v4 = AddressFamily(rawValue: UInt8(AF_INET))
    /// AF_INET6 (10).
    public static let v6 = AddressFamily(rawValue: UInt8(AF_INET6))
    /// AF_BRIDGE (7): bridge FDB entries in neighbour messages.
    public static let bridge = AddressFamily(rawValue: UInt8(AF_BRIDGE))
    public var description: String {
        switch self {
        case .v4: "inet"
        case .v6: "inet6"
        case .bridge: "bridge"
        case .unspec: "unspec"
        default: "af\(rawValue)"
        }
    }
}

/// An IPv4 or IPv6 address as network-order bytes (4 or 16 of them).
public struct IPAddress: Hashable, Sendable, CustomStringConvertible {
    /// The address in network byte order; 4 bytes for IPv4, 16 for IPv6.
    public let bytes: [UInt8]

    /// Wraps raw bytes; `nil` unless there are exactly 4 or 16.
    public init?(bytes: some Collection<UInt8>) {
        guard bytes.count == 4 || bytes.count == 16 else { return nil }
        self.bytes = Array(bytes)
    }

    /// Parses dotted-quad IPv4 or RFC 5952 IPv6 text with `inet_pton(3)`.
    public init?(_ text: String) {
        var buf = [UInt8](repeating: 0, count: 16)
        if text.contains(":") {
            guard inet_pton(AF_INET6, text, &buf) == 1 else { return nil }
            bytes = buf
        } else {
            guard inet_pton(AF_INET, text, &buf) == 1 else { return nil }
            bytes = Array(buf[0..<4])
        }
    }

    /// v4 or v6, from the byte count.
    public var family: AddressFamily { bytes.count == 4 ? .v4 : .v6 }

    /// Text form via `inet_ntop(3)`.
    public var description: String {
        var out = [CChar](repeating: 0, count: 64)
        let af = bytes.count == 4 ? AF_INET : AF_INET6
        let ok = bytes.withUnsafeBytes { inet_ntop(af, $0.baseAddress, &out, 64) } != nil
        guard ok else { return "?" }
        return String(decoding: out.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

/// An address with a prefix length: a route destination or an interface address.
public struct IPPrefix: Hashable, Sendable, CustomStringConvertible {
    /// The address bytes (not masked: the kernel rejects host bits on routes itself).
    public var address: IPAddress
    /// The prefix length, 0...32 or 0...128.
    public var length: UInt8

    /// A prefix; `nil` if the length exceeds the address size.
    public init?(_ address: IPAddress, length: UInt8) {
        guard Int(length) <= address.bytes.count * 8 else { return nil }
        self.address = address
        self.length = length
    }

    /// Parses `10.244.1.0/26` or `2001:db8::/64`; a bare address is a host prefix.
    public init?(_ text: String) {
        let parts = text.split(separator: "/", maxSplits: 1)
        guard let first = parts.first, let addr = IPAddress(String(first)) else { return nil }
        let len: UInt8
        if parts.count == 2 {
            guard let l = UInt8(parts[1]) else { return nil }
            len = l
        } else {
            len = UInt8(addr.bytes.count * 8)
        }
        self.init(addr, length: len)
    }

    /// v4 or v6.
    public var family: AddressFamily { address.family }

    public var description: String { "\(address)/\(length)" }
}

/// A link-layer address (MAC, or whatever the device type uses).
public struct HardwareAddress: Hashable, Sendable, CustomStringConvertible {
    /// Raw bytes, 6 for Ethernet.
    public var bytes: [UInt8]
    /// Wraps raw bytes.
    public init(bytes: [UInt8]) { self.bytes = bytes }
    /// Parses `ee:ee:ee:ee:ee:ee`.
    public init?(_ text: String) {
        var out: [UInt8] = []
        for part in text.split(separator: ":") {
            guard part.count <= 2, let b = UInt8(part, radix: 16) else { return nil }
            out.append(b)
        }
        guard !out.isEmpty else { return nil }
        bytes = out
    }
    public var description: String {
        bytes.map { b in let s = String(b, radix: 16); return s.count == 1 ? "0" + s : s }.joined(separator: ":")
    }
}
