import BGPWire
import IPCore

/// What the route engine needs to know about a configured peer before any session exists.
public struct PeerRouting: Hashable, Sendable {
    /// The peer's configured address (its routes' source in `tern routes`).
    public var address: IPAddress
    /// Our route-reflector client (RFC 4456): what it sends is reflected to every peer.
    public var reflectorClient: Bool
    /// Paths per prefix sent when ADD-PATH send is negotiated (RFC 7911).
    public var addPathsCount: Int

    public init(address: IPAddress, reflectorClient: Bool = false, addPathsCount: Int = 2) {
        self.address = address
        self.reflectorClient = reflectorClient
        self.addPathsCount = addPathsCount
    }
}

/// What an Established session negotiated that decides routing: the peer's identity, our
/// address toward it (the NEXT_HOP we advertise), the encoding and the families.
public struct SessionFacts: Hashable, Sendable {
    /// The AS in the peer's OPEN.
    public var peerAS: UInt32
    /// The BGP identifier in the peer's OPEN.
    public var peerRouterID: IPv4Address
    /// Our end of the TCP connection.
    public var localAddress: IPAddress
    /// How UPDATEs to this peer are encoded (4-octet AS, ADD-PATH, extended messages).
    public var encodeContext: CodecContext
    /// The negotiated families.
    public var families: Set<AddressFamily>
    /// RFC 4724 §4.2: the peer kept forwarding state for every negotiated family, so the
    /// routes kept from its previous session stay until its End-of-RIB; otherwise they go at once.
    public var forwardingStatePreserved: Bool
    /// Long-lived graceful restart (RFC 9494) was negotiated: LLGR_STALE routes go to it.
    public var longLivedGracefulRestart: Bool

    public init(peerAS: UInt32, peerRouterID: IPv4Address, localAddress: IPAddress, encodeContext: CodecContext,
                families: Set<AddressFamily>, forwardingStatePreserved: Bool, longLivedGracefulRestart: Bool = false) {
        self.longLivedGracefulRestart = longLivedGracefulRestart
        self.peerAS = peerAS
        self.peerRouterID = peerRouterID
        self.localAddress = localAddress
        self.encodeContext = encodeContext
        self.families = families
        self.forwardingStatePreserved = forwardingStatePreserved
    }
}
