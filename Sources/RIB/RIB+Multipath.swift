import IPCore
import BGPWire

// MARK: - Multipath (ECMP) for the dataplane

extension RIB {
    /// The next hops to install for `prefix` as an ECMP route: the best path's, plus those of
    /// every other path that ties with it on the decision steps before the tie-breakers
    /// (RFC 4271 §9.1.2.2 a-d: LOCAL_PREF, AS_PATH length, ORIGIN, MED; and eBGP vs iBGP) —
    /// the usual BGP multipath rule. Several paths per prefix come from ADD-PATH (RFC 7911),
    /// e.g. a reflector sending both nodes that advertise one anycast block. Empty when the
    /// best path is locally originated or there is none. O(paths of the prefix).
    public func multipathNextHops(for prefix: IPPrefix) -> [IPAddress] {
        let list: PathList?
        switch prefix {
        case .v4(let p): list = v4[V4Key(p)]
        case .v6(let p): list = v6[V6Key(p)]
        }
        guard let list, !list.best.peer.isLocal, let bestHop = list.best.nextHop else { return [] }
        guard list.count > 1 else { return [bestHop] }
        let bestKey = multipathKey(list.best)
        var hops: [IPAddress] = []
        for i in 0..<list.count {
            let p = list[i]
            guard !p.peer.isLocal, let hop = p.nextHop, multipathKey(p) == bestKey, !hops.contains(hop) else { continue }
            hops.append(hop)
        }
        return hops
    }

    /// What two paths must share to be used together.
    private func multipathKey(_ p: Path) -> MultipathKey {
        let a = p.attributes
        let external = descriptors[p.peer]?.isExternal ?? false
        return MultipathKey(localPref: external ? 100 : (a.localPref ?? 100), asPathLength: a.asPath?.length ?? 0,
                            origin: a.origin?.rawValue ?? 2, med: a.multiExitDisc ?? 0,
                            neighbourAS: a.asPath?.firstAS ?? 0, external: external)
    }

    private struct MultipathKey: Equatable {
        var localPref: UInt32
        var asPathLength: Int
        var origin: UInt8
        var med: UInt32
        var neighbourAS: UInt32
        var external: Bool
    }

    /// Records, in every change list from now on, prefixes whose other candidate paths changed
    /// while the best stayed (``RIBChanges/touched``): the dataplane needs them for ECMP.
    public mutating func trackCandidateChanges() { alwaysTrackTouched = true }
}
