import IPCore
import Model

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
    public func pool(containing prefix: IPPrefix) -> IPPool? { ipPools.pool(containing: prefix) }
}
