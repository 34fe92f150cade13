import IPCore
import Model
import Dispatch
import Glibc
import Netlink

/// Counters for tests and `tern status`.
public struct DataplaneCounters: Hashable, Sendable {
    /// Successful `replace` operations (installs and changes).
    public var replaced = 0
    /// Successful deletes of our routes.
    public var deleted = 0
    /// Failed route operations.
    public var failed = 0
    /// Full resyncs (kernel dumps).
    public var resyncs = 0
    /// Monitor overruns (ENOBUFS).
    public var overruns = 0
}

/// The Felix-like agent: keeps the kernel converged to the desired state.
///
/// Confined to the caller's serial `queue` (the daemon's event loop queue): every public
/// method must be called on it (checked with `dispatchPrecondition`), and the monitor
/// and timers deliver there too.
///
/// - Event-driven: a change of inputs schedules one reconcile at the end of the current
///   loop turn, so the changes of one turn become one netlink batch.
/// - The monitor repairs kernel changes at once (our route deleted by someone, an
///   interface gone or re-created); link changes and ENOBUFS trigger a full resync from
///   dumps; a periodic full resync is the safety net.
/// - Restart-safe: `start()` adopts our routes from a dump and never flushes. Routes of
///   ours that are no longer desired are removed only after `allowStaleRemoval()` or the
///   stale timeout. `stop()` leaves every route in place.
public final class DataplaneAgent: @unchecked Sendable {
    public let config: DataplaneConfig
    /// Pools and tunnel settings (changed in place by `setOverlay`).
    public internal(set) var overlay: OverlayConfig
    public let namespace: String?
    let queue: DispatchQueue
    let log: (DataplaneLogLevel, String) -> Void
    let reconciler: RouteReconciler
    let sysctls: SysctlWriter

    // Inputs.
    var workloads: [Workload] = []
    var localBlocks: [IPPrefix] = []
    var bgpRoutes: [IPPrefix: [IPAddress]] = [:]

    // Kernel view: links by name, routes of our table (all protocols), neighbours.
    var links: [String: Link] = [:]
    var kernelRoutes: [IPPrefix: [Route]] = [:]
    var kernelNeighbours: [NeighbourKey: Neighbour] = [:]
    var addresses: [Address] = []

    // Agent state.
    var failures: [IPPrefix: RouteFailure] = [:]
    /// Prefixes this agent installed since `start()`: their withdrawal needs no End-of-RIB.
    var ownedThisRun: Set<IPPrefix> = []
    var programmedNeighbours: [NeighbourKey: Neighbour] = [:]
    var desiredNeighbourKeys: Set<NeighbourKey> = []
    var configuredInterfaces: [String: Int32] = [:]
    var staleRemovalAllowed = false
    var needsDump = true
    /// A full reconcile (every prefix) is due: inputs other than BGP routes changed, links
    /// changed, a resync or an overrun. Otherwise only `dirty` prefixes are reconciled, so a
    /// BGP change or a kernel event costs O(1), not O(routes).
    var needsFull = true
    var dirty: Set<IPPrefix> = []
    /// The desired routes from workloads and blocks (no BGP), from the last full reconcile.
    var staticDesired = DesiredState()
    /// The overlay as of the last full reconcile: underlay, devices, how routes are built.
    var overlayPlan: OverlayPlan
    /// VTEPs the desired routes use (their neighbour and FDB entries are in place).
    var desiredVTEPs: Set<IPAddress> = []
    /// Last reported overlay problems (logged once when they appear, not at every retry).
    var reportedOverlayProblems: Set<String> = []
    var overlayRetryTimer: DispatchSourceTimer?
    /// Build per-route debug messages (costly at a million routes) only when wanted.
    public var debugLogging = false
    var reconcileScheduled = false
    var running = false

    /// Counters since `start()`.
    public private(set) var counters = DataplaneCounters()

    // Strong references: a released source is cancelled and never fires.
    var socket: NetlinkSocket?
    var monitor: NetlinkMonitor?
    var resyncTimer: DispatchSourceTimer?
    var staleTimer: DispatchSourceTimer?

    /// A neighbour (family v4/v6) or VXLAN FDB entry (family bridge, `ip` = NDA_DST).
    struct NeighbourKey: Hashable {
        var family: Netlink.AddressFamily
        var interfaceIndex: Int32
        var ip: IPAddress

