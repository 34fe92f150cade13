import Dispatch
import Foundation
import IPCore
import Logging
import Model
import Netlink
import NFTables
import Policy

/// Enforces NetworkPolicy with nftables (docs/POLICY.md): compiles the inputs into a
/// ``Policy/PolicyModel``, renders Tern's table (`inet tern`) and applies each change as one
/// atomic transaction through libnftables, on its own serial queue.
///
/// - Inputs are coalesced: ``update(_:)`` keeps the latest and one pass applies it, so 1000
///   relabels in a burst cost a few passes, each only the set elements that changed.
/// - Restart without a gap: the table stays when Tern stops; at start the first pass
///   replaces it whole in one transaction (the old rules are in force until that instant).
///   The caller posts inputs only once it knows every policy (the datastore is synced).
/// - Repair: an nftables monitor reports changes other processes make to the table (a
///   flush, a delete) and the table is checked and replaced at once; a periodic check
///   against the kernel's listing is the safety net.
/// - Established connections: after a change, conntrack entries of flows the new rules
///   deny on this node are deleted (``PolicySettings/cutDeniedConnections``), so a denied
///   flow stops within the pass, not when it ends.
public final class PolicyManager: @unchecked Sendable {
    /// What the manager does.
    public struct Settings: Sendable {
        public var cutDeniedConnections: Bool
        public var resyncInterval: Double
        public var workloadPrefix: String
        public var table: String

        public init(cutDeniedConnections: Bool = true, resyncInterval: Double = 90, workloadPrefix: String = "cali", table: String = "tern") {
            self.cutDeniedConnections = cutDeniedConnections
            self.resyncInterval = resyncInterval
            self.workloadPrefix = workloadPrefix
            self.table = table
        }
    }

    /// What `tern policy dataplane` shows besides the listing.
    public struct Stats: Sendable {
        public var transactions = 0
        public var replacements = 0
        public var repairs = 0
        public var lastApplyMilliseconds: Double?
        public var lastError: String?
        public var connectionsCut = 0
    }

    public let settings: Settings
    public let queue = DispatchQueue(label: "tern.policy")
    private let logger: Logger
    private let renderer: NFTRenderer

    private struct Inbox {
        var inputs: PolicyInputs?
        var scheduled = false
    }

    private let inbox = Locked(Inbox())
    /// The conntrack pass: its own queue, the latest model waiting, the entries cut so far.
    private let cutQueue = DispatchQueue(label: "tern.policy.conntrack")
    /// The periodic check: its queue, its own libnftables context, the ruleset last applied.
    private let checkQueue = DispatchQueue(label: "tern.policy.check")
    private var checkContext: NFTContext?   // checkQueue only
    private let appliedSnapshot = Locked<NFTRuleset?>(nil)
    private let cutInbox = Locked(CutInbox())
    private let cutCount = Locked(0)
    private var nodeAddressCache: (Double, Set<IPAddress>)?   // cutQueue only

    private struct CutInbox {
        var model: PolicyModel?
        var scheduled = false
        /// When the last pass started (seconds since the reference date).
        var lastPass = 0.0
    }
    /// The stats of the last pass, for readers on other threads.
    private let published = Locked(Stats())

    // Queue-only state.
    private var context: NFTContext?
    private var compiler = PolicyCompiler()
    private var lastInputs: PolicyInputs?
    private var model: PolicyModel?
    private var desired: NFTRuleset?
    /// What the kernel has as of our last successful transaction; nil: replace whole next.
    private var applied: NFTRuleset?
    private var stats = Stats()
    private var monitor: NFTablesMonitor?
    private var timer: DispatchSourceTimer?
    private var retryScheduled = false
    private var stopped = false

    public init(settings: Settings, logger: Logger) {
        self.settings = settings
        self.logger = logger
        renderer = NFTRenderer(workloadPrefix: settings.workloadPrefix, table: settings.table)
    }

    /// Opens libnftables and the monitor, starts the periodic check. Nothing is written
    /// before the first ``update(_:)``.
    public func start() {
        queue.sync {
            do {
                context = try NFTContext()
            } catch {
                stats.lastError = "libnftables: \(error)"
                logger.error("policy: cannot open libnftables: \(error); policies are not enforced")
            }
            do {
                let m = try NFTablesMonitor(family: "inet", table: settings.table, queue: queue) { [weak self] pid, process in
                    self?.foreignChange(pid: pid, process: process)
                }
                m.start()
                monitor = m
            } catch {
                logger.warning("policy: no nftables monitor (\(error)); changes by others are found by the periodic check only")
            }
            // The periodic check lists the table (a megabyte of JSON at 1000 pods) on a queue
            // and a libnftables context of its own, so rule updates never wait for it; only a
            // difference comes to the manager's queue, which checks again and repairs.
            let t = DispatchSource.makeTimerSource(queue: checkQueue)
            t.schedule(deadline: .now() + settings.resyncInterval, repeating: settings.resyncInterval)
            t.setEventHandler { [weak self] in self?.periodicCheck() }
            t.resume()
            timer = t
            publish()
        }
    }

