import IPCore

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

extension IPPrefix {
    /// The address family this prefix belongs to (unicast).
    public var family: AddressFamily { switch self { case .v4: .ipv4Unicast; case .v6: .ipv6Unicast } }
}
