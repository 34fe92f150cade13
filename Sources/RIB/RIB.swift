import IPCore
import BGPWire

/// The routing information bases of a BGP speaker (RFC 4271 §3.2, §9):
/// Adj-RIB-In per peer, the decision process and the Loc-RIB, Adj-RIB-Out with update
/// groups; RFC 4456 loop checks; RFC 6793 AS path reconstruction; RFC 7911 path keys.
///
/// Pure: no I/O, clock or logging. Every mutation returns the ``RIBChanges`` it caused:
/// best-path changes for the exports and, when ``trackFIBChanges()`` was called, the kernel
/// route changes for the dataplane (``FIBChange``).
///
/// ## Memory layout
/// - Loc-RIB: one `Dictionary<V4Key, PathList>` (and one for IPv6; the keys are the
///   prefixes with a cheap hash, see ``V4Key``). A ``PathList`` is
///   16 bytes and holds a single path inline; the candidates are the Adj-RIB-In contents
///   (there is no import policy), so they are stored once, best first.
/// - A ``Path`` is (peer, path ID, attribute-set reference): 16 bytes. Attribute sets are
///   interned: one ``AttributeSet`` per distinct ``RouteAttributes``.
/// - Adj-RIB-In index: per peer an append-only list of the prefixes it added paths for
///   (8 bytes each for IPv4, no hashing), so a peer going down recomputes only its
///   prefixes. Withdrawals leave stale entries; the list is compacted (filtered against
///   the Loc-RIB and deduplicated) when it holds more than twice the peer's paths, and
///   dropped when the peer has none left.
/// - Adj-RIB-Out: not materialised. Exports are computed from the old and new best path of
///   each change (what was exportable before is what the peer has), with per-peer counts.
///   Except for update groups with add-path send (RFC 7911): they keep the ranked paths
///   they were sent per prefix with their path IDs (``AddPathOut``), one copy per group.
/// - FIB: not materialised either. A prefix's kernel route is a function of its candidates
///   (``FIBChange``), computed before and after each change (``FIBRoute``, no allocation for
///   one next hop); nothing is stored per prefix.
public struct RIB: Sendable {
    /// Speaker-wide settings.
    public let config: RIBConfig

    var v4: [V4Key: PathList] = [:]
    var v6: [V6Key: PathList] = [:]
    var interner = AttributeInterner()
    var descriptors: [PeerID: PeerDescriptor] = [:]
    var adjIn: [PeerID: AdjRIBInIndex] = [:]
    var adjOut: [PeerID: AdjRIBOutState] = [:]
    /// In-sync peers (their full table was sent) by update group.
    var groups: [UpdateGroupKey: [PeerID]] = [:]
    /// The Adj-RIB-Out of every update group with add-path send (RFC 7911), while it has
    /// in-sync members. When there is one, changes also list prefixes whose non-best paths
    /// changed (`RIBChanges.touched`).
    var addPathOut: [UpdateGroupKey: AddPathOut] = [:]
    /// Whether every ``RIBChanges`` carries the kernel route changes (``RIBChanges/fib``).
    /// Off until ``trackFIBChanges()``: a route reflector without a dataplane pays nothing.
    public internal(set) var tracksFIBChanges = false
    /// Counters for tests and `tern status`.
    public internal(set) var stats = Stats()

    public init(config: RIBConfig) { self.config = config }

    /// Counters.
    public struct Stats: Sendable, Hashable {
        /// UPDATE messages encoded by ``RIB/exports(for:)`` and ``RIB/fullTable(for:families:)``
        /// (once per update group, however many peers receive them).
        public var encodedMessages = 0
        /// Decision processes run over two or more candidates.
        public var decisions = 0
    }
}

/// Per peer: the prefixes it has paths for, and its counts.
struct AdjRIBInIndex: Sendable {
    /// Every prefix the peer has a path for, in the order they were added; may also hold
    /// prefixes it withdrew since, and repeats (see ``compactIfNeeded(v4:v6:peer:)``).
    var v4: [V4Key] = []
    var v6: [V6Key] = []
    /// Paths held in the Loc-RIB candidates, and of them the IPv6 ones (RFC 4486 limits
    /// count each family).
    var accepted = 0
    var acceptedV6 = 0
    /// Paths received but ignored (loops, the import filter), by key, with the reason.
    var rejected: [NLRI: ImportRejection] = [:]

