import IPCore
import BGPWire

// MARK: - Add-path send (RFC 7911)

/// The Adj-RIB-Out of one update group that receives several paths per prefix (add-path
/// send negotiated, RFC 7911): per prefix, the exportable candidates ranked by the decision
/// process (at most `limit + 1`: a member never gets its own paths back, so one spare keeps
/// it at `limit` paths when one of the top paths is its own), each with the path ID it is
/// sent under.
///
/// Path IDs are allocated per prefix and group: a path (source peer, source path ID) keeps
/// its ID while it stays among the ranked paths; a newcomer takes the lowest ID that
/// neither a kept nor a just-dropped path uses, so a withdrawal and a new path never share
/// an ID in one round. Every member sees the same ID for the same path.
///
/// Materialised (unlike the single-best-path export, which is derived from old and new
/// best paths) because which paths a peer has depends on paths that are not the best.
/// Its cost is per add-path group, not per peer.
struct AddPathOut: Sendable {
    struct Entry: Sendable, Equatable {
        var path: Path
        var id: UInt32
    }
    var prefixes: [IPPrefix: [Entry]] = [:]

    /// What a member (`excluding` it, rule 1 of ``ExportPolicy``) or any other member
    /// (`nil`) is sent: the first `limit` entries not from it.
    static func sent(_ entries: [Entry], limit: Int, excluding peer: PeerID?) -> ArraySlice<Entry> {
        guard let peer, entries.contains(where: { $0.path.peer == peer }) else { return entries.prefix(limit) }
        return entries.filter { $0.path.peer != peer }.prefix(limit)
    }
}

extension RIB {
    /// Builds the add-path Adj-RIB-Out of `key` from the Loc-RIB when the group has none.
    mutating func ensureAddPathState(_ key: UpdateGroupKey, exporter: inout GroupExporter) {
        guard key.sendsAnyAddPath, addPathOut[key] == nil else { return }
        var state = AddPathOut()
        if key.sendsAddPath(.ipv4Unicast) {
            for (p, list) in v4 {
                let e = ranked(list, v6: false, old: [], limit: key.addPathLimit, exporter: &exporter)
                if !e.isEmpty { state.prefixes[.v4(p.prefix)] = e }
            }
        }
        if key.sendsAddPath(.ipv6Unicast) {
            for (p, list) in v6 {
                let e = ranked(list, v6: true, old: [], limit: key.addPathLimit, exporter: &exporter)
                if !e.isEmpty { state.prefixes[.v6(p.prefix)] = e }
            }
        }
        addPathOut[key] = state
    }

    /// The exportable paths of `list`, best first, at most `limit + 1`, with path IDs
    /// (kept from `old` for the same source peer and path ID).
    func ranked(_ list: PathList?, v6: Bool, old: [AddPathOut.Entry], limit: Int,
                exporter: inout GroupExporter) -> [AddPathOut.Entry] {
        guard let list else { return [] }
        var candidates = list.paths.filter { exporter.exported($0, v6: v6, excluding: nil) >= 0 }
        var chosen: [Path] = []
        let ctx = decisionContext
        while !candidates.isEmpty && chosen.count <= limit {
            let w = candidates.count == 1 ? 0 : DecisionProcess.select(candidates.map(ctx.candidate)).winner
            chosen.append(candidates.remove(at: w))
        }
        var out: [AddPathOut.Entry] = []
        var fresh: [Path] = []
        for p in chosen {
            if let o = old.first(where: { $0.path.peer == p.peer && $0.path.pathID == p.pathID }) {
                out.append(AddPathOut.Entry(path: p, id: o.id))
            } else {
                out.append(AddPathOut.Entry(path: p, id: 0))
                fresh.append(p)
            }
        }
        guard !fresh.isEmpty else { return out }
        var used = Set(old.map(\.id))
        for e in out where e.id != 0 { used.insert(e.id) }
        var next: UInt32 = 1
        for i in out.indices where out[i].id == 0 {
            while used.contains(next) { next += 1 }
            out[i].id = next
            used.insert(next)
        }
        return out
    }

