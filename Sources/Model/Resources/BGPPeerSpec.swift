import IPCore

/// Calico's `BGPPeer` spec: a peer for one node (`node`), for the nodes a selector picks
/// (`nodeSelector`), or for every node (neither); the remote is `peerIP` or the nodes
/// `peerSelector` picks (node-to-node peerings, e.g. route reflectors).
public struct BGPPeerSpec: Sendable, Hashable {
    /// The node this peering is for; nil with no `nodeSelector` = every node.
    public var node: String?
    public var nodeSelector: String?
    /// The remote address (Calico also accepts `IP:port`, `[IPv6]:port`).
    public var peerIP: IPAddress?
    /// The remote port from `peerIP`'s `:port`; nil = 179.
    public var peerPort: UInt16?
    /// Required with `peerIP`; with `peerSelector` the selected nodes' own AS is used when nil.
    public var asNumber: UInt32?
    public var peerSelector: String?
    public var password: BGPPassword?
    public var keepOriginalNextHop: Bool
    /// GTSM (RFC 5082), Calico's `ttlSecurity`: the peer is at most this many hops away; nil
    /// (or 0, Calico's "off") when off.
    public var ttlSecurity: UInt8?

    public init(node: String? = nil, nodeSelector: String? = nil, peerIP: IPAddress? = nil, peerPort: UInt16? = nil,
                asNumber: UInt32? = nil, peerSelector: String? = nil, password: BGPPassword? = nil,
                keepOriginalNextHop: Bool = false, ttlSecurity: UInt8? = nil) {
        self.ttlSecurity = ttlSecurity
        self.node = node
        self.nodeSelector = nodeSelector
        self.peerIP = peerIP
        self.peerPort = peerPort
        self.asNumber = asNumber
        self.peerSelector = peerSelector
        self.password = password
        self.keepOriginalNextHop = keepOriginalNextHop
    }
}

/// Where a BGP (TCP-MD5) password comes from.
public enum BGPPassword: Sendable, Hashable {
    /// Calico's `password: {secretKeyRef: {name, key}}` (a Kubernetes Secret).
    case secretKeyRef(name: String, key: String)
    /// Tern's `password: {file: PATH}` (a mounted Secret or any file; one trailing newline dropped).
    case file(String)
}
