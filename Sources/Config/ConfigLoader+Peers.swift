import IPCore
import Model
import Yams

// MARK: - peers

/// One `peers` entry as written (nil: not written, or rejected); the defaults, some of
/// them the top-level values, are applied when the ``PeerSpec`` is made.
struct PeerEntry: Sendable {
    var name: String?
    var address: IPAddress?
    var port: UInt16?
    var asNumber: UInt32?
    var holdTime: UInt16?
    var connectRetryTime: UInt16?
    var passive: Bool?
    var families: [IPFamily]?
    var routeReflectorClient: Bool?
    var routeReflector: Bool?
    var addPaths: AddPathsSetting?
    var addPathsCount: Int?
    var bfd: BFDChoice?
    var ebgpMultihop: UInt8?
    var password: [UInt8]?
    var ttlSecurity: UInt8?
    var maxPrefixes: MaxPrefixSettings?
    var longLivedStaleTime: UInt32?
}

extension ConfigLoader {
    /// One `peers` entry.
    static let peerFields = FieldTable<PeerEntry>("a peer", [
        Field("name", into: \.name) { r, v, path in r.nonEmptyText(v, path, what: "a label") },
        Field("address", required: "add \"address: <peer IP>\"", into: \.address) { r, v, path in
            r.address(v, path, what: "a peer address", allowUnspecified: false)
        },
        Field("port", into: \.port) { r, v, path in r.port(v, path) },
        Field("asNumber", required: "add \"asNumber: <the peer's AS number>\"", into: \.asNumber) { r, v, path in
            r.asNumber(v, path, whose: "the peer's")
        },
        Field("holdTime", into: \.holdTime) { r, v, path in r.holdTime(v, path) },
        Field("connectRetryTime", into: \.connectRetryTime) { r, v, path in r.retryTime(v, path) },
        Field("passive", into: \.passive) { r, v, path in r.bool(v, path) },
        Field("families", into: \.families) { r, v, path in r.families(v, path) },
        Field("routeReflectorClient", into: \.routeReflectorClient) { r, v, path in r.bool(v, path) },
        Field("routeReflector", into: \.routeReflector) { r, v, path in r.bool(v, path) },
        Field("addPaths", into: \.addPaths) { r, v, path in r.choice(v, path, AddPathsSetting.self, what: "ADD-PATH mode") },
        Field("addPathsCount", into: \.addPathsCount) { r, v, path in r.integer(v, path) },
        Field("bfd", into: \.bfd) { r, v, path in r.bfd(v, path) },
        Field("ebgpMultihop", into: \.ebgpMultihop) { r, v, path in
            r.integer(v, path).flatMap { n in
                if (1...255).contains(n) { return UInt8(n) }
                r.fail(v, path, "ebgpMultihop \(n) is out of range 1-255", hint: "the number of hops to the peer, e.g. 2")
                return nil
            }
        },
        Field("password", into: \.password) { r, v, path in r.password(v, path) },
        Field("ttlSecurity", into: \.ttlSecurity) { r, v, path in r.ttlSecurity(v, path) },
        Field("maxPrefixes", into: \.maxPrefixes) { r, v, path in r.maxPrefixes(v, path) },
        Field("longLivedStaleTime", into: \.longLivedStaleTime) { r, v, path in r.longLivedStaleTime(v, path) },
    ])
}

extension Reader {
    /// The complete `peers` entries as ``PeerSpec``s: each address and port once, and
    /// (with this node's name and router ID known, `selfKnown`) never this node itself.
    func peers(_ entries: [ReadMapping<PeerEntry>], of c: TernConfig, selfKnown: Bool, clusterIDWritten: Bool,
               localAS: UInt32?) -> [PeerSpec] {
        var out: [PeerSpec] = []
        var places: [PeerEndpoint: Int] = [:]
        for e in entries {
            guard let i = e.index, let spec = peer(e, of: c, clusterIDWritten: clusterIDWritten, localAS: localAS),
                  let addrNode = e["address"] else { continue }
            if let first = places[spec.endpoint] {
                fail(addrNode, e.path("address"), "duplicate peer \(spec.endpoint) (also peers[\(first)])",
                     hint: "remove one, or give them different ports")
                continue
            }
            places[spec.endpoint] = i
            if selfKnown && c.isSelf(spec.endpoint) {
                let which: String
                if spec.address == IPAddress.v4(c.routerID) { which = "routerID" }
                else if spec.address == c.listenAddress { which = "listenAddress" }
                else { which = "this node's nodes entry" }
                fail(addrNode, e.path("address"), "\(spec.endpoint) is this node itself (\(which))",
                     hint: "remove it; a speaker does not peer with itself (another port is another speaker)")
                continue
            }
            out.append(spec)
        }
        return out
    }

