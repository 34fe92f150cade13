import IPCore

/// Calico's `Node` spec (the BGP part): what a node registers about itself.
public struct NodeResourceSpec: Sendable, Hashable {
    /// `spec.bgp`; nil for a node that runs no BGP.
    public var bgp: NodeBGPSpec?

    public init(bgp: NodeBGPSpec? = nil) { self.bgp = bgp }
}

/// `Node.spec.bgp`.
public struct NodeBGPSpec: Sendable, Hashable {
    /// The node's IPv4 address with its subnet, as Calico writes it (`192.168.77.1/24`).
    public var ipv4Address: InterfaceAddress?
    public var ipv6Address: InterfaceAddress?
    /// nil: the cluster's AS (`BGPConfiguration` default, else 64512).
    public var asNumber: UInt32?
    /// Set on route reflectors: their cluster ID (an IPv4 address).
    public var routeReflectorClusterID: String?

    public init(ipv4Address: InterfaceAddress? = nil, ipv6Address: InterfaceAddress? = nil, asNumber: UInt32? = nil,
                routeReflectorClusterID: String? = nil) {
        self.ipv4Address = ipv4Address
        self.ipv6Address = ipv6Address
        self.asNumber = asNumber
        self.routeReflectorClusterID = routeReflectorClusterID
    }
}
