/// The value of the ADD-PATH capability, code 69 (RFC 7911 §4).
///
/// ```
/// +------------------------------------------------+
/// | Address Family Identifier (2 octets)           |
/// +------------------------------------------------+
/// | Subsequent Address Family Identifier (1 octet) |
/// +------------------------------------------------+
/// | Send/Receive (1 octet)                         |
/// +------------------------------------------------+
/// | ... repeated per family                        |
/// ```
/// Send/Receive: 1 = receive, 2 = send, 3 = both. RFC 7911 §4 says a capability with any
/// other Send/Receive value "SHOULD be treated as not understood and ignored": Tern
/// then keeps the whole capability as ``Capability/unknown(code:value:)``.
public enum AddPathCapability {
    /// Which way path identifiers may flow for a family, from the advertiser's side.
    public enum Direction: UInt8, Hashable, Sendable, CustomStringConvertible {
        /// The advertiser can receive multiple paths (1).
        case receive = 1
        /// The advertiser can send multiple paths (2).
        case send = 2
        /// Both (3).
        case both = 3

        /// True for ``send`` and ``both``.
        public var canSend: Bool { self != .receive }
        /// True for ``receive`` and ``both``.
        public var canReceive: Bool { self != .send }

        /// "receive", "send" or "send/receive".
        public var description: String {
            switch self {
            case .receive: "receive"
            case .send: "send"
            case .both: "send/receive"
            }
        }
    }

    /// One (AFI, SAFI, Send/Receive) tuple.
    public struct Entry: Hashable, Sendable, CustomStringConvertible {
        /// The address family.
        public var family: AddressFamily
        /// What the advertiser can do for `family`.
        public var direction: Direction

        /// An entry for `family`.
        public init(_ family: AddressFamily, _ direction: Direction) {
            self.family = family
            self.direction = direction
        }

        /// "ipv4-unicast send/receive".
        public var description: String { "\(family) \(direction)" }
    }

    // MARK: - Wire form (RFC 7911 §4)

    /// Outcome of decoding the capability value.
    enum Decoded {
        case entries([Entry])
        /// A Send/Receive value outside 1...3: ignore the capability (keep it opaque).
        case notUnderstood
        /// Length not a multiple of 4.
        case malformed
    }

    static func decode(value: [UInt8]) -> Decoded {
        guard value.count % 4 == 0 else { return .malformed }
        var entries: [Entry] = []
        var i = 0
        while i + 4 <= value.count {
            let afi = UInt16(value[i]) << 8 | UInt16(value[i + 1])
            guard let dir = Direction(rawValue: value[i + 3]) else { return .notUnderstood }
            entries.append(Entry(AddressFamily(afi: AFI(rawValue: afi), safi: SAFI(rawValue: value[i + 2])), dir))
            i += 4
        }
        return .entries(entries)
    }

    static func encode(_ entries: [Entry], into w: inout ByteWriter) {
        for e in entries {
            w.writeUInt16(e.family.afi.rawValue)
            w.writeUInt8(e.family.safi.rawValue)
            w.writeUInt8(e.direction.rawValue)
        }
    }
}
