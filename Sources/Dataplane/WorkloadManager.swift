import IPCore
import Model
import Logging
import Netlink

/// What local workloads need besides their routes: the sysctls of their host-side
/// interfaces (proxy-ARP, forwarding, rp_filter, ...), `ip_forward`, and a permanent
/// neighbour entry per workload address with a MAC.
///
/// Sysctls are written once per interface index (a re-created interface gets them again)
/// and re-asserted at every forced resync; the forwarding ones (`ip_forward`, and each
/// workload interface's `proxy_arp` and `forwarding`) are also checked every
/// `sysctlCheckInterval` and restored at once when something else changed them, with one
/// warning naming what was restored (issue 11 item 6: a node with `ip_forward=0` forwards
/// no pod's traffic). Neighbours are added before the routes and removed after them.
final class WorkloadManager: DataplaneManager {
    let name = "workloads"
    let config: DataplaneConfig
    let sysctls: SysctlWriter
    let logger: Logger

    private(set) var workloads: [Workload] = []
    /// Interfaces whose sysctls are set, with the index they had.
    private(set) var configuredInterfaces: [String: Int32] = [:]
    private var neighbours = ProgrammedNeighbours()
    private var wanted: [NeighbourKey: Neighbour] = [:]

    init(config: DataplaneConfig, sysctls: SysctlWriter, logger: Logger) {
        self.config = config
        self.sysctls = sysctls
        self.logger = logger
    }

    /// `net.ipv4.ip_forward=1`, once at start.
    func applyNodeSysctls() {
        guard config.manageSysctls else { return }
        for e in sysctls.apply([Sysctl("net/ipv4/ip_forward", .literal("1"))]) {
            logger.error("\(e)", metadata: ["errno": "\(e.error.name)"])
        }
    }

    /// The forwarding sysctls that must hold now: `ip_forward`, and per configured workload
    /// interface `proxy_arp` and `forwarding`.
    var forwardingSysctls: [String: String] {
        var out = ["net/ipv4/ip_forward": "1"]
        for name in configuredInterfaces.keys {
            out["net/ipv4/conf/\(name)/proxy_arp"] = "1"
            out["net/ipv4/conf/\(name)/forwarding"] = "1"
        }
        return out
    }

    /// Reads the forwarding sysctls and restores the ones changed behind our back; returns
    /// what was restored ("net/ipv4/ip_forward=1 (was 0)").
    @discardableResult
    func checkForwardingSysctls() -> [String] {
        guard config.manageSysctls else { return [] }
        let want = forwardingSysctls
        let have = sysctls.read(Array(want.keys))
        let drifted = want.filter { k, v in have[k].map { $0 != v } ?? false }.sorted { $0.key < $1.key }
        guard !drifted.isEmpty else { return [] }
        for e in sysctls.apply(drifted.map { Sysctl($0.key, .literal($0.value)) }) {
            logger.error("\(e)", metadata: ["errno": "\(e.error.name)"])
        }
        let restored = drifted.map { "\(String($0.key.map { $0 == "/" ? "." : $0 }))=\($0.value) (was \(have[$0.key] ?? "?"))" }
        logger.warning("restored forwarding sysctls changed behind Tern's back: \(restored.joined(separator: ", "))")
        return restored
    }

    func onUpdate(_ update: DataplaneUpdate, kernel: KernelView) -> DeferredWork {
        switch update {
        case .workloads(let w):
            workloads = w
            return .full
        case .resync:
            configuredInterfaces = [:]  // re-assert sysctls too
            return .resync
        case .kernel(.linkRemoved(let l)):
            configuredInterfaces[l.name] = nil
            return .none
        default:
            return .none
        }
    }

    /// Make: sysctls on workload interfaces that are present, then their neighbours.
    func completeDeferredWork(_ pass: DataplanePass) {
        guard pass.full else { return }
        let desired = pass.desired
        applySysctls(desired)
        wanted = ProgrammedNeighbours.keyed(desired.neighbours)
        neighbours.add(wanted, pass, logger)
    }

    /// Break: neighbours of workloads that are gone.
    func completeDeferredCleanup(_ pass: DataplanePass) {
        guard pass.full else { return }
        neighbours.remove(keeping: wanted, pass, logger)
    }

    private func applySysctls(_ desired: DesiredState) {
        guard config.manageSysctls else { return }
        var settings: [Sysctl] = []
        var done: [String: Int32] = [:]
        for w in workloads {
            let interface = w.interface.rawValue
            guard let index = desired.workloadInterfaces[interface], configuredInterfaces[interface] != index,
                  done[interface] == nil else { continue }
            let v6 = w.ipNetworks.contains { if case .v6 = $0 { true } else { false } }
            settings += Sysctl.workloadInterface(interface, rpFilter: config.rpFilter, ipv6: v6)
            done[interface] = index
        }
        guard !settings.isEmpty else { return }
        if desired.routes.keys.contains(where: { $0.ipFamily == .v6 }) {
            settings.append(Sysctl("net/ipv6/conf/all/forwarding", .literal("1")))
        }
        for e in sysctls.apply(settings) { logger.error("\(e)", metadata: ["errno": "\(e.error.name)"]) }
        // Recorded even on failure: retried at the next periodic resync, not on every event.
        configuredInterfaces.merge(done) { _, new in new }
        logger.debug("sysctls set on \(done.keys.sorted().joined(separator: ", "))")
    }
}
