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
