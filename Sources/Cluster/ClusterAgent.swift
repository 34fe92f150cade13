import Datastore
import Dispatch
import Foundation
import IPCore
import Logging
import Model

/// The node's side of the datastore, on a serial queue of its own (never the BGP loop):
/// registers the node, keeps its liveness lease, claims its blocks, watches the cluster's
/// resources, and hands each new ``State`` to `onChange`.
///
/// When the store is down nothing the node runs changes: the last state stays, the agent
/// retries with back-off (0.5 s doubling to 30 s) and reports it in ``status``; when the
/// store is back it re-registers if needed and resyncs (the watch replays what it missed, or
/// delivers a fresh snapshot).
public final class ClusterAgent: @unchecked Sendable {
    /// What the node's configuration is made from.
    public struct State: Sendable {
        public var view: ClusterView
        /// The blocks this node holds.
        public var blocks: [IPPrefix]
    }

    /// Who this node is in the datastore.
    public struct Identity: Sendable, Hashable {
        public var name: String
        public var ipv4: InterfaceAddress?
        public var ipv6: InterfaceAddress?

        public init(name: String, ipv4: InterfaceAddress?, ipv6: InterfaceAddress?) {
            self.name = name
            self.ipv4 = ipv4
            self.ipv6 = ipv6
        }
    }

    /// Seconds a node's liveness lease lasts; renewed every third of it.
    public static let leaseTTL = 30

    public let identity: Identity
    public let kind: String
    private let open: @Sendable () throws(DatastoreError) -> any Datastore
    private let prefix: String
    private let logger: Logger
    private let onChange: @Sendable (State) -> Void
    let queue = DispatchQueue(label: "tern.datastore")

    // On `queue`:
    private var client: ResourceClient?
    private var watch: (any DatastoreWatch)?
    private var view = ClusterView()
    private var blocks: [IPPrefix] = []
    private var lease: Int64?
    private var leaseTimer: DispatchSourceTimer?
    private var backoff = 0.5
    private var retryScheduled = false
    private var emitScheduled = false
    private var registered = false
    private var removedFromCluster = false
    private var stopped = false
    /// The endpoints of the node's workloads, by key (``setWorkloads(_:)``).
    private var desiredEndpoints: [String: Resource] = [:]
    /// Endpoints this agent wrote and has not deleted since, by key (``reconcileEndpoints()``).
    private var writtenEndpoints: [String: Resource] = [:]

    private let lock = NSLock()
    private var _status: ClusterStatus   // guarded by lock

    /// - Parameters:
    ///   - kind: "file" or "etcd" (for the status before the store is open).
    ///   - open: opens the store (may fail: the agent retries).
    ///   - onChange: called on the agent's queue with every new state.
    public init(identity: Identity, kind: String, prefix: String, logger: Logger,
                open: @escaping @Sendable () throws(DatastoreError) -> any Datastore,
                onChange: @escaping @Sendable (State) -> Void) {
        self.identity = identity
        self.kind = kind
        self.prefix = prefix
        self.logger = logger
        self.open = open
        self.onChange = onChange
        _status = ClusterStatus(type: kind)
    }

    /// The connection's state, readable from any thread.
    public var status: ClusterStatus { lock.withLock { _status } }

    public func start() { queue.async { self.connect() } }

    /// Stops watching and renewing. The liveness lease is left to expire (a restart keeps
    /// the node's key alive if it comes back within the TTL); `revokeLease` ends it now.
    public func stop(revokeLease: Bool = false) {
        queue.sync {
            stopped = true
            watch?.cancel()
            watch = nil
            leaseTimer?.cancel()
            leaseTimer = nil
            if revokeLease, let lease, let client { try? client.store.revoke(lease) }
        }
    }

    /// The node's workloads changed: their `WorkloadEndpoint`s are written (and those of
    /// workloads gone deleted) when the store is reachable, now or when it is back.
    public func setWorkloads(_ workloads: [Workload]) {
        let endpoints = workloads.map { WorkloadEndpoints.resource(for: $0, node: identity.name) }
        queue.async {
            let keys = ResourceKeys(prefix: self.prefix)
            self.desiredEndpoints = Dictionary(endpoints.map { (keys.key($0), $0) }, uniquingKeysWith: { a, _ in a })
            self.reconcileEndpoints()
        }
    }

