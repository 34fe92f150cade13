import IPCore
import BGPWire
import Model
import Config
import Dataplane
import Foundation
import Datastore
import FileDatastore
import Logging
import RIB
import Speaker
import TernAPI

// MARK: - Dataplane: Loc-RIB and workloads into the kernel (the Felix part)

extension Node {
    /// Starts the dataplane agent when the configuration enables it (role node). A failure
    /// (no netlink, no permission) is logged and BGP keeps running; `tern fib` says why.
    func startDataplane() {
        guard config.dataplaneEnabled else { return }
        let d = config.dataplane
        let cfg = DataplaneConfig(routeProtocol: d.routeProtocol, routeTable: d.routeTable,
                                  resyncInterval: Double(d.resyncInterval), staleRouteTimeout: Double(d.staleRouteTimeout),
                                  rpFilter: d.rpFilter, overlay: Node.overlayConfig(config))
        var dataplaneLogger = logger
        dataplaneLogger[metadataKey: "component"] = "dataplane"
        let agent = DataplaneAgent(config: cfg, logger: dataplaneLogger)
        let metrics = self.metrics
        agent.observePasses { metrics.observeApply(seconds: $0) }
        do {
            try agent.start()
        } catch {
            dataplaneError = "\(error)"
            logger.error("dataplane not started: \(error); BGP keeps running without programming the kernel")
            return
        }
        dataplane = agent
        agent.setLocalBlocks(config.blocks)
        applyWorkloads()
        // Every route the RIB already holds (learned before the agent started).
        programDataplane(speaker.trackFIB())
        if speaker.peerCount == 0 { agent.allowStaleRemoval() }
    }

    /// Mirrors the RIB's kernel route changes (``RIBChanges/fib``: best path plus equally
    /// good paths as one ECMP route, none for locally originated prefixes, which are the
    /// agent's own) into the kernel. The RIB decides; nothing is asked back.
    func programDataplane(_ changes: [FIBChange]) {
        guard let agent = dataplane, !changes.isEmpty else { return }
        agent.setRoutes(changes.lazy.map { change -> (prefix: IPPrefix, nextHops: [IPAddress]) in
            switch change {
            case .set(let prefix, let nextHops): (prefix, nextHops)
            case .remove(let prefix): (prefix, [])
            }
        })
    }

    /// The overlay keys as the dataplane takes them, with the pools as they are. The node's underlay
    /// address is its `nodes` entry's (IPv4), else the router ID.
    static func overlayConfig(_ c: TernConfig) -> OverlayConfig {
        let o = c.dataplane.overlay
        var node = c.routerID
        if case .v4(let a) = c.meshSelf.address { node = a }
        var addresses: [TunnelKind: IPv4Address] = [:]
        for (device, prefix) in c.tunnelAddresses {
            guard case .v4(let p) = prefix else { continue }
            addresses[device == TunnelKind.ipip.deviceName ? .ipip : .vxlan] = p.address
        }
        return OverlayConfig(pools: c.ipPools, ipipMTU: o.ipipMTU, vxlanMTU: o.vxlanMTU, vxlanVNI: o.vxlanVNI,
                             vxlanPort: o.vxlanPort, underlayInterface: o.underlayInterface, nodeAddress: node,
                             tunnelAddresses: addresses)
    }

    /// `tern status`: pools, tunnel devices, MTUs (nil without pools).
    func overlayStatus() -> ControlProtocol.Overlay? {
        guard !config.ipPools.isEmpty else { return nil }
        guard let agent = dataplane else {
            return OverlayStatus(pools: config.ipPools.map {
                OverlayStatus.Pool(cidr: $0.cidr.description, encapsulation: $0.encapsulationDescription,
                                   problem: "the dataplane is not running")
            })
        }
        return agent.overlayStatus
    }

    // MARK: Workloads

