/// What two speakers agreed on, computed from our OPEN and the peer's OPEN.
///
/// Rules (each applies to the capabilities as advertised, first occurrence winning when
/// a capability is repeated):
///
///  1. fourOctetAS, extendedMessage, routeRefresh, enhancedRouteRefresh: both sides
///     advertised the capability (RFC 6793 §4, RFC 8654 §3, RFC 2918 §4, RFC 7313 §4).
///  2. families: the intersection of both sides' Multiprotocol capabilities; a side that
///     advertises no Multiprotocol capability at all supports IPv4 unicast only
///     (RFC 4760 §1 and §8).
///  3. ADD-PATH (RFC 7911 §4), for each negotiated family F:
///     we send path identifiers when we advertised send/both for F and the peer
///     advertised receive/both; we receive them when we advertised receive/both and
///     the peer advertised send/both.
///  4. holdTime: the smaller of the two proposals, so 0 when either is 0 (RFC 4271 §4.2).
///  5. peerGracefulRestart: the peer's Graceful Restart capability as sent (RFC 4724 §4);
///     whether to use it is the session layer's decision.
///  6. peerLongLivedGracefulRestart: the peer's LLGR capability as sent (RFC 9494 §3) when
///     we advertised one too (LLGR is negotiated only when both sides send it);
///     longLivedStaleTime: the smallest stale time the peer gave for a negotiated family,
///     capped by ours (RFC 9494 §4.2 lets the receiver shorten it), nil when not negotiated.
///
/// Checks that refuse the session (required capabilities, 2/7) are the session layer's.
public struct NegotiatedCapabilities: Hashable, Sendable {
    /// Both sides speak 4-octet AS numbers (RFC 6793).
    public var fourOctetAS: Bool
    /// Both sides accept messages up to 65535 bytes (RFC 8654).
    public var extendedMessage: Bool
    /// Both sides support ROUTE-REFRESH (RFC 2918).
    public var routeRefresh: Bool
    /// Both sides support enhanced route refresh, BoRR/EoRR (RFC 7313).
    public var enhancedRouteRefresh: Bool
    /// Families both sides can carry.
    public var families: Set<AddressFamily>
    /// Families whose NLRI we send with path identifiers (RFC 7911).
    public var addPathSend: Set<AddressFamily>
    /// Families whose NLRI the peer sends with path identifiers (RFC 7911).
    public var addPathReceive: Set<AddressFamily>
    /// The peer's Graceful Restart capability, if it sent one (RFC 4724).
    public var peerGracefulRestart: GracefulRestartCapability?
    /// Whether we advertised Graceful Restart too.
    public var localGracefulRestart: Bool
    /// The peer's LLGR capability when both sides advertised one (RFC 9494).
    public var peerLongLivedGracefulRestart: LongLivedGracefulRestartCapability?
    /// How long we keep the peer's routes as LLGR_STALE (rule 6), nil when LLGR is off.
    public var longLivedStaleTime: UInt32?
    /// The negotiated hold time in seconds (0: no keepalives, no hold timer).
    public var holdTime: UInt16

    /// Negotiates from our OPEN (`local`) and the peer's OPEN (`remote`).
    public init(local: OpenMessage, remote: OpenMessage) {
        // Rule 1.
        func both(_ code: UInt8) -> Bool { local.hasCapability(code: code) && remote.hasCapability(code: code) }
        fourOctetAS = both(Capability.Code.fourOctetAS)
        extendedMessage = both(Capability.Code.extendedMessage)
        routeRefresh = both(Capability.Code.routeRefresh)
        enhancedRouteRefresh = both(Capability.Code.enhancedRouteRefresh)

        // Rule 2.
        families = Self.advertisedFamilies(local).intersection(Self.advertisedFamilies(remote))

        // Rule 3.
        let ours = Self.addPath(local)
        let theirs = Self.addPath(remote)
        var send = Set<AddressFamily>()
        var receive = Set<AddressFamily>()
        for family in families {
            guard let mine = ours[family], let peer = theirs[family] else { continue }
            if mine.canSend && peer.canReceive { send.insert(family) }
            if mine.canReceive && peer.canSend { receive.insert(family) }
        }
        addPathSend = send
        addPathReceive = receive

        // Rule 4.
        holdTime = min(local.holdTime, remote.holdTime)

        // Rule 5.
        peerGracefulRestart = Self.gracefulRestart(remote)
        localGracefulRestart = Self.gracefulRestart(local) != nil

        // Rule 6.
        let ourLLGR = Self.longLivedGracefulRestart(local)
        let theirLLGR = ourLLGR == nil ? nil : Self.longLivedGracefulRestart(remote)
        peerLongLivedGracefulRestart = theirLLGR
        if let ourLLGR, let theirLLGR {
            let fams = families
            let theirs = theirLLGR.families.filter { fams.contains($0.family) }.map(\.staleTime).min()
            let ours = ourLLGR.families.map(\.staleTime).max()
            longLivedStaleTime = theirs.map { t in ours.map { min(t, $0) } ?? t }
        } else {
            longLivedStaleTime = nil
        }
    }

    /// The context for decoding what the peer sends (``CodecContext/peerIsExternal`` is
    /// left false: the session layer sets it).
    public var decodeContext: CodecContext {
        CodecContext(fourOctetAS: fourOctetAS, extendedMessage: extendedMessage, addPath: addPathReceive)
    }

    /// The context for encoding what we send.
    public var encodeContext: CodecContext {
        CodecContext(fourOctetAS: fourOctetAS, extendedMessage: extendedMessage, addPath: addPathSend)
    }

    // MARK: - Helpers

    /// The families an OPEN advertises, IPv4 unicast when it has no MP capability (rule 2).
    static func advertisedFamilies(_ open: OpenMessage) -> Set<AddressFamily> {
        var out = Set<AddressFamily>()
        var sawMP = false
        for case .multiprotocol(let f) in open.capabilities {
            sawMP = true
            out.insert(f)
        }
        return sawMP ? out : [.ipv4Unicast]
    }

    /// Per-family ADD-PATH directions, first mention of a family winning.
    static func addPath(_ open: OpenMessage) -> [AddressFamily: AddPathCapability.Direction] {
        var out: [AddressFamily: AddPathCapability.Direction] = [:]
        for case .addPath(let entries) in open.capabilities {
            for e in entries where out[e.family] == nil { out[e.family] = e.direction }
        }
        return out
    }

    static func longLivedGracefulRestart(_ open: OpenMessage) -> LongLivedGracefulRestartCapability? {
        for case .longLivedGracefulRestart(let c) in open.capabilities { return c }
        return nil
    }

    static func gracefulRestart(_ open: OpenMessage) -> GracefulRestartCapability? {
        for case .gracefulRestart(let gr) in open.capabilities { return gr }
        return nil
    }
}