        init(_ n: Neighbour, ip: IPAddress) {
            family = n.family
            interfaceIndex = n.interfaceIndex
            self.ip = ip
        }
    }

    /// - Parameters:
    ///   - namespace: a named network namespace (`ip netns`) to program instead of the
    ///     current one (tests); nil in the daemon, which runs inside the node's namespace.
    ///   - queue: the serial queue every call and callback runs on.
    ///   - log: receives every message (errors name the errno, prefix and interface).
    public init(config: DataplaneConfig, namespace: String? = nil, queue: DispatchQueue,
                log: @escaping (DataplaneLogLevel, String) -> Void) {
        self.config = config
        self.overlay = config.overlay
        overlayPlan = OverlayPlan(config: config.overlay)
        self.namespace = namespace
        self.queue = queue
        self.log = log
        reconciler = RouteReconciler(routeProtocol: config.routeProtocol, table: config.routeTable)
        sysctls = SysctlWriter(root: config.sysctlRoot, namespace: namespace)
    }

    // MARK: - Public API (call on `queue`)

    /// Opens the netlink sockets, starts the monitor, adopts existing routes of ours from a
    /// dump (no flush), sets `ip_forward`, starts the resync and stale timers and schedules
    /// the first reconcile. Throws when netlink cannot be opened or dumped.
    public func start() throws {
        dispatchPrecondition(condition: .onQueue(queue))
        guard !running else { return }
        let sock = try namespace.map { try NetlinkSocket(namespace: $0) } ?? NetlinkSocket()
        // The monitor first, so that nothing between the dump and the first event is missed.
        // A large buffer: installing many routes echoes one event each (ENOBUFS -> full resync).
        let mon = try NetlinkMonitor(namespace: namespace, receiveBufferSize: 64 << 20, queue: queue) { [weak self] event in
            self?.handle(event)
        }
        socket = sock
        monitor = mon
        running = true
        mon.start()
        do {
            try dumpKernel()
        } catch {
            stop()
            throw error
        }
        let adopted = kernelRoutes.values.joined().filter { $0.proto == reconciler.routeProtocol }.count
        log(.info, "dataplane: started (protocol \(config.routeProtocol), table \(config.routeTable)); adopted \(adopted) existing route(s) of ours")
        if config.manageSysctls {
            for e in sysctls.apply([Sysctl("net/ipv4/ip_forward", .literal("1"))]) { log(.error, "dataplane: \(e)") }
        }

        let resync = DispatchSource.makeTimerSource(queue: queue)
        let interval = DispatchTimeInterval.milliseconds(Int(max(1, config.resyncInterval) * 1000))
        resync.schedule(deadline: .now() + interval, repeating: interval)
        resync.setEventHandler { [weak self] in self?.resync() }
        resyncTimer = resync
        resync.resume()

        let stale = DispatchSource.makeTimerSource(queue: queue)
        stale.schedule(deadline: .now() + .milliseconds(Int(max(0, config.staleRouteTimeout) * 1000)))
        stale.setEventHandler { [weak self] in
            guard let self, !self.staleRemovalAllowed else { return }
            self.log(.info, "dataplane: stale route timeout (\(Int(self.config.staleRouteTimeout)) s) passed; removing stale routes")
            self.allowStaleRemoval()
        }
        staleTimer = stale
        stale.resume()
        scheduleReconcile()
    }

    /// Replaces the set of local workloads.
    public func setWorkloads(_ workloads: [Workload]) {
        dispatchPrecondition(condition: .onQueue(queue))
        self.workloads = workloads
        needsFull = true
        scheduleReconcile()
    }

    /// Replaces the set of local IPAM blocks (blackholed).
    public func setLocalBlocks(_ blocks: [IPPrefix]) {
        dispatchPrecondition(condition: .onQueue(queue))
        localBlocks = blocks
        needsFull = true
        scheduleReconcile()
    }

    /// Sets the best BGP route for a prefix; several next hops make an ECMP route. An
    /// empty list removes the route.
    public func setRoute(_ prefix: IPPrefix, nextHops: [IPAddress]) {
        dispatchPrecondition(condition: .onQueue(queue))
        if nextHops.isEmpty { bgpRoutes[prefix] = nil } else { bgpRoutes[prefix] = nextHops }
        if needsNewVTEP(prefix, nextHops) { needsFull = true }  // its neighbour and FDB entry come first
        dirty.insert(prefix)
        scheduleReconcile()
    }

