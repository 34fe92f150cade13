import IPCore
import BGPWire

/// Encoded UPDATEs for a set of peers: every peer in `peers` is sent exactly `messages`.
public struct UpdateBatch: Sendable, Equatable {
    public var peers: [PeerID]
    /// Whole messages (header included), in order.
    public var messages: [[UInt8]]

    public init(peers: [PeerID], messages: [[UInt8]]) {
        self.peers = peers
        self.messages = messages
    }
}

// MARK: - Adj-RIB-Out

extension RIB {
    /// The UPDATEs that bring the in-sync peers (those that got ``fullTable(for:families:)``)
    /// up to date after `changes`. Peers of one update group share one encoding; a group
    /// member that is the source of some changed best path gets its own batch (rule 1 of
    /// ``ExportPolicy``). Prefixes whose exported attributes are equal are packed together.
    ///
    /// Call it for every ``RIBChanges`` in order, before the next full table: what was
    /// exportable under the old best path is taken as what the peer has.
    public mutating func exports(for changes: RIBChanges) -> [UpdateBatch] {
        guard !changes.isEmpty, !groups.isEmpty else { return [] }
        // The common case of a peer's UPDATE when that peer is the only one in sync: it may
        // not be sent its own paths (rule 1), so there is nothing to do.
        // (Not with add-path groups: their Adj-RIB-Out follows every change.)
        if addPathOut.isEmpty, groups.count == 1, let only = groups.first?.value, only.count == 1,
           changes.onlyFrom(only[0]) { return [] }
        let sources = changes.sources
        var out: [UpdateBatch] = []
        let ordered = groups.sorted { ($0.value.min() ?? PeerID(0)) < ($1.value.min() ?? PeerID(0)) }
        for (key, members) in ordered {
            var exporter = GroupExporter(key: key, config: config, descriptors: descriptors)
            if key.sendsAnyAddPath { out += addPathExports(changes, key: key, members: members, exporter: &exporter) }
            guard key.families.contains(where: { !key.sendsAddPath($0) }) else { continue }
            let regular = members.filter { !sources.contains($0) }.sorted()
            let own = members.filter { sources.contains($0) }.sorted()
            if !regular.isEmpty {
                let (messages, delta) = exporter.build(changes, excluding: nil)
                stats.encodedMessages += messages.count
                for p in regular { adjOut[p]?.advertised += delta }
                if !messages.isEmpty { out.append(UpdateBatch(peers: regular, messages: messages)) }
            }
            for p in own {
                if changes.onlyFrom(p) { continue }  // only its own paths: nothing (rule 1)
                let (messages, delta) = exporter.build(changes, excluding: p)
                stats.encodedMessages += messages.count
                adjOut[p]?.advertised += delta
                if !messages.isEmpty { out.append(UpdateBatch(peers: [p], messages: messages)) }
            }
        }
        return out
    }

