import CNI
import Foundation
import IPCore
import TernAPI

/// `tern-ipam` called on its own, as the IPAM plugin of another main plugin (`bridge`,
/// `ptp`, ...): addresses from the node's blocks through the daemon; the main plugin
/// configures the interface (SPEC.md "IP Allocation").
struct IPAMPlugin {
    let env: CNIEnvironment
    let config: NetworkConfig

    var plugin: Plugin { Plugin(env: env, config: config, stdin: Data()) }

    func run() throws(CNIError) -> Data? {
        let ipam = TernIPAM(daemon: plugin.daemon, handle: plugin.attachment,
                            ipv4Pools: config.ipam?.ipv4Pools ?? [], ipv6Pools: config.ipam?.ipv6Pools ?? [])
        switch env.command {
        case .add:
            let node = try plugin.daemon.status()
            let pools = node.overlay?.pools.map(\.cidr) ?? []
            let wantV6 = (config.ipam?.assignIPv6 ?? false) || !(config.ipam?.ipv6Pools ?? []).isEmpty || pools.contains { $0.contains(":") }
            let addresses = try ipam.allocate(staticAddresses: try plugin.staticAddresses(),
                                              ipv4: config.ipam?.assignIPv4 ?? true, ipv6: wantV6)
            let r = CNIResult(cniVersion: config.cniVersion, interfaces: [],
                              ips: addresses.map { .init(address: $0.description, gateway: nil, interface: nil) },
                              routes: [], dns: nil)
            return r.json(cniVersion: config.cniVersion)
        case .del:
            try ipam.release()
            return nil
        case .check:
            return nil
        case .gc:
            let valid = (config.validAttachments ?? []).map { "\(config.name).\($0.containerID)" }
            _ = try plugin.daemon.send(.init(.ipamGC, ipam: .init(handle: "\(config.name).", keep: valid)))
            return nil
        case .status:
            try plugin.status()
            return nil
        case .version:
            return CNIVersion.versionResult(cniVersion: config.cniVersion)
        }
    }
}
