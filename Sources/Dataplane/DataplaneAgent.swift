import Dispatch
import Glibc
import IPCore
import Logging
import Model
import Netlink

/// The Felix-like agent: keeps the kernel converged to the desired state, on its own
/// serial queue.
///
/// **A message boundary.** Every public method may be called from any thread and never
/// waits for kernel work (except ``start()``, ``stop()`` and the synchronous ``fib()``,
/// which say so). Inputs go into a locked inbox and are drained on ``queue``: BGP route
/// changes are coalesced per prefix (a flap of one prefix while a pass runs costs one
/// entry), other updates keep their order. So synchronous netlink ACK reads, `/proc/sys`
/// writes and kernel dumps never share a thread with the BGP loop's keepalives and UPDATE
/// processing. What the daemon shows (``counters``, ``overlayStatus``) is published after
/// each pass, read without waiting.
///
/// **Managers** (Felix's `*_mgr.go` shape, see ``DataplaneManager``): overlay (tunnels,
/// VTEP neighbours and FDB entries), workloads (sysctls, permanent neighbours), routes.
/// The agent owns the loop, the shared ``KernelView`` and ``order``: the make steps run
/// in that order, the cleanup steps in reverse (make-before-break in one place).
///
/// - Event-driven: the updates drained in one go become one pass, one netlink batch per
///   manager; a BGP change or a kernel event is an incremental pass over the changed
///   prefixes (O(1) in the table size), other input changes a full pass.
/// - The monitor repairs kernel changes at once (our route deleted by someone, an
///   interface gone or re-created); link changes and ENOBUFS trigger a full resync from
///   dumps; a periodic full resync is the safety net.
/// - Restart-safe: ``start()`` adopts our routes from a dump and never flushes. Routes of
///   ours that are no longer desired are removed only after ``allowStaleRemoval()`` or the
///   stale timeout. ``stop()`` leaves every route in place.
public final class DataplaneAgent: @unchecked Sendable {
    public let config: DataplaneConfig
    /// A named network namespace (`ip netns`) programmed instead of the current one (tests).
    public let namespace: String?
    /// The agent's own serial queue: passes, monitor events and timers run here.
    public let queue: DispatchQueue
    let logger: Logger

    // MARK: State behind locks (the boundary)

    /// What callers posted and the queue has not drained yet.
    struct Inbox {
        /// Updates other than BGP routes, in the order they came.
        var updates: [DataplaneUpdate] = []
        /// BGP route changes, coalesced: next hops per prefix, empty for a removal.
        var routes: [IPPrefix: [IPAddress]] = [:]
        /// A drain block is queued.
        var drainScheduled = false
    }

    /// What the agent shows, as of its last pass.
    struct Published {
        var counters = DataplaneCounters()
        var overlay = OverlayStatus()
    }

    private let inbox = Locked(Inbox())
    private let published = Locked(Published())
    private let passObserver = Locked<(@Sendable (Double) -> Void)?>(nil)

    /// Called on the agent's queue after each pass with its duration in seconds
    /// (`tern_dataplane_apply_seconds`). Set from any thread.
    public func observePasses(_ observer: (@Sendable (Double) -> Void)?) { passObserver.withLock { $0 = observer } }

    // MARK: State confined to `queue`

    let kernel: KernelView
    let overlayManager: OverlayManager
    let workloadManager: WorkloadManager
    let routeManager: RouteManager
    /// The manager order: make steps (``DataplaneManager/completeDeferredWork(_:)``) run in
    /// this order, cleanup steps in reverse. Tunnel devices and VTEP entries exist before
    /// a route uses them; workload sysctls and neighbours before their routes; what is no
    /// longer wanted goes after the routes that used it have moved.
    let order: [any DataplaneManager]
    /// The work the next pass must do.
    var pending: DeferredWork = .none
    var passScheduled = false
    var running = false
    var resyncs = 0
    var overruns = 0
    var passes = 0

    // Strong references: a released source is cancelled and never fires.
    var socket: NetlinkSocket?
    var monitor: NetlinkMonitor?
    var resyncTimer: DispatchSourceTimer?
    var staleTimer: DispatchSourceTimer?
    var overlayRetryTimer: DispatchSourceTimer?
    var sysctlTimer: DispatchSourceTimer?

