import IPCore
import RIB

/// What the BGP speaker needs to know about the node: its AS and identifiers, where it
/// listens, and whether the kernel routes survive its restarts. Nothing about workloads,
/// state files or the dataplane (the composition root in `Daemon` fills it in).
public struct SpeakerConfig: Hashable, Sendable {
    /// Our AS number.
    public var localAS: UInt32
    /// Our BGP identifier (RFC 4271 §4.2).
    public var routerID: IPv4Address
    /// Our route-reflector cluster ID (RFC 4456) when we reflect, nil otherwise.
    public var clusterID: IPv4Address?
    /// The address the listener binds (unspecified: every address) and outgoing sessions
    /// bind to when it is a specific one.
    public var listenAddress: IPAddress
    /// The BGP port we listen on (179 unless a test says otherwise).
    public var listenPort: UInt16
    /// The Forwarding State bit of our graceful-restart capability (RFC 4724 §3): set when a
    /// dataplane keeps the kernel routes across our restarts.
    public var forwardingStatePreserved: Bool
    /// Ignore eBGP paths not starting with the peer's AS (RFC 4271 §6.3).
    public var enforceFirstAS: Bool
    /// The node's IPv6 address, the next hop of IPv6 routes sent over IPv4 sessions.
    public var ipv6NextHop: IPv6Address?

    public init(localAS: UInt32, routerID: IPv4Address, clusterID: IPv4Address? = nil,
                listenAddress: IPAddress, listenPort: UInt16 = 179, forwardingStatePreserved: Bool = false,
                enforceFirstAS: Bool = true, ipv6NextHop: IPv6Address? = nil) {
        self.ipv6NextHop = ipv6NextHop
        self.localAS = localAS
        self.routerID = routerID
        self.clusterID = clusterID
        self.listenAddress = listenAddress
        self.listenPort = listenPort
        self.forwardingStatePreserved = forwardingStatePreserved
        self.enforceFirstAS = enforceFirstAS
    }

    /// The RIB settings: AS, router ID, cluster ID.
    var rib: RIBConfig {
        RIBConfig(localAS: localAS, routerID: routerID, clusterID: clusterID, enforceFirstAS: enforceFirstAS, ipv6NextHop: ipv6NextHop)
    }

    /// The listen address when it is a specific one (outgoing sessions bind to it), else nil.
    var specificLocalAddress: IPAddress? {
        switch listenAddress {
        case .v4(let a): a.value != 0 ? listenAddress : nil
        case .v6(let a): a.high != 0 || a.low != 0 ? listenAddress : nil
        }
    }
}
