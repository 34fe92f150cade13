import BGPWire
import IPCore

/// Why a received path was ignored rather than accepted (RFC 4271 §9.1.2 "unfeasible";
/// the paths stay counted as received, and `prefixCount(from:)` shows the difference).
public enum ImportRejection: String, Hashable, Sendable, CaseIterable, CustomStringConvertible {
    /// Our AS in the AS_PATH of an eBGP path (RFC 4271 §9.1.2).
    case asLoop
    /// Our router ID as ORIGINATOR_ID (RFC 4456 §8).
    case originatorLoop
    /// Our cluster ID in the CLUSTER_LIST (RFC 4456 §8).
    case clusterLoop
    /// The first AS of an eBGP AS_PATH is not the peer's AS (RFC 4271 §6.3, FRR's
    /// `enforce-first-as`).
    case firstASMismatch
    /// A prefix no one routes: loopback, "this network", link-local, multicast, class E
    /// (IPv4, RFC 6890); unspecified, loopback, link-local, multicast, IPv4-mapped (IPv6).
    case martian
    /// A host route to one of our own addresses (our router ID, the session's local
    /// address): it would steal traffic meant for this node.
    case ownAddress
    /// The NEXT_HOP is 0.0.0.0/::, multicast, the limited broadcast, or one of our own
    /// addresses (RFC 4271 §6.3: such a route is ignored).
    case invalidNextHop

    public var description: String { rawValue }
}

/// The default import filter, before the decision process (docs/OPERATIONS.md "Import
/// safety"): what a trusted daemon refuses from a peer whatever policy says.
public enum ImportFilter {
    /// Martian ranges. IPv4 (RFC 6890): 0.0.0.0/8, 127.0.0.0/8, 169.254.0.0/16, 224.0.0.0/4
    /// (multicast), 240.0.0.0/4 (class E, with 255.255.255.255). IPv6 (RFC 4291): ::/128,
    /// ::1/128, ::ffff:0:0/96 (IPv4-mapped), fe80::/10 (link-local), ff00::/8 (multicast).
    static let martians: [IPPrefix] = [
        "0.0.0.0/8", "127.0.0.0/8", "169.254.0.0/16", "224.0.0.0/4", "240.0.0.0/4",
        "::/128", "::1/128", "::ffff:0:0/96", "fe80::/10", "ff00::/8",
    ].map { IPPrefix($0)! }

    /// True when `prefix` lies inside a martian range. A default route (length 0) is not a
    /// martian (0.0.0.0/0 covers 0.0.0.0/8 but is a real route).
    public static func isMartian(_ prefix: IPPrefix) -> Bool {
        prefix.length > 0 && martians.contains { $0.contains(prefix) }
    }

    /// Why `prefix` must not be imported (martian, a host route to `own`), nil when it may.
    public static func rejection(of prefix: IPPrefix, own: [IPAddress]) -> ImportRejection? {
        if isMartian(prefix) { return .martian }
        if own.contains(where: { prefix == .host($0) }) { return .ownAddress }
        return nil
    }

    /// True when `nextHop` can never forward: unspecified, multicast, the IPv4 limited
    /// broadcast, or one of `own` (RFC 4271 §6.3).
    public static func isInvalidNextHop(_ nextHop: IPAddress, own: [IPAddress]) -> Bool {
        if nextHop.isUnspecified || nextHop.isMulticast { return true }
        if case .v4(let a) = nextHop, a.value == 0xFFFF_FFFF { return true }
        return own.contains(nextHop)
    }
}