    /// All workloads: the configuration's, then those added with `tern workload add`.
    var allWorkloads: [(workload: Model.Workload, origin: String)] {
        config.workloads.map { ($0, "config") }
            + dynamicWorkloads.values.sorted { $0.workload.qualifiedName < $1.workload.qualifiedName }.map { ($0.workload, $0.origin) }
    }

    /// Hands the workloads to the agent and originates their addresses that lie outside
    /// this node's blocks ("borrowed" IPs are advertised as host routes, as Calico does).
    func applyWorkloads() {
        let all = allWorkloads.map(\.workload)
        updatePolicy()
        dataplane?.setWorkloads(all)
        cluster?.setWorkloads(all)
        let borrowed = Set(all.flatMap(\.ipNetworks).filter { ip in !config.blocks.contains { $0.contains(ip) } })
        let gone = originatedBorrowed.subtracting(borrowed)
        let new = borrowed.subtracting(originatedBorrowed)
        originatedBorrowed = borrowed
        speaker.withdrawOriginated(Array(gone))
        speaker.originate(Array(new))
    }

    /// `tern workload add` and the CNI plugin's ADD: validated by ``Model/Workload`` (the
    /// rules and words of `tern check` and the state file), kept in the state file,
    /// programmed. Labels not given come from the datastore's `Pod` of that namespace and
    /// name. The same workload again (a runtime retrying ADD) replaces it.
    func addWorkload(_ w: ControlProtocol.Workload) -> ControlProtocol.Response {
        let workload: Model.Workload
        let namespace = w.namespace ?? Model.Workload.defaultNamespace
        do {
            workload = try Model.Workload(name: w.name, namespace: namespace, interface: w.interface, addresses: w.ipNetworks,
                                          mac: w.mac, labels: w.labels ?? podLabels(namespace: namespace, name: w.name))
        } catch {
            return .failure(.invalid, error.field == "ipNetworks" && w.ipNetworks.isEmpty ? "give at least one --ip" : error.description)
        }
        guard config.workloads.allSatisfy({ $0.qualifiedName != workload.qualifiedName }) else {
            return .failure(.conflict, "workload \(workload.qualifiedName) comes from the configuration file; change it there")
        }
        for (other, _) in allWorkloads where other.qualifiedName != workload.qualifiedName {
            if let clash = workload.conflict(with: other) { return .failure(.conflict, clash.description) }
        }
        var next = dynamicWorkloads
        next[workload.qualifiedName] = DynamicWorkload(workload: workload, origin: w.origin == "cni" ? "cni" : "cli",
                                                       attachment: w.attachment)
        let rejected = rejectedWorkloadEntries.filter { $0.qualifiedName != workload.qualifiedName }
        do throws(DatastoreError) {
            try saveWorkloads(next, rejected: rejected)
        } catch {
            return .failure(.unavailable, "workload \(workload.qualifiedName) not added: the workload state cannot be saved (\(Node.reason(error))); nothing changed")
        }
        dynamicWorkloads = next
        rejectedWorkloadEntries = rejected
        applyWorkloads()
        logger.info("workload \(workload.qualifiedName) added: \(workload.ipNetworks.map(\.description).joined(separator: ", ")) dev \(workload.interface)")
        // The CNI plugin gets the one workload back, not the node's whole list (56 KB at 300 pods).
        if w.origin == "cni" { return ControlProtocol.Response(ok: true, workloads: [Node.apiWorkload(workload, origin: "cni", attachment: w.attachment)]) }
        return ControlProtocol.Response(ok: true, workloads: listWorkloads())
    }

    /// The labels of the datastore's `Pod` `namespace/name`, none without one.
    func podLabels(namespace: String, name: String) -> [String: String] {
        clusterState?.view.resource(.pod, namespace: namespace, name: name)?.metadata.labels ?? [:]
    }

