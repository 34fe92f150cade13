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

    /// The address family this prefix belongs to (unicast).
    public var family: AddressFamily { switch self { case .v4: .ipv4Unicast; case .v6: .ipv6Unicast } }

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

/// One NLRI entry: a prefix plus, when ADD-PATH (RFC 7911 §3) is in use for its family,
/// the path identifier that precedes it on the wire.
public struct NLRI: Hashable, Sendable, CustomStringConvertible {
    public var prefix: IPPrefix
    /// The RFC 7911 path identifier; nil when add-path is not negotiated for this direction.
    public var pathID: UInt32?

    public init(_ prefix: IPPrefix, pathID: UInt32? = nil) {
        self.prefix = prefix
        self.pathID = pathID
    }

    public var description: String {
        if let id = pathID { return "\(prefix) (path \(id))" }
        return prefix.description
    }
}
