import IPCore

/// What `tern status` shows about the overlay (the dataplane publishes it, the control API
/// carries it).
public struct OverlayStatus: Hashable, Sendable, Codable {
    public struct Pool: Hashable, Sendable, Codable {
        public var cidr: String
        /// "VXLAN Always", "IPIP CrossSubnet", "none".
        public var encapsulation: String
        /// Why its routes cannot be encapsulated now, e.g. "IPIP requested for pool
        /// 10.244.0.0/16 but this kernel has no ipip support (CONFIG_NET_IPIP)".
        public var problem: String?

        public init(cidr: String, encapsulation: String, problem: String? = nil) {
            self.cidr = cidr
            self.encapsulation = encapsulation
            self.problem = problem
        }
    }
    public struct Device: Hashable, Sendable, Codable {
        public var name: String
        public var kind: String
        /// The device's MTU in the kernel (nil: not present).
        public var mtu: UInt32?
        /// The MTU Tern wants.
        public var wantedMTU: UInt32
        /// "up", "down", "absent" or the error.
        public var state: String
        public var address: String?

        public init(name: String, kind: String, mtu: UInt32?, wantedMTU: UInt32, state: String, address: String?) {
            self.name = name
            self.kind = kind
            self.mtu = mtu
            self.wantedMTU = wantedMTU
            self.state = state
            self.address = address
        }
    }
    public var pools: [Pool] = []
    public var devices: [Device] = []
    /// "eth0 (10.0.0.1, MTU 1500)" or the reason it is unknown.
    public var underlay: String?
    /// The MTU workloads should use (the smallest tunnel MTU, else the underlay's).
    public var workloadMTU: UInt32?

    public init(pools: [Pool] = [], devices: [Device] = [], underlay: String? = nil, workloadMTU: UInt32? = nil) {
        self.pools = pools
        self.devices = devices
        self.underlay = underlay
        self.workloadMTU = workloadMTU
    }
}
