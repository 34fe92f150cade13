import IPCore
import BGPWire

// MARK: - FIBChange

/// One change to the kernel route (FIB entry) of a prefix, computed by the RIB from the
/// prefix's candidate paths before and after a change (``RIBChanges/fib``), so the dataplane
/// never has to ask the RIB back.
///
/// The route a prefix calls for:
/// 1. The best path (RFC 4271 §9.1.2) is locally originated, has no next hop, or there is
///    no path: no kernel route (the dataplane owns local blocks and workloads itself).
/// 2. Otherwise the next hops of the best path and of every other path that ties with it on
///    the decision steps before the tie-breakers (RFC 4271 §9.1.2.2 a-d, eBGP vs iBGP; see
///    `DecisionContext.fibRoute(_:)`): one ECMP route. Several paths per prefix come from
///    ADD-PATH (RFC 7911) or from several peers.
///
/// A change is emitted only when that route changes: the same next-hop set again gives
/// nothing. Next hops are in canonical order (IPv4 before IPv6, ascending) without
/// repeats, so equal sets compare equal.
public enum FIBChange: Hashable, Sendable, CustomStringConvertible {
    /// Install or replace the route for the prefix: via these next hops (one or more,
    /// sorted, distinct; several make an ECMP route).
    case set(IPPrefix, nextHops: [IPAddress])
    /// Remove the route for the prefix: no path, or the best path is local or has no next hop.
    case remove(IPPrefix)

    /// The prefix the change is for.
    public var prefix: IPPrefix {
        switch self {
        case .set(let p, _), .remove(let p): p
        }
    }

    /// The next hops after the change (empty for ``remove(_:)``).
    public var nextHops: [IPAddress] {
        switch self {
        case .set(_, let hops): hops
        case .remove: []
        }
    }

    /// `10.1.0.0/24 via 192.0.2.2, 192.0.2.3` or `10.1.0.0/24 removed`.
    public var description: String {
        switch self {
        case .set(let p, let hops): "\(p) via \(hops.map(\.description).joined(separator: ", "))"
        case .remove(let p): "\(p) removed"
        }
    }
}