    /// Stops the monitor and the timer; the table stays in the kernel (restart without a gap).
    public func stop() {
        queue.sync {
            stopped = true
            monitor?.stop()
            monitor = nil
            timer?.cancel()
            timer = nil
        }
    }

    /// Removes Tern's table (enforcement turned off). Synchronous.
    public static func removeTable(_ table: String = "tern", logger: Logger) {
        do {
            let c = try NFTContext()
            try c.run("add table inet \(table)\ndelete table inet \(table)\n")
        } catch {
            logger.warning("policy: could not remove table inet \(table): \(error)")
        }
    }

    /// New inputs (any thread): the latest is applied by the next pass.
    public func update(_ inputs: PolicyInputs) {
        let schedule = inbox.withLock { box -> Bool in
            box.inputs = inputs
            if box.scheduled { return false }
            box.scheduled = true
            return true
        }
        if schedule { queue.async { self.drain() } }
    }

    /// The counters and stats of the last pass, without waiting.
    public var currentStats: Stats { published.withLock { $0 } }

    /// What the manager has and, with `kernel`, what the kernel's table holds.
    public struct Snapshot: Sendable {
        public var model: PolicyModel?
        public var desired: NFTRuleset?
        public var kernel: NFTTableListing?
        /// Why there is no listing (the table is missing, libnftables failed).
        public var kernelError: String?
        public var stats: Stats
        public var table: String
    }

    /// Runs `done` on the manager's queue with a snapshot (the kernel read there, so that
    /// the caller's thread never waits for it).
    public func snapshot(kernel: Bool, _ done: @escaping @Sendable (Snapshot) -> Void) {
        queue.async {
            var stats = self.stats
            stats.connectionsCut = self.cutCount.withLock { $0 }
            var snap = Snapshot(model: self.model, desired: self.desired, stats: stats, table: "inet \(self.settings.table)")
            if kernel {
                if let context = self.context {
                    do {
                        let json = try context.listJSON("list table inet \(self.settings.table)")
                        snap.kernel = try NFTTableListing(json: json, table: self.settings.table, family: "inet")
                    } catch {
                        snap.kernelError = "\(error)"
                    }
                } else {
                    snap.kernelError = self.stats.lastError ?? "libnftables is not open"
                }
            }
            done(snap)
        }
    }

    // MARK: Passes (queue)

    private func drain() {
        let inputs = inbox.withLock { box -> PolicyInputs? in
            box.scheduled = false
            defer { box.inputs = nil }
            return box.inputs
        }
        guard let inputs, !stopped else { return }
        // Most datastore events (leases, blocks, other nodes' endpoints) change nothing here.
        if inputs == lastInputs, applied != nil { return }
        lastInputs = inputs
        let previous = model
        let m = compiler.compile(inputs)
        model = m
        let d = renderer.render(m)
        desired = d
        apply(d)
        publish()
        if settings.cutDeniedConnections, previous.map({ $0.policies != m.policies || $0.members != m.members }) ?? true { requestCut(m) }
    }

    /// Applies `d`: the difference from what was applied, or the whole table.
    private func apply(_ d: NFTRuleset) {
        guard let context else { return }
        let whole = applied == nil
        let text = d.transaction(from: applied)
        if text.isEmpty { return }
        let started = DispatchTime.now()
        do {
            try context.run(text)
            applied = d
            appliedSnapshot.withLock { $0 = d }
            stats.transactions += 1
            if whole { stats.replacements += 1 }
            stats.lastError = nil
        } catch {
            logger.warning("policy: transaction failed (\(error)); replacing the table whole")
            applied = nil
            do {
                try context.run(d.transaction(from: nil))
                applied = d
                appliedSnapshot.withLock { $0 = d }
                stats.transactions += 1
                stats.replacements += 1
                stats.lastError = nil
            } catch {
                if stats.lastError != "\(error)" {
                    logger.error("policy: cannot write table inet \(settings.table): \(error); retrying every second")
                }
                stats.lastError = "\(error)"
                scheduleRetry()
            }
        }
        stats.lastApplyMilliseconds = Double(DispatchTime.now().uptimeNanoseconds - started.uptimeNanoseconds) / 1e6
    }

    private func scheduleRetry() {
        guard !retryScheduled else { return }
        retryScheduled = true
        queue.asyncAfter(deadline: .now() + 1) { [weak self] in
            guard let self, !self.stopped else { return }
            self.retryScheduled = false
            if let d = self.desired, self.applied == nil { self.apply(d); self.publish() }
        }
    }

    /// The periodic check (on ``checkQueue``): the kernel's table against the last applied ruleset.
    private func periodicCheck() {
        guard let d = appliedSnapshot.withLock({ $0 }) else { return }
        if checkContext == nil { checkContext = try? NFTContext() }
        guard let c = checkContext else { return }
        if let k = PolicyManager.listing(c, table: settings.table), PolicyManager.matches(d, k) { return }
        queue.async { self.verify(reason: "periodic check") }
    }

    /// Another process changed our table: check it and put it back.
    private func foreignChange(pid: UInt32?, process: String?) {
        let who = pid.map { "\(process ?? "?") (pid \($0))" } ?? "someone (events lost)"
        verify(reason: "table changed by \(who)")
    }