    /// Removes the BGP route for a prefix.
    public func removeRoute(_ prefix: IPPrefix) {
        dispatchPrecondition(condition: .onQueue(queue))
        bgpRoutes[prefix] = nil
        dirty.insert(prefix)
        scheduleReconcile()
    }

    /// Routes of ours that are no longer desired may now be removed (the speaker calls
    /// this after its peers' End-of-RIB). Idempotent.
    public func allowStaleRemoval() {
        dispatchPrecondition(condition: .onQueue(queue))
        guard !staleRemovalAllowed else { return }
        staleRemovalAllowed = true
        staleTimer?.cancel()
        staleTimer = nil
        needsFull = true
        scheduleReconcile()
    }

    /// Forces a full resync from kernel dumps at the end of this loop turn.
    public func resync() {
        dispatchPrecondition(condition: .onQueue(queue))
        needsDump = true
        needsFull = true
        configuredInterfaces = [:]  // re-assert sysctls too
        scheduleReconcile()
    }

    /// The FIB view: for each prefix, desired vs kernel and its state.
    public func fib() -> [FIBEntry] {
        dispatchPrecondition(condition: .onQueue(queue))
        return reconciler.plan(desired: computeDesired(), kernel: Array(kernelRoutes.values.joined()),
                               staleRemovalAllowed: staleRemovalAllowed, failures: failures,
                               ownedThisRun: ownedThisRun, interfaceNames: interfaceNames).fib
    }

    /// Stops the monitor and timers. Routes stay in the kernel (forwarding continues; the
    /// next agent adopts them).
    public func stop() {
        dispatchPrecondition(condition: .onQueue(queue))
        running = false
        monitor?.cancel()
        monitor = nil
        resyncTimer?.cancel()
        resyncTimer = nil
        staleTimer?.cancel()
        staleTimer = nil
        overlayRetryTimer?.cancel()
        overlayRetryTimer = nil
        socket = nil
    }

    deinit {
        overlayRetryTimer?.cancel()
        monitor?.cancel()
        resyncTimer?.cancel()
        staleTimer?.cancel()
    }

    // MARK: - Events

    func scheduleReconcile() {
        guard running, !reconcileScheduled else { return }
        reconcileScheduled = true
        queue.async { [weak self] in self?.reconcile() }
    }

    func handle(_ event: NetlinkEvent) {
        guard running else { return }
        switch event {
        case .routeAdded(let r):
            guard r.table == config.routeTable else { return }
            var list = kernelRoutes[r.destination] ?? []
            // An add with the same metric and tos replaced what was there (NLM_F_REPLACE).
            list.removeAll { RouteReconciler.effectiveMetric($0) == RouteReconciler.effectiveMetric(r) && $0.tos == r.tos }
            list.append(r)
            kernelRoutes[r.destination] = list
            // The kernel echoing a route we installed as desired needs nothing.
            if r.proto == reconciler.routeProtocol, let want = desiredRoute(r.destination), RouteReconciler.matches(want.route, r) {
                return
            }
            dirty.insert(r.destination)
            scheduleReconcile()
        case .routeRemoved(let r):
            guard r.table == config.routeTable else { return }
            if var list = kernelRoutes[r.destination], let i = list.firstIndex(where: { Self.sameIdentity($0, r) }) {
                list.remove(at: i)
                kernelRoutes[r.destination] = list.isEmpty ? nil : list
            }
            if r.proto == reconciler.routeProtocol && debugLogging {
                log(.debug, "dataplane: kernel removed \(RouteReconciler.describe(r, interfaceNames))")
            }
            dirty.insert(r.destination)
            scheduleReconcile()
        case .linkAdded(let l), .linkChanged(let l):
            for (name, old) in links where old.index == l.index && name != l.name { links[name] = nil }
            let before = links[l.name]
            links[l.name] = l
            if before?.index != l.index || before?.isUp != l.isUp || before?.name != l.name {
                // Routes through a device that went down or away vanish without an event.
                needsDump = true
                needsFull = true
                scheduleReconcile()
            }
        case .linkRemoved(let l):
            if links[l.name]?.index == l.index { links[l.name] = nil }
            configuredInterfaces[l.name] = nil
            needsDump = true
            needsFull = true
            scheduleReconcile()
        case .neighbourAdded(let n):
            guard let ip = n.ip else { return }
            let key = NeighbourKey(n, ip: ip)
            kernelNeighbours[key] = n
            if desiredNeighbourKeys.contains(key) { scheduleReconcile() }
        case .neighbourRemoved(let n):
            guard let ip = n.ip else { return }
            let key = NeighbourKey(n, ip: ip)
            kernelNeighbours[key] = nil
            if desiredNeighbourKeys.contains(key) { scheduleReconcile() }
        case .overrun:
            counters.overruns += 1
            log(.warning, "dataplane: netlink monitor overrun (ENOBUFS): events lost; full resync")
            needsDump = true
            needsFull = true
            scheduleReconcile()
        case .addressAdded, .addressRemoved:
            // The underlay's address and subnets decide the overlay (CrossSubnet, VTEP).
            guard !overlay.pools.isEmpty else { return }
            needsDump = true
            needsFull = true
            scheduleReconcile()
        }
    }

