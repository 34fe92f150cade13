/// The value of the Long-Lived Graceful Restart capability, code 71 (RFC 9494 §3).
///
/// A list of 7-octet tuples, one per address family:
///
/// ```
/// +--------------------------------------------------+
/// | Address Family Identifier (16 bits)              |
/// +--------------------------------------------------+
/// | Subsequent Address Family Identifier (8 bits)    |
/// +--------------------------------------------------+
/// | Flags for Address Family (8 bits)                |
/// +--------------------------------------------------+
/// | Long-lived Stale Time (24 bits)                  |
/// +--------------------------------------------------+
///
///  Flags: 0 1 2 3 4 5 6 7
///        +-+-+-+-+-+-+-+-+
///        |F|   Reserved  |
///        +-+-+-+-+-+-+-+-+
/// ```
/// The stale time is in seconds (0...16777215). Reserved bits are sent as zero and ignored.
public struct LongLivedGracefulRestartCapability: Hashable, Sendable, CustomStringConvertible {
    /// One (AFI, SAFI, flags, stale time) tuple.
    public struct Family: Hashable, Sendable, CustomStringConvertible {
        public var family: AddressFamily
        /// F bit: forwarding state for the family was preserved.
        public var forwardingStatePreserved: Bool
        /// Long-lived stale time in seconds (24 bits).
        public var staleTime: UInt32

        public init(_ family: AddressFamily, forwardingStatePreserved: Bool = false, staleTime: UInt32) {
            precondition(staleTime <= LongLivedGracefulRestartCapability.maxStaleTime, "LLGR stale time \(staleTime) exceeds 24 bits")
            self.family = family
            self.forwardingStatePreserved = forwardingStatePreserved
            self.staleTime = staleTime
        }

        /// "ipv4-unicast 3600s" or "ipv4-unicast+F 3600s".
        public var description: String { "\(family)\(forwardingStatePreserved ? "+F" : "") \(staleTime)s" }
    }

    /// Largest stale time the 24-bit field can carry (about 194 days).
    public static let maxStaleTime: UInt32 = 0xFF_FFFF

    /// The families, in wire order.
    public var families: [Family]

    public init(families: [Family]) { self.families = families }

    /// The stale time for `family`, nil when the capability does not list it.
    public func staleTime(for family: AddressFamily) -> UInt32? {
        families.first { $0.family == family }?.staleTime
    }

    public var description: String { families.map(\.description).joined(separator: ", ") }
}

// MARK: - Wire form (RFC 9494 §3)

extension LongLivedGracefulRestartCapability {
    static let forwardingBit: UInt8 = 0x80

    /// Decodes the capability value; nil when its length is not 7n.
    static func decode(value: [UInt8]) -> LongLivedGracefulRestartCapability? {
        guard value.count % 7 == 0 else { return nil }
        var families: [Family] = []
        var i = 0
        while i + 7 <= value.count {
            let afi = UInt16(value[i]) << 8 | UInt16(value[i + 1])
            let family = AddressFamily(afi: AFI(rawValue: afi), safi: SAFI(rawValue: value[i + 2]))
            let time = UInt32(value[i + 4]) << 16 | UInt32(value[i + 5]) << 8 | UInt32(value[i + 6])
            families.append(Family(family, forwardingStatePreserved: value[i + 3] & forwardingBit != 0, staleTime: time))
            i += 7
        }
        return LongLivedGracefulRestartCapability(families: families)
    }

    /// Appends the capability value (no code/length).
    func encodeValue(into w: inout ByteWriter) {
        for f in families {
            w.writeUInt16(f.family.afi.rawValue)
            w.writeUInt8(f.family.safi.rawValue)
            w.writeUInt8(f.forwardingStatePreserved ? Self.forwardingBit : 0)
            let t = min(f.staleTime, Self.maxStaleTime)
            w.writeUInt8(UInt8(truncatingIfNeeded: t >> 16))
            w.writeUInt8(UInt8(truncatingIfNeeded: t >> 8))
            w.writeUInt8(UInt8(truncatingIfNeeded: t))
        }
    }
}