    /// The add-path families of one group after `changes`: updates its Adj-RIB-Out and
    /// returns the UPDATEs (withdrawals and announcements by path ID). Members that are the
    /// source of one of the paths involved get their own batch (rule 1); the others share
    /// one encoding.
    mutating func addPathExports(_ changes: RIBChanges, key: UpdateGroupKey, members: [PeerID],
                                 exporter: inout GroupExporter) -> [UpdateBatch] {
        guard var state = addPathOut[key] else { return [] }
        addPathOut[key] = nil  // unique while we change it
        defer { addPathOut[key] = state }
        var seen = Set<IPPrefix>()
        var diffs: [(prefix: IPPrefix, old: [AddPathOut.Entry], new: [AddPathOut.Entry])] = []
        for p in changes.prefixes + changes.touched where key.sendsAddPath(p.family) && seen.insert(p).inserted {
            let old = state.prefixes[p] ?? []
            let list: PathList?
            switch p {
            case .v4(let x): list = v4[V4Key(x)]
            case .v6(let x): list = v6[V6Key(x)]
            }
            let new = ranked(list, v6: p.family == .ipv6Unicast, old: old, limit: key.addPathLimit, exporter: &exporter)
            if old == new { continue }
            state.prefixes[p] = new.isEmpty ? nil : new
            diffs.append((p, old, new))
        }
        guard !diffs.isEmpty else { return [] }
        var sources = Set<PeerID>()
        for d in diffs {
            for e in d.old { sources.insert(e.path.peer) }
            for e in d.new { sources.insert(e.path.peer) }
        }
        let limit = key.addPathLimit
        func build(excluding peer: PeerID?) -> (messages: [[UInt8]], delta: Int) {
            var packer = exporter.packer()
            var delta = 0
            for d in diffs {
                let o = AddPathOut.sent(d.old, limit: limit, excluding: peer)
                let n = AddPathOut.sent(d.new, limit: limit, excluding: peer)
                for e in o where !n.contains(where: { $0.id == e.id }) {
                    packer.withdraw(d.prefix, pathID: e.id)
                    delta -= 1
                }
                for e in n {
                    let before = o.first { $0.id == e.id }
                    if let before, before.path == e.path { continue }
                    let i = exporter.exported(e.path, v6: d.prefix.family == .ipv6Unicast, excluding: nil)
                    guard i >= 0 else { continue }
                    packer.add(d.prefix, pathID: e.id, attributes: i)
                    if before == nil { delta += 1 }
                }
            }
            return (packer.encode(exporter), delta)
        }
        var out: [UpdateBatch] = []
        let regular = members.filter { !sources.contains($0) }.sorted()
        let own = members.filter { sources.contains($0) }.sorted()
        if !regular.isEmpty {
            let (messages, delta) = build(excluding: nil)
            stats.encodedMessages += messages.count
            for p in regular { adjOut[p]?.advertised += delta }
            if !messages.isEmpty { out.append(UpdateBatch(peers: regular, messages: messages)) }
        }
        for p in own {
            let (messages, delta) = build(excluding: p)
            stats.encodedMessages += messages.count
            adjOut[p]?.advertised += delta
            if !messages.isEmpty { out.append(UpdateBatch(peers: [p], messages: messages)) }
        }
        return out
    }

    /// Adds what `peer` is sent of `family` from its group's add-path Adj-RIB-Out to
    /// `packer`; returns the number of paths.
    mutating func addPathTable(_ family: AddressFamily, key: UpdateGroupKey, for peer: PeerID,
                               into packer: inout Packer, exporter: inout GroupExporter) -> Int {
        guard let state = addPathOut[key] else { return 0 }
        var n = 0
        let v6 = family == .ipv6Unicast
        for (p, entries) in state.prefixes where p.family == family {
            for e in AddPathOut.sent(entries, limit: key.addPathLimit, excluding: peer) {
                let i = exporter.exported(e.path, v6: v6, excluding: nil)
                guard i >= 0 else { continue }
                packer.add(p, pathID: e.id, attributes: i)
                n += 1
            }
        }
        return n
    }
}
