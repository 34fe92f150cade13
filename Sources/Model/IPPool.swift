import IPCore

/// An address range whose blocks are handed out to nodes, and how routes to other nodes'
/// blocks of it are encapsulated (Calico's `IPPool`, projectcalico.org/v3).
///
/// Validated once: `blockSize` IPv4 20-32 or IPv6 116-128 and not shorter than the pool;
/// at most one of `ipipMode` and `vxlanMode` on; IPv6 pools are not encapsulated (Tern's
/// tunnels carry IPv4 over an IPv4 underlay).
public struct IPPool: Hashable, Sendable {
    /// The pool, e.g. 10.244.0.0/16 (host bits zero).
    public let cidr: IPPrefix
    /// The prefix length of the pool's blocks.
    public let blockSize: UInt8
    /// IP-in-IP (`tunl0`).
    public let ipipMode: EncapsulationMode
    /// VXLAN (`vxlan.tern`).
    public let vxlanMode: EncapsulationMode

    /// A validated pool; `blockSize` nil takes Calico's default (26 or 122).
    public init(cidr: IPPrefix, blockSize: UInt8? = nil, ipipMode: EncapsulationMode = .Never,
                vxlanMode: EncapsulationMode = .Never) throws(ModelError) {
        let size = blockSize ?? IPPool.defaultBlockSize(cidr.ipFamily)
        let range = IPPool.blockSizes(cidr.ipFamily)
        if blockSize != nil, !range.contains(size) {
            throw ModelError(field: "blockSize", "block size \(size) is out of range \(range.lowerBound)-\(range.upperBound)",
                             hint: "Calico's default is \(IPPool.defaultBlockSize(cidr.ipFamily))")
        }
        if size < cidr.length {
            if blockSize == nil {
                throw ModelError(field: "cidr", "\(cidr) is smaller than one default /\(size) block",
                                 hint: "set blockSize to \(cidr.length) or more")
            }
            throw ModelError(field: "blockSize", "block size /\(size) is larger than the pool \(cidr)",
                             hint: "use \(cidr.length) or more")
        }
        if ipipMode.isOn && vxlanMode.isOn {
            throw ModelError(field: "ipipMode",
                             "ipipMode \(ipipMode.rawValue) and vxlanMode \(vxlanMode.rawValue) are both on; a pool is encapsulated one way",
                             hint: "set one of them to Never")
        }
        if cidr.ipFamily == .v6, ipipMode.isOn || vxlanMode.isOn {
            throw ModelError(field: ipipMode.isOn ? "ipipMode" : "vxlanMode",
                             "\(cidr) is an IPv6 pool; Tern encapsulates IPv4 pools only (IP-in-IP and VXLAN over IPv4)",
                             hint: "use Never for IPv6 pools and let BGP route them natively")
        }
        self.cidr = cidr
        self.blockSize = size
        self.ipipMode = ipipMode
        self.vxlanMode = vxlanMode
    }

    /// Calico's default block sizes: /26 for IPv4, /122 for IPv6.
    public static func defaultBlockSize(_ family: IPFamily) -> UInt8 { family == .v6 ? 122 : 26 }

    /// The block sizes a pool of `family` may have.
    public static func blockSizes(_ family: IPFamily) -> ClosedRange<UInt8> { family == .v6 ? 116...128 : 20...32 }

    /// The tunnel the pool's routes use, nil for plain routing.
    public var tunnel: TunnelKind? {
        if ipipMode.isOn { return .ipip }
        if vxlanMode.isOn { return .vxlan }
        return nil
    }

    /// The encapsulation mode in force: the mode of ``tunnel``, `Never` without one.
    public var mode: EncapsulationMode {
        switch tunnel {
        case .ipip: ipipMode
        case .vxlan: vxlanMode
        case nil: .Never
        }
    }

    /// "IPIP Always", "VXLAN CrossSubnet" or "none".
    public var encapsulationDescription: String {
        tunnel.map { "\($0) \(mode.rawValue)" } ?? "none"
    }

    /// True when `prefix` lies inside the pool.
    public func contains(_ prefix: IPPrefix) -> Bool { cidr.contains(prefix) }

    /// True when the two pools share an address (pools must not).
    public func overlaps(_ other: IPPool) -> Bool { cidr.contains(other.cidr) || other.cidr.contains(cidr) }
}

extension Array where Element == IPPool {
    /// The pool that contains `prefix`, the most specific when pools nest.
    public func pool(containing prefix: IPPrefix) -> IPPool? {
        filter { $0.contains(prefix) }.max { $0.cidr.length < $1.cidr.length }
    }
}
