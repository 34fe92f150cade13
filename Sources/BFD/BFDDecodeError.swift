/// Why bytes were not accepted as a BFD Control packet: one case per RFC 5880 §6.8.6
/// reception check that concerns the packet itself (§4.1 for the layout).
public enum BFDDecodeError: Error, Hashable, Sendable, CustomStringConvertible {
    /// Fewer bytes than the 24-byte mandatory section (§4.1).
    case truncated(available: Int)
    /// §6.8.6: "If the version number is not correct (1), the packet MUST be discarded."
    case badVersion(UInt8)
    /// §6.8.6: "If the Length field is less than the minimum correct value (24 if the A bit
    /// is clear, or 26 if the A bit is set), the packet MUST be discarded."
    case lengthTooShort(length: UInt8, minimum: Int)
    /// §6.8.6: "If the Length field is greater than the payload of the encapsulating
    /// protocol, the packet MUST be discarded."
    case lengthExceedsPayload(length: UInt8, payload: Int)
    /// §6.8.6: "If the Detect Mult field is zero, the packet MUST be discarded."
    case zeroDetectMult
    /// §6.8.6: "If the Multipoint (M) bit is nonzero, the packet MUST be discarded."
    case multipointSet
    /// §6.8.6: "If the My Discriminator field is zero, the packet MUST be discarded."
    case zeroMyDiscriminator
    /// §6.8.6: "If the Your Discriminator field is zero and the State field is not Down or
    /// AdminDown, the packet MUST be discarded."
    case zeroYourDiscriminator(state: BFDState)
    /// §6.8.6 / §4.2: the A bit is set but the Auth Len does not fit the packet, or the
    /// A bit is clear but the Length leaves room for an authentication section.
    case authSectionMismatch(authPresent: Bool, length: UInt8, authLength: UInt8?)
    /// §4.1: an Auth Type this module does not carry (only 4 and 5, §4.4), or a SHA1
    /// section whose Auth Len is not 28.
    case unsupportedAuth(type: UInt8, authLength: UInt8)

    /// One sentence naming the rule that failed.
    public var description: String {
        switch self {
        case .truncated(let n):
            "BFD packet truncated: \(n) bytes, a Control packet needs at least 24 (RFC 5880 §4.1)"
        case .badVersion(let v):
            "BFD version \(v), expected 1 (RFC 5880 §6.8.6)"
        case .lengthTooShort(let l, let m):
            "BFD Length \(l) is below the minimum \(m) (RFC 5880 §6.8.6)"
        case .lengthExceedsPayload(let l, let p):
            "BFD Length \(l) exceeds the \(p)-byte payload (RFC 5880 §6.8.6)"
        case .zeroDetectMult:
            "BFD Detect Mult is zero (RFC 5880 §6.8.6)"
        case .multipointSet:
            "BFD Multipoint bit is set (RFC 5880 §6.8.6)"
        case .zeroMyDiscriminator:
            "BFD My Discriminator is zero (RFC 5880 §6.8.6)"
        case .zeroYourDiscriminator(let s):
            "BFD Your Discriminator is zero in state \(s), allowed only in Down or AdminDown (RFC 5880 §6.8.6)"
        case .authSectionMismatch(let a, let l, let al):
            a ? "BFD A bit set but Auth Len \(al.map(String.init) ?? "missing") does not fit Length \(l) (RFC 5880 §6.8.6)"
              : "BFD A bit clear but Length \(l) is not 24 (RFC 5880 §6.8.6)"
        case .unsupportedAuth(let t, let l):
            "BFD Auth Type \(t) with Auth Len \(l) not supported: only Keyed SHA1 (4) and Meticulous Keyed SHA1 (5) with Auth Len 28 (RFC 5880 §4.4)"
        }
    }
}