    /// `tern workload del` and the CNI plugin's DEL: by name (`namespace/name` or the
    /// request's `namespace`). With `attachment` set (CNI), only that attachment is
    /// deleted and a missing workload is not an error (DEL is idempotent).
    func deleteWorkload(_ w: ControlProtocol.Workload) -> ControlProtocol.Response {
        let name = w.name.contains("/") ? w.name
            : ControlProtocol.Workload(name: w.name, namespace: w.namespace, interface: "", ipNetworks: []).qualifiedName
        var next = dynamicWorkloads
        if let id = w.attachment, let current = next[name], current.attachment != id {
            return deleted(w)  // another attachment of that pod name
        }
        guard next.removeValue(forKey: name) != nil else {
            if config.workloads.contains(where: { $0.qualifiedName == name }) {
                return .failure(.conflict, "workload \(name) comes from the configuration file; remove it there and send SIGHUP")
            }
            if w.attachment != nil { return deleted(w) }
            return .failure(.notFound, "no workload named \(name)")
        }
        do throws(DatastoreError) {
            try saveWorkloads(next, rejected: rejectedWorkloadEntries)
        } catch {
            return .failure(.unavailable, "workload \(name) not deleted: the workload state cannot be saved (\(Node.reason(error))); nothing changed")
        }
        dynamicWorkloads = next
        applyWorkloads()
        logger.info("workload \(name) deleted")
        return deleted(w)
    }

    /// A delete's answer: the remaining list, or nothing for the CNI plugin (it reads none).
    private func deleted(_ w: ControlProtocol.Workload) -> ControlProtocol.Response {
        ControlProtocol.Response(ok: true, workloads: w.attachment != nil ? [] : listWorkloads())
    }

    func listWorkloads() -> [ControlProtocol.Workload] {
        config.workloads.map { Node.apiWorkload($0, origin: "config", attachment: nil) }
            + dynamicWorkloads.values.sorted { $0.workload.qualifiedName < $1.workload.qualifiedName }
                .map { Node.apiWorkload($0.workload, origin: $0.origin, attachment: $0.attachment) }
    }

    /// A workload as the control API and the state file carry it.
    static func apiWorkload(_ w: Model.Workload, origin: String, attachment: String?) -> ControlProtocol.Workload {
        ControlProtocol.Workload(name: w.name, namespace: w.namespace == Model.Workload.defaultNamespace ? nil : w.namespace,
                                 interface: w.interface.rawValue, ipNetworks: w.ipNetworks.map(\.description),
                                 mac: w.mac?.description, labels: w.labels.isEmpty ? nil : w.labels,
                                 origin: origin, attachment: attachment)
    }

    /// `tern fib`: desired vs kernel per prefix. The agent computes it on its own queue;
    /// `reply` runs on the loop.
    func fibRows(_ reply: @escaping (ControlProtocol.Response) -> Void) {
        guard let agent = dataplane else {
            reply(.failure(.unavailable, dataplaneError.map { "the dataplane is not running: \($0)" }
                ?? "the dataplane is disabled (dataplane.enabled: false or role: reflector)"))
            return
        }
        let loopQueue = loop.queue
        let send = UncheckedSendable(reply)
        agent.fib { entries in
            let rows = entries.map(Node.fibRow)
            loopQueue.async { send.value(ControlProtocol.Response(ok: true, fib: rows)) }
        }
    }

    static func fibRow(_ e: FIBEntry) -> ControlProtocol.FIBRow {
        let state: ControlProtocol.FIBState, detail: String?
        switch e.state {
        case .installed: (state, detail) = (.installed, e.detail)
        case .pending: (state, detail) = (.pending, e.detail)
        case .error(let why): (state, detail) = (.error, why)
        case .conflict(let p): (state, detail) = (.conflict, "a route of protocol \(p) holds this prefix; left alone")
        case .stale: (state, detail) = (.stale, e.detail ?? "ours from a previous run; removed after End-of-RIB or the stale timeout")
        }
        let source: String? = switch e.source {
        case .workload(let n): "workload \(n)"
        case .localBlock: "block"
        case .bgp: "bgp"
        case nil: nil
        }
        return ControlProtocol.FIBRow(prefix: e.prefix.description, source: source, desired: e.desired,
                                      kernel: e.kernel, state: state, detail: detail)
    }