    /// Compares the kernel's table with what was applied; replaces it whole on a difference.
    private func verify(reason: String) {
        guard let context, let d = desired, !stopped else { return }
        if let listing = PolicyManager.listing(context, table: settings.table), PolicyManager.matches(d, listing) { return }
        logger.warning("policy: \(reason): table inet \(settings.table) differs from the desired one; restoring it")
        stats.repairs += 1
        applied = nil
        apply(d)
        publish()
    }

    /// Every chain has its rule count and every set its element count.
    static func matches(_ d: NFTRuleset, _ k: NFTTableListing) -> Bool {
        guard k.exists, k.chains == d.ruleCounts else { return false }
        for (name, s) in d.sets where (k.sets[name]?.count ?? -1) != s.elements.count { return false }
        for (name, m) in d.maps where (k.sets[name]?.count ?? -1) != m.elements.count { return false }
        return true
    }

    /// Schedules a conntrack pass for `m` on its own queue (a dump of a large conntrack
    /// table must not delay the next rule update); passes coalesce to the latest model.
    private func requestCut(_ m: PolicyModel) {
        let schedule = cutInbox.withLock { box -> Bool in
            box.model = m
            if box.scheduled { return false }
            box.scheduled = true
            return true
        }
        guard schedule else { return }
        // At most one pass every 500 ms (the kernel walks its whole conntrack hash table for a
        // dump; a relabel burst costs one dump, not one per change): a denied flow is still
        // cut within a second.
        let wait = cutInbox.withLock { box in max(0, box.lastPass + 0.5 - Date().timeIntervalSinceReferenceDate) }
        cutQueue.asyncAfter(deadline: .now() + wait) { self.drainCut() }
    }

    private func drainCut() {
        let m = cutInbox.withLock { box -> PolicyModel? in
            box.scheduled = false
            box.lastPass = Date().timeIntervalSinceReferenceDate
            defer { box.model = nil }
            return box.model
        }
        if let m { cutDenied(m) }
    }

    /// Deletes the conntrack entries of flows this node now denies (on ``cutQueue``).
    private func cutDenied(_ m: PolicyModel) {
        guard m.policies.contains(where: { !$0.types.isEmpty }) else { return }
        do {
            let table = try ConntrackTable()
            let node = nodeAddressesCached()
            var doomed: [ConntrackEntry] = []
            for e in try table.dump() {
                let packet = PacketTuple(source: e.source, destination: e.destination, transport: e.proto,
                                         sourcePort: e.sourcePort, destinationPort: e.destinationPort)
                if m.endpoint(at: e.source)?.isLocal != true, m.endpoint(at: e.destination)?.isLocal != true { continue }
                if !m.allowedHere(packet, isNodeAddress: { node.contains($0) }) { doomed.append(e) }
            }
            if !doomed.isEmpty {
                let n = try table.delete(doomed)
                cutCount.withLock { $0 += n }
                logger.info("policy: cut \(n) established connection(s) the new rules deny")
            }
        } catch {
            logger.warning("policy: cannot cut denied connections: \(error)")
        }
    }

    /// ``nodeAddresses()`` at most every 10 s (getifaddrs dumps every link of the node:
    /// with a thousand pods' veths that is most of a conntrack pass). On ``cutQueue``.
    private func nodeAddressesCached() -> Set<IPAddress> {
        let now = Date().timeIntervalSinceReferenceDate
        if let (at, addresses) = nodeAddressCache, now - at < 10 { return addresses }
        let addresses = PolicyManager.nodeAddresses()
        nodeAddressCache = (now, addresses)
        return addresses
    }

    /// This node's own addresses (host → local pod traffic is not policed).
    static func nodeAddresses() -> Set<IPAddress> {
        var out: Set<IPAddress> = []
        var list: UnsafeMutablePointer<ifaddrs>?
        guard getifaddrs(&list) == 0 else { return out }
        defer { freeifaddrs(list) }
        var p = list
        while let a = p {
            if let sa = a.pointee.ifa_addr {
                if sa.pointee.sa_family == sa_family_t(AF_INET) {
                    let v = sa.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { $0.pointee.sin_addr.s_addr }
                    out.insert(.v4(IPv4Address(UInt32(bigEndian: v))))
                } else if sa.pointee.sa_family == sa_family_t(AF_INET6) {
                    let bytes = sa.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { s in
                        withUnsafeBytes(of: s.pointee.sin6_addr) { Array($0) }
                    }
                    if let addr = IPAddress(octets: bytes) { out.insert(addr) }
                }
            }
            p = a.pointee.ifa_next
        }
        return out
    }

    private func publish() {
        var s = stats
        s.connectionsCut = cutCount.withLock { $0 }
        published.withLock { $0 = s }
    }

    /// The kernel's table as listed through `context`; nil when it cannot be read (missing, an error).
    static func listing(_ context: NFTContext, table: String) -> NFTTableListing? {
        guard let json = try? context.listJSON("list table inet \(table)") else { return nil }
        return try? NFTTableListing(json: json, table: table, family: "inet")
    }
}