    /// - Parameters:
    ///   - namespace: a named network namespace (`ip netns`) to program instead of the
    ///     current one (tests); nil in the daemon, which runs inside the node's namespace.
    ///   - logger: every message; errors carry `errno`, `prefix` or `interface` metadata.
    ///     Per-route lines are debug; batches are summarised at info.
    public init(config: DataplaneConfig, namespace: String? = nil, logger: Logger) {
        self.config = config
        self.namespace = namespace
        self.logger = logger
        queue = DispatchQueue(label: "tern.dataplane")
        kernel = KernelView(table: config.routeTable)
        overlayManager = OverlayManager(config: config, logger: logger)
        workloadManager = WorkloadManager(config: config, sysctls: SysctlWriter(root: config.sysctlRoot, namespace: namespace),
                                          logger: logger)
        routeManager = RouteManager(config: config, logger: logger)
        order = [overlayManager, workloadManager, routeManager]
        published.withLock { $0.overlay = overlayManager.status(kernel) }
    }

    // MARK: - Public API (any thread)

    /// Opens the netlink sockets, starts the monitor, adopts existing routes of ours from a
    /// dump (no flush), sets `ip_forward`, starts the resync and stale timers and schedules
    /// the first pass. Throws when netlink cannot be opened or dumped. Waits for the dump;
    /// call it before the BGP sessions start, never on ``queue``.
    public func start() throws {
        dispatchPrecondition(condition: .notOnQueue(queue))
        try queue.sync { try startOnQueue() }
    }

    /// Stops the monitor and timers, after the pass in progress. Routes stay in the kernel
    /// (forwarding continues; the next agent adopts them).
    public func stop() {
        dispatchPrecondition(condition: .notOnQueue(queue))
        queue.sync { stopOnQueue() }
    }

    /// Replaces the set of local workloads.
    public func setWorkloads(_ workloads: [Workload]) { post(.workloads(workloads)) }

    /// Replaces the set of local IPAM blocks (blackholed).
    public func setLocalBlocks(_ blocks: [IPPrefix]) { post(.localBlocks(blocks)) }

    /// Replaces the pools and tunnel settings (SIGHUP). Devices, neighbours and routes are
    /// re-made before anything is removed, so no block becomes unreachable in between.
    public func setOverlay(_ overlay: OverlayConfig) { post(.overlay(overlay)) }

    /// Sets the best BGP route for a prefix; several next hops make an ECMP route. An
    /// empty list removes the route.
    public func setRoute(_ prefix: IPPrefix, nextHops: [IPAddress]) {
        postRoutes { $0[prefix] = nextHops }
    }

    /// Removes the BGP route for a prefix.
    public func removeRoute(_ prefix: IPPrefix) { setRoute(prefix, nextHops: []) }

    /// Many route changes under one lock (what one BGP loop turn produced): next hops per
    /// prefix, an empty list for a removal. Later changes of a prefix replace earlier ones.
    public func setRoutes<S: Sequence>(_ changes: S) where S.Element == (prefix: IPPrefix, nextHops: [IPAddress]) {
        postRoutes { routes in
            for c in changes { routes[c.prefix] = c.nextHops }
        }
    }

    /// Routes of ours that are no longer desired may now be removed (the speaker calls
    /// this after its peers' End-of-RIB). Idempotent.
    public func allowStaleRemoval() { post(.staleRemovalAllowed) }

    /// Forces a full resync from kernel dumps (sysctls re-asserted too).
    public func resync() { post(.resync) }

    /// The FIB view (for each prefix, desired vs kernel and its state), computed on
    /// ``queue`` after the updates posted so far; `completion` runs on ``queue``.
    public func fib(_ completion: @escaping @Sendable ([FIBEntry]) -> Void) {
        queue.async { [self] in completion(fibOnQueue()) }
    }

    /// ``fib(_:)``, waiting for it (tests and tools; never on ``queue`` or a BGP loop).
    public func fib() -> [FIBEntry] {
        dispatchPrecondition(condition: .notOnQueue(queue))
        return queue.sync { fibOnQueue() }
    }

