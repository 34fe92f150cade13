import IPCore
import BGPWire

// MARK: - Graceful restart, receiving side (RFC 4724 §4.2)

extension RIB {
    /// The session with a graceful-restart-capable peer ended without a NOTIFICATION:
    /// keep its routes (RFC 4724 §4.2), now owned by `stale`, a new handle that describes the
    /// same neighbour. They stay in the Loc-RIB and keep being used (forwarding continues),
    /// while `peer` starts empty for the next session. The speaker removes them with
    /// ``removePeer(_:)`` on the peer's End-of-RIB — paths it announced again by then are
    /// held under `peer` — or when the restart time runs out. No changes result: the best
    /// paths keep their attributes.
    public mutating func retainAsStale(_ peer: PeerID, as stale: PeerID) {
        precondition(descriptors[stale] == nil && !stale.isLocal, "stale handle must be new")
        guard var d = descriptors[peer] else { return }
        if adjOut[peer]?.inSync == true { leaveGroup(peer, key: d.updateGroupKey) }
        adjOut[peer] = AdjRIBOutState()
        guard let index = adjIn.removeValue(forKey: peer) else { return }
        for p in index.v4 { v4[p]?.renamePeer(peer, to: stale) }
        for p in index.v6 { v6[p]?.renamePeer(peer, to: stale) }
        // Add-path groups keep sending the same paths under the same path IDs.
        for key in Array(addPathOut.keys) {
            guard var state = addPathOut.removeValue(forKey: key) else { continue }
            for p in index.v4.lazy.map({ IPPrefix.v4($0.prefix) }) + index.v6.lazy.map({ IPPrefix.v6($0.prefix) }) {
                guard var entries = state.prefixes[p] else { continue }
                for i in entries.indices where entries[i].path.peer == peer {
                    let old = entries[i].path
                    entries[i].path = Path(peer: stale, pathID: old.pathID, attributeSet: old.attributeSet)
                }
                state.prefixes[p] = entries
            }
            addPathOut[key] = state
        }
        adjIn[peer] = AdjRIBInIndex()
        d.id = stale
        descriptors[stale] = d          // never in an update group: it receives nothing
        adjIn[stale] = index
    }
}

// MARK: - Long-lived graceful restart, receiving side (RFC 9494 §4.2)

extension RIB {
    /// The restart time of a peer whose routes `stale` holds (``retainAsStale(_:as:)``) ran
    /// out, or was 0, and long-lived graceful restart was negotiated: its routes enter the
    /// long-lived stale phase (RFC 9494 §4.2). Paths carrying NO_LLGR are removed; every
    /// other path gets the LLGR_STALE community, which makes it least preferred (any path
    /// without it wins, ``DecisionProcess``) and keeps it away from peers without LLGR
    /// (``ExportPolicy``). The paths stay in the Loc-RIB (and in the kernel while best).
    public mutating func markLongLivedStale(_ stale: PeerID) -> RIBChanges {
        var changes = newChanges()
        guard var index = adjIn.removeValue(forKey: stale) else { return changes }
        let ctx = decisionContext
        var staleSets: [ObjectIdentifier: AttributeSet] = [:]
        func marked(_ set: AttributeSet) -> AttributeSet {
            if let s = staleSets[ObjectIdentifier(set)] { return s }
            var v = set.value
            v.attributes.communities.append(.llgrStale)
            let s = interner.intern(v)
            staleSets[ObjectIdentifier(set)] = s
            return s
        }
        func process<P: Hashable>(_ keys: [P], wrap: (P) -> IPPrefix, table: inout [P: PathList], v6: Bool) {
            var seen = Set<P>(minimumCapacity: keys.count)
            for p in keys where seen.insert(p).inserted {
                guard let list = table[p] else { continue }
                for path in list.paths where path.peer == stale {
                    let set = path.attributeSet
                    if set.llgrStale { continue }
                    if set.attributes.communities.contains(.noLLGR) {
                        if Self.remove(peer: stale, pathID: path.pathID, prefix: p, wrap: wrap, table: &table,
                                       ctx: ctx, changes: &changes, stats: &stats) {
                            index.accepted -= 1
                            if v6 { index.acceptedV6 -= 1 }
                        }
                    } else {
                        _ = Self.upsert(Path(peer: stale, pathID: path.pathID, attributeSet: marked(set)), prefix: p,
                                        wrap: wrap, table: &table, ctx: ctx, changes: &changes, stats: &stats)
                    }
                }
            }
        }
        process(index.v4, wrap: Self.wrap4, table: &v4, v6: false)
        process(index.v6, wrap: Self.wrap6, table: &v6, v6: true)
        index.compactIfNeeded(v4: v4, v6: v6, peer: stale, grew: false)
        adjIn[stale] = index
        interner.sweepIfNeeded()
        return changes
    }
}
