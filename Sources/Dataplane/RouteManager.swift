import Dispatch
import Glibc
import IPCore
import Model
import Logging
import Netlink

/// The routes of Tern's table: desired routes from workloads, local blocks and the best
/// BGP routes (``DesiredState``), reconciled against the kernel view by the
/// ``RouteReconciler`` and installed in one netlink batch per pass.
///
/// A full pass plans every prefix; otherwise only the prefixes that changed since the last
/// pass (BGP routes, kernel events: `dirty`), so a BGP change costs O(1), not O(routes).
/// Restart-safe: routes of ours that are no longer desired and were not installed in this
/// run stay (stale) until stale removal is allowed.
final class RouteManager: DataplaneManager {
    let name = "routes"
    let config: DataplaneConfig
    let reconciler: RouteReconciler
    let logger: Logger

    // Inputs.
    private(set) var workloads: [Workload] = []
    private(set) var localBlocks: [IPPrefix] = []
    private(set) var bgpRoutes: [IPPrefix: [IPAddress]] = [:]
    private(set) var staleRemovalAllowed = false

    // State.
    var failures: [IPPrefix: RouteFailure] = [:]
    /// Prefixes installed (or found as desired) since the agent started: their withdrawal
    /// needs no End-of-RIB.
    var ownedThisRun: Set<IPPrefix> = []
    /// Prefixes to reconcile in the next incremental pass.
    private(set) var dirty: Set<IPPrefix> = []
    /// The desired routes from workloads and blocks (no BGP), from the last full pass.
    var staticDesired = DesiredState()
    /// The overlay plan of the last pass (how remote routes are built).
    var overlayPlan: OverlayPlan

    /// Routes wanted now: the static ones plus the BGP ones (a prefix in both counts twice:
    /// a count for the metrics, with no per-route work).
    var desiredCount: Int { staticDesired.routes.count + bgpRoutes.count }

    // Counters since start.
    var replaced = 0
    var deleted = 0
    var failed = 0

    init(config: DataplaneConfig, logger: Logger) {
        self.config = config
        self.logger = logger
        reconciler = RouteReconciler(routeProtocol: config.routeProtocol, table: config.routeTable)
        overlayPlan = OverlayPlan(config: config.overlay)
    }

    // MARK: - Updates

    func onUpdate(_ update: DataplaneUpdate, kernel: KernelView) -> DeferredWork {
        switch update {
        case .workloads(let w):
            workloads = w
            return .full
        case .localBlocks(let b):
            localBlocks = b
            return .full
        case .routes(let batch):
            for (prefix, hops) in batch {
                bgpRoutes[prefix] = hops.isEmpty ? nil : hops
                dirty.insert(prefix)
            }
            return batch.isEmpty ? .none : .incremental
        case .staleRemovalAllowed:
            guard !staleRemovalAllowed else { return .none }
            staleRemovalAllowed = true
            return .full
        case .kernel(.routeAdded(let r)):
            guard r.table == config.routeTable else { return .none }
            // The kernel echoing a route we installed as desired needs nothing.
            if r.proto == reconciler.routeProtocol, let want = desiredRoute(r.destination), RouteReconciler.matches(want.route, r) {
                return .none
            }
            dirty.insert(r.destination)
            return .incremental
        case .kernel(.routeRemoved(let r)):
            guard r.table == config.routeTable else { return .none }
            if r.proto == reconciler.routeProtocol && logger.logLevel <= .debug {
                logger.debug("kernel removed \(RouteReconciler.describe(r, kernel.interfaceNames))",
                             metadata: ["prefix": "\(r.destination)"])
            }
            dirty.insert(r.destination)
            return .incremental
        case .overlay, .resync, .kernel:
            return .none
        }
    }

    // MARK: - Desired routes

    /// Everything desired, with the links of `kernel` and the overlay `plan`.
    func desired(links: [String: Link], plan: OverlayPlan) -> DesiredState {
        DesiredState.compute(config: config, workloads: workloads, links: links, localBlocks: localBlocks,
                             bgpRoutes: bgpRoutes, overlay: plan)
    }