    /// The FIB view after everything posted so far (a pass for it follows).
    private func fibOnQueue() -> [FIBEntry] {
        drain()
        schedulePass()
        return routeManager.fib(kernel)
    }

    /// Counters since ``start()``, as of the last pass.
    public var counters: DataplaneCounters { published.withLock { $0.counters } }

    /// Pools, tunnel devices, underlay and the workload MTU, as of the last full pass.
    public var overlayStatus: OverlayStatus { published.withLock { $0.overlay } }

    deinit {
        overlayRetryTimer?.cancel()
        monitor?.cancel()
        resyncTimer?.cancel()
        staleTimer?.cancel()
    }

    // MARK: - The inbox

    private func post(_ update: DataplaneUpdate) {
        let schedule = inbox.withLock { box -> Bool in
            box.updates.append(update)
            return Self.claimDrain(&box)
        }
        if schedule { queue.async { [weak self] in self?.drainAndPass() } }
    }

    private func postRoutes(_ body: (inout [IPPrefix: [IPAddress]]) -> Void) {
        let schedule = inbox.withLock { box -> Bool in
            body(&box.routes)
            return Self.claimDrain(&box)
        }
        if schedule { queue.async { [weak self] in self?.drainAndPass() } }
    }

    /// True when the caller must queue the drain (one queued at a time).
    private static func claimDrain(_ box: inout Inbox) -> Bool {
        guard !box.drainScheduled else { return false }
        box.drainScheduled = true
        return true
    }

    private func drainAndPass() {
        drain()
        runPass()
    }

    /// Hands everything posted so far to the managers (on ``queue``).
    func drain() {
        let box = inbox.withLock { box -> Inbox in
            let taken = box
            box = Inbox()
            return taken
        }
        for update in box.updates { deliver(update) }
        if !box.routes.isEmpty { deliver(.routes(box.routes)) }
    }

    /// One update to every manager; the largest work any of them asks for is due.
    func deliver(_ update: DataplaneUpdate) {
        for m in order { pending = max(pending, m.onUpdate(update, kernel: kernel)) }
    }

    // MARK: - On the queue

    func startOnQueue() throws {
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
            try dumpKernel(sock)
        } catch {
            stopOnQueue()
            throw error
        }
        let ours = RouteProtocol(rawValue: config.routeProtocol)
        let adopted = kernel.routes.values.joined().filter { $0.proto == ours }.count
        logger.info("started (protocol \(config.routeProtocol), table \(config.routeTable)); adopted \(adopted) existing route(s) of ours")
        workloadManager.applyNodeSysctls()

        let resync = DispatchSource.makeTimerSource(queue: queue)
        let interval = DispatchTimeInterval.milliseconds(Int(max(1, config.resyncInterval) * 1000))
        resync.schedule(deadline: .now() + interval, repeating: interval)
        resync.setEventHandler { [weak self] in
            guard let self else { return }
            self.deliver(.resync)
            self.schedulePass()
        }
        resyncTimer = resync
        resync.resume()

        let stale = DispatchSource.makeTimerSource(queue: queue)
        stale.schedule(deadline: .now() + .milliseconds(Int(max(0, config.staleRouteTimeout) * 1000)))
        stale.setEventHandler { [weak self] in
            guard let self, !self.routeManager.staleRemovalAllowed else { return }
            self.logger.info("stale route timeout (\(Int(self.config.staleRouteTimeout)) s) passed; removing stale routes")
            self.deliver(.staleRemovalAllowed)
            self.schedulePass()
        }
        staleTimer = stale
        stale.resume()

