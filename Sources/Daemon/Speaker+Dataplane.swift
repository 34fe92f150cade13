import IPCore
import BGPWire
import Config
import Dataplane
import Foundation
import Logging
import RIB

// MARK: - Dataplane: Loc-RIB and workloads into the kernel (the Felix part)

extension Speaker {
    /// Starts the dataplane agent when the configuration enables it (role node). A failure
    /// (no netlink, no permission) is logged and BGP keeps running; `tern fib` says why.
    func startDataplane() {
        guard config.dataplaneEnabled else { return }
        let d = config.dataplane
        let rp: RPFilterPolicy = switch d.rpFilter {
        case .copy: .copy
        case .value(let v): .value(v)
        }
        let cfg = DataplaneConfig(routeProtocol: d.routeProtocol, routeTable: d.routeTable,
                                  resyncInterval: Double(d.resyncInterval), staleRouteTimeout: Double(d.staleRouteTimeout),
                                  rpFilter: rp, overlay: Speaker.overlayConfig(config))
        let logger = self.logger
        let agent = DataplaneAgent(config: cfg, queue: loop.queue) { level, message in
            switch level {
            case .debug: logger.debug("dataplane: \(message)")
            case .info: logger.info("dataplane: \(message)")
            case .warning: logger.warning("dataplane: \(message)")
            case .error: logger.error("dataplane: \(message)")
            }
        }
        agent.debugLogging = logger.logLevel <= .debug
        do {
            try agent.start()
        } catch {
            dataplaneError = "\(error)"
            logger.error("dataplane not started: \(error); BGP keeps running without programming the kernel")
            return
        }
        dataplane = agent
        rib.trackFIBChanges()           // from now on every RIBChanges carries the kernel route changes
        agent.setLocalBlocks(config.blocks)
        applyWorkloads()
        // Every route the RIB already holds (learned before the agent started).
        for c in rib.fibSnapshot() { program(c) }
        if peers.isEmpty { agent.allowStaleRemoval() }
    }

    /// Mirrors the RIB's kernel route changes (``RIBChanges/fib``: best path plus equally
    /// good paths as one ECMP route, none for locally originated prefixes, which are the
    /// agent's own) into the kernel. The RIB decides; nothing is asked back.
    func programDataplane(_ changes: RIBChanges) {
        guard dataplane != nil else { return }
        for c in changes.fib { program(c) }
    }

    private func program(_ change: FIBChange) {
        guard let agent = dataplane else { return }
        switch change {
        case .set(let prefix, let nextHops): agent.setRoute(prefix, nextHops: nextHops)
        case .remove(let prefix): agent.removeRoute(prefix)
        }
    }

