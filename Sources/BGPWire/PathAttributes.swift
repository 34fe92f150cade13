import IPCore
/// The path attributes of an UPDATE, decoded (RFC 4271 §4.3, §5).
///
/// ```
/// Path Attributes field: a sequence of <attribute type, attribute length, attribute value>
/// +---------------+---------------+-------------------+------------------+
/// | Attr. Flags   | Attr. Type    | Length (1 or 2)   | Value (Length)   |
/// +---------------+---------------+-------------------+------------------+
/// ```
/// MP_REACH_NLRI / MP_UNREACH_NLRI are not here: they live on ``UpdateMessage`` so that one
/// `PathAttributes` value can be shared by every prefix that carries it in a RIB.
/// Empty community lists mean "attribute absent" (an empty one is malformed, RFC 7606 §7.8).
public struct PathAttributes: Hashable, Sendable {
    /// ORIGIN (well-known mandatory).
    public var origin: Origin?
    /// AS_PATH (well-known mandatory). From a 2-octet peer, 4-octet ASNs show as AS_TRANS:
    /// see ``reconstructedASPath``.
    public var asPath: ASPath?
    /// NEXT_HOP (well-known mandatory for IPv4 NLRI).
    public var nextHop: IPv4Address?
    /// MULTI_EXIT_DISC (optional non-transitive).
    public var multiExitDisc: UInt32?
    /// LOCAL_PREF (well-known, iBGP only).
    public var localPref: UInt32?
    /// ATOMIC_AGGREGATE (well-known discretionary, no value).
    public var atomicAggregate: Bool
    /// AGGREGATOR (optional transitive).
    public var aggregator: Aggregator?
    /// COMMUNITIES (RFC 1997).
    public var communities: [Community]
    /// ORIGINATOR_ID (RFC 4456).
    public var originatorID: IPv4Address?
    /// CLUSTER_LIST (RFC 4456).
    public var clusterList: [IPv4Address]?
    /// EXTENDED COMMUNITIES (RFC 4360).
    public var extendedCommunities: [ExtendedCommunity]
    /// AS4_PATH as received from a 2-octet peer (RFC 6793).
    public var as4Path: ASPath?
    /// AS4_AGGREGATOR as received from a 2-octet peer (RFC 6793).
    public var as4Aggregator: Aggregator?
    /// LARGE_COMMUNITY (RFC 8092).
    public var largeCommunities: [LargeCommunity]
    /// Unrecognised optional transitive attributes, in the order received.
    public var unknown: [RawAttribute]

    public init(origin: Origin? = nil, asPath: ASPath? = nil, nextHop: IPv4Address? = nil,
                multiExitDisc: UInt32? = nil, localPref: UInt32? = nil, atomicAggregate: Bool = false,
                aggregator: Aggregator? = nil, communities: [Community] = [],
                originatorID: IPv4Address? = nil, clusterList: [IPv4Address]? = nil,
                extendedCommunities: [ExtendedCommunity] = [], as4Path: ASPath? = nil,
                as4Aggregator: Aggregator? = nil, largeCommunities: [LargeCommunity] = [],
                unknown: [RawAttribute] = []) {
        self.origin = origin
        self.asPath = asPath
        self.nextHop = nextHop
        self.multiExitDisc = multiExitDisc
        self.localPref = localPref
        self.atomicAggregate = atomicAggregate
        self.aggregator = aggregator
        self.communities = communities
        self.originatorID = originatorID
        self.clusterList = clusterList
        self.extendedCommunities = extendedCommunities
        self.as4Path = as4Path
        self.as4Aggregator = as4Aggregator
        self.largeCommunities = largeCommunities
        self.unknown = unknown
    }

    /// True when no attribute is present.
    public var isEmpty: Bool { self == PathAttributes() }
}

// MARK: - RFC 6793 §4.2.3: AS path reconstruction from a 2-octet peer

extension PathAttributes {
    /// True when RFC 6793 §4.2.3 says AS4_PATH/AS4_AGGREGATOR apply: when AGGREGATOR and
    /// AS4_AGGREGATOR are both present and AGGREGATOR's AS is not AS_TRANS, both AS4
    /// attributes are ignored.
    private var as4AttributesApply: Bool {
        if let agg = aggregator, as4Aggregator != nil, agg.asn != ASPath.asTrans { return false }
        return true
    }

    /// The aggregator after RFC 6793 §4.2.3: AS4_AGGREGATOR is used only when AGGREGATOR
    /// carries AS_TRANS.
    public var reconstructedAggregator: Aggregator? {
        if let agg = aggregator, let agg4 = as4Aggregator, agg.asn == ASPath.asTrans { return agg4 }
        return aggregator
    }

    /// The AS path after merging AS_PATH and AS4_PATH as RFC 6793 §4.2.3 prescribes for a
    /// route received from a 2-octet (OLD) speaker:
    ///
    /// 1. No AS4_PATH, or AGGREGATOR present without AS_TRANS while AS4_AGGREGATOR is present:
    ///    AS_PATH as is.
    /// 2. AS_PATH shorter than AS4_PATH (counting an AS_SET as 1, confederation segments as 0):
    ///    AS4_PATH is ignored, AS_PATH as is.
    /// 3. Otherwise the leading (len(AS_PATH) - len(AS4_PATH)) ASes of AS_PATH (keeping its
    ///    leading confederation segments), followed by AS4_PATH.
    public var reconstructedASPath: ASPath? {
        guard let path = asPath else { return nil }
        guard let path4 = as4Path, as4AttributesApply else { return path }
        var diff = path.length - path4.length
        guard diff >= 0 else { return path }
        var out: [ASPathSegment] = []
        out.reserveCapacity(path.segments.count + path4.segments.count)
        for s in path.segments {
            if s.kind.isConfederation { out.append(s); continue }
            if diff == 0 { break }
            switch s.kind {
            case .set:
                out.append(s)
                diff -= 1
            default:
                let k = min(diff, s.asns.count)
                out.append(ASPathSegment(.sequence, Array(s.asns.prefix(k))))
                diff -= k
            }
        }
        for s in path4.segments {
            // Join a cut AS_SEQUENCE with the AS4_PATH sequence that continues it.
            if s.kind == .sequence, let last = out.last, last.kind == .sequence,
               last.asns.count + s.asns.count <= 255 {
                out[out.count - 1].asns += s.asns
            } else {
                out.append(s)
            }
        }
        return ASPath(out)
    }

    /// A copy with the RFC 6793 reconstruction applied: AS_PATH and AGGREGATOR replaced by
    /// ``reconstructedASPath`` / ``reconstructedAggregator``, AS4_PATH/AS4_AGGREGATOR removed.
    /// This is the form to store in the RIB.
    public var reconstructed: PathAttributes {
        var a = self
        a.asPath = reconstructedASPath
        a.aggregator = reconstructedAggregator
        a.as4Path = nil
        a.as4Aggregator = nil
        return a
    }
}
