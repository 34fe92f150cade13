/// An IPv4 prefix: address and length 0...32, host bits zero (RFC 4632 §3.1).
public struct IPv4Prefix: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The network address (host bits are always zero).
    public let address: IPv4Address
    /// Prefix length, 0...32.
    public let length: UInt8

    /// A prefix with host bits cleared; nil when `length` > 32.
    public init?(address: IPv4Address, length: UInt8) {
        guard length <= 32 else { return nil }
        self.address = IPv4Address(address.value & IPv4Prefix.mask(length))
        self.length = length
    }

    /// A prefix from an already masked value; the caller guarantees `length` <= 32 and no
    /// host bits (codecs use it on their hot path after checking both).
    public init(unchecked value: UInt32, length: UInt8) {
        self.address = IPv4Address(value)
        self.length = length
    }

    /// Parses "10.244.1.0/26". With `strict`, host bits set is an error (nil).
    public init?(_ text: some StringProtocol, strict: Bool = false) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let a = IPv4Address(parts[0]), parts[1].allSatisfy({ $0.isASCII && $0.isWholeNumber }),
              let l = UInt8(parts[1]), l <= 32 else { return nil }
        if strict && a.value & ~IPv4Prefix.mask(l) != 0 { return nil }
        self.init(address: a, length: l)
    }

    /// The netmask for `length` (0 for /0).
    public static func mask(_ length: UInt8) -> UInt32 {
        length == 0 ? 0 : UInt32.max << (32 - UInt32(length))
    }

    /// True when `other` lies inside this prefix.
    public func contains(_ other: IPv4Address) -> Bool {
        other.value & IPv4Prefix.mask(length) == address.value
    }

    public var description: String { "\(address)/\(length)" }

    public static func < (a: IPv4Prefix, b: IPv4Prefix) -> Bool {
        (a.address.value, a.length) < (b.address.value, b.length)
    }
}