    /// Same kernel route: protocol, metric and tos (the key of an IPv4 fib alias).
    static func sameIdentity(_ a: Route, _ b: Route) -> Bool {
        a.proto == b.proto && RouteReconciler.effectiveMetric(a) == RouteReconciler.effectiveMetric(b) && a.tos == b.tos
    }

    // MARK: - Reconcile

    var interfaceNames: [Int32: String] {
        Dictionary(links.values.map { ($0.index, $0.name) }, uniquingKeysWith: { a, _ in a })
    }

    func computeDesired() -> DesiredState {
        DesiredState.compute(config: config, workloads: workloads, links: links, localBlocks: localBlocks,
                             bgpRoutes: bgpRoutes, overlay: overlayPlan)
    }

    func dumpKernel() throws {
        guard let socket else { return }
        let ls = try socket.links()
        let rs = try socket.routes()
        var ns = try socket.neighbours()
        if overlay.wantedTunnels.contains(.vxlan) || links[TunnelKind.vxlan.deviceName] != nil, !ns.contains(where: { $0.family == .bridge }) {
            ns += try socket.neighbours(family: .bridge)
        }
        addresses = try socket.addresses()
        links = Dictionary(ls.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        kernelRoutes = [:]
        for r in rs where r.table == config.routeTable { kernelRoutes[r.destination, default: []].append(r) }
        kernelNeighbours = [:]
        for n in ns { if let ip = n.ip { kernelNeighbours[NeighbourKey(n, ip: ip)] = n } }
        needsDump = false
        counters.resyncs += 1
    }

    /// The desired route for one prefix: workloads and blocks first, then BGP.
    func desiredRoute(_ p: IPPrefix) -> DesiredRoute? {
        if let d = staticDesired.routes[p] { return d }
        if staticDesired.waiting[p] != nil { return nil }
        guard case let prefix = p, let hops = bgpRoutes[prefix] else { return nil }
        if case .route(let d) = DesiredState.bgpRoute(p, hops, proto: reconciler.routeProtocol, table: config.routeTable,
                                                      overlay: overlayPlan) {
            return d
        }
        return nil
    }

    func reconcile() {
        reconcileScheduled = false
        guard running, let socket else { return }
        if !needsFull && !needsDump {
            reconcileDirty(socket)
            return
        }
        needsFull = false
        dirty = []
        if needsDump {
            do {
                try dumpKernel()
            } catch {
                log(.error, "dataplane: kernel dump failed: \(error); retrying in 1 s")
                queue.asyncAfter(deadline: .now() + 1) { [weak self] in self?.scheduleReconcile() }
                return
            }
        }
        prepareOverlay(socket)
        let desired = computeDesired()
        staticDesired = DesiredState.compute(config: config, workloads: workloads, links: links,
                                             localBlocks: localBlocks, bgpRoutes: [:])
        for s in desired.shadowed { log(.debug, "dataplane: not programmed: \(s)") }
        applySysctls(desired)
        // Make before break: tunnel devices (prepareOverlay), then neighbours and FDB
        // entries, then routes; what is no longer needed goes last.
        let wanted = wantedNeighbours(desired)
        desiredVTEPs = desired.vteps
        addNeighbours(wanted, socket)

        let names = interfaceNames
        let plan = reconciler.plan(desired: desired, kernel: Array(kernelRoutes.values.joined()),
                                   staleRemovalAllowed: staleRemovalAllowed, failures: failures,
                                   ownedThisRun: ownedThisRun, interfaceNames: names)
        // A desired route found in place is ours to withdraw at once later, like one we installed.
        for e in plan.fib where e.state == .installed { ownedThisRun.insert(e.prefix) }
        // Forget failures of routes no longer wanted in that form.
        failures = failures.filter { p, f in desired.routes[p]?.route == f.route }
        if !plan.operations.isEmpty {
            let results = socket.apply(plan.operations.map(\.request))
            for (op, result) in zip(plan.operations, results) { record(op, result, names) }
        }
        removeNeighbours(wanted, socket)
        removeUnwantedTunnels(socket)
    }

    /// Reconciles only the prefixes that changed since the last pass (BGP routes, kernel
    /// events): the same plan as a full pass, over those prefixes alone.
    func reconcileDirty(_ socket: NetlinkSocket) {
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
            } else if case let prefix = p, let hops = bgpRoutes[prefix],
                      case .waiting(let w) = DesiredState.bgpRoute(p, hops, proto: reconciler.routeProtocol, table: config.routeTable,
                                                                   overlay: overlayPlan) {
                desired.waiting[p] = w
            }
            if let rs = kernelRoutes[p] { kernel += rs }
        }
        let names = debugLogging ? interfaceNames : [:]
        let plan = reconciler.plan(desired: desired, kernel: kernel, staleRemovalAllowed: staleRemovalAllowed,
                                   failures: failures, ownedThisRun: ownedThisRun, interfaceNames: names,
                                   describeKernel: false)
        for e in plan.fib where e.state == .installed { ownedThisRun.insert(e.prefix) }
        for p in prefixes where failures[p] != nil && desired.routes[p]?.route != failures[p]?.route { failures[p] = nil }
        if !plan.operations.isEmpty {
            let results = socket.apply(plan.operations.map(\.request))
            for (op, result) in zip(plan.operations, results) { record(op, result, names) }
        }
    }

    func record(_ op: RouteOperation, _ result: Result<Void, NetlinkError>, _ names: [Int32: String]) {
        let p = op.prefix
        switch (op, result) {
        case (.replace(let r), .success):
            var list = kernelRoutes[p] ?? []
            list.removeAll { $0.proto == r.proto && RouteReconciler.effectiveMetric($0) == RouteReconciler.effectiveMetric(r) && $0.tos == r.tos }
            list.append(r)
            kernelRoutes[p] = list
            failures[p] = nil
            ownedThisRun.insert(p)
            counters.replaced += 1
            if debugLogging { log(.debug, "dataplane: installed \(RouteReconciler.describe(r, names))") }
        case (.delete(let r), .success):
            forget(r)
            counters.deleted += 1
            log(.info, "dataplane: removed \(RouteReconciler.describe(r, names))")
        case (.delete(let r), .failure(let e)) where e.code == ESRCH:
            forget(r)  // already gone
        case (.replace(let r), .failure(let e)):
            counters.failed += 1
            let reason = Self.reason(e, r, names)
            failures[p] = RouteFailure(route: r, reason: reason)
            log(.error, "dataplane: cannot install \(RouteReconciler.describe(r, names)): \(reason)"
                + (e.kernelMessage.map { " (kernel: \($0))" } ?? ""))
            if e.code == ENOBUFS { needsDump = true }
        case (.delete(let r), .failure(let e)):
            counters.failed += 1
            log(.error, "dataplane: cannot remove \(RouteReconciler.describe(r, names)): \(e.name) (\(e.reason))")
            if e.code == ENOBUFS { needsDump = true }
        }
    }

    func forget(_ r: Route) {
        guard var list = kernelRoutes[r.destination] else { return }
        list.removeAll { Self.sameIdentity($0, r) }
        kernelRoutes[r.destination] = list.isEmpty ? nil : list
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

    func applySysctls(_ desired: DesiredState) {
        guard config.manageSysctls else { return }
        var settings: [Sysctl] = []
        var done: [String: Int32] = [:]
        for w in workloads {
            guard let index = desired.workloadInterfaces[w.interface], configuredInterfaces[w.interface] != index,
                  done[w.interface] == nil else { continue }
            let v6 = w.ipNetworks.contains { if case .v6 = $0 { true } else { false } }
            settings += Sysctl.workloadInterface(w.interface, rpFilter: config.rpFilter, ipv6: v6)
            done[w.interface] = index
        }
        guard !settings.isEmpty else { return }
        if desired.routes.keys.contains(where: { $0.ipFamily == .v6 }) {
            settings.append(Sysctl("net/ipv6/conf/all/forwarding", .literal("1")))
        }
        for e in sysctls.apply(settings) { log(.error, "dataplane: \(e)") }
        // Recorded even on failure: retried at the next periodic resync, not on every event.
        configuredInterfaces.merge(done) { _, new in new }
        log(.debug, "dataplane: sysctls set on \(done.keys.sorted().joined(separator: ", "))")
    }

    /// Neighbour entries Tern wants: workloads' (permanent ARP/NDP) and, per remote VTEP,
    /// a permanent neighbour and an FDB entry on `vxlan.tern`.
    func wantedNeighbours(_ desired: DesiredState) -> [NeighbourKey: Neighbour] {
        var wanted: [NeighbourKey: Neighbour] = [:]
        for n in desired.neighbours + vtepEntries(desired.vteps) {
            if let ip = n.ip { wanted[NeighbourKey(n, ip: ip)] = n }
        }
        return wanted
    }

    /// Phase 1 (before routes, so a new route finds its neighbour): adds or corrects entries.
    func addNeighbours(_ wanted: [NeighbourKey: Neighbour], _ socket: NetlinkSocket) {
        desiredNeighbourKeys = Set(wanted.keys)
        let ops = wanted.sorted { $0.key.ip < $1.key.ip }.filter { key, n in
            let have = kernelNeighbours[key]
            return have?.lladdr != n.lladdr || !(have?.state.contains(.permanent) ?? false)
        }.map { ($0.key, $0.value, true) }
        applyNeighbours(ops, socket)
    }

    /// Phase 2 (after routes): removes entries Tern programmed that are no longer wanted,
    /// and stale ones on its own `vxlan.tern`, except VTEPs a route of ours still uses.
    func removeNeighbours(_ wanted: [NeighbourKey: Neighbour], _ socket: NetlinkSocket) {
        let present = Set(links.values.map(\.index))
        let inUse = vtepsInUse()
        var ops: [(NeighbourKey, Neighbour, Bool)] = []
        for (key, n) in programmedNeighbours where wanted[key] == nil {
            if present.contains(key.interfaceIndex), kernelNeighbours[key] != nil, !inUse.contains(key) { ops.append((key, n, false)) }
            if !inUse.contains(key) { programmedNeighbours[key] = nil }
        }
        if let vx = links[TunnelKind.vxlan.deviceName]?.index {
            for (key, n) in kernelNeighbours where key.interfaceIndex == vx && wanted[key] == nil && programmedNeighbours[key] == nil
                && n.state.contains(.permanent) && !inUse.contains(key) {
                ops.append((key, n, false))
            }
        }
        applyNeighbours(ops, socket)
    }

    func applyNeighbours(_ ops: [(NeighbourKey, Neighbour, Bool)], _ socket: NetlinkSocket) {
        guard !ops.isEmpty else { return }
        let results = socket.apply(ops.map { $0.2 ? NeighbourMessage.new($0.1, replace: true) : NeighbourMessage.delete($0.1) })
        for ((key, n, add), result) in zip(ops, results) {
            switch result {
            case .success:
                if add { programmedNeighbours[key] = n; kernelNeighbours[key] = n } else { kernelNeighbours[key] = nil }
            case .failure(let e):
                let what = key.family == .bridge ? "FDB entry \(n.lladdr.map(\.description) ?? "-") dst" : "neighbour"
                log(.error, "dataplane: cannot \(add ? "set" : "remove") \(what) \(key.ip) dev \(interfaceNames[key.interfaceIndex] ?? "if\(key.interfaceIndex)"): \(e.name) (\(e.reason))")
            }
        }
    }
}
