import IPCore
import BGPWire

// MARK: - Multipath (ECMP) kernel routes (RFC 4271 §9.1.2.2)

extension DecisionContext {
    /// The kernel route `list` calls for (the rules of ``FIBChange``):
    /// - none when there is no path, or the best path is locally originated or has no next
    ///   hop ("local origin: no kernel route");
    /// - else the best path's next hop, plus those of every other path that ties with it on
    ///   the decision steps before the tie-breakers (RFC 4271 §9.1.2.2 a-d: LOCAL_PREF,
    ///   AS_PATH length, ORIGIN, MED; and eBGP vs iBGP) — the usual BGP multipath rule.
    ///   Several paths per prefix come from ADD-PATH (RFC 7911), e.g. a reflector sending
    ///   both nodes that advertise one anycast block.
    ///
    /// O(paths of the prefix); no allocation unless there are two or more next hops.
    func fibRoute(_ list: PathList?) -> FIBRoute {
        guard let list else { return .none }
        let best = list.best
        guard !best.peer.isLocal, let bestHop = best.nextHop else { return .none }
        guard list.count > 1 else { return .one(bestHop) }
        let bestKey = multipathKey(best)
        // No array until a second distinct next hop ties (the common non-ECMP case with
        // several candidates, e.g. two route reflectors, allocates nothing).
        var hops: [IPAddress]?
        for i in 1..<list.count {
            let p = list[i]
            guard !p.peer.isLocal, let hop = p.nextHop, hop != bestHop, hops?.contains(hop) != true,
                  multipathKey(p) == bestKey else { continue }
            if hops == nil { hops = [bestHop, hop] } else { hops!.append(hop) }
        }
        guard var hops else { return .one(bestHop) }
        hops.sort(by: FIBRoute.precedes)
        return .many(hops)
    }

    /// What two paths must share to be used together.
    private func multipathKey(_ p: Path) -> MultipathKey {
        let a = p.attributes
        let external = descriptors[p.peer]?.isExternal ?? false
        return MultipathKey(localPref: external ? 100 : (a.localPref ?? 100), asPathLength: a.asPath?.length ?? 0,
                            origin: a.origin?.rawValue ?? 2, med: a.multiExitDisc ?? 0,
                            neighbourAS: a.asPath?.firstAS ?? 0, external: external)
    }
}

private struct MultipathKey: Equatable {
    var localPref: UInt32
    var asPathLength: Int
    var origin: UInt8
    var med: UInt32
    var neighbourAS: UInt32
    var external: Bool
}
