// RFC 5880 §6.7.4 Keyed SHA1 and Meticulous Keyed SHA1: the digest of a packet. Only the
// computation and the check of one packet; bfd.AuthType, the key ID and the sequence number
// windows are BFDSession's (BFDSession+Receive.swift), the driver signs and verifies.
import Digest

extension BFDControlPacket {
    /// The packet's bytes with its SHA1 digest (§6.7.4 transmission): "The Auth Key/Hash
    /// field MUST be set to the value of the current Auth Key (padded to 20 bytes with
    /// zeros if necessary), ... an SHA1 hash MUST be calculated over the entire BFD control
    /// packet, and the resulting hash MUST be stored in the Auth Key/Hash field".
    /// The packet must carry an authentication section; `key` is at most 20 bytes.
    public func encodeSigned(key: [UInt8]) -> [UInt8] {
        precondition(authentication != nil, "RFC 5880 §6.7.4: no authentication section to sign")
        var bytes = Self.withKey(encode(), key: key)
        bytes.replaceSubrange(32..<52, with: SHA1.hash(bytes))
        return bytes
    }

    /// Whether `bytes` (a decoded SHA1-authenticated packet, Length 52) carry the digest
    /// computed with `key` (§6.7.4 reception: "the received hash is saved, the Auth
    /// Key/Hash field is replaced with the Auth Key, ... and the result compared").
    public static func verifySHA1(_ bytes: [UInt8], key: [UInt8]) -> Bool {
        guard bytes.count >= 52, bytes[3] == 52, bytes[1] & 0x04 != 0, bytes[24] == 4 || bytes[24] == 5 else { return false }
        let packet = Array(bytes.prefix(52))
        let received = Array(packet[32..<52])
        return SHA1.hash(withKey(packet, key: key)) == received
    }

    private static func withKey(_ bytes: [UInt8], key: [UInt8]) -> [UInt8] {
        precondition(key.count <= 20, "RFC 5880 §4.4: a SHA1 key is at most 20 bytes")
        var b = bytes
        b.replaceSubrange(32..<52, with: key + Array(repeating: 0, count: 20 - key.count))
        return b
    }
}