    /// The whole table for `peer` (initial advertisement, or the answer to a ROUTE-REFRESH
    /// when `families` names the requested family), each family ending with its End-of-RIB
    /// marker (RFC 4724). Only negotiated families are sent. From now on `peer` receives
    /// ``exports(for:)``.
    public mutating func fullTable(for peer: PeerID, families: Set<AddressFamily>? = nil) -> [[UInt8]] {
        guard let d = descriptors[peer] else { return [] }
        let key = d.updateGroupKey
        if adjOut[peer]?.inSync != true {
            adjOut[peer] = AdjRIBOutState(inSync: true, advertised: 0)
            groups[key, default: []].append(peer)
        }
        let fams = families.map { $0.intersection(d.families) } ?? d.families
        var exporter = GroupExporter(key: key, config: config, descriptors: descriptors)
        if key.sendsAnyAddPath { ensureAddPathState(key, exporter: &exporter) }
        var out: [[UInt8]] = []
        var count = 0
        if fams.contains(.ipv4Unicast) {
            var packer = exporter.packer()
            if key.sendsAddPath(.ipv4Unicast) {
                count += addPathTable(.ipv4Unicast, key: key, for: peer, into: &packer, exporter: &exporter)
            } else {
                for (p, list) in v4 { if packer.announce(.v4(p.prefix), list.best, excluding: peer, &exporter) { count += 1 } }
            }
            out += packer.encode(exporter)
            out.append(BGPMessage.update(.endOfRIB(.ipv4Unicast)).encoded(context: d.encodeContext))
        }
        if fams.contains(.ipv6Unicast) {
            var packer = exporter.packer()
            if key.sendsAddPath(.ipv6Unicast) {
                count += addPathTable(.ipv6Unicast, key: key, for: peer, into: &packer, exporter: &exporter)
            } else {
                for (p, list) in v6 { if packer.announce(.v6(p.prefix), list.best, excluding: peer, &exporter) { count += 1 } }
            }
            out += packer.encode(exporter)
            out.append(BGPMessage.update(.endOfRIB(.ipv6Unicast)).encoded(context: d.encodeContext))
        }
        stats.encodedMessages += out.count
        // Families not refreshed keep their count; a full send resets it.
        if families == nil || fams == d.families {
            adjOut[peer]?.advertised = count
        } else {
            let others = advertisedExcluding(fams, peer: peer, exporter: &exporter)
            adjOut[peer]?.advertised = count + others
        }
        return out
    }

    /// Prefixes of the families not in `fams` that `peer` has (for a partial refresh).
    private func advertisedExcluding(_ fams: Set<AddressFamily>, peer: PeerID, exporter: inout GroupExporter) -> Int {
        var n = 0
        for f in [AddressFamily.ipv4Unicast, .ipv6Unicast] where !fams.contains(f) && exporter.key.sendsAddPath(f) {
            for (p, entries) in addPathOut[exporter.key]?.prefixes ?? [:] where p.family == f {
                n += AddPathOut.sent(entries, limit: exporter.key.addPathLimit, excluding: peer).count
            }
        }
        if !fams.contains(.ipv4Unicast) && exporter.key.families.contains(.ipv4Unicast) && !exporter.key.sendsAddPath(.ipv4Unicast) {
            for (_, l) in v4 where exporter.exported(l.best, v6: false, excluding: peer) >= 0 { n += 1 }
        }
        if !fams.contains(.ipv6Unicast) && exporter.key.families.contains(.ipv6Unicast) && !exporter.key.sendsAddPath(.ipv6Unicast) {
            for (_, l) in v6 where exporter.exported(l.best, v6: true, excluding: peer) >= 0 { n += 1 }
        }
        return n
    }
}

// MARK: - GroupExporter

/// Export computation for one update group during one call: the policy runs once per
/// distinct (attribute set, source kind, family), and equal results share one index.
struct GroupExporter {
    let key: UpdateGroupKey
    let config: RIBConfig
    let descriptors: [PeerID: PeerDescriptor]

    private struct CacheKey: Hashable {
        var set: ObjectIdentifier
        var source: ExportSource
        var v6: Bool
    }
    private var cache: [CacheKey: Int] = [:]
    private var index: [RouteAttributes: Int] = [:]
    private(set) var exportedAttributes: [RouteAttributes] = []

    init(key: UpdateGroupKey, config: RIBConfig, descriptors: [PeerID: PeerDescriptor]) {
        self.key = key
        self.config = config
        self.descriptors = descriptors
    }

    func source(of p: Path) -> ExportSource {
        if p.peer.isLocal { return .local }
        // A forgotten peer counts as eBGP (exportable everywhere): at worst an extra withdrawal.
        guard let d = descriptors[p.peer] else { return ExportSource(peer: p.peer, isExternal: true) }
        return ExportSource(peer: p.peer, isExternal: d.isExternal, reflectorClient: d.reflectorClient, routerID: d.routerID)
    }

