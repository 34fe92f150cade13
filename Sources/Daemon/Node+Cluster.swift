import Cluster
import Config
import Datastore
import Foundation
import Model
import TernAPI

// MARK: - The datastore: registration, mesh discovery, blocks (docs/DATASTORE.md)

extension Node {
    /// Starts the datastore agent when the configuration names a datastore. Its states
    /// arrive on its own queue and are applied on the loop like a reload.
    func startCluster() {
        guard let settings = config.datastore, cluster == nil else { return }
        let (ipv4, ipv6) = HostIdentity.bgpAddresses(config)
        let identity = ClusterAgent.Identity(name: config.nodeName, ipv4: ipv4, ipv6: ipv6)
        let loop = self.loop
        let agent = ClusterAgent(identity: identity, kind: settings.type.rawValue, prefix: settings.prefix, logger: logger,
                                 open: { () throws(DatastoreError) -> any Datastore in try DatastoreOpener.open(settings) }) { [weak self] state in
            guard let node = self else { return }
            loop.execute { node.clusterChanged(state) }
        }
        cluster = agent
        startPolicy()
        agent.start()
        agent.setWorkloads(allWorkloads.map(\.workload))
    }

    /// A new cluster state: the effective configuration is re-derived and applied (the
    /// peers, pools and blocks that changed, nothing else).
    func clusterChanged(_ state: ClusterAgent.State) {
        loop.assertOnLoop()
        clusterState = state
        applyEffective(reason: "datastore")
        updatePolicy()
    }

    /// The configuration the node runs: the file's, plus the datastore's when there is one.
    func effectiveConfig(file: TernConfig) -> TernConfig {
        var file = file
        file.ipv6NextHop = config.ipv6NextHop   // found once, at start (Node.init)
        guard let state = clusterState else { return file }
        let result = ClusterConfig.effective(base: file, view: state.view, blocks: state.blocks)
        let problems = Set(result.problems)
        for p in problems.subtracting(clusterProblems) { logger.warning("datastore: \(p)") }
        clusterProblems = problems
        return result.config
    }

    /// Re-derives and applies the effective configuration.
    func applyEffective(reason: String) {
        apply(effectiveConfig(file: fileConfig), reason: reason)
    }

    /// `tern status`'s datastore part.
    func datastoreStatus() -> ControlProtocol.DatastoreStatus? {
        guard let settings = config.datastore else { return nil }
        let s = cluster?.status ?? ClusterStatus(type: settings.type.rawValue)
        return ControlProtocol.DatastoreStatus(type: s.type, state: s.connected ? "connected" : "down", revision: s.revision,
                                      error: s.error, blocks: s.blocks)
    }
}
