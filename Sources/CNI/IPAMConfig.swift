/// The network config's `ipam` dictionary (SPEC.md §Plugin configuration objects, `ipam`) with calico-ipam's
/// options (Calico docs, "Configuring the Calico CNI plugins" §IPAM): `ipv4_pools`, `ipv6_pools`,
/// `assign_ipv4`, `assign_ipv6`.
public struct IPAMConfig: Equatable, Sendable {
    /// `type`: the IPAM plugin's executable name (required when `ipam` is given).
    public var type: String
    /// `ipv4_pools`: the IPv4 pools (CIDRs or pool names) to assign from; empty means all enabled pools.
    public var ipv4Pools: [String]
    /// `ipv6_pools`: the IPv6 pools to assign from; empty means all enabled pools.
    public var ipv6Pools: [String]
    /// `assign_ipv4` (default true). Like Calico, `true`/`false` or the strings `"true"`/`"false"`.
    public var assignIPv4: Bool
    /// `assign_ipv6` (default false). Like Calico, `true`/`false` or the strings `"true"`/`"false"`.
    public var assignIPv6: Bool
    /// The whole `ipam` object, unknown keys included.
    public var raw: [String: JSONValue]

    public init(type: String, ipv4Pools: [String] = [], ipv6Pools: [String] = [], assignIPv4: Bool = true,
                assignIPv6: Bool = false, raw: [String: JSONValue] = [:]) {
        self.type = type
        self.ipv4Pools = ipv4Pools
        self.ipv6Pools = ipv6Pools
        self.assignIPv4 = assignIPv4
        self.assignIPv6 = assignIPv6
        self.raw = raw
    }

    /// Decodes the `ipam` object; a missing `type` or a wrongly typed option is code 7 naming it.
    static func decode(_ o: [String: JSONValue]) throws(CNIError) -> IPAMConfig {
        guard let type = try Field.string(o["type"], "ipam.type"), !type.isEmpty else {
            throw CNIError(CNIError.invalidNetworkConfig, "ipam.type is missing")
        }
        return IPAMConfig(type: type,
                          ipv4Pools: try Field.strings(o["ipv4_pools"], "ipam.ipv4_pools"),
                          ipv6Pools: try Field.strings(o["ipv6_pools"], "ipam.ipv6_pools"),
                          assignIPv4: try Field.bool(o["assign_ipv4"], "ipam.assign_ipv4") ?? true,
                          assignIPv6: try Field.bool(o["assign_ipv6"], "ipam.assign_ipv6") ?? false,
                          raw: o)
    }
}
