import IPCore
import Model
import Netlink

/// The overlay part of the dataplane configuration (`ipPools` and the overlay keys).
public struct OverlayConfig: Hashable, Sendable {
    /// The cluster's pools (``Model/IPPool``, validated once); a remote route is
    /// encapsulated as the pool containing it says.
    public var pools: [IPPool]
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

    public init(pools: [IPPool] = [], ipipMTU: UInt32? = nil, vxlanMTU: UInt32? = nil, vxlanVNI: UInt32 = 4096,
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
    public func pool(for prefix: IPPrefix) -> IPPool? {
        pools.filter { $0.cidr.contains(prefix) }.max { $0.cidr.length < $1.cidr.length }
    }
}

/// The VTEP MAC Tern gives a node's `vxlan.tern`: 02:74 (locally administered, unicast;
/// 0x74 is "t") followed by the four octets of the node's IPv4 underlay address, so that
/// every node knows every other node's MAC from the BGP next hop alone (docs/ENCAPSULATION.md).
public func vtepMAC(for node: IPv4Address) -> HardwareAddress {
    HardwareAddress(bytes: [0x02, 0x74] + node.octets)
}
