/// The value of the Graceful Restart capability, code 64 (RFC 4724 §3, RFC 8538 §2).
///
/// ```
/// +--------------------------------------------------+
/// | Restart Flags (4 bits)                           |
/// +--------------------------------------------------+
/// | Restart Time in seconds (12 bits)                |
/// +--------------------------------------------------+
/// | Address Family Identifier (16 bits)              |
/// +--------------------------------------------------+
/// | Subsequent Address Family Identifier (8 bits)    |
/// +--------------------------------------------------+
/// | Flags for Address Family (8 bits)                |
/// +--------------------------------------------------+
/// | ...                                              |
/// +--------------------------------------------------+
///
///  Restart Flags:            Flags for Address Family:
///   0 1 2 3                   0 1 2 3 4 5 6 7
///  +-+-+-+-+                 +-+-+-+-+-+-+-+-+
///  |R|N|   |                 |F|   Reserved  |
///  +-+-+-+-+                 +-+-+-+-+-+-+-+-+
/// ```
/// Reserved bits are sent as zero and ignored on receipt (so they do not survive a
/// round trip).
public struct GracefulRestartCapability: Hashable, Sendable, CustomStringConvertible {
    /// R bit (RFC 4724 §3): the sender has restarted, so its peer must not wait for the
    /// sender's End-of-RIB before advertising routes to it.
    public var restartState: Bool
    /// N bit (RFC 8538 §2): the sender supports Graceful Restart for NOTIFICATION messages.
    public var notification: Bool
    /// Restart Time in seconds (12 bits, 0...4095): how long the peer should keep our
    /// routes while waiting for the session to come back.
    public var restartTime: UInt16
    /// The families for which the sender can preserve forwarding state, in wire order.
    public var families: [Family]

    /// One (AFI, SAFI, flags) entry of the capability.
    public struct Family: Hashable, Sendable, CustomStringConvertible {
        /// The address family.
        public var family: AddressFamily
        /// F bit: forwarding state for the family was preserved across the restart.
        public var forwardingStatePreserved: Bool

        /// An entry for `family`.
        public init(_ family: AddressFamily, forwardingStatePreserved: Bool = false) {
            self.family = family
            self.forwardingStatePreserved = forwardingStatePreserved
        }

        /// "ipv4-unicast" or "ipv4-unicast+F".
        public var description: String { forwardingStatePreserved ? "\(family)+F" : "\(family)" }
    }

    /// Largest restart time the 12-bit field can carry.
    public static let maxRestartTime: UInt16 = 0x0FFF

    /// A capability value; `restartTime` must fit 12 bits (it is a programmer error otherwise).
    public init(restartState: Bool = false, notification: Bool = false, restartTime: UInt16,
                families: [Family] = []) {
        precondition(restartTime <= Self.maxRestartTime, "graceful restart time \(restartTime) exceeds 12 bits")
        self.restartState = restartState
        self.notification = notification
        self.restartTime = restartTime
        self.families = families
    }

    /// "R N time 120s ipv4-unicast+F".
    public var description: String {
        var parts: [String] = []
        if restartState { parts.append("R") }
        if notification { parts.append("N") }
        parts.append("time \(restartTime)s")
        parts.append(contentsOf: families.map(\.description))
        return parts.joined(separator: " ")
    }
}

// MARK: - Wire form (RFC 4724 §3)

extension GracefulRestartCapability {
    static let restartStateBit: UInt16 = 0x8000
    static let notificationBit: UInt16 = 0x4000
    static let forwardingBit: UInt8 = 0x80

    /// Decodes the capability value; nil when its length is not 2 + 4n.
    static func decode(value: [UInt8]) -> GracefulRestartCapability? {
        guard value.count >= 2, (value.count - 2) % 4 == 0 else { return nil }
        let head = UInt16(value[0]) << 8 | UInt16(value[1])
        var families: [Family] = []
        var i = 2
        while i + 4 <= value.count {
            let afi = UInt16(value[i]) << 8 | UInt16(value[i + 1])
            let family = AddressFamily(afi: AFI(rawValue: afi), safi: SAFI(rawValue: value[i + 2]))
            families.append(Family(family, forwardingStatePreserved: value[i + 3] & forwardingBit != 0))
            i += 4
        }
        return GracefulRestartCapability(restartState: head & restartStateBit != 0,
                                         notification: head & notificationBit != 0,
                                         restartTime: head & maxRestartTime, families: families)
    }

    /// Appends the capability value (no code/length).
    func encodeValue(into w: inout ByteWriter) {
        var head = restartTime & Self.maxRestartTime
        if restartState { head |= Self.restartStateBit }
        if notification { head |= Self.notificationBit }
        w.writeUInt16(head)
        for f in families {
            w.writeUInt16(f.family.afi.rawValue)
            w.writeUInt8(f.family.safi.rawValue)
            w.writeUInt8(f.forwardingStatePreserved ? Self.forwardingBit : 0)
        }
    }
}
