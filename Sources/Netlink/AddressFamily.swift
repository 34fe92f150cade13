import Glibc
import IPCore

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

extension AddressFamily {
    /// AF_INET or AF_INET6 for an IPCore family.
    public init(_ family: IPFamily) { self = family == .v4 ? .v4 : .v6 }

    /// The address width in bytes for AF_INET/AF_INET6 (4 or 16); nil for other families.
    var addressSize: Int? {
        switch self {
        case .v4: 4
        case .v6: 16
        default: nil
        }
    }
}

extension IPAddress {
    /// AF_INET or AF_INET6.
    public var kernelFamily: AddressFamily { AddressFamily(family) }
}

extension IPPrefix {
    /// AF_INET or AF_INET6.
    public var kernelFamily: AddressFamily { AddressFamily(ipFamily) }
}

extension InterfaceAddress {
    /// AF_INET or AF_INET6.
    public var kernelFamily: AddressFamily { AddressFamily(family) }
}

/// A link-layer address (MAC, or whatever the device type uses).
public struct HardwareAddress: Hashable, Sendable, CustomStringConvertible {
    /// Raw bytes, 6 for Ethernet.
    public var bytes: [UInt8]
    /// Wraps raw bytes.
    public init(bytes: [UInt8]) { self.bytes = bytes }
    /// The link-layer address of an Ethernet-like device.
    public init(_ mac: MACAddress) { bytes = mac.octets }

    /// The same bytes as a MAC address when there are exactly six.
    public var mac: MACAddress? { MACAddress(octets: bytes) }

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