    /// Empties the prefix lists when the peer has no path left. After entries were added
    /// (`grew`), compacts them when they hold more than twice as many entries as the peer
    /// has paths: amortised O(1) per added path. Withdrawals alone never compact (a mass
    /// withdrawal would pay for repeated passes), so the lists keep at most the size of
    /// the peer's largest table since it last announced.
    mutating func compactIfNeeded(v4 t4: [V4Key: PathList], v6 t6: [V6Key: PathList], peer: PeerID, grew: Bool) {
        if accepted == 0 {
            if !v4.isEmpty || !v6.isEmpty { v4 = []; v6 = [] }
            return
        }
        guard grew, v4.count + v6.count > 2 * accepted + 1024 else { return }
        v4 = Self.live(v4, table: t4, peer: peer)
        v6 = Self.live(v6, table: t6, peer: peer)
    }

    /// The distinct prefixes of `list` for which `peer` still has a path.
    private static func live<P: Hashable>(_ list: [P], table: [P: PathList], peer: PeerID) -> [P] {
        var seen = Set<P>(minimumCapacity: list.count / 2)
        var out: [P] = []
        for p in list where table[p]?.contains(peer: peer) == true && seen.insert(p).inserted { out.append(p) }
        return out
    }
}

/// Per peer: sync state and what it was sent.
struct AdjRIBOutState: Sendable {
    var inSync = false
    var advertised = 0
}

// MARK: - Peers

extension RIB {
    /// Registers a peer, or updates its descriptor (e.g. when it reaches Established with
    /// its router ID and negotiated encoding). It receives exports once
    /// ``fullTable(for:families:)`` was called for it.
    public mutating func addPeer(_ d: PeerDescriptor) {
        if let old = descriptors[d.id], adjOut[d.id]?.inSync == true, old.updateGroupKey != d.updateGroupKey {
            leaveGroup(d.id, key: old.updateGroupKey)
            groups[d.updateGroupKey, default: []].append(d.id)
            descriptors[d.id] = d
            var exporter = GroupExporter(key: d.updateGroupKey, config: config, descriptors: descriptors)
            ensureAddPathState(d.updateGroupKey, exporter: &exporter)
        }
        descriptors[d.id] = d
        if adjIn[d.id] == nil { adjIn[d.id] = AdjRIBInIndex() }
        if adjOut[d.id] == nil { adjOut[d.id] = AdjRIBOutState() }
    }

    /// The descriptor of `peer`.
    public func peer(_ id: PeerID) -> PeerDescriptor? { descriptors[id] }

    /// The registered peers.
    public var peerIDs: [PeerID] { descriptors.keys.sorted() }

    /// The session with `peer` went down: its paths are removed (only its prefixes are
    /// recomputed) and it leaves its update group. It stays registered.
    public mutating func peerDown(_ peer: PeerID) -> RIBChanges {
        if let d = descriptors[peer], adjOut[peer]?.inSync == true { leaveGroup(peer, key: d.updateGroupKey) }
        adjOut[peer] = descriptors[peer] == nil ? nil : AdjRIBOutState()
        var changes = newChanges()
        guard let index = adjIn.removeValue(forKey: peer) else { return changes }
        let ctx = decisionContext
        for p in index.v4 {
            Self.removeAll(from: peer, prefix: p, wrap: Self.wrap4, table: &v4, ctx: ctx, changes: &changes, stats: &stats)
        }
        for p in index.v6 {
            Self.removeAll(from: peer, prefix: p, wrap: Self.wrap6, table: &v6, ctx: ctx, changes: &changes, stats: &stats)
        }
        if descriptors[peer] != nil { adjIn[peer] = AdjRIBInIndex() }
        interner.sweepIfNeeded()
        return changes
    }

    /// Forgets `peer` (after ``peerDown(_:)`` semantics).
    public mutating func removePeer(_ peer: PeerID) -> RIBChanges {
        let changes = peerDown(peer)
        descriptors[peer] = nil
        adjIn[peer] = nil
        adjOut[peer] = nil
        return changes
    }