    /// Writes the desired endpoints that differ and deletes this node's that are not
    /// desired. The view lags behind our own writes (the watch delivers them later), so
    /// what this agent wrote is remembered too: an endpoint written and then undesired
    /// before its watch event arrived is deleted all the same (50 CNI ADD/DEL at once).
    private func reconcileEndpoints() {
        guard let client, status.connected, !removedFromCluster else { return }
        do throws(ResourceClient.Failure) {
            for (key, want) in desiredEndpoints.sorted(by: { $0.key < $1.key }) {
                if let have = view.resources[key] ?? writtenEndpoints[key], WorkloadEndpoints.same(have, want) { continue }
                try client.apply(want)
                writtenEndpoints[key] = want
            }
            var stale: [String: Resource] = [:]
            for r in view.all(.workloadEndpoint) {
                guard case .workloadEndpoint(let s) = r.spec, s.node == identity.name else { continue }
                stale[client.keys.key(r)] = r
            }
            for (key, r) in writtenEndpoints { stale[key] = r }
            for (key, r) in stale.sorted(by: { $0.key < $1.key }) where desiredEndpoints[key] == nil {
                try? client.delete(.workloadEndpoint, name: r.metadata.name, namespace: r.metadata.namespace)
                writtenEndpoints[key] = nil
            }
        } catch {
            logger.warning("datastore: writing workload endpoints failed (retried on the next change): \(error)")
        }
    }

    /// An address for `handle` from this node's blocks (claiming or borrowing as
    /// ``AddressAllocator`` does), on the agent's queue; `done` gets the result there.
    /// Fails with ``ResourceClient/Failure``-like words while the store is down.
    /// `pools` (names or CIDRs) limits the choice to those pools; an unknown one is an error.
    public func allocate(handle: String, family: IPFamily, requested: IPAddress?, pools wanted: [String]? = nil,
                         done: @escaping @Sendable (Result<AddressAllocation, IPAMFailure>) -> Void) {
        queue.async {
            guard let client = self.client, self.status.connected else {
                return done(.failure(IPAMFailure(message: "the datastore is not reachable: \(self.status.error ?? "not connected yet")", retry: true)))
            }
            let labels = self.view.node(self.identity.name)?.metadata.labels ?? [:]
            var pools = self.view.pools
            if let wanted, !wanted.isEmpty {
                for w in wanted where !pools.contains(where: { $0.name == w || $0.spec.cidr.description == w }) {
                    return done(.failure(IPAMFailure(message: "no IPPool named \(w) (pools: \(pools.map(\.name).joined(separator: ", ")))", retry: false)))
                }
                pools = pools.filter { p in wanted.contains { $0 == p.name || $0 == p.spec.cidr.description } }
            }
            do throws(AddressAllocator.Failure) {
                let a = try AddressAllocator(client: client).allocate(
                    handle: handle, family: family, pools: pools, node: self.identity.name, labels: labels,
                    config: self.view.ipamConfiguration, requested: requested)
                done(.success(a))
            } catch {
                done(.failure(IPAMFailure(message: "\(error)", retry: { if case .store = error { return true } else { return false } }())))
            }
        }
    }

    /// Frees every address of `handle`, on the agent's queue.
    public func release(handle: String, done: @escaping @Sendable (Result<[IPPrefix], IPAMFailure>) -> Void) {
        queue.async {
            guard let client = self.client, self.status.connected else {
                return done(.failure(IPAMFailure(message: "the datastore is not reachable: \(self.status.error ?? "not connected yet")", retry: true)))
            }
            do throws(AddressAllocator.Failure) {
                done(.success(try AddressAllocator(client: client).release(handle: handle)))
            } catch {
                done(.failure(IPAMFailure(message: "\(error)", retry: true)))
            }
        }
    }

