import IPCore
import BGPWire

/// One prefix with its candidate paths, for `tern routes`.
public struct RouteView: Sendable, Equatable {
    public var prefix: IPPrefix
    /// All candidate paths, the best one first.
    public var paths: [Path]
    /// Why `paths[0]` won.
    public var reason: DecisionReason

    /// The best path.
    public var best: Path { paths[0] }
}

extension RIB {
    /// Prefixes in the Loc-RIB (both families).
    public var prefixCount: Int { v4.count + v6.count }

    /// The best path for `prefix`.
    public func bestPath(for prefix: IPPrefix) -> Path? {
        switch prefix {
        case .v4(let p): v4[V4Key(p)]?.best
        case .v6(let p): v6[V6Key(p)]?.best
        }
    }

    /// `prefix` with all its paths and the reason the best one won.
    public func route(for prefix: IPPrefix) -> RouteView? {
        let list: PathList?
        switch prefix {
        case .v4(let p): list = v4[V4Key(p)]
        case .v6(let p): list = v6[V6Key(p)]
        }
        return list.map { view(prefix, $0) }
    }

    /// Every prefix in the Loc-RIB, unsorted: a copy of the keys, cheap enough for the event
    /// loop (the control socket sorts it elsewhere and streams the routes).
    public func prefixes() -> [IPPrefix] {
        var out: [IPPrefix] = []
        out.reserveCapacity(prefixCount)
        for k in v4.keys { out.append(.v4(k.prefix)) }
        for k in v6.keys { out.append(.v6(k.prefix)) }
        return out
    }

    /// Every prefix of `family` (both when nil), sorted, with all paths, best first.
    /// A whole-table walk: for the control socket, not for the event path.
    public func routes(family: AddressFamily? = nil) -> [RouteView] {
        var out: [RouteView] = []
        if family == nil || family == .ipv4Unicast {
            out += v4.sorted { $0.key.prefix < $1.key.prefix }.map { view(.v4($0.key.prefix), $0.value) }
        }
        if family == nil || family == .ipv6Unicast {
            out += v6.sorted { $0.key.prefix < $1.key.prefix }.map { view(.v6($0.key.prefix), $0.value) }
        }
        return out
    }

    private func view(_ prefix: IPPrefix, _ list: PathList) -> RouteView {
        RouteView(prefix: prefix, paths: list.paths, reason: decisionContext.reason(list))
    }

    /// Paths received from `peer` (including ignored ones) and accepted into the Loc-RIB
    /// candidates.
    public func prefixCount(from peer: PeerID) -> (received: Int, accepted: Int) {
        guard let i = adjIn[peer] else { return (0, 0) }
        return (i.accepted + i.rejected.count, i.accepted)
    }

    /// Paths accepted from `peer`, per family (what a prefix limit counts, RFC 4486).
    public func acceptedCounts(from peer: PeerID) -> (v4: Int, v6: Int) {
        guard let i = adjIn[peer] else { return (0, 0) }
        return (i.accepted - i.acceptedV6, i.acceptedV6)
    }

    /// What `peer` sent that was ignored, and why (loops, the import filter): for
    /// `tern routes --rejected` and the status counts.
    public func rejected(from peer: PeerID) -> [NLRI: ImportRejection] { adjIn[peer]?.rejected ?? [:] }

    /// How many of `peer`'s paths were ignored, per reason (reasons with none left out).
    public func rejectedCounts(from peer: PeerID) -> [ImportRejection: Int] {
        var counts: [ImportRejection: Int] = [:]
        for reason in (adjIn[peer]?.rejected ?? [:]).values { counts[reason, default: 0] += 1 }
        return counts
    }

    /// Prefixes currently advertised to `peer`.
    public func advertisedCount(to peer: PeerID) -> Int { adjOut[peer]?.advertised ?? 0 }

    /// Distinct interned attribute sets.
    public var attributeSetCount: Int { interner.count }

    /// Drops attribute sets no path uses any more (also done automatically, amortised).
    public mutating func compactAttributeSets() { interner.sweep() }

    /// An estimate of the bytes the tables take (hash tables, path arrays, indexes,
    /// attribute sets), for the memory-per-route benchmark. Uses the Swift hash-table
    /// layout: power-of-two buckets at most 3/4 full, one bit of metadata per bucket.
    public func storageEstimate() -> (bytes: Int, routes: Int) {
        func table<K, V>(_ count: Int, _: K.Type, _: V.Type) -> Int {
            guard count > 0 else { return 0 }
            var buckets = 1
            while buckets * 3 / 4 < count { buckets <<= 1 }
            return buckets * (MemoryLayout<K>.stride + MemoryLayout<V>.stride) + buckets / 8 + 64
        }
        var bytes = table(v4.count, V4Key.self, PathList.self) + table(v6.count, V6Key.self, PathList.self)
        var routes = 0
        for (_, l) in v4 { routes += l.count; if l.count > 1 { bytes += 32 + l.count * MemoryLayout<Path>.stride } }
        for (_, l) in v6 { routes += l.count; if l.count > 1 { bytes += 32 + l.count * MemoryLayout<Path>.stride } }
        for (_, i) in adjIn {
            bytes += i.v4.capacity * MemoryLayout<V4Key>.stride + i.v6.capacity * MemoryLayout<V6Key>.stride
        }
        bytes += table(interner.count, RouteAttributes.self, AttributeSet.self) + interner.count * 256
        return (bytes, routes)
    }
}
