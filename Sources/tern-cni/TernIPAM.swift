import CNI
import IPCore
import TernAPI

/// Addresses from the node's IPAM blocks through the daemon, the single writer
/// (`ipam-allocate` / `ipam-release` / `ipam-gc`; docs/CNI.md, "IPAM"). The handle is
/// Calico's: `<network name>.<CNI_CONTAINERID>`, so a repeated ADD gets the same
/// addresses and DEL frees exactly them.
struct TernIPAM {
    let daemon: DaemonLink
    let handle: String
    /// calico-ipam's `ipv4_pools` / `ipv6_pools` (names or CIDRs); empty: any matching pool.
    var ipv4Pools: [String] = []
    var ipv6Pools: [String] = []

    /// One address per wanted family: the static ones asked for (podman's `IP=`, the `ips`
    /// capability), the others from the blocks.
    func allocate(staticAddresses: [IPAddress], ipv4: Bool, ipv6: Bool) throws(CNIError) -> [IPPrefix] {
        var out: [IPPrefix] = []
        for a in staticAddresses {
            out.append(try one(family: a.family == .v4 ? "ipv4" : "ipv6", address: a.description))
        }
        if ipv4, !staticAddresses.contains(where: { $0.family == .v4 }) { out.append(try one(family: "ipv4", address: nil)) }
        if ipv6, !staticAddresses.contains(where: { $0.family == .v6 }) { out.append(try one(family: "ipv6", address: nil)) }
        return out
    }

    private func one(family: String, address: String?) throws(CNIError) -> IPPrefix {
        let r: ControlProtocol.Response
        do {
            let pools = family == "ipv4" ? ipv4Pools : ipv6Pools
            r = try daemon.send(.init(.ipamAllocate, ipam: .init(handle: handle, family: family, address: address,
                                                                 pools: pools.isEmpty ? nil : pools)))
        } catch let e where e.code == CNIError.addressInUse {
            throw CNIError(address == nil ? CNIError.ipamExhausted : CNIError.addressInUse,
                           address.map { "tern-ipam: cannot assign \($0): \(e.msg)" } ?? "tern-ipam: no \(family) address: \(e.msg)",
                           details: e.details)
        }
        guard let text = r.ipam?.first?.address, let p = IPPrefix(text) else {
            throw CNIError(CNIError.daemonRefused, "tern-ipam: the daemon's answer to ipam-allocate has no address")
        }
        return p
    }

    /// Frees the handle's addresses (none held is fine: DEL is idempotent).
    func release() throws(CNIError) {
        _ = try daemon.send(.init(.ipamRelease, ipam: .init(handle: handle)))
    }
}