    mutating func leaveGroup(_ peer: PeerID, key: UpdateGroupKey) {
        guard var m = groups[key] else { return }
        m.removeAll { $0 == peer }
        groups[key] = m.isEmpty ? nil : m
        if m.isEmpty { addPathOut[key] = nil }
    }

    /// An empty change list; it records touched prefixes while add-path groups exist, and
    /// FIB changes while the FIB is tracked.
    func newChanges() -> RIBChanges {
        var c = RIBChanges()
        c.trackTouched = !addPathOut.isEmpty
        c.trackFIB = tracksFIBChanges
        return c
    }
}

// MARK: - Applying UPDATEs

extension RIB {
    /// Applies one UPDATE from `peer`. With `treatAsWithdraw` (RFC 7606) every prefix the
    /// message names is withdrawn. Announcements from an eBGP peer whose AS_PATH contains
    /// our AS, or carrying our router ID as ORIGINATOR_ID or our cluster ID in CLUSTER_LIST
    /// (RFC 4456 §8), are ignored (a path the peer had under that key is removed).
    /// From a 2-octet-AS peer the AS path is reconstructed first (RFC 6793 §4.2.3).
    public mutating func apply(_ update: UpdateMessage, from peer: PeerID, treatAsWithdraw: Bool = false) -> RIBChanges {
        var changes = newChanges()
        apply(update, from: peer, treatAsWithdraw: treatAsWithdraw, changes: &changes)
        // One FIB change per prefix, also when the UPDATE names a prefix twice.
        if changes.fib.count > 1, Self.mayNameAPrefixTwice(update) { changes.foldFIB() }
        return changes
    }

    /// True when `update` can name one prefix more than once: in two of its lists
    /// (withdrawn and announced), or with several ADD-PATH path IDs (RFC 7911).
    private static func mayNameAPrefixTwice(_ u: UpdateMessage) -> Bool {
        let unreach = u.mpUnreach?.withdrawn ?? []
        let reach = u.mpReach?.nlri ?? []
        let lists = [u.withdrawn.isEmpty, unreach.isEmpty, u.nlri.isEmpty, reach.isEmpty].filter { !$0 }.count
        if lists > 1 { return true }
        func ids(_ l: [NLRI]) -> Bool { l.contains { $0.pathID != nil } }
        return ids(u.withdrawn) || ids(unreach) || ids(u.nlri) || ids(reach)
    }

    private mutating func apply(_ update: UpdateMessage, from peer: PeerID, treatAsWithdraw: Bool,
                                changes: inout RIBChanges) {
        guard let desc = descriptors[peer], var index = adjIn.removeValue(forKey: peer) else { return }
        let listed = index.v4.count + index.v6.count
        defer {
            index.compactIfNeeded(v4: v4, v6: v6, peer: peer, grew: index.v4.count + index.v6.count > listed)
            adjIn[peer] = index
        }
        let ctx = decisionContext

        if treatAsWithdraw {
            for n in update.allPrefixes { withdraw(n, peer: peer, index: &index, ctx: ctx, changes: &changes) }
            return
        }
        for n in update.withdrawn { withdraw(n, peer: peer, index: &index, ctx: ctx, changes: &changes) }
        if let u = update.mpUnreach {
            for n in u.withdrawn { withdraw(n, peer: peer, index: &index, ctx: ctx, changes: &changes) }
        }

        let reach = update.mpReach.map { !$0.nlri.isEmpty } ?? false
        guard !update.nlri.isEmpty || reach else { return }

        var attrs = update.attributes
        if desc.encodeContext.fourOctetAS {
            attrs.as4Path = nil  // RFC 6793 §4.2.2: not exchanged between 4-octet speakers
            attrs.as4Aggregator = nil
        } else {
            attrs = attrs.reconstructed
        }
        let own = OwnAddresses(routerID: .v4(config.routerID), local: desc.localAddress)
        var rejected = rejection(attrs, from: desc)

        if !update.nlri.isEmpty {
            if rejected == nil, let nh = attrs.nextHop, ImportFilter.isInvalidNextHop(.v4(nh), own: own) { rejected = .invalidNextHop }
            let set = rejected == nil ? interner.intern(RouteAttributes(attrs)) : nil
            for n in update.nlri {
                announce(n, set: set, rejected: rejected ?? ImportFilter.rejection(of: n.prefix, own: own),
                         peer: peer, index: &index, ctx: ctx, changes: &changes)
            }
        }
        if let r = update.mpReach, !r.nlri.isEmpty {
            var a = attrs
            var hops = r.nextHops
            if r.family.afi == .ipv4, case .v4(let nh)? = hops.first {
                a.nextHop = nh
                hops = []
            } else if r.family.afi == .ipv6 {
                a.nextHop = nil
            }
            let nextHop = a.nextHop.map(IPAddress.v4) ?? hops.first
            if rejected == nil, let nh = nextHop, ImportFilter.isInvalidNextHop(nh, own: own) { rejected = .invalidNextHop }
            let set = rejected == nil ? interner.intern(RouteAttributes(a, nextHops: hops)) : nil
            for n in r.nlri {
                announce(n, set: set, rejected: rejected ?? ImportFilter.rejection(of: n.prefix, own: own),
                         peer: peer, index: &index, ctx: ctx, changes: &changes)
            }
        }
        interner.sweepIfNeeded()
    }

