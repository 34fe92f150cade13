import IPCore
import BGPWire

/// Where a path comes from, as the export policy sees it.
public struct ExportSource: Hashable, Sendable {
    /// The source peer (``PeerID/local`` for locally originated routes).
    public var peer: PeerID
    /// Learned over eBGP.
    public var isExternal: Bool
    /// Learned from a route-reflector client (RFC 4456; used by the reflector rules).
    public var reflectorClient: Bool
    /// The source peer's BGP identifier: the ORIGINATOR_ID a reflected path gets when it
    /// has none (RFC 4456 §8). Unused for eBGP and local sources.
    public var routerID: IPv4Address

    public init(peer: PeerID, isExternal: Bool, reflectorClient: Bool = false, routerID: IPv4Address = IPv4Address(0)) {
        self.peer = peer
        self.isExternal = isExternal
        self.reflectorClient = reflectorClient
        self.routerID = routerID
    }

    /// The local source.
    public static let local = ExportSource(peer: .local, isExternal: false)

    /// Locally originated.
    public var isLocal: Bool { peer.isLocal }
}

/// The export inputs of a receiving peer (with its encoding, the update group key).
public struct ExportTarget: Hashable, Sendable {
    /// eBGP (true) or iBGP (false).
    public var isExternal: Bool
    /// Our address on the session: next-hop-self and the next hop of local routes.
    public var localAddress: IPAddress
    /// The peer is our route-reflector client.
    public var reflectorClient: Bool
    /// Long-lived graceful restart (RFC 9494) was negotiated: LLGR_STALE paths may go to it.
    public var longLivedGracefulRestart: Bool

    public init(isExternal: Bool, localAddress: IPAddress, reflectorClient: Bool = false, longLivedGracefulRestart: Bool = false) {
        self.longLivedGracefulRestart = longLivedGracefulRestart
        self.isExternal = isExternal
        self.localAddress = localAddress
        self.reflectorClient = reflectorClient
    }
}

/// Peers whose keys are equal share one encoded form of every UPDATE.
///
/// Add-path (RFC 7911) peers group like the others: the encoding (`encodeContext`, whose
/// `addPath` names the families sent with path IDs) and the number of paths sent per
/// prefix are part of the key, so members of one group get the same paths under the same
/// path IDs (``RIB`` keeps one add-path Adj-RIB-Out per such group).
public struct UpdateGroupKey: Hashable, Sendable {
    public var target: ExportTarget
    public var encodeContext: CodecContext
    public var families: Set<AddressFamily>
    /// Paths sent per prefix for the families in `encodeContext.addPath`; 0 when the
    /// session has no add-path send (then at most the best path, as path ID 1 if the
    /// context still carries path IDs).
    public var addPathLimit: Int

    public init(target: ExportTarget, encodeContext: CodecContext, families: Set<AddressFamily>, addPathLimit: Int = 0) {
        self.target = target
        self.encodeContext = encodeContext
        self.families = families
        self.addPathLimit = addPathLimit
    }

    /// Several paths per prefix of `family` go to this group (RFC 7911 send).
    public func sendsAddPath(_ family: AddressFamily) -> Bool {
        addPathLimit > 0 && encodeContext.hasAddPath(family) && families.contains(family)
    }

    /// Whether any family is sent with several paths.
    var sendsAnyAddPath: Bool { families.contains { sendsAddPath($0) } }
}