    /// Frees this node's addresses whose handle starts with `handlePrefix` and is not in
    /// `live` (CNI GC), on the agent's queue; `done` gets what was freed, by handle.
    public func garbageCollect(handlePrefix: String, live: Set<String>,
                               done: @escaping @Sendable (Result<[String: [IPPrefix]], IPAMFailure>) -> Void) {
        queue.async {
            guard let client = self.client, self.status.connected else {
                return done(.failure(IPAMFailure(message: "the datastore is not reachable: \(self.status.error ?? "not connected yet")", retry: true)))
            }
            do throws(AddressAllocator.Failure) {
                done(.success(try AddressAllocator(client: client).garbageCollect(
                    liveHandles: live, node: self.identity.name, handlePrefix: handlePrefix)))
            } catch {
                done(.failure(IPAMFailure(message: "\(error)", retry: true)))
            }
        }
    }

    // MARK: Connecting

    private func connect() {
        guard !stopped, !removedFromCluster else { return }
        do throws(ResourceClient.Failure) {
            let client: ResourceClient
            if let c = self.client { client = c } else {
                client = ResourceClient(store: try wrapOpen(), prefix: prefix)
                self.client = client
            }
            if !registered {
                try NodeRegistrar.register(client: client, name: identity.name, ipv4: identity.ipv4, ipv6: identity.ipv6)
                registered = true
                logger.info("datastore: registered node \(identity.name) in the \(kind) store")
            }
            try renewLiveness(client)
            let snapshot = try client.wrap { () throws(DatastoreError) in try client.store.list(prefix: client.keys.resources) }
            view.reset(snapshot, client: client)
            claimBlocks(client)
            backoff = 0.5
            setStatus { $0.connected = true; $0.error = nil; $0.revision = snapshot.revision }
            emit()
            watch = client.store.watch(prefix: client.keys.resources, afterRevision: snapshot.revision) { [weak self] event in
                guard let self else { return }
                self.queue.async { self.handle(event) }
            }
            startLeaseTimer()
            reconcileEndpoints()
        } catch {
            down("\(error)")
        }
    }

    private func wrapOpen() throws(ResourceClient.Failure) -> any Datastore {
        do { return try open() } catch { throw .store(error) }
    }

    private func down(_ message: String) {
        let wasConnected = status.connected
        setStatus { $0.connected = false; $0.error = message }
        if wasConnected || !retryScheduled {
            logger.warning("datastore: \(message); routing stays as it is, retrying in \(backoff) s")
        }
        scheduleRetry()
    }

    /// The store answers again: connected, and what waited for it is written.
    private func back() {
        guard !status.connected else { return }
        logger.info("datastore: back")
        backoff = 0.5
        setStatus { $0.connected = true; $0.error = nil }
        reconcileEndpoints()
    }

    private func scheduleRetry() {
        guard !retryScheduled, !stopped else { return }
        retryScheduled = true
        let delay = backoff
        backoff = min(backoff * 2, 30)
        queue.asyncAfter(deadline: .now() + delay) { [weak self] in
            guard let self else { return }
            self.retryScheduled = false
            if self.watch == nil { self.connect() } else if let client = self.client {
                // The watch retries itself; the lease is ours to renew, and a renewal that
                // works says the store is back (the watch resumes without an event).
                do throws(ResourceClient.Failure) {
                    try self.renewLiveness(client)
                    self.back()
                } catch {
                    self.down("\(error)")
                }
            }
        }
    }

    // MARK: Watch

    private func handle(_ event: DatastoreWatchEvent) {
        guard !stopped, let client else { return }
        if case .down(let error) = event {
            down("\(error)")
            return
        }
        let wasDown = !status.connected
        if wasDown {
            logger.info("datastore: back")
            backoff = 0.5
        }
        // Only pools, this node's Node and affinities feed block claims: other events (every
        // pod's WorkloadEndpoint, other nodes) skip the comparison.
        let before = affectsClaims(event, client.keys) ? claimInputs() : nil
        let hadNode = view.node(identity.name) != nil
        let changed = view.apply(event, client: client)
        setStatus { $0.connected = true; $0.error = nil; $0.revision = view.revision }
        if wasDown { reconcileEndpoints() }
        // One of our endpoints deleted by someone else (an operator, `tern delete`): write
        // it again if the workload is still here.
        if case .deleted(let key, _) = event, writtenEndpoints.removeValue(forKey: key) != nil, desiredEndpoints[key] != nil {
            reconcileEndpoints()
        }
        guard changed else { return }
        if hadNode && view.node(identity.name) == nil {
            logger.warning("datastore: this node's Node resource (\(identity.name)) was deleted: leaving the cluster (its blocks are released); restart tern to join again")
            removedFromCluster = true
            blocks = []
        } else if !removedFromCluster, let before, claimInputs() != before {
            claimBlocks(client)
        }
        if case .resync = event { reconcileEndpoints() }
        emit()
    }

