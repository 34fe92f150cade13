import IPCore
import BGPWire

// MARK: - PeerID

/// A small integer handle for a BGP peer. ``local`` (0) is the RIB itself: the source of
/// locally originated routes (a node's address blocks, workload /32s).
public struct PeerID: RawRepresentable, Hashable, Comparable, Sendable, CustomStringConvertible {
    public var rawValue: UInt32

    public init(rawValue: UInt32) { self.rawValue = rawValue }
    public init(_ rawValue: UInt32) { self.rawValue = rawValue }

    /// The local source (routes from ``RIB/originate(prefix:attributes:)``).
    public static let local = PeerID(0)

    /// True for ``local``.
    public var isLocal: Bool { rawValue == 0 }

    /// "local" or "peer N".
    public var description: String { isLocal ? "local" : "peer \(rawValue)" }

    public static func < (a: PeerID, b: PeerID) -> Bool { a.rawValue < b.rawValue }
}

// MARK: - PeerDescriptor

/// What the RIB needs to know about one peer: identity for the decision process, the
/// export policy inputs and the encoding of what we send it.
public struct PeerDescriptor: Hashable, Sendable {
    /// The handle (never ``PeerID/local``).
    public var id: PeerID
    /// The peer's address (decision step 8: lowest peer address).
    public var address: IPAddress
    /// The peer's AS.
    public var asNumber: UInt32
    /// The peer's BGP identifier, known once the session is Established (decision step 6).
    public var routerID: IPv4Address
    /// eBGP (true) or iBGP (false).
    public var isExternal: Bool
    /// Our address on this session: the next hop for next-hop-self (eBGP) and for locally
    /// originated routes (iBGP). An IPv4 address is sent IPv4-mapped in IPv6 routes.
    public var localAddress: IPAddress
    /// How we encode what we send this peer (4-octet AS, extended messages, add-path TX).
    public var encodeContext: CodecContext
    /// The peer is a route-reflector client of ours (RFC 4456). Part of the export policy.
    public var reflectorClient: Bool
    /// The address families negotiated on the session (what we send, End-of-RIB markers).
    public var families: Set<AddressFamily>
    /// How many paths per prefix we send when add-path send is negotiated for a family
    /// (`encodeContext.addPath`, RFC 7911). At least 1.
    public var addPathLimit: Int
    /// Long-lived graceful restart (RFC 9494) negotiated: LLGR_STALE paths are sent to it.
    public var longLivedGracefulRestart: Bool

    public init(id: PeerID, address: IPAddress, asNumber: UInt32, routerID: IPv4Address = IPv4Address(0),
                isExternal: Bool, localAddress: IPAddress, encodeContext: CodecContext = CodecContext(fourOctetAS: true),
                reflectorClient: Bool = false, families: Set<AddressFamily> = [.ipv4Unicast], addPathLimit: Int = 2,
                longLivedGracefulRestart: Bool = false) {
        self.longLivedGracefulRestart = longLivedGracefulRestart
        precondition(!id.isLocal, "PeerID 0 is reserved for locally originated routes")
        self.id = id
        self.address = address
        self.asNumber = asNumber
        self.routerID = routerID
        self.isExternal = isExternal
        self.localAddress = localAddress
        self.encodeContext = encodeContext
        self.reflectorClient = reflectorClient
        self.families = families
        self.addPathLimit = Swift.max(1, addPathLimit)
    }

    /// The export inputs of this peer, which with the encoding form its update group.
    public var exportTarget: ExportTarget {
        ExportTarget(isExternal: isExternal, localAddress: localAddress, reflectorClient: reflectorClient,
                     longLivedGracefulRestart: longLivedGracefulRestart)
    }

    /// The update group this peer belongs to: peers with equal keys get the same bytes.
    public var updateGroupKey: UpdateGroupKey {
        UpdateGroupKey(target: exportTarget, encodeContext: encodeContext, families: families,
                       addPathLimit: encodeContext.addPath.isEmpty ? 0 : addPathLimit)
    }
}

// MARK: - RIBConfig

/// The speaker-wide settings the RIB uses.
public struct RIBConfig: Hashable, Sendable {
    /// Our AS (prepended towards eBGP peers, AS-loop detection).
    public var localAS: UInt32
    /// Our BGP identifier (router ID of local routes, ORIGINATOR_ID loop detection).
    public var routerID: IPv4Address
    /// Our route-reflector cluster ID (RFC 4456): set when we are a reflector (the export
    /// rules of ``ExportPolicy`` then reflect), nil otherwise; CLUSTER_LIST loop detection.
    public var clusterID: IPv4Address?
    /// Ignore eBGP paths whose AS_PATH does not begin with the peer's AS (RFC 4271 §6.3;
    /// FRR's `enforce-first-as`, on by default there too). Off for route servers that do
    /// not prepend their AS (RFC 7947 §2.2.2.1).
    public var enforceFirstAS: Bool
    /// Paths learned over eBGP go to iBGP peers with our address as next hop (BIRD's
    /// `next hop self ebgp`): the mesh reaches an eBGP peer that sits in a pod or behind
    /// this node (Calico's peering with workloads) through this node, which it can route
    /// to, rather than through an address only this node can reach. RFC 4271 §5.1.3 allows
    /// either; off keeps the received next hop (§5.1.3 (1)).
    public var nextHopSelfForExternal: Bool
    /// Our IPv6 address: the next hop we set on IPv6 routes sent over an IPv4 session (dual
    /// stack over one session per peer, RFC 4760 §3 / RFC 2545 §3); nil sends the session's
    /// IPv4 address IPv4-mapped, which only a peer with a route to it can use.
    public var ipv6NextHop: IPv6Address?

    public init(localAS: UInt32, routerID: IPv4Address, clusterID: IPv4Address? = nil, enforceFirstAS: Bool = true,
                nextHopSelfForExternal: Bool = true, ipv6NextHop: IPv6Address? = nil) {
        self.ipv6NextHop = ipv6NextHop
        self.localAS = localAS
        self.routerID = routerID
        self.clusterID = clusterID
        self.enforceFirstAS = enforceFirstAS
        self.nextHopSelfForExternal = nextHopSelfForExternal
    }

    /// The cluster ID in effect: the configured one, else the router ID (RFC 4456 §7).
    public var effectiveClusterID: IPv4Address { clusterID ?? routerID }
}
