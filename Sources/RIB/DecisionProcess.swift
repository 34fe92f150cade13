import IPCore
import BGPWire

// MARK: - Candidate

/// What the decision process looks at in one path, with the RFC defaults applied.
public struct DecisionCandidate: Sendable, Hashable {
    /// LOCAL_PREF for comparison: 100 for eBGP-learned paths and when missing.
    public var localPref: UInt32
    /// AS_PATH length (AS_SET 1, confederation segments 0).
    public var asPathLength: Int
    /// ORIGIN (IGP < EGP < INCOMPLETE).
    public var origin: Origin
    /// MULTI_EXIT_DISC, missing = 0.
    public var med: UInt32
    /// The neighbouring AS: first AS of the AS_PATH, our AS when the path is empty.
    public var neighbourAS: UInt32
    /// Learned over eBGP.
    public var isExternal: Bool
    /// Locally originated.
    public var isLocal: Bool
    /// ORIGINATOR_ID when present, else the sending peer's router ID (ours for local routes).
    public var routerID: IPv4Address
    /// CLUSTER_LIST length.
    public var clusterListLength: Int
    /// The sending peer's address; nil for local routes (they win a full tie).
    public var peerAddress: IPAddress?
    /// The ADD-PATH path identifier (last resort among paths of one peer).
    public var pathID: UInt32
    /// Carries LLGR_STALE (RFC 9494 §4.3): loses to every path without it.
    public var llgrStale: Bool

    public init(localPref: UInt32 = 100, asPathLength: Int = 0, origin: Origin = .igp, med: UInt32 = 0,
                neighbourAS: UInt32, isExternal: Bool = false, isLocal: Bool = false, routerID: IPv4Address,
                clusterListLength: Int = 0, peerAddress: IPAddress?, pathID: UInt32 = 0, llgrStale: Bool = false) {
        self.llgrStale = llgrStale
        self.localPref = localPref
        self.asPathLength = asPathLength
        self.origin = origin
        self.med = med
        self.neighbourAS = neighbourAS
        self.isExternal = isExternal
        self.isLocal = isLocal
        self.routerID = routerID
        self.clusterListLength = clusterListLength
        self.peerAddress = peerAddress
        self.pathID = pathID
    }

    /// The candidate for `attributes` as received from a peer (or originated locally when
    /// `peer` is nil), with the defaults of RFC 4271 §9.1.2.2 and RFC 4456 §9.
    public init(attributes a: AttributeSet, pathID: UInt32, peer: PeerDescriptor?, config: RIBConfig) {
        let external = peer?.isExternal ?? false
        self.init(localPref: external ? 100 : (a.localPref ?? 100),
                  asPathLength: a.asPathLength, origin: a.origin, med: a.med,
                  neighbourAS: a.neighbourAS ?? config.localAS,
                  isExternal: external, isLocal: peer == nil,
                  routerID: a.originatorID ?? peer?.routerID ?? config.routerID,
                  clusterListLength: a.clusterListLength,
                  peerAddress: peer?.address, pathID: pathID, llgrStale: a.llgrStale)
    }
}

// MARK: - Reason

/// The decision step that picked the best path.
public enum DecisionStep: Int, Sendable, Hashable, Comparable, CaseIterable {
    case onlyPath = 0
    case localPref = 1
    case asPathLength = 2
    case origin = 3
    case med = 4
    case externalOverInternal = 5
    case routerID = 6
    case clusterListLength = 7
    case peerAddress = 8
    case pathID = 9
    /// RFC 9494 §4.3: the only path without LLGR_STALE (checked before every other step).
    case notLongLivedStale = 10

    public static func < (a: DecisionStep, b: DecisionStep) -> Bool { a.rawValue < b.rawValue }
}

/// Why the best path won, for `tern routes`.
public struct DecisionReason: Sendable, Hashable, CustomStringConvertible {
    public var step: DecisionStep
    /// For ``DecisionStep/med``: the neighbouring AS the MEDs were compared within.
    public var neighbourAS: UInt32?
    /// The winner is the locally originated path.
    public var localWon: Bool

