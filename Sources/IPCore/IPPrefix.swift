/// An IPv4 or IPv6 prefix.
public enum IPPrefix: Hashable, Comparable, Sendable, CustomStringConvertible {
    case v4(IPv4Prefix)
    case v6(IPv6Prefix)

    /// Parses either family's CIDR text.
    public init?(_ text: some StringProtocol, strict: Bool = false) {
        if let p = IPv4Prefix(text, strict: strict) { self = .v4(p) }
        else if let p = IPv6Prefix(text, strict: strict) { self = .v6(p) }
        else { return nil }
    }

    /// The prefix length.
    public var length: UInt8 {
        switch self {
        case .v4(let p): p.length
        case .v6(let p): p.length
        }
    }

    /// True when `other` lies inside this prefix: same family, at least as long, same
    /// leading `length` bits (a prefix contains itself).
    public func contains(_ other: IPPrefix) -> Bool {
        switch (self, other) {
        case (.v4(let o), .v4(let i)): i.length >= o.length && o.contains(i.address)
        case (.v6(let o), .v6(let i)): i.length >= o.length && IPv6Prefix(address: i.address, length: o.length) == o
        default: false
        }
    }

    public var description: String {
        switch self {
        case .v4(let p): p.description
        case .v6(let p): p.description
        }
    }

    public static func < (a: IPPrefix, b: IPPrefix) -> Bool {
        switch (a, b) {
        case (.v4(let x), .v4(let y)): x < y
        case (.v6(let x), .v6(let y)): x < y
        case (.v4, .v6): true
        case (.v6, .v4): false
        }
    }
}

// MARK: - Address view

extension IPPrefix {
    /// The prefix `address/length` with host bits cleared; nil when `length` exceeds the
    /// family's width.
    public init?(address: IPAddress, length: UInt8) {
        switch address {
        case .v4(let a):
            guard let p = IPv4Prefix(address: a, length: length) else { return nil }
            self = .v4(p)
        case .v6(let a):
            guard let p = IPv6Prefix(address: a, length: length) else { return nil }
            self = .v6(p)
        }
    }

    /// The host prefix of `address` (/32 or /128).
    public static func host(_ address: IPAddress) -> IPPrefix {
        switch address {
        case .v4(let a): .v4(IPv4Prefix(unchecked: a.value, length: 32))
        case .v6(let a): .v6(IPv6Prefix(address: a, length: 128)!)   // 128 is always valid
        }
    }

    /// The network address (host bits zero).
    public var address: IPAddress {
        switch self {
        case .v4(let p): .v4(p.address)
        case .v6(let p): .v6(p.address)
        }
    }

    /// The address family.
    public var ipFamily: IPFamily {
        switch self {
        case .v4: .v4
        case .v6: .v6
        }
    }

    /// True for a /32 or /128.
    public var isHost: Bool { length == ipFamily.bits }

    /// True when `address` lies inside this prefix (same family, same leading bits).
    public func contains(address: IPAddress) -> Bool { contains(.host(address)) }
}

// MARK: - Sub-prefixes

extension IPPrefix {
    /// The `index`-th prefix of `length` inside this one, in address order (the blocks of a
    /// pool: `10.244.0.0/16`'s sub-prefix 1 of length 26 is `10.244.0.64/26`); nil when
    /// `length` is shorter than this prefix, longer than the family, or `index` is past the end.
    public func subprefix(index: Int, length sub: UInt8) -> IPPrefix? {
        guard sub >= length, sub <= ipFamily.bits, index >= 0 else { return nil }
        let bits = Int(sub - length)
        if bits < 63, index >= 1 << bits { return nil }
        switch self {
        case .v4(let p):
            let value = p.address.value | UInt32(truncatingIfNeeded: index) << (32 - UInt32(sub))
            return sub == 0 ? .v4(p) : .v4(IPv4Prefix(unchecked: value, length: sub))
        case .v6(let p):
            // The index lands in the bits just before `sub` (128 - sub from the right).
            let shift = 128 - Int(sub)
            var high = p.address.high, low = p.address.low
            let i = UInt64(index)
            if shift >= 64 { high |= i << UInt64(shift - 64) } else {
                low |= i << UInt64(shift)
                if shift > 0 { high |= i >> UInt64(64 - shift) }
            }
            return IPPrefix(address: .v6(IPv6Address(high: high, low: low)), length: sub)
        }
    }
}
