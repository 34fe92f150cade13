/// An address assigned to an interface with its prefix length, host bits kept
/// (`10.0.0.1/24`, as `ip addr` shows it): unlike ``IPPrefix`` it names one address *and*
/// the subnet it sits in.
public struct InterfaceAddress: Hashable, Sendable, CustomStringConvertible {
    /// The address itself.
    public let address: IPAddress
    /// The prefix length of the subnet, 0...32 or 0...128.
    public let length: UInt8

    /// `address/length`; nil when `length` exceeds the family's width.
    public init?(_ address: IPAddress, length: UInt8) {
        guard length <= address.family.bits else { return nil }
        self.address = address
        self.length = length
    }

    /// Parses `10.0.0.1/24`; a bare address is a host address (/32 or /128).
    public init?(_ text: some StringProtocol) {
        let parts = text.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        guard let first = parts.first, let a = IPAddress(first) else { return nil }
        if parts.count == 2 {
            guard parts[1].allSatisfy({ $0.isASCII && $0.isWholeNumber }), let l = UInt8(parts[1]) else { return nil }
            self.init(a, length: l)
        } else {
            self.init(a, length: a.family.bits)
        }
    }

    /// The subnet (host bits cleared).
    public var subnet: IPPrefix {
        // `length` was checked against the family's width in every initialiser.
        IPPrefix(address: address, length: length) ?? .host(address)
    }

    /// The address family.
    public var family: IPFamily { address.family }

    /// `address/length`.
    public var description: String { "\(address)/\(length)" }
}
