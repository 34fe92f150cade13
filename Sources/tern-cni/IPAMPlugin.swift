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
        switch env.command {
        case .add:
            let addresses = try plugin.ternIPAM(node: try plugin.daemon.status())
            let r = CNIResult(cniVersion: config.cniVersion, interfaces: [],
                              ips: addresses.map { .init(address: $0.description, gateway: nil, interface: nil) },
                              routes: [], dns: nil)
            return r.json(cniVersion: config.cniVersion)
        case .del:
            try TernIPAM(daemon: plugin.daemon, handle: plugin.attachment).release()
            return nil
        case .check:
            return nil
        case .gc:
            _ = try plugin.daemon.send(.init(.ipamGC, ipam: .init(handle: plugin.handle(of: ""), keep: plugin.validHandles)))
            return nil
        case .status:
            try plugin.status()
            return nil
        case .version:
            return CNIVersion.versionResult(cniVersion: config.cniVersion)
        }
    }
}