    /// The index of the exported attributes of `p`, or -1 when it is not exported.
    mutating func exported(_ p: Path, v6: Bool, excluding peer: PeerID?) -> Int {
        let src = source(of: p)
        if let peer, !ExportPolicy.mayAdvertise(src, to: peer) { return -1 }
        let k = CacheKey(set: ObjectIdentifier(p.attributeSet), source: src, v6: v6)
        if let i = cache[k] { return i }
        var i = -1
        if let r = ExportPolicy.export(p.attributeSet.value, family: v6 ? .ipv6Unicast : .ipv4Unicast,
                                       from: src, to: key.target, config: config) {
            if let j = index[r] { i = j } else {
                i = exportedAttributes.count
                index[r] = i
                exportedAttributes.append(r)
            }
        }
        cache[k] = i
        return i
    }

    func packer() -> Packer { Packer(context: key.encodeContext) }

    /// The UPDATEs for `changes` and the change in the advertised count.
    mutating func build(_ changes: RIBChanges, excluding peer: PeerID?) -> (messages: [[UInt8]], delta: Int) {
        var packer = packer()
        var delta = 0
        for c in changes.changes {
            let fam = c.prefix.family
            guard key.families.contains(fam), !key.sendsAddPath(fam) else { continue }
            let v6 = fam == .ipv6Unicast
            let new = c.new.map { exported($0, v6: v6, excluding: peer) } ?? -1
            let old = c.old.map { exported($0, v6: v6, excluding: peer) } ?? -1
            if new >= 0 {
                if new == old { continue }
                packer.add(c.prefix, attributes: new)
                if old < 0 { delta += 1 }
            } else if old >= 0 {
                packer.withdraw(c.prefix)
                delta -= 1
            }
        }
        return (packer.encode(self), delta)
    }
}

// MARK: - Packer

/// Collects withdrawals and announcements (by exported attribute index, in first-seen
/// order) and packs them into as few UPDATEs as the message size allows.
struct Packer {
    let context: CodecContext
    var withdrawn4: [NLRI] = []
    var withdrawn6: [NLRI] = []
    var bucketOf: [Int: Int] = [:]
    var buckets: [(attributes: Int, v4: [NLRI], v6: [NLRI])] = []

    init(context: CodecContext) { self.context = context }

    /// The NLRI of `p`: with a path identifier when the context has add-path for its
    /// family (`pathID`, or 1 for the single best path of a group without add-path send).
    private func nlri(_ p: IPPrefix, _ pathID: UInt32?) -> NLRI {
        NLRI(p, pathID: context.hasAddPath(p.family) ? (pathID ?? 1) : nil)
    }

    mutating func withdraw(_ p: IPPrefix, pathID: UInt32? = nil) {
        if case .v4 = p { withdrawn4.append(nlri(p, pathID)) } else { withdrawn6.append(nlri(p, pathID)) }
    }

    mutating func add(_ p: IPPrefix, pathID: UInt32? = nil, attributes i: Int) {
        let b: Int
        if let x = bucketOf[i] { b = x } else {
            b = buckets.count
            bucketOf[i] = b
            buckets.append((i, [], []))
        }
        if case .v4 = p { buckets[b].v4.append(nlri(p, pathID)) } else { buckets[b].v6.append(nlri(p, pathID)) }
    }

    /// Adds the best path `best` of `p` if it is exported; true when it is.
    mutating func announce(_ p: IPPrefix, _ best: Path, excluding peer: PeerID, _ e: inout GroupExporter) -> Bool {
        let v6: Bool
        if case .v6 = p { v6 = true } else { v6 = false }
        let i = e.exported(best, v6: v6, excluding: peer)
        guard i >= 0 else { return false }
        add(p, attributes: i)
        return true
    }

    func encode(_ e: GroupExporter) -> [[UInt8]] {
        var out = UpdatePacker.withdraw(family: .ipv4Unicast, nlri: withdrawn4, context: context)
        out += UpdatePacker.withdraw(family: .ipv6Unicast, nlri: withdrawn6, context: context)
        for b in buckets {
            let r = e.exportedAttributes[b.attributes]
            out += UpdatePacker.announce(r.attributes, family: .ipv4Unicast, nlri: b.v4, context: context)
            out += UpdatePacker.announce(r.attributes, family: .ipv6Unicast, nlri: b.v6, nextHops: r.nextHops, context: context)
        }
        return out
    }
}