    public init(_ step: DecisionStep, neighbourAS: UInt32? = nil, localWon: Bool = false) {
        self.step = step
        self.neighbourAS = neighbourAS
        self.localWon = localWon
    }

    public var description: String {
        switch step {
        case .onlyPath: "only path"
        case .localPref: "higher LOCAL_PREF"
        case .asPathLength: "shorter AS_PATH"
        case .origin: "lower ORIGIN"
        case .med: "lower MED (same neighbour AS \(neighbourAS.map(String.init) ?? "?"))"
        case .externalOverInternal: localWon ? "local route over iBGP" : "eBGP over iBGP"
        case .routerID: "lower router ID"
        case .clusterListLength: "shorter CLUSTER_LIST"
        case .peerAddress: localWon ? "local route preferred on a tie" : "lower peer address"
        case .pathID: "lower path ID"
        case .notLongLivedStale: "not LLGR_STALE"
        }
    }
}

// MARK: - Decision process

/// The best-path selection of RFC 4271 §9.1.2.2 with the RFC 4456 §9 amendments.
///
/// The steps eliminate candidates one after the other over the whole candidate set (not a
/// pairwise sort: the MED step compares only paths from the same neighbouring AS, so
/// "better than" is not transitive among three or more paths):
///
/// 0. (Next hop resolvability: out of scope, every path is a candidate.) Paths carrying
///    LLGR_STALE (RFC 9494 §4.3) lose to any path without it; among stale paths the
///    steps below decide.
/// 1. Highest LOCAL_PREF (eBGP-learned paths and paths without one count as 100).
/// 2. Shortest AS_PATH (AS_SET counts 1, confederation segments 0).
/// 3. Lowest ORIGIN (IGP < EGP < INCOMPLETE).
/// 4. Lowest MED, compared only among paths with the same neighbouring AS; missing = 0.
/// 5. eBGP-learned over iBGP-learned. Locally originated paths rank with eBGP here
///    (RFC 4271 leaves them to local policy; this keeps a node's own blocks preferred
///    over an iBGP copy, as BIRD's static-over-BGP preference does).
/// 6. Lowest router ID: ORIGINATOR_ID when present (RFC 4456 §9), else the peer's BGP
///    identifier (ours for local paths).
/// 7. Shortest CLUSTER_LIST (RFC 4456 §9).
/// 8. Lowest peer address; the local source counts lowest (preferred on a full tie).
/// 9. Lowest ADD-PATH path identifier (several paths from one peer).
///
/// The reason recorded is the step that left a single candidate.
public enum DecisionProcess {
    /// One elimination step: the survivors among `set` (indices into `c`).
    typealias Step = @Sendable (_ set: [Int], _ c: [DecisionCandidate]) -> [Int]

    static let steps: [(DecisionStep, Step)] = [
        (.notLongLivedStale, notLongLivedStale),
        (.localPref, highestLocalPref),
        (.asPathLength, shortestASPath),
        (.origin, lowestOrigin),
        (.med, lowestMEDPerNeighbourAS),
        (.externalOverInternal, externalOverInternal),
        (.routerID, lowestRouterID),
        (.clusterListLength, shortestClusterList),
        (.peerAddress, lowestPeerAddress),
        (.pathID, lowestPathID),
    ]

    /// The index of the best candidate and why it won. `candidates` must not be empty.
    public static func select(_ candidates: [DecisionCandidate]) -> (winner: Int, reason: DecisionReason) {
        precondition(!candidates.isEmpty, "DecisionProcess.select: no candidates")
        if candidates.count == 1 { return (0, DecisionReason(.onlyPath, localWon: candidates[0].isLocal)) }
        var set = Array(candidates.indices)
        for (step, eliminate) in steps {
            set = eliminate(set, candidates)
            if set.count == 1 {
                let w = set[0]
                return (w, DecisionReason(step, neighbourAS: step == .med ? candidates[w].neighbourAS : nil,
                                          localWon: candidates[w].isLocal))
            }
        }
        // Identical in every respect (same peer, same path ID): keep the first.
        return (set[0], DecisionReason(.pathID, localWon: candidates[set[0]].isLocal))
    }