    /// Why the path must be ignored whatever its prefixes: our AS in the AS_PATH of an eBGP
    /// path (RFC 4271 §9.1.2), an eBGP AS_PATH that does not start with the peer's AS (RFC
    /// 4271 §6.3, when ``RIBConfig/enforceFirstAS``), our router ID as ORIGINATOR_ID or our
    /// cluster ID in the CLUSTER_LIST (RFC 4456 §8). Nil: look at each prefix.
    func rejection(_ a: PathAttributes, from peer: PeerDescriptor) -> ImportRejection? {
        if peer.isExternal, let path = a.asPath {
            if path.segments.contains(where: { $0.asns.contains(config.localAS) }) { return .asLoop }
            if config.enforceFirstAS {
                guard let first = path.segments.first, first.kind == .sequence, first.asns.first == peer.asNumber else {
                    return .firstASMismatch
                }
            }
        }
        if a.originatorID == config.routerID { return .originatorLoop }
        if let cl = a.clusterList, cl.contains(config.effectiveClusterID) { return .clusterLoop }
        return nil
    }

    private mutating func announce(_ n: NLRI, set: AttributeSet?, rejected: ImportRejection?, peer: PeerID,
                                   index: inout AdjRIBInIndex, ctx: DecisionContext, changes: inout RIBChanges) {
        guard let set, rejected == nil else {
            // Ignored: remove what the peer had under this key, remember it as received.
            withdraw(n, peer: peer, index: &index, ctx: ctx, changes: &changes)
            index.rejected[n] = rejected ?? .martian
            return
        }
        if !index.rejected.isEmpty { index.rejected[n] = nil }
        let path = Path(peer: peer, pathID: n.pathID ?? 0, attributeSet: set)
        let added: Bool
        switch n.prefix {
        case .v4(let p):
            added = Self.upsert(path, prefix: V4Key(p), wrap: Self.wrap4, table: &v4, ctx: ctx, changes: &changes, stats: &stats)
            if added { index.v4.append(V4Key(p)) }
        case .v6(let p):
            added = Self.upsert(path, prefix: V6Key(p), wrap: Self.wrap6, table: &v6, ctx: ctx, changes: &changes, stats: &stats)
            if added { index.v6.append(V6Key(p)); index.acceptedV6 += 1 }
        }
        if added { index.accepted += 1 }
    }

    private mutating func withdraw(_ n: NLRI, peer: PeerID, index: inout AdjRIBInIndex,
                                   ctx: DecisionContext, changes: inout RIBChanges) {
        if !index.rejected.isEmpty { index.rejected[n] = nil }
        let id = n.pathID ?? 0
        switch n.prefix {
        case .v4(let p):
            if Self.remove(peer: peer, pathID: id, prefix: V4Key(p), wrap: Self.wrap4, table: &v4,
                           ctx: ctx, changes: &changes, stats: &stats) { index.accepted -= 1 }
        case .v6(let p):
            if Self.remove(peer: peer, pathID: id, prefix: V6Key(p), wrap: Self.wrap6, table: &v6,
                           ctx: ctx, changes: &changes, stats: &stats) { index.accepted -= 1; index.acceptedV6 -= 1 }
        }
    }
}