    /// What block claims depend on: the pools, our labels, our affinities. (Not a copy of
    /// the view: copying it per event would cost the whole view each time.)
    private struct ClaimInputs: Equatable {
        var pools: [IPPoolSpec]
        var labels: [String: String]?
        var affinities: [BlockAffinitySpec]
    }

    private func affectsClaims(_ event: DatastoreWatchEvent, _ keys: ResourceKeys) -> Bool {
        let key: String
        switch event {
        case .put(let v): key = v.key
        case .deleted(let k, _): key = k
        case .resync: return true
        case .down: return false
        }
        guard let (kind, _, name) = keys.parse(key) else { return false }
        return kind == .ipPool || kind == .blockAffinity || (kind == .node && name == identity.name)
    }

    private func claimInputs() -> ClaimInputs {
        ClaimInputs(pools: view.pools.map(\.spec), labels: view.node(identity.name)?.metadata.labels,
                    affinities: view.affinities.filter { $0.spec.node == identity.name }.map(\.spec))
    }

    private func claimBlocks(_ client: ResourceClient) {
        let labels = view.node(identity.name)?.metadata.labels ?? [:]
        do throws(ResourceClient.Failure) {
            let held = try BlockClaimer(client: client, node: identity.name).claim(pools: view.pools, labels: labels)
            if held != blocks { logger.info("datastore: this node's blocks: \(held.map(\.description).joined(separator: ", "))") }
            blocks = held
            setStatus { $0.blocks = held.map(\.description) }
        } catch {
            logger.error("datastore: claiming blocks failed: \(error)")
            setStatus { $0.error = "claiming blocks: \(error)" }
        }
    }

    /// Hands the state over once per burst of events.
    private func emit() {
        guard !emitScheduled else { return }
        emitScheduled = true
        queue.asyncAfter(deadline: .now() + .milliseconds(20)) { [weak self] in
            guard let self, !self.stopped else { return }
            self.emitScheduled = false
            self.onChange(State(view: self.view, blocks: self.blocks))
        }
    }

    // MARK: Liveness

    private func renewLiveness(_ client: ResourceClient) throws(ResourceClient.Failure) {
        if let lease {
            do {
                try client.store.keepAlive(lease)
                return
            } catch .leaseNotFound {
                self.lease = nil   // expired while we were away: a new one below
            } catch {
                throw .store(error)
            }
        }
        let id = try client.wrap { () throws(DatastoreError) in try client.store.grantLease(ttl: Self.leaseTTL) }
        let value = Array("{\"node\":\"\(identity.name)\"}".utf8)
        _ = try client.wrap { () throws(DatastoreError) in try client.store.put(client.keys.liveness(identity.name), value, lease: id) }
        lease = id
    }

    private func startLeaseTimer() {
        leaseTimer?.cancel()
        let t = DispatchSource.makeTimerSource(queue: queue)
        let every = Double(Self.leaseTTL) / 3
        t.schedule(deadline: .now() + every, repeating: every)
        t.setEventHandler { [weak self] in
            guard let self, let client = self.client, !self.stopped else { return }
            do throws(ResourceClient.Failure) { try self.renewLiveness(client) } catch { self.down("renewing the node's lease: \(error)") }
        }
        t.resume()
        leaseTimer = t
    }

    private func setStatus(_ change: (inout ClusterStatus) -> Void) {
        lock.withLock { change(&_status) }
    }
}