    // MARK: Steps

    /// Keeps the candidates whose `key` is minimal.
    static func keepMinimum<K: Comparable>(_ set: [Int], _ key: (Int) -> K) -> [Int] {
        guard var best = set.first.map(key) else { return set }
        var out: [Int] = []
        for i in set {
            let k = key(i)
            if k < best { best = k; out.removeAll(keepingCapacity: true) }
            if k == best { out.append(i) }
        }
        return out
    }

    /// Step 0 (RFC 9494 §4.3): a path carrying LLGR_STALE is least preferred.
    static func notLongLivedStale(_ set: [Int], _ c: [DecisionCandidate]) -> [Int] {
        keepMinimum(set) { c[$0].llgrStale ? 1 : 0 }
    }

    /// Step 1: highest LOCAL_PREF.
    static func highestLocalPref(_ set: [Int], _ c: [DecisionCandidate]) -> [Int] {
        keepMinimum(set) { UInt32.max - c[$0].localPref }
    }

    /// Step 2: shortest AS_PATH.
    static func shortestASPath(_ set: [Int], _ c: [DecisionCandidate]) -> [Int] {
        keepMinimum(set) { c[$0].asPathLength }
    }

    /// Step 3: lowest ORIGIN.
    static func lowestOrigin(_ set: [Int], _ c: [DecisionCandidate]) -> [Int] {
        keepMinimum(set) { c[$0].origin.rawValue }
    }

    /// Step 4: a candidate goes when another one from the same neighbouring AS has a lower
    /// MED (RFC 4271 §9.1.2.2 c).
    static func lowestMEDPerNeighbourAS(_ set: [Int], _ c: [DecisionCandidate]) -> [Int] {
        var lowest: [UInt32: UInt32] = [:]
        for i in set {
            let asn = c[i].neighbourAS
            lowest[asn] = min(lowest[asn] ?? .max, c[i].med)
        }
        return set.filter { c[$0].med == lowest[c[$0].neighbourAS] }
    }

    /// Step 5: eBGP (and local) over iBGP.
    static func externalOverInternal(_ set: [Int], _ c: [DecisionCandidate]) -> [Int] {
        keepMinimum(set) { c[$0].isExternal || c[$0].isLocal ? 0 : 1 }
    }

    /// Step 6: lowest router ID (ORIGINATOR_ID when present).
    static func lowestRouterID(_ set: [Int], _ c: [DecisionCandidate]) -> [Int] {
        keepMinimum(set) { c[$0].routerID.value }
    }

    /// Step 7: shortest CLUSTER_LIST.
    static func shortestClusterList(_ set: [Int], _ c: [DecisionCandidate]) -> [Int] {
        keepMinimum(set) { c[$0].clusterListLength }
    }

    /// Step 8: lowest peer address; local first, then IPv4 before IPv6.
    static func lowestPeerAddress(_ set: [Int], _ c: [DecisionCandidate]) -> [Int] {
        keepMinimum(set) { i -> AddressKey in
            switch c[i].peerAddress {
            case nil: AddressKey(family: 0, high: 0, low: 0)
            case .v4(let a)?: AddressKey(family: 1, high: 0, low: UInt64(a.value))
            case .v6(let a)?: AddressKey(family: 2, high: a.high, low: a.low)
            }
        }
    }

    /// Step 9: lowest path identifier.
    static func lowestPathID(_ set: [Int], _ c: [DecisionCandidate]) -> [Int] {
        keepMinimum(set) { c[$0].pathID }
    }

    struct AddressKey: Comparable {
        var family: UInt8, high: UInt64, low: UInt64
        static func < (a: AddressKey, b: AddressKey) -> Bool { (a.family, a.high, a.low) < (b.family, b.high, b.low) }
    }
}