        let check = DispatchSource.makeTimerSource(queue: queue)
        let every = DispatchTimeInterval.milliseconds(Int(max(0.1, config.sysctlCheckInterval) * 1000))
        check.schedule(deadline: .now() + every, repeating: every)
        check.setEventHandler { [weak self] in
            guard let self, self.running else { return }
            self.workloadManager.checkForwardingSysctls()
        }
        sysctlTimer = check
        check.resume()
        pending = max(pending, .full)
        drain()
        schedulePass()
    }

    func stopOnQueue() {
        running = false
        monitor?.cancel()
        monitor = nil
        resyncTimer?.cancel()
        resyncTimer = nil
        staleTimer?.cancel()
        staleTimer = nil
        sysctlTimer?.cancel()
        sysctlTimer = nil
        overlayRetryTimer?.cancel()
        overlayRetryTimer = nil
        socket = nil
    }

    /// A pass at the end of this queue turn (after the monitor events already read).
    func schedulePass() {
        guard running, !passScheduled, pending > .none else { return }
        passScheduled = true
        queue.async { [weak self] in self?.runPass() }
    }

    /// A monitor event: into the kernel view, then to every manager.
    func handle(_ event: NetlinkEvent) {
        guard running else { return }
        if case .overrun = event {
            overruns += 1
            logger.warning("netlink monitor overrun (ENOBUFS): events lost; full resync")
        }
        pending = max(pending, kernel.apply(event))
        deliver(.kernel(event))
        schedulePass()
    }

    func dumpKernel(_ socket: NetlinkSocket) throws {
        let ls = try socket.links()
        let rs = try socket.routes()
        var ns = try socket.neighbours()
        let vxlanPresent = ls.contains { $0.name == TunnelKind.vxlan.deviceName }
        if overlayManager.wantsFDB(kernel.links) || vxlanPresent, !ns.contains(where: { $0.family == .bridge }) {
            ns += try socket.neighbours(family: .bridge)
        }
        kernel.load(links: ls, routes: rs, neighbours: ns, addresses: try socket.addresses())
        resyncs += 1
    }

    /// One pass: a dump first when due, then every manager's make step in ``order`` and
    /// their cleanup steps in reverse; then the published view.
    func runPass() {
        passScheduled = false
        guard running, let socket else { return }
        let work = pending
        guard work > .none else { return }
        pending = .none
        let started = DispatchTime.now().uptimeNanoseconds
        if work == .resync {
            do {
                try dumpKernel(socket)
            } catch {
                logger.error("kernel dump failed: \(error); retrying in 1 s")
                pending = .resync
                queue.asyncAfter(deadline: .now() + 1) { [weak self] in self?.schedulePass() }
                return
            }
        }
        let routes = routeManager
        let pass = DataplanePass(socket: socket, kernel: kernel, full: work >= .full, overlayPlan: overlayManager.plan) { p in
            routes.desired(links: p.kernel.links, plan: p.overlayPlan)
        }
        for m in order { m.completeDeferredWork(pass) }
        for m in order.reversed() { m.completeDeferredCleanup(pass) }
        // Found during the pass (ENOBUFS): done by the next pass for any reason, so a
        // persistent error does not spin.
        pending = max(pending, pass.followUp)
        if pass.full { armOverlayRetry() }
        passes += 1
        publish(overlay: pass.full)
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
        passObserver.withLock { $0 }?(seconds)
    }

    /// While some pool's tunnel device is missing: a full pass with fresh dumps every
    /// `tunnelRetryInterval`.
    func armOverlayRetry() {
        guard overlayManager.hasProblems else {
            overlayRetryTimer?.cancel()
            overlayRetryTimer = nil
            return
        }
        guard overlayRetryTimer == nil else { return }
        let t = DispatchSource.makeTimerSource(queue: queue)
        let interval = DispatchTimeInterval.milliseconds(Int(max(0.1, config.tunnelRetryInterval) * 1000))
        t.schedule(deadline: .now() + interval, repeating: interval)
        t.setEventHandler { [weak self] in
            guard let self, self.running else { return }
            self.pending = max(self.pending, .resync)
            self.schedulePass()
        }
        overlayRetryTimer = t
        t.resume()
    }

    func publish(overlay: Bool) {
        let c = DataplaneCounters(replaced: routeManager.replaced, deleted: routeManager.deleted, failed: routeManager.failed,
                                  resyncs: resyncs, overruns: overruns,
                                  routesDesired: routeManager.desiredCount, routesFailed: routeManager.failures.count,
                                  passes: passes, inSync: pending == .none && !inbox.withLock { $0.drainScheduled })
        let status = overlay ? overlayManager.status(kernel) : nil
        published.withLock {
            $0.counters = c
            if let status { $0.overlay = status }
        }
    }
}
