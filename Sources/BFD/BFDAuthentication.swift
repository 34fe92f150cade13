/// The Authentication Section of a BFD Control packet, present when the A bit is set
/// (RFC 5880 §4.1, §4.2).
///
/// Only the SHA1 forms (§4.4) are modelled: Keyed SHA1 (type 4) and Meticulous Keyed
/// SHA1 (type 5). The fields are carried as received; the digest of one packet is computed
/// and checked by ``BFDControlPacket/encodeSigned(key:)`` and
/// ``BFDControlPacket/verifySHA1(_:key:)`` (§6.7.4) by the driver; ``BFDSession`` with a
/// ``BFDSessionConfig/authentication`` adds the section to what it sends and applies the
/// A bit, type, key ID and Sequence Number rules to what it receives.
public struct BFDAuthentication: Hashable, Sendable {
    /// The Auth Type field (RFC 5880 §4.1).
    public enum AuthType: UInt8, Hashable, Sendable {
        /// 4 -- Keyed SHA1 (§4.4).
        case keyedSHA1 = 4
        /// 5 -- Meticulous Keyed SHA1 (§4.4).
        case meticulousKeyedSHA1 = 5
    }

    /// Auth Len of the SHA1 forms: type, len, key id, reserved, sequence (4), hash (20).
    public static let sha1Length: UInt8 = 28

    /// Keyed SHA1 or Meticulous Keyed SHA1.
    public var type: AuthType
    /// Auth Key ID: which key was used.
    public var keyID: UInt8
    /// Sequence Number (§4.4): incremented per packet (meticulous) or occasionally (keyed).
    public var sequenceNumber: UInt32
    /// Auth Key/Hash: the 20-byte SHA1 digest (or the key while it is computed, §6.7.4).
    public var digest: [UInt8]

    /// An authentication section; `digest` must be 20 bytes (it is padded or cut to 20 when encoded).
    public init(type: AuthType, keyID: UInt8, sequenceNumber: UInt32, digest: [UInt8]) {
        self.type = type
        self.keyID = keyID
        self.sequenceNumber = sequenceNumber
        self.digest = digest
    }
}