// MARK: - Local origination

extension RIB {
    /// Originates `prefix` locally (a node's address block, a workload /32). The path takes
    /// part in the decision as the local source: no AS path, LOCAL_PREF 100 unless given,
    /// our router ID, preferred on a full tie. ORIGIN defaults to IGP. Calling it again
    /// replaces the attributes.
    public mutating func originate(prefix: IPPrefix, attributes: PathAttributes = PathAttributes()) -> RIBChanges {
        originate(prefixes: [prefix], attributes: attributes)
    }

    /// Withdraws a locally originated prefix.
    public mutating func withdrawOriginated(prefix: IPPrefix) -> RIBChanges {
        withdrawOriginated(prefixes: [prefix])
    }

    /// Originates every prefix of `prefixes` (each once) with `attributes`, into one set of
    /// changes: linear in the number of prefixes (merging one `RIBChanges` per prefix
    /// re-indexes the whole set each time, quadratic for a node with thousands of blocks).
    public mutating func originate(prefixes: [IPPrefix], attributes: PathAttributes = PathAttributes()) -> RIBChanges {
        var a = attributes
        if a.origin == nil { a.origin = .igp }
        if a.asPath == nil { a.asPath = ASPath() }
        a.nextHop = nil
        let path = Path(peer: .local, pathID: 0, attributeSet: interner.intern(RouteAttributes(a)))
        var changes = newChanges()
        let ctx = decisionContext
        var seen = Set<IPPrefix>()
        for prefix in prefixes where seen.insert(prefix).inserted {
            switch prefix {
            case .v4(let p): _ = Self.upsert(path, prefix: V4Key(p), wrap: Self.wrap4, table: &v4, ctx: ctx, changes: &changes, stats: &stats)
            case .v6(let p): _ = Self.upsert(path, prefix: V6Key(p), wrap: Self.wrap6, table: &v6, ctx: ctx, changes: &changes, stats: &stats)
            }
        }
        interner.sweepIfNeeded()
        return changes
    }

    /// Withdraws every locally originated prefix of `prefixes` (each once), into one set of changes.
    public mutating func withdrawOriginated(prefixes: [IPPrefix]) -> RIBChanges {
        var changes = newChanges()
        let ctx = decisionContext
        var seen = Set<IPPrefix>()
        for prefix in prefixes where seen.insert(prefix).inserted {
            switch prefix {
            case .v4(let p): _ = Self.remove(peer: .local, pathID: 0, prefix: V4Key(p), wrap: Self.wrap4, table: &v4, ctx: ctx, changes: &changes, stats: &stats)
            case .v6(let p): _ = Self.remove(peer: .local, pathID: 0, prefix: V6Key(p), wrap: Self.wrap6, table: &v6, ctx: ctx, changes: &changes, stats: &stats)
            }
        }
        return changes
    }
}

// MARK: - Table operations (generic over the family)

/// What the decision process needs besides the paths.
struct DecisionContext {
    let config: RIBConfig
    let descriptors: [PeerID: PeerDescriptor]

    func candidate(_ p: Path) -> DecisionCandidate {
        DecisionCandidate(attributes: p.attributeSet, pathID: p.pathID,
                          peer: p.peer.isLocal ? nil : descriptors[p.peer], config: config)
    }

    /// Runs the decision over `list` and moves the winner to the front.
    func reorder(_ list: inout PathList, stats: inout RIB.Stats) {
        guard list.count > 1 else { return }
        stats.decisions += 1
        let paths = list.paths
        let (w, _) = DecisionProcess.select(paths.map(candidate))
        list.moveToFront(w)
    }

    func reason(_ list: PathList) -> DecisionReason {
        DecisionProcess.select(list.paths.map(candidate)).reason
    }
}