    /// `ipPools` and the overlay keys as the dataplane takes them. The node's underlay
    /// address is its `nodes` entry's (IPv4), else the router ID.
    static func overlayConfig(_ c: TernConfig) -> OverlayConfig {
        let o = c.dataplane.overlay
        let pools = c.ipPools.map { p -> OverlayPool in
            if p.ipipMode.isOn { return OverlayPool(cidr: p.cidr, tunnel: .ipip, mode: p.ipipMode == .CrossSubnet ? .crossSubnet : .always) }
            if p.vxlanMode.isOn { return OverlayPool(cidr: p.cidr, tunnel: .vxlan, mode: p.vxlanMode == .CrossSubnet ? .crossSubnet : .always) }
            return OverlayPool(cidr: p.cidr)
        }
        var node = c.routerID
        if case .v4(let a) = c.meshSelf.address { node = a }
        var addresses: [TunnelKind: IPv4Address] = [:]
        for (device, prefix) in c.tunnelAddresses {
            guard case .v4(let p) = prefix else { continue }
            addresses[device == TunnelKind.ipip.deviceName ? .ipip : .vxlan] = p.address
        }
        return OverlayConfig(pools: pools, ipipMTU: o.ipipMTU, vxlanMTU: o.vxlanMTU, vxlanVNI: o.vxlanVNI,
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
        return agent.overlayStatus()
    }

    /// A peer sent End-of-RIB: once every configured peer has, routes of ours left over from
    /// a previous run that nobody re-announced are removed (restart without churn, RFC 4724).
    func noteEndOfRIB(from peer: Peer) {
        endOfRIBFrom.insert(ObjectIdentifier(peer))
        flushStale(of: peer)            // RFC 4724 §4.2: what it did not announce again goes
        if let agent = dataplane, peers.values.allSatisfy({ endOfRIBFrom.contains(ObjectIdentifier($0)) }) {
            agent.allowStaleRemoval()
        }
    }

    // MARK: Workloads

    /// All workloads: the configuration's, then those added with `tern workload add`.
    var allWorkloads: [(spec: WorkloadSpec, origin: String)] {
        config.workloads.map { ($0, "config") }
            + dynamicWorkloads.values.sorted { $0.name < $1.name }.map { ($0, "cli") }
    }

    /// Hands the workloads to the agent and originates their addresses that lie outside
    /// this node's blocks ("borrowed" IPs are advertised as host routes, as Calico does).
    func applyWorkloads() {
        let all = allWorkloads.map(\.spec)
        dataplane?.setWorkloads(all.map { Workload(name: $0.name, interface: $0.interface, ipNetworks: $0.ipNetworks, mac: $0.mac) })
        let borrowed = Set(all.flatMap(\.ipNetworks).filter { ip in !config.blocks.contains { $0.contains(ip) } })
        let gone = originatedBorrowed.subtracting(borrowed)
        let new = borrowed.subtracting(originatedBorrowed)
        originatedBorrowed = borrowed
        withdrawOriginated(Array(gone))
        originate(Array(new))
    }

    /// `tern workload add`: validates, keeps it in the state file, programs it.
    func addWorkload(_ w: ControlProtocol.Workload) -> ControlProtocol.Response {
        guard !w.name.isEmpty else { return .failure("workload name is empty") }
        guard config.workloads.allSatisfy({ $0.name != w.name }) else {
            return .failure("workload \(w.name) comes from the configuration file; change it there")
        }
        do { _ = try InterfaceName(validating: w.interface) } catch {
            return .failure("'\(w.interface)' is not a valid interface name: \(error)")
        }
        var nets: [IPPrefix] = []
        for text in w.ipNetworks {
            let t = text.contains("/") ? text : (text.contains(":") ? text + "/128" : text + "/32")
            guard let p = IPPrefix(t, strict: true) else { return .failure("'\(text)' is not an IP address or host prefix") }
            switch p {
            case .v4(let v) where v.length != 32: return .failure("\(text): a workload address must be a /32")
            case .v6(let v) where v.length != 128: return .failure("\(text): a workload address must be a /128")
            default: nets.append(p)
            }
        }
        guard !nets.isEmpty else { return .failure("give at least one --ip") }
        var mac: [UInt8]?
        if let m = w.mac {
            guard let parsed = MACAddress(m) else { return .failure("'\(m)' is not a MAC address (six two-digit hex octets: aa:bb:cc:dd:ee:ff)") }
            guard parsed.isUnicast else {
                return .failure("\(parsed) is \(parsed.isZero ? "the all-zero" : "a multicast") MAC address; a workload's MAC is unicast")
            }
            mac = parsed.octets
        }
        for (other, _) in allWorkloads where other.name != w.name {
            if let clash = other.ipNetworks.first(where: nets.contains) {
                return .failure("\(clash) already belongs to workload \(other.name)")
            }
            if other.interface == w.interface { return .failure("interface \(w.interface) already belongs to workload \(other.name)") }
        }
        dynamicWorkloads[w.name] = WorkloadSpec(name: w.name, interface: w.interface, ipNetworks: nets, mac: mac)
        saveWorkloads()
        applyWorkloads()
        logger.info("workload \(w.name) added: \(nets.map(\.description).joined(separator: ", ")) dev \(w.interface)")
        return ControlProtocol.Response(ok: true, workloads: listWorkloads())
    }

    /// `tern workload del`.
    func deleteWorkload(named name: String) -> ControlProtocol.Response {
        guard dynamicWorkloads.removeValue(forKey: name) != nil else {
            if config.workloads.contains(where: { $0.name == name }) {
                return .failure("workload \(name) comes from the configuration file; remove it there and send SIGHUP")
            }
            return .failure("no workload named \(name)")
        }
        saveWorkloads()
        applyWorkloads()
        logger.info("workload \(name) deleted")
        return ControlProtocol.Response(ok: true, workloads: listWorkloads())
    }

    func listWorkloads() -> [ControlProtocol.Workload] {
        allWorkloads.map { w, origin in
            ControlProtocol.Workload(name: w.name, interface: w.interface, ipNetworks: w.ipNetworks.map(\.description),
                                     mac: w.mac.map { $0.map { String(format: "%02x", $0) }.joined(separator: ":") },
                                     origin: origin)
        }
    }

    /// `tern fib`: desired vs kernel per prefix.
    func fibRows() -> ControlProtocol.Response {
        guard let agent = dataplane else {
            return .failure(dataplaneError.map { "the dataplane is not running: \($0)" }
                ?? "the dataplane is disabled (dataplane.enabled: false or role: reflector)")
        }
        return ControlProtocol.Response(ok: true, fib: agent.fib().map { e in
            let state: String, detail: String?
            switch e.state {
            case .installed: (state, detail) = ("installed", e.detail)
            case .pending: (state, detail) = ("pending", e.detail)
            case .error(let why): (state, detail) = ("error", why)
            case .conflict(let p): (state, detail) = ("conflict", "a route of protocol \(p) holds this prefix; left alone")
            case .stale: (state, detail) = ("stale", e.detail ?? "ours from a previous run; removed after End-of-RIB or the stale timeout")
            }
            let source: String? = switch e.source {
            case .workload(let n): "workload \(n)"
            case .localBlock: "block"
            case .bgp: "bgp"
            case nil: nil
            }
            return ControlProtocol.FIBRow(prefix: e.prefix.description, source: source, desired: e.desired,
                                          kernel: e.kernel, state: state, detail: detail)
        })
    }

    // MARK: State file

    /// Where workloads added at run time are kept across restarts: next to the control socket.
    var workloadStatePath: String {
        (config.controlSocket as NSString).deletingLastPathComponent + "/\(config.nodeName)-workloads.json"
    }

    func loadWorkloads() {
        guard let data = FileManager.default.contents(atPath: workloadStatePath) else { return }
        do {
            let list = try JSONDecoder().decode([ControlProtocol.Workload].self, from: data)
            for w in list {
                let nets = w.ipNetworks.compactMap { IPPrefix($0) }
                let mac = w.mac.map { $0.split(separator: ":").compactMap { UInt8($0, radix: 16) } }
                dynamicWorkloads[w.name] = WorkloadSpec(name: w.name, interface: w.interface, ipNetworks: nets,
                                                        mac: mac?.count == 6 ? mac : nil)
            }
            logger.info("restored \(list.count) workload(s) from \(workloadStatePath)")
        } catch {
            logger.error("ignoring unreadable workload state \(workloadStatePath): \(error)")
        }
    }

    func saveWorkloads() {
        let list = listWorkloads().filter { $0.origin == "cli" }
        do {
            let data = try JSONEncoder().encode(list)
            try data.write(to: URL(fileURLWithPath: workloadStatePath), options: .atomic)
        } catch {
            logger.error("cannot save workload state to \(workloadStatePath): \(error)")
        }
    }
}
