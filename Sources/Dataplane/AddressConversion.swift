import BGPWire
import Netlink

/// Netlink's prefix type (bytes + length), the key of kernel state.
public typealias KernelPrefix = Netlink.IPPrefix
/// Netlink's address type (network-order bytes).
public typealias KernelAddress = Netlink.IPAddress

// MARK: - BGPWire <-> Netlink, at the boundary

extension Netlink.IPAddress {
    /// The same address as netlink bytes (4 or 16 octets: always a valid `IPAddress`).
    init(_ a: BGPWire.IPAddress) {
        let octets: [UInt8]
        switch a {
        case .v4(let x): octets = x.octets
        case .v6(let x): octets = x.octets
        }
        guard let made = Netlink.IPAddress(bytes: octets) else { preconditionFailure("4 or 16 octets") }
        self = made
    }

    /// The BGPWire form.
    var bgp: BGPWire.IPAddress? {
        if bytes.count == 4 {
            return .v4(IPv4Address(bytes.reduce(UInt32(0)) { $0 << 8 | UInt32($1) }))
        }
        return IPv6Address(octets: bytes).map { .v6($0) }
    }
}

extension Netlink.IPPrefix {
    /// The same prefix as netlink bytes and length (length is within range by construction).
    init(_ p: BGPWire.IPPrefix) {
        let address: Netlink.IPAddress
        let length: UInt8
        switch p {
        case .v4(let x): address = Netlink.IPAddress(.v4(x.address)); length = x.length
        case .v6(let x): address = Netlink.IPAddress(.v6(x.address)); length = x.length
        }
        guard let made = Netlink.IPPrefix(address, length: length) else { preconditionFailure("valid length") }
        self = made
    }

    /// The BGPWire form (host bits cleared).
    var bgp: BGPWire.IPPrefix? {
        switch address.bgp {
        case .v4(let a)?: return IPv4Prefix(address: a, length: length).map { .v4($0) }
        case .v6(let a)?: return IPv6Prefix(address: a, length: length).map { .v6($0) }
        case nil: return nil
        }
    }
}
