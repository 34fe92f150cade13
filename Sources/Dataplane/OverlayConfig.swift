import IPCore
import Model
import Netlink

/// When a pool's routes are encapsulated.
public enum OverlayMode: String, Hashable, Sendable, CustomStringConvertible {
    /// Always.
    case always = "Always"
    /// Only toward next hops outside the underlay interface's subnets.
    case crossSubnet = "CrossSubnet"
    public var description: String { rawValue }
}

/// One IP pool as the dataplane sees it: its range and its encapsulation (nil: plain routing).
public struct OverlayPool: Hashable, Sendable {
    public var cidr: IPPrefix
    public var tunnel: TunnelKind?
    public var mode: OverlayMode

    public init(cidr: IPPrefix, tunnel: TunnelKind? = nil, mode: OverlayMode = .always) {
        self.cidr = cidr
        self.tunnel = tunnel
        self.mode = mode
    }

    /// "VXLAN Always", "IPIP CrossSubnet" or "none".
    public var encapsulation: String { tunnel.map { "\($0) \(mode)" } ?? "none" }
}

/// The overlay part of the dataplane configuration (`ipPools` and the overlay keys).
public struct OverlayConfig: Hashable, Sendable {
    /// The cluster's pools; a remote route is encapsulated as the pool containing it says.
    public var pools: [OverlayPool]
    /// `tunl0` MTU; nil: underlay MTU − 20.
    public var ipipMTU: UInt32?
    /// `vxlan.tern` MTU; nil: underlay MTU − 50.
    public var vxlanMTU: UInt32?
    public var vxlanVNI: UInt32
    public var vxlanPort: UInt16
    /// The underlay interface by name; nil: the interface holding `nodeAddress`.
    public var underlayInterface: String?
    /// This node's underlay address (its mesh address or router ID): finds the underlay
    /// interface and is the VXLAN source (VTEP) address.
    public var nodeAddress: IPv4Address?
    /// The address each tunnel device gets (a host address of the node's block).
    public var tunnelAddresses: [TunnelKind: IPv4Address]
    /// The link kind accepted as `tunl0`. "ipip"; tests on kernels without ipip put a
    /// "dummy" stand-in device there to check the routes Tern builds against the kernel.
    public var ipipDeviceKind: String

    public init(pools: [OverlayPool] = [], ipipMTU: UInt32? = nil, vxlanMTU: UInt32? = nil, vxlanVNI: UInt32 = 4096,
                vxlanPort: UInt16 = 4789, underlayInterface: String? = nil, nodeAddress: IPv4Address? = nil,
                tunnelAddresses: [TunnelKind: IPv4Address] = [:], ipipDeviceKind: String = "ipip") {
        self.pools = pools
        self.ipipMTU = ipipMTU
        self.vxlanMTU = vxlanMTU
        self.vxlanVNI = vxlanVNI
        self.vxlanPort = vxlanPort
        self.underlayInterface = underlayInterface
        self.nodeAddress = nodeAddress
        self.tunnelAddresses = tunnelAddresses
        self.ipipDeviceKind = ipipDeviceKind
    }

    /// The tunnel kinds some pool uses.
    public var wantedTunnels: Set<TunnelKind> { Set(pools.compactMap(\.tunnel)) }

    /// The pool containing `prefix`, the most specific first.
    public func pool(for prefix: IPPrefix) -> OverlayPool? {
        pools.filter { $0.cidr.contains(prefix) }.max { $0.cidr.length < $1.cidr.length }
    }
}

/// The VTEP MAC Tern gives a node's `vxlan.tern`: 02:74 (locally administered, unicast;
/// 0x74 is "t") followed by the four octets of the node's IPv4 underlay address, so that
/// every node knows every other node's MAC from the BGP next hop alone (docs/ENCAPSULATION.md).
public func vtepMAC(for node: IPv4Address) -> HardwareAddress {
    HardwareAddress(bytes: [0x02, 0x74] + node.octets)
}