extension RIB {
    static func wrap4(_ k: V4Key) -> IPPrefix { .v4(k.prefix) }
    static func wrap6(_ k: V6Key) -> IPPrefix { .v6(k.prefix) }

    var decisionContext: DecisionContext { DecisionContext(config: config, descriptors: descriptors) }

    /// Adds or replaces `path` (keyed by peer and path ID). True when it was added (new key).
    static func upsert<P: Hashable>(_ path: Path, prefix: P, wrap: (P) -> IPPrefix, table: inout [P: PathList],
                                    ctx: DecisionContext, changes: inout RIBChanges, stats: inout Stats) -> Bool {
        var added = false
        var old: Path?
        var new: Path?
        // The kernel route before and after (``FIBChange``), only while the FIB is tracked.
        let fib = changes.trackFIB
        var fibOld = FIBRoute.none, fibNew = FIBRoute.none
        // One hash lookup: a new prefix is inserted as the empty list (no allocation).
        modify(&table[prefix, default: .many([])]) { list in
            if list.count == 0 {
                list = .one(path)
                added = true
                new = path
                if fib { fibNew = ctx.fibRoute(list) }
                return
            }
            old = list.best
            if fib { fibOld = ctx.fibRoute(list) }
            if let k = list.firstIndex(peer: path.peer, pathID: path.pathID) {
                if list[k] == path { fibNew = fibOld; return }  // same path again: nothing changes
                list.replace(at: k, with: path)
            } else {
                list.append(path)
                added = true
            }
            ctx.reorder(&list, stats: &stats)
            new = list.best
            if fib { fibNew = ctx.fibRoute(list) }
        }
        if let new { changes.record(wrap(prefix), old: old, new: new) }
        if fib { changes.recordFIB(wrap(prefix), old: fibOld, new: fibNew) }
        return added
    }

    /// Removes the path (peer, pathID). Returns whether there was one.
    static func remove<P: Hashable>(peer: PeerID, pathID: UInt32, prefix: P, wrap: (P) -> IPPrefix,
                                    table: inout [P: PathList], ctx: DecisionContext,
                                    changes: inout RIBChanges, stats: inout Stats) -> Bool {
        guard let i = table.index(forKey: prefix) else { return false }
        let list = table.values[i]
        guard let k = list.firstIndex(peer: peer, pathID: pathID) else { return false }
        let old = list.best
        let fib = changes.trackFIB
        let fibOld = fib ? ctx.fibRoute(list) : .none
        var fibNew = FIBRoute.none
        var emptied = false
        var new: Path?
        modify(&table.values[i]) { list in
            if !list.remove(at: k) { emptied = true; return }
            if k == 0 { ctx.reorder(&list, stats: &stats) }
            new = list.best
            if fib { fibNew = ctx.fibRoute(list) }
        }
        if emptied { table.remove(at: i) }
        changes.record(wrap(prefix), old: old, new: new)
        if fib { changes.recordFIB(wrap(prefix), old: fibOld, new: fibNew) }
        return true
    }

    /// Removes every path of `peer` for the prefix.
    static func removeAll<P: Hashable>(from peer: PeerID, prefix: P, wrap: (P) -> IPPrefix, table: inout [P: PathList],
                                       ctx: DecisionContext, changes: inout RIBChanges, stats: inout Stats) {
        guard let i = table.index(forKey: prefix) else { return }
        let old = table.values[i].best
        let fib = changes.trackFIB
        let fibOld = fib ? ctx.fibRoute(table.values[i]) : .none
        var fibNew = FIBRoute.none
        var emptied = false
        var new: Path?
        modify(&table.values[i]) { list in
            if !list.removeAll(from: peer) { emptied = true; return }
            if old.peer == peer { ctx.reorder(&list, stats: &stats) }
            new = list.best
            if fib { fibNew = ctx.fibRoute(list) }
        }
        if emptied { table.remove(at: i) }
        changes.record(wrap(prefix), old: old, new: new)
        if fib { changes.recordFIB(wrap(prefix), old: fibOld, new: fibNew) }
    }

    @inline(__always)
    static func modify<T>(_ value: inout T, _ body: (inout T) -> Void) { body(&value) }
}
