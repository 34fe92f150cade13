import IPCore
import Logging
import Netlink

/// The neighbour and FDB entries one manager programmed (workloads: permanent ARP/NDP
/// entries; overlay: VTEP neighbours and FDB entries), with the two steps every such
/// manager takes: add before the routes that need them, remove after.
struct ProgrammedNeighbours {
    /// What this manager set and has not removed yet.
    private(set) var entries: [NeighbourKey: Neighbour] = [:]

    /// The keyed form of a list of wanted entries.
    static func keyed(_ list: [Neighbour]) -> [NeighbourKey: Neighbour] {
        var wanted: [NeighbourKey: Neighbour] = [:]
        for n in list { if let ip = n.ip { wanted[NeighbourKey(n, ip: ip)] = n } }
        return wanted
    }

    /// Make: adds or corrects every wanted entry the kernel lacks (or has with another MAC,
    /// or not permanent).
    mutating func add(_ wanted: [NeighbourKey: Neighbour], _ pass: DataplanePass, _ logger: Logger) {
        let kernel = pass.kernel
        let ops = wanted.sorted { $0.key.ip < $1.key.ip }.filter { key, n in
            let have = kernel.neighbours[key]
            return have?.lladdr != n.lladdr || !(have?.state.contains(.permanent) ?? false)
        }.map { ($0.key, $0.value, true) }
        apply(ops, pass, logger)
    }

    /// Break: removes the entries this manager programmed that are no longer wanted, except
    /// those in `inUse` (a route of ours still goes through them), and `extra` entries
    /// (stale ones found in the kernel).
    mutating func remove(keeping wanted: [NeighbourKey: Neighbour], inUse: Set<NeighbourKey> = [],
                         extra: [(NeighbourKey, Neighbour)] = [], _ pass: DataplanePass, _ logger: Logger) {
        let present = Set(pass.kernel.links.values.map(\.index))
        var ops: [(NeighbourKey, Neighbour, Bool)] = []
        for (key, n) in entries where wanted[key] == nil {
            if present.contains(key.interfaceIndex), pass.kernel.neighbours[key] != nil, !inUse.contains(key) { ops.append((key, n, false)) }
            if !inUse.contains(key) { entries[key] = nil }
        }
        let already = Set(ops.map(\.0))
        ops += extra.filter { entries[$0.0] == nil && !already.contains($0.0) }.map { ($0.0, $0.1, false) }
        apply(ops, pass, logger)
    }

    /// Whether this manager programmed `key`.
    func contains(_ key: NeighbourKey) -> Bool { entries[key] != nil }

    private mutating func apply(_ ops: [(NeighbourKey, Neighbour, Bool)], _ pass: DataplanePass, _ logger: Logger) {
        guard !ops.isEmpty else { return }
        let results = pass.socket.apply(ops.map { $0.2 ? NeighbourMessage.new($0.1, replace: true) : NeighbourMessage.delete($0.1) })
        let names = pass.kernel.interfaceNames
        for ((key, n, add), result) in zip(ops, results) {
            switch result {
            case .success:
                if add { entries[key] = n; pass.kernel.noteNeighbour(key, n) } else { pass.kernel.noteNeighbour(key, nil) }
            case .failure(let e):
                let what = key.family == .bridge ? "FDB entry \(n.lladdr.map(\.description) ?? "-") dst" : "neighbour"
                let dev = names[key.interfaceIndex] ?? "if\(key.interfaceIndex)"
                logger.error("cannot \(add ? "set" : "remove") \(what) \(key.ip) dev \(dev): \(e.name) (\(e.reason))",
                             metadata: ["interface": "\(dev)", "errno": "\(e.name)"])
            }
        }
    }
}
