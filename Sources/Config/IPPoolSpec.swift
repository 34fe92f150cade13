import IPCore
import BGPWire

/// `ipPools[].ipipMode` / `vxlanMode`, spelled as Calico spells them.
public enum EncapsulationMode: String, Hashable, Sendable, CaseIterable {
    /// Every route to a remote block of the pool is encapsulated.
    case Always
    /// Encapsulated only when the remote node is outside the subnets of the underlay interface.
    case CrossSubnet
    /// Plain routing: the underlay must know the pool's addresses (or BGP tells it).
    case Never

    /// Not `Never`.
    public var isOn: Bool { self != .Never }
}

/// One entry of `ipPools`: an address range whose blocks are handed out to nodes, and how
/// routes to other nodes' blocks of it are encapsulated (Calico's IPPool resource).
public struct IPPoolSpec: Hashable, Sendable {
    /// The pool, e.g. 10.244.0.0/16.
    public var cidr: IPPrefix
    /// The prefix length of the pool's blocks (IPv4 20-32, default 26; IPv6 116-128, default 122).
    public var blockSize: UInt8
    /// IP-in-IP (`tunl0`).
    public var ipipMode: EncapsulationMode
    /// VXLAN (`vxlan.tern`).
    public var vxlanMode: EncapsulationMode

    public init(cidr: IPPrefix, blockSize: UInt8? = nil, ipipMode: EncapsulationMode = .Never,
                vxlanMode: EncapsulationMode = .Never) {
        self.cidr = cidr
        self.blockSize = blockSize ?? IPPoolSpec.defaultBlockSize(cidr)
        self.ipipMode = ipipMode
        self.vxlanMode = vxlanMode
    }

    /// Calico's defaults: /26 for IPv4, /122 for IPv6.
    public static func defaultBlockSize(_ cidr: IPPrefix) -> UInt8 {
        if case .v6 = cidr { return 122 }
        return 26
    }

    /// "IPIP Always", "VXLAN CrossSubnet" or "none".
    public var encapsulationDescription: String {
        if ipipMode.isOn { return "IPIP \(ipipMode.rawValue)" }
        if vxlanMode.isOn { return "VXLAN \(vxlanMode.rawValue)" }
        return "none"
    }

    /// True when `prefix` lies inside the pool.
    public func contains(_ prefix: IPPrefix) -> Bool { cidr.contains(prefix) }
}

/// The overlay knobs of the `dataplane` section.
public struct OverlaySettings: Hashable, Sendable {
    /// MTU of `tunl0`; nil: the underlay interface's MTU − 20.
    public var ipipMTU: UInt32?
    /// MTU of `vxlan.tern`; nil: the underlay interface's MTU − 50.
    public var vxlanMTU: UInt32?
    /// VXLAN network identifier. Default 4096 (Calico's).
    public var vxlanVNI: UInt32 = 4096
    /// VXLAN UDP port. Default 4789 (IANA).
    public var vxlanPort: UInt16 = 4789
    /// The interface that carries encapsulated traffic; nil: the one holding this node's
    /// address (its `nodes` entry, else the router ID).
    public var underlayInterface: String?

    public init() {}
}

extension TernConfig {
    /// The pool that contains `prefix` (the longest when pools nest; the loader rejects overlaps).
    public func pool(containing prefix: IPPrefix) -> IPPoolSpec? {
        ipPools.filter { $0.contains(prefix) }.max { $0.cidr.length < $1.cidr.length }
    }
}