    /// The desired route for one prefix: workloads and blocks first, then BGP.
    func desiredRoute(_ p: IPPrefix) -> DesiredRoute? {
        if let d = staticDesired.routes[p] { return d }
        if staticDesired.waiting[p] != nil { return nil }
        guard let hops = bgpRoutes[p] else { return nil }
        if case .route(let d) = DesiredState.bgpRoute(p, hops, proto: reconciler.routeProtocol, table: config.routeTable,
                                                      overlay: overlayPlan) {
            return d
        }
        return nil
    }

    /// The FIB view: for each prefix, desired vs kernel and its state.
    func fib(_ kernel: KernelView) -> [FIBEntry] {
        reconciler.plan(desired: desired(links: kernel.links, plan: overlayPlan), kernel: kernel.allRoutes,
                        staleRemovalAllowed: staleRemovalAllowed, failures: failures,
                        ownedThisRun: ownedThisRun, interfaceNames: kernel.interfaceNames).fib
    }

    // MARK: - Passes

    func completeDeferredWork(_ pass: DataplanePass) {
        overlayPlan = pass.overlayPlan
        if pass.full { fullPass(pass) } else { incrementalPass(pass) }
    }

    /// Every prefix: desired (from the pass) against every route of the table.
    private func fullPass(_ pass: DataplanePass) {
        dirty = []
        let desired = pass.desired
        staticDesired = DesiredState.compute(config: config, workloads: workloads, links: pass.kernel.links,
                                             localBlocks: localBlocks, bgpRoutes: [:])
        if logger.logLevel <= .debug {
            for s in desired.shadowed { logger.debug("not programmed: \(s)") }
        }
        let names = pass.kernel.interfaceNames
        let plan = reconciler.plan(desired: desired, kernel: pass.kernel.allRoutes,
                                   staleRemovalAllowed: staleRemovalAllowed, failures: failures,
                                   ownedThisRun: ownedThisRun, interfaceNames: names)
        // A desired route found in place is ours to withdraw at once later, like one we installed.
        for e in plan.fib where e.state == .installed { ownedThisRun.insert(e.prefix) }
        // Forget failures of routes no longer wanted in that form.
        failures = failures.filter { p, f in desired.routes[p]?.route == f.route }
        apply(plan.operations, pass, names, full: true)
    }

    /// The prefixes that changed since the last pass: the same plan as a full pass, over
    /// those prefixes alone.
    private func incrementalPass(_ pass: DataplanePass) {
        guard !dirty.isEmpty else { return }
        let prefixes = dirty
        dirty = []
        var desired = DesiredState()
        var kernel: [Route] = []
        kernel.reserveCapacity(prefixes.count)
        for p in prefixes {
            if let d = desiredRoute(p) {
                desired.routes[p] = d
            } else if let w = staticDesired.waiting[p] {
                desired.waiting[p] = w
            } else if let hops = bgpRoutes[p],
                      case .waiting(let w) = DesiredState.bgpRoute(p, hops, proto: reconciler.routeProtocol, table: config.routeTable,
                                                                   overlay: overlayPlan) {
                desired.waiting[p] = w
            }
            if let rs = pass.kernel.routes[p] { kernel += rs }
        }
        let names = logger.logLevel <= .debug ? pass.kernel.interfaceNames : [:]
        let plan = reconciler.plan(desired: desired, kernel: kernel, staleRemovalAllowed: staleRemovalAllowed,
                                   failures: failures, ownedThisRun: ownedThisRun, interfaceNames: names,
                                   describeKernel: false)
        for e in plan.fib where e.state == .installed { ownedThisRun.insert(e.prefix) }
        for p in prefixes where failures[p] != nil && desired.routes[p]?.route != failures[p]?.route { failures[p] = nil }
        apply(plan.operations, pass, names, full: false)
    }

