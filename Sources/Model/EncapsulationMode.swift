/// How routes to another node's blocks of a pool are encapsulated: Calico's `ipipMode` /
/// `vxlanMode` values, spelled as Calico spells them.
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

/// The tunnel a pool's routes use when it is encapsulated.
public enum TunnelKind: String, Hashable, Sendable, CaseIterable, CustomStringConvertible {
    /// IP-in-IP (IPPROTO_IPIP, RFC 2003) over `tunl0`.
    case ipip
    /// VXLAN (RFC 7348) over `vxlan.tern`.
    case vxlan

    /// The device Calico (and Tern) uses: `tunl0` or `vxlan.tern`.
    public var deviceName: String { self == .ipip ? "tunl0" : "vxlan.tern" }

    /// Bytes each packet grows by: outer IPv4 (20), for VXLAN also UDP (8), VXLAN (8) and
    /// the inner Ethernet header (14).
    public var overhead: UInt32 { self == .ipip ? 20 : 50 }

    /// Calico's name of the pool key that turns it on: `ipipMode` or `vxlanMode`.
    public var modeKey: String { self == .ipip ? "ipipMode" : "vxlanMode" }

    /// `IPIP` or `VXLAN`.
    public var description: String { self == .ipip ? "IPIP" : "VXLAN" }
}
