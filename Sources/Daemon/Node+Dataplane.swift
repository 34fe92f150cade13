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
            + dynamicWorkloads.values.sorted { $0.qualifiedName < $1.qualifiedName }.map { ($0, "cli") }
    }

    /// Hands the workloads to the agent and originates their addresses that lie outside
    /// this node's blocks ("borrowed" IPs are advertised as host routes, as Calico does).
    func applyWorkloads() {
        let all = allWorkloads.map(\.workload)
        dataplane?.setWorkloads(all)
        cluster?.setWorkloads(all)
        let borrowed = Set(all.flatMap(\.ipNetworks).filter { ip in !config.blocks.contains { $0.contains(ip) } })
        let gone = originatedBorrowed.subtracting(borrowed)
        let new = borrowed.subtracting(originatedBorrowed)
        originatedBorrowed = borrowed
        speaker.withdrawOriginated(Array(gone))
        speaker.originate(Array(new))
    }

    /// `tern workload add`: validated by ``Model/Workload`` (the rules and words of `tern
    /// check` and the state file), kept in the state file, programmed.
    func addWorkload(_ w: ControlProtocol.Workload) -> ControlProtocol.Response {
        let workload: Model.Workload
        do {
            workload = try Model.Workload(name: w.name, interface: w.interface, addresses: w.ipNetworks, mac: w.mac)
        } catch {
            return .failure(.invalid, error.field == "ipNetworks" && w.ipNetworks.isEmpty ? "give at least one --ip" : error.description)
        }
        guard config.workloads.allSatisfy({ $0.qualifiedName != workload.qualifiedName }) else {
            return .failure(.conflict, "workload \(w.name) comes from the configuration file; change it there")
        }
        for (other, _) in allWorkloads where other.qualifiedName != workload.qualifiedName {
            if let clash = workload.conflict(with: other) { return .failure(.conflict, clash.description) }
        }
        var next = dynamicWorkloads
        next[workload.qualifiedName] = workload
        let rejected = rejectedWorkloadEntries.filter { $0.name != workload.qualifiedName }
        do throws(DatastoreError) {
            try saveWorkloads(next, rejected: rejected)
        } catch {
            return .failure(.unavailable, "workload \(w.name) not added: the workload state cannot be saved (\(Node.reason(error))); nothing changed")
        }
        dynamicWorkloads = next
        rejectedWorkloadEntries = rejected
        applyWorkloads()
        logger.info("workload \(w.name) added: \(workload.ipNetworks.map(\.description).joined(separator: ", ")) dev \(workload.interface)")
        return ControlProtocol.Response(ok: true, workloads: listWorkloads())
    }

    /// `tern workload del`.
    func deleteWorkload(named name: String) -> ControlProtocol.Response {
        var next = dynamicWorkloads
        guard next.removeValue(forKey: name) != nil else {
            if config.workloads.contains(where: { $0.qualifiedName == name }) {
                return .failure(.conflict, "workload \(name) comes from the configuration file; remove it there and send SIGHUP")
            }
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
        return ControlProtocol.Response(ok: true, workloads: listWorkloads())
    }

    func listWorkloads() -> [ControlProtocol.Workload] {
        allWorkloads.map { w, origin in
            ControlProtocol.Workload(name: w.qualifiedName, interface: w.interface.rawValue, ipNetworks: w.ipNetworks.map(\.description),
                                     mac: w.mac?.description, origin: origin)
        }
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
                let w = try Model.Workload(name: entry.name, interface: entry.interface, addresses: entry.ipNetworks, mac: entry.mac)
                dynamicWorkloads[w.qualifiedName] = w
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
    func saveWorkloads(_ dynamic: [String: Model.Workload], rejected: [ControlProtocol.Workload]) throws(DatastoreError) {
        let list = dynamic.values.sorted { $0.qualifiedName < $1.qualifiedName }.map { w in
            ControlProtocol.Workload(name: w.qualifiedName, interface: w.interface.rawValue, ipNetworks: w.ipNetworks.map(\.description),
                                     mac: w.mac?.description, origin: "cli")
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