    // MARK: State file

    /// Where workloads added at run time are kept across restarts: next to the control socket.
    var workloadStatePath: String {
        (config.controlSocket as NSString).deletingLastPathComponent + "/\(config.nodeName)-workloads.json"
    }

    /// Reads the state file. Each entry is validated as `tern workload add` validates it;
    /// one that fails is logged with the same words and kept (``rejectedWorkloadEntries``),
    /// so the next save writes it back instead of dropping it. A file that cannot be read as
    /// a whole (truncated, not JSON) is renamed aside (`.unreadable-<time>`, never
    /// overwritten) and reported; the node starts without its CLI workloads.
    func loadWorkloads() {
        guard let data = FileManager.default.contents(atPath: workloadStatePath) else { return }
        let list: [ControlProtocol.Workload]
        do {
            list = try JSONDecoder().decode([ControlProtocol.Workload].self, from: data)
        } catch {
            let stamp = ISO8601DateFormatter().string(from: Date()).replacingOccurrences(of: ":", with: "")
            let aside = workloadStatePath + ".unreadable-\(stamp)"
            let kept = rename(workloadStatePath, aside) == 0
            logger.error("ignoring unreadable workload state \(workloadStatePath): \(error)\(kept ? "; the file is kept as \(aside)" : ""); workloads added with tern workload add are not restored")
            return
        }
        for (i, entry) in list.enumerated() {
            do {
                // Before namespaces were kept, `name` held the qualified name ("ns/name").
                let parts = entry.namespace == nil ? entry.name.split(separator: "/", maxSplits: 1).map(String.init) : [entry.name]
                let name = parts.last ?? entry.name
                let namespace = parts.count == 2 ? parts[0] : entry.namespace ?? Model.Workload.defaultNamespace
                let w = try Model.Workload(name: name, namespace: namespace, interface: entry.interface, addresses: entry.ipNetworks,
                                           mac: entry.mac, labels: entry.labels ?? [:])
                dynamicWorkloads[w.qualifiedName] = DynamicWorkload(workload: w, origin: entry.origin == "cni" ? "cni" : "cli",
                                                                    attachment: entry.attachment)
            } catch {
                rejectedWorkloadEntries.append(entry)
                logger.error("workload state \(workloadStatePath): entry \(i) (\(entry.name)) not restored: \(error); kept in the file")
            }
        }
        logger.info("restored \(dynamicWorkloads.count) workload(s) from \(workloadStatePath)\(rejectedWorkloadEntries.isEmpty ? "" : ", \(rejectedWorkloadEntries.count) rejected")")
    }

    /// Writes the state file for `dynamic` (plus the entries kept from a load that failed
    /// validation), durably (``AtomicFile``, the file store's write). A failure is the
    /// caller's to report: the request fails and the in-memory state stays as it was.
    func saveWorkloads(_ dynamic: [String: DynamicWorkload], rejected: [ControlProtocol.Workload]) throws(DatastoreError) {
        let list = dynamic.values.sorted { $0.workload.qualifiedName < $1.workload.qualifiedName }.map { d in
            Node.apiWorkload(d.workload, origin: d.origin, attachment: d.attachment)
        } + rejected
        let data: Data
        do { data = try JSONEncoder().encode(list) } catch { throw .invalid("cannot encode: \(error)") }
        try AtomicFile.write(Array(data), to: workloadStatePath)
    }

    /// A file-write failure's words without the datastore's prefix.
    static func reason(_ e: DatastoreError) -> String {
        switch e {
        case .unavailable(let m), .invalid(let m): m
        default: "\(e)"
        }
    }
}