/// The export policy: which best paths go to a peer, and with which attributes.
///
/// 1. Never send a path back to the peer it came from (``mayAdvertise(_:to:)``, applied
///    per peer inside an update group).
/// 2. NO_ADVERTISE (RFC 1997): to nobody. NO_EXPORT: not to eBGP peers. LLGR_STALE
///    (RFC 9494 §4.3): only to peers that negotiated LLGR (withdrawn toward the others).
/// 3. iBGP split horizon (RFC 4271 §9.2), relaxed by route reflection (RFC 4456 §6–§8)
///    when we are a reflector (``RIBConfig/clusterID`` set). Toward an iBGP peer:
///
///    | rule | path learned from         | to a client | to a non-client |
///    |------|---------------------------|-------------|-----------------|
///    | 3a   | an eBGP peer              | yes         | yes             |
///    | 3b   | locally originated        | yes         | yes             |
///    | 3c   | a client (reflector)      | yes         | yes             |
///    | 3d   | a non-client (reflector)  | yes         | no              |
///    | 3e   | any iBGP peer, no reflector | no        | no              |
///
///    3a/3b are not reflection (RFC 4456 §6: "routes learned from EBGP peers", local
///    routes). When a path is reflected (3c, 3d, §8): ORIGINATOR_ID is set to the source
///    peer's router ID unless present; our cluster ID is prepended to CLUSTER_LIST (a new
///    list when there is none); NEXT_HOP, LOCAL_PREF and MED are not changed. (Rule 1 keeps
///    a path from going back to its source; received paths carrying our router ID as
///    ORIGINATOR_ID or our cluster ID in CLUSTER_LIST are dropped in ``RIB/apply(_:from:treatAsWithdraw:)``.)
/// 4. To an eBGP peer: confederation segments removed, our AS prepended, NEXT_HOP = our
///    session address (next-hop-self), no LOCAL_PREF, MED only for our own routes (a MED
///    from another AS is not propagated), no ORIGINATOR_ID / CLUSTER_LIST.
/// 5. To an iBGP peer: next hop unchanged for learned paths, our session address for
///    locally originated ones; LOCAL_PREF 100 when missing.
/// 6. An IPv4 route needs an IPv4 next hop (no RFC 8950): with only an IPv6 session
///    address it is not exported. IPv6 routes over an IPv4 session get the IPv4-mapped
///    IPv6 address (::ffff:a.b.c.d) as next hop.
public enum ExportPolicy {
    /// Rule 1.
    public static func mayAdvertise(_ source: ExportSource, to peer: PeerID) -> Bool { source.peer != peer }

    /// Rules 2–6: the attributes to send for a best path of `family` with attributes
    /// `route` from `source` to a peer described by `target`, or nil when it is not sent.
    public static func export(_ route: RouteAttributes, family: AddressFamily, from source: ExportSource,
                              to target: ExportTarget, config: RIBConfig) -> RouteAttributes? {
        var a = route.attributes
        var hops = route.nextHops
        // 2.
        if a.communities.contains(.noAdvertise) { return nil }
        if target.isExternal && a.communities.contains(.noExport) { return nil }
        if !target.longLivedGracefulRestart && a.communities.contains(.llgrStale) { return nil }
        if target.isExternal {
            // 4.
            var segments = (a.asPath ?? ASPath()).withoutConfederationSegments.segments
            if let first = segments.first, first.kind == .sequence, first.asns.count < 255 {
                segments[0].asns.insert(config.localAS, at: 0)
            } else {
                segments.insert(ASPathSegment(.sequence, [config.localAS]), at: 0)
            }
            a.asPath = ASPath(segments)
            a.localPref = nil
            if !source.isLocal { a.multiExitDisc = nil }
            a.originatorID = nil
            a.clusterList = nil
            guard setNextHop(&a, &hops, family: family, to: target.localAddress, ipv6: config.ipv6NextHop) else { return nil }
        } else {
            // 3.
            if !source.isLocal && !source.isExternal {
                guard let cluster = config.clusterID else { return nil }                  // 3e
                if !source.reflectorClient && !target.reflectorClient { return nil }      // 3d
                if a.originatorID == nil { a.originatorID = source.routerID }             // 3c, 3d
                a.clusterList = [cluster] + (a.clusterList ?? [])
            }
            // 5.
            if a.localPref == nil { a.localPref = 100 }
            if source.isLocal || (source.isExternal && config.nextHopSelfForExternal) {
                guard setNextHop(&a, &hops, family: family, to: target.localAddress, ipv6: config.ipv6NextHop) else { return nil }
            }
        }
        // 6.
        if family == .ipv4Unicast && a.nextHop == nil { return nil }
        if family != .ipv4Unicast && hops.isEmpty { return nil }
        if a.origin == nil { a.origin = .igp }
        if a.asPath == nil { a.asPath = ASPath() }
        return RouteAttributes(a, nextHops: hops)
    }

    /// Sets the next hop to `address` (rule 6); false when impossible.
    static func setNextHop(_ a: inout PathAttributes, _ hops: inout [IPAddress], family: AddressFamily,
                           to address: IPAddress, ipv6: IPv6Address? = nil) -> Bool {
        if family == .ipv4Unicast {
            guard case .v4(let v4) = address else { return false }
            a.nextHop = v4
            hops = []
        } else {
            a.nextHop = nil
            switch address {
            case .v6: hops = [address]
            case .v4(let v4):
                // Our IPv6 address when we have one (dual stack), else RFC 4291 §2.5.5.2's IPv4-mapped form.
                hops = [.v6(ipv6 ?? IPv6Address(high: 0, low: 0x0000_FFFF_0000_0000 | UInt64(v4.value)))]
            }
        }
        return true
    }
}
