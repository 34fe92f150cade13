import IPCore
import BGPWire

// MARK: - RouteAttributes

/// The attributes of a path, as stored: the UPDATE's path attributes plus, for families
/// carried in MP_REACH_NLRI (IPv6), its next hops. This is the unit of interning.
///
/// IPv4 routes keep their next hop in `attributes.nextHop` (also when it arrived in an
/// MP_REACH_NLRI for IPv4) and have empty `nextHops`.
public struct RouteAttributes: Hashable, Sendable {
    public var attributes: PathAttributes
    /// MP_REACH_NLRI next hops (global, optionally link-local); empty for IPv4 routes.
    public var nextHops: [IPAddress]

    public init(_ attributes: PathAttributes, nextHops: [IPAddress] = []) {
        self.attributes = attributes
        self.nextHops = nextHops
    }
}

// MARK: - AttributeSet

/// One interned ``RouteAttributes``: every path with equal attributes shares one instance,
/// so a million prefixes carrying the same attributes cost one copy (plus one reference
/// each). Immutable; the decision keys are computed once here.
public final class AttributeSet: Sendable {
    /// The attributes.
    public let value: RouteAttributes
    /// LOCAL_PREF as received (decision uses 100 for eBGP paths and when missing).
    let localPref: UInt32?
    /// AS_PATH length (AS_SET 1, confederation segments 0).
    let asPathLength: Int
    /// ORIGIN (missing counts as INCOMPLETE).
    let origin: Origin
    /// MULTI_EXIT_DISC, missing = 0 (RFC 4271 §9.1.2.2 c).
    let med: UInt32
    /// The neighbouring AS (first AS of the AS_PATH), nil for an empty path.
    let neighbourAS: UInt32?
    /// ORIGINATOR_ID (RFC 4456).
    let originatorID: IPv4Address?
    /// CLUSTER_LIST length (RFC 4456).
    let clusterListLength: Int
    /// NO_ADVERTISE / NO_EXPORT present (RFC 1997).
    let noAdvertise: Bool
    let noExport: Bool
    /// LLGR_STALE present (RFC 9494 §4.3): least preferred, sent only to LLGR peers.
    let llgrStale: Bool

    init(_ value: RouteAttributes) {
        self.value = value
        let a = value.attributes
        localPref = a.localPref
        asPathLength = a.asPath?.length ?? 0
        origin = a.origin ?? .incomplete
        med = a.multiExitDisc ?? 0
        neighbourAS = a.asPath?.firstAS
        originatorID = a.originatorID
        clusterListLength = a.clusterList?.count ?? 0
        noAdvertise = a.communities.contains(.noAdvertise)
        noExport = a.communities.contains(.noExport)
        llgrStale = a.communities.contains(.llgrStale)
    }

    /// The path attributes.
    public var attributes: PathAttributes { value.attributes }
}

// MARK: - Interning

/// The table of distinct attribute sets. Entries nobody references any more are dropped
/// by ``sweepIfNeeded()`` (amortised: when the table has doubled since the last sweep).
struct AttributeInterner: Sendable {
    private(set) var table: [RouteAttributes: AttributeSet] = [:]
    private var sweepAt = 1024

    var count: Int { table.count }

    mutating func intern(_ v: RouteAttributes) -> AttributeSet {
        if let s = table[v] { return s }
        let s = AttributeSet(v)
        table[v] = s
        return s
    }

    mutating func sweepIfNeeded() {
        guard table.count >= sweepAt else { return }
        sweep()
        sweepAt = Swift.max(1024, table.count * 2)
    }

    /// Drops every set only the table references.
    mutating func sweep() {
        var dead: [RouteAttributes] = []
        var i = table.startIndex
        while i != table.endIndex {
            if isKnownUniquelyReferenced(&table.values[i]) { dead.append(table.keys[i]) }
            table.formIndex(after: &i)
        }
        for k in dead { table.removeValue(forKey: k) }
    }
}
