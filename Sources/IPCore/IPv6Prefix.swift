/// An IPv6 prefix: address and length 0...128, host bits zero.
public struct IPv6Prefix: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The network address (host bits always zero).
    public let address: IPv6Address
    /// Prefix length, 0...128.
    public let length: UInt8

    /// A prefix with host bits cleared; nil when `length` > 128.
    public init?(address: IPv6Address, length: UInt8) {
        guard length <= 128 else { return nil }
        let (mh, ml) = IPv6Prefix.mask(length)
        self.address = IPv6Address(high: address.high & mh, low: address.low & ml)
        self.length = length
    }

    /// Parses "2001:db8::/32". With `strict`, host bits set is an error (nil).
    public init?(_ text: some StringProtocol, strict: Bool = false) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let a = IPv6Address(parts[0]), parts[1].allSatisfy({ $0.isASCII && $0.isWholeNumber }),
              let l = UInt8(parts[1]), l <= 128 else { return nil }
        let (mh, ml) = IPv6Prefix.mask(l)
        if strict && (a.high & ~mh != 0 || a.low & ~ml != 0) { return nil }
        self.init(address: a, length: l)
    }

    /// The netmask halves for `length`.
    public static func mask(_ length: UInt8) -> (UInt64, UInt64) {
        let l = Int(length)
        let h: UInt64 = l == 0 ? 0 : (l >= 64 ? .max : UInt64.max << UInt64(64 - l))
        let lo: UInt64 = l <= 64 ? 0 : (l >= 128 ? .max : UInt64.max << UInt64(128 - l))
        return (h, lo)
    }

    public var description: String { "\(address)/\(length)" }

    public static func < (a: IPv6Prefix, b: IPv6Prefix) -> Bool {
        (a.address, a.length) < (b.address, b.length)
    }
}
