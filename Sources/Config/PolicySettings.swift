/// The `policy` mapping: NetworkPolicy enforcement on nftables (docs/POLICY.md).
public struct PolicySettings: Sendable, Hashable {
    /// Enforce policies; nil: on when the node has a datastore (policies live there).
    public var enabled: Bool?
    /// When new rules deny a flow, delete its conntrack entries so that established
    /// connections are cut too (Calico and kube-router keep them: calico#2759).
    public var cutDeniedConnections = true
    /// Seconds between full checks of the kernel table against the desired one (a change
    /// by another process is noticed at once through the nftables monitor; the check lists
    /// the whole table, a megabyte of JSON at 1000 pods). Felix's refresh default, 90 s.
    public var resyncInterval: UInt32 = 90
    /// Interfaces with this prefix are workloads: unknown ones are dropped until Tern has
    /// their rules (a pod is isolated from its first packet). Calico's `cali`.
    public var workloadInterfacePrefix = "cali"

    public init() {}
}

extension TernConfig {
    /// Whether policies are enforced: `policy.enabled`, else whenever there is a datastore.
    public var policyEnabled: Bool { policy.enabled ?? (datastore != nil) }
}