    /// One complete `peers` entry as a ``PeerSpec`` (timers left out take `c`'s top-level
    /// values); nil when something is wrong (reported). The peer's own rules are
    /// ``PeerSpec``'s; the rules that involve the node follow them: a reflector client
    /// needs a cluster ID (`clusterIDWritten`) and our AS, and `addPathsCount` needs
    /// `addPaths` to send.
    func peer(_ e: ReadMapping<PeerEntry>, of c: TernConfig, clusterIDWritten: Bool, localAS: UInt32?) -> PeerSpec? {
        let d = e.value
        guard e.isComplete, let addr = d.address, let asn = d.asNumber else { return nil }
        guard let spec = model(e, e.node, { () throws(ModelError) in
            try PeerSpec(address: addr, port: d.port ?? 179, asNumber: asn, holdTime: d.holdTime ?? c.holdTime,
                         connectRetryTime: d.connectRetryTime ?? c.connectRetryTime, passive: d.passive ?? false,
                         type: .global, name: d.name, families: d.families ?? [IPFamily.v4],
                         routeReflectorClient: d.routeReflectorClient ?? false, routeReflector: d.routeReflector ?? false,
                         addPaths: d.addPaths ?? AddPathsSetting.none,
                         addPathsCount: d.addPathsCount ?? PeerSpec.defaultAddPathsCount,
                         bfd: d.bfd?.settings, ebgpMultihop: d.ebgpMultihop,
                         password: d.password, ttlSecurity: d.ttlSecurity, maxPrefixes: d.maxPrefixes,
                         longLivedStaleTime: d.longLivedStaleTime)
        }) else { return nil }
        if let v = e["ebgpMultihop"], let localAS, spec.asNumber == localAS {
            fail(v, e.path("ebgpMultihop"), "ebgpMultihop applies to eBGP peers; AS \(spec.asNumber) is our own (iBGP uses the default TTL)",
                 hint: "remove ebgpMultihop")
            return nil
        }
        if d.routeReflectorClient == true, let v = e["routeReflectorClient"] {
            if !clusterIDWritten {
                fail(v, e.path("routeReflectorClient"),
                     "a route-reflector client needs this speaker to be a reflector, but routeReflectorClusterID is not set",
                     hint: "add \"routeReflectorClusterID: <IPv4 cluster ID>\" at the top level, or remove routeReflectorClient")
                return nil
            }
            if let localAS, spec.asNumber != localAS {
                fail(v, e.path("routeReflectorClient"),
                     "AS \(spec.asNumber) is not our AS \(localAS); only iBGP peers can be route-reflector clients (RFC 4456)",
                     hint: "use asNumber \(localAS) for the client, or remove routeReflectorClient")
                return nil
            }
        }
        if let v = e["addPathsCount"], !spec.addPaths.sends {
            fail(v, e.path("addPathsCount"), "addPathsCount only applies when we send several paths, but addPaths is \(spec.addPaths.rawValue)",
                 hint: "set \"addPaths: send\" (or both), or remove addPathsCount")
            return nil
        }
        return spec
    }

    /// `families`: a non-empty list of ipv4 and/or ipv6 (repeats ignored).
    func families(_ v: Node, _ path: String) -> [IPFamily]? {
        guard let items = list(v, path, example: "ipv4, ipv6") else { return nil }
        if items.isEmpty {
            fail(v, path, "needs at least one address family", hint: "use [ipv4], [ipv6] or [ipv4, ipv6]")
            return nil
        }
        var out: [IPFamily] = []
        var ok = true
        for (i, item) in items.enumerated() {
            guard let t = nonEmptyText(item, "\(path)[\(i)]", what: "an address family") else { ok = false; continue }
            guard let fam = PeerSpec.family(named: t) else {
                fail(item, "\(path)[\(i)]", "\"\(t)\" is not an address family", hint: "use ipv4 or ipv6")
                ok = false
                continue
            }
            if !out.contains(fam) { out.append(fam) }
        }
        return ok ? out : nil
    }
}
