import Model

/// The `dataplane` section: how the Felix-like agent programs the kernel.
public struct DataplaneSettings: Hashable, Sendable {
    /// nil: not written; `TernConfig.dataplaneEnabled` then follows the role
    /// (on for `node`, off for `reflector`).
    public var enabled: Bool?
    /// `rtm_protocol` marking Tern's routes. Default 199. Never 0-4 (kernel), a number
    /// iproute2 names in rt_protos, or 80 (Felix).
    public var routeProtocol: UInt8 = 199
    /// Kernel routing table, 1-4294967295 except 253 (default) and 255 (local). Default 254 (main).
    public var routeTable: UInt32 = 254
    /// Seconds between full resyncs against a kernel dump. Default 90.
    public var resyncInterval: UInt32 = 90
    /// Seconds after start after which routes of ours that are no longer desired are
    /// removed even without End-of-RIB. Default 120.
    public var staleRouteTimeout: UInt32 = 120
    /// Default `copy`.
    public var rpFilter: RPFilter = .copy
    /// Tunnel MTUs, VXLAN VNI and port, the underlay interface (keys `ipipMTU`, `vxlanMTU`,
    /// `vxlanVNI`, `vxlanPort`, `underlayInterface`). Applied in place on SIGHUP.
    public var overlay = OverlaySettings()

    public init() {}

    /// Protocol numbers that belong to someone else: the kernel's (0-4,
    /// `<linux/rtnetlink.h>` RTPROT_*), the ones iproute2 names in /etc/iproute2/rt_protos,
    /// and 80, Felix's.
    public static let reservedProtocols: [UInt8: String] = [
        0: "unspec", 1: "redirect", 2: "kernel", 3: "boot", 4: "static", 8: "gated", 9: "ra",
        10: "mrt", 11: "zebra", 12: "bird", 13: "dnrouted", 14: "xorp", 15: "ntk", 16: "dhcp",
        17: "mrouted", 18: "keepalived", 42: "babel", 80: "Calico Felix", 99: "openr", 186: "bgp (FRR)",
        187: "isis (FRR)", 188: "ospf (FRR)", 189: "rip (FRR)", 192: "eigrp (FRR)",
    ]
}

extension TernConfig {
    /// Whether the dataplane agent runs: `dataplane.enabled` when written, else on for
    /// `role: node` and off for `role: reflector`.
    public var dataplaneEnabled: Bool { dataplane.enabled ?? (role != .reflector) }
}
