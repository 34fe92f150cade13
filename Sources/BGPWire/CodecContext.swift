/// What the two speakers negotiated, as far as the byte format depends on it.
///
/// A context describes one direction of a session: the one used to decode what the
/// peer sends and the one used to encode what we send can differ (add-path is
/// negotiated per direction, RFC 7911 §4). Before OPENs are exchanged use ``initial``.
public struct CodecContext: Hashable, Sendable {
    /// RFC 6793: both sides advertised the 4-octet AS capability, so AS_PATH and
    /// AGGREGATOR carry 4-octet AS numbers and AS4_PATH/AS4_AGGREGATOR are not used.
    public var fourOctetAS: Bool
    /// RFC 8654: both sides advertised extended messages; the maximum length is 65535.
    public var extendedMessage: Bool
    /// RFC 7911: families whose NLRI in this direction carry a 4-octet path identifier.
    public var addPath: Set<AddressFamily>
    /// The peer is external (eBGP). Decoding only: RFC 7606 §7.5, §7.9 and §7.10 discard
    /// LOCAL_PREF, ORIGINATOR_ID and CLUSTER_LIST from an external peer, whatever their length.
    public var peerIsExternal: Bool

    public init(fourOctetAS: Bool = false, extendedMessage: Bool = false, addPath: Set<AddressFamily> = [],
                peerIsExternal: Bool = false) {
        self.fourOctetAS = fourOctetAS
        self.extendedMessage = extendedMessage
        self.addPath = addPath
        self.peerIsExternal = peerIsExternal
    }

    /// The context before capabilities are known: 2-octet AS, 4096-byte messages, no add-path.
    public static let initial = CodecContext()

    /// Largest message this context allows (RFC 4271 §4.1, RFC 8654 §3).
    public var maxMessageLength: Int { extendedMessage ? 65535 : 4096 }

    /// Whether NLRI of `family` carry path identifiers in this direction.
    public func hasAddPath(_ family: AddressFamily) -> Bool {
        addPath.isEmpty ? false : addPath.contains(family)
    }
}