    /// One netlink batch; each result recorded. A summary at info for large batches (per
    /// route: debug).
    private func apply(_ operations: [RouteOperation], _ pass: DataplanePass, _ names: [Int32: String], full: Bool) {
        guard !operations.isEmpty else { return }
        let t0 = DispatchTime.now().uptimeNanoseconds
        let before = (replaced, deleted, failed)
        let results = pass.socket.apply(operations.map(\.request))
        for (op, result) in zip(operations, results) { record(op, result, names, pass) }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9
        let (r, d, f) = (replaced - before.0, deleted - before.1, failed - before.2)
        let summary: Logger.Message = "\(full ? "full pass" : "pass"): installed \(r) route(s), removed \(d), \(f) failed in \(String(seconds, decimals: 3)) s"
        if operations.count >= 1000 || seconds >= 1 {
            logger.info(summary)
        } else {
            logger.debug(summary)
        }
    }

    func record(_ op: RouteOperation, _ result: Result<Void, NetlinkError>, _ names: [Int32: String], _ pass: DataplanePass) {
        let p = op.prefix
        switch (op, result) {
        case (.replace(let r), .success):
            pass.kernel.noteRouteReplaced(r)
            failures[p] = nil
            ownedThisRun.insert(p)
            replaced += 1
            if logger.logLevel <= .debug {
                logger.debug("installed \(RouteReconciler.describe(r, names))", metadata: ["prefix": "\(p)"])
            }
        case (.delete(let r), .success):
            pass.kernel.noteRouteRemoved(r)
            deleted += 1
            if logger.logLevel <= .debug {
                logger.debug("removed \(RouteReconciler.describe(r, names))", metadata: ["prefix": "\(p)"])
            }
        case (.delete(let r), .failure(let e)) where e.code == ESRCH:
            pass.kernel.noteRouteRemoved(r)  // already gone
        case (.replace(let r), .failure(let e)):
            failed += 1
            let reason = Self.reason(e, r, names)
            failures[p] = RouteFailure(route: r, reason: reason)
            let kernelSays = e.kernelMessage.map { " (kernel: \($0))" } ?? ""
            logger.error("cannot install \(RouteReconciler.describe(r, names)): \(reason)\(kernelSays)",
                         metadata: ["prefix": "\(p)", "errno": "\(e.name)"])
            if e.code == ENOBUFS { pass.followUp = max(pass.followUp, .resync) }
        case (.delete(let r), .failure(let e)):
            failed += 1
            logger.error("cannot remove \(RouteReconciler.describe(r, names)): \(e.name) (\(e.reason))",
                         metadata: ["prefix": "\(p)", "errno": "\(e.name)"])
            if e.code == ENOBUFS { pass.followUp = max(pass.followUp, .resync) }
        }
    }

    /// "ENODEV: interface cali1 not found", "ENETDOWN: interface cali1 is down",
    /// "ENETUNREACH: next hop 192.0.2.1 not reachable", else "EINVAL: Invalid argument".
    static func reason(_ e: NetlinkError, _ r: Route, _ names: [Int32: String]) -> String {
        let dev = r.outputInterface.map { names[$0] ?? "if\($0)" }
        switch e.code {
        case ENODEV where dev != nil: return "\(e.name): interface \(dev ?? "") not found"
        case ENETDOWN where dev != nil: return "\(e.name): interface \(dev ?? "") is down"
        case ENETUNREACH, EHOSTUNREACH:
            let hops = ([r.gateway].compactMap { $0 } + r.nextHops.compactMap(\.gateway)).map(\.description)
            return "\(e.name): next hop \(hops.joined(separator: ", ")) not reachable"
        default:
            return "\(e.name): \(e.kernelMessage ?? e.reason)"
        }
    }
}

extension String {
    /// `value` with `decimals` digits after the point (no Foundation).
    init(_ value: Double, decimals: Int) {
        var scale = 1.0
        for _ in 0..<decimals { scale *= 10 }
        let n = Int((value * scale).rounded())
        let whole = n / Int(scale), frac = n % Int(scale)
        var f = String(frac)
        while f.count < decimals { f = "0" + f }
        self = decimals == 0 ? String(whole) : "\(whole).\(f)"
    }
}
