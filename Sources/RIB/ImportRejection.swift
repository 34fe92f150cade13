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
    /// (The list is what ``isMartian(_:)`` tests bit by bit; tests check the two agree.)
    public static let martians: [IPPrefix] = [
        "0.0.0.0/8", "127.0.0.0/8", "169.254.0.0/16", "224.0.0.0/4", "240.0.0.0/4",
        "::/128", "::1/128", "::ffff:0:0/96", "fe80::/10", "ff00::/8",
    ].map { IPPrefix($0)! }

    /// True when `prefix` lies inside a martian range (``martians``). A default route
    /// (length 0) is not a martian (0.0.0.0/0 covers 0.0.0.0/8 but is a real route). Runs per
    /// received prefix, so it tests the leading bits directly: no list scan, no allocation.
    /// A prefix lies inside a range when it is at least as long and shares its leading bits.
    public static func isMartian(_ prefix: IPPrefix) -> Bool {
        switch prefix {
        case .v4(let p):
            let len = p.length, v = p.address.value
            let o1 = v >> 24
            if len >= 8, o1 == 0 || o1 == 127 { return true }            // 0/8, 127/8
            if len >= 16, v >> 16 == 0xA9FE { return true }              // 169.254/16
            return len >= 4 && o1 >= 224                                 // 224/4, 240/4
        case .v6(let p):
            let len = p.length, h = p.address.high, l = p.address.low
            if len == 128, h == 0, l <= 1 { return true }                // ::/128, ::1/128
            if len >= 96, h == 0, l >> 32 == 0xFFFF { return true }      // ::ffff:0:0/96
            if len >= 10, h >> 54 == 0x3FA { return true }               // fe80::/10
            return len >= 8 && h >> 56 == 0xFF                           // ff00::/8
        }
    }

    /// Why `prefix` must not be imported (martian, a host route to `own`), nil when it may.
    public static func rejection(of prefix: IPPrefix, own: OwnAddresses) -> ImportRejection? {
        if isMartian(prefix) { return .martian }
        if prefix.isHost, own.contains(prefix.address) { return .ownAddress }
        return nil
    }

    /// True when `nextHop` can never forward: unspecified, multicast, the IPv4 limited
    /// broadcast, or one of `own` (RFC 4271 §6.3).
    public static func isInvalidNextHop(_ nextHop: IPAddress, own: OwnAddresses) -> Bool {
        if nextHop.isUnspecified || nextHop.isMulticast { return true }
        if case .v4(let a) = nextHop, a.value == 0xFFFF_FFFF { return true }
        return own.contains(nextHop)
    }
}

/// The speaker's own addresses for one peer's UPDATEs: its router ID and the local address
/// of the session (two values, no array allocated per UPDATE).
public struct OwnAddresses: Sendable, Hashable {
    public let routerID: IPAddress
    public let local: IPAddress

    public init(routerID: IPAddress, local: IPAddress) {
        self.routerID = routerID
        self.local = local
    }

    public func contains(_ a: IPAddress) -> Bool { a == routerID || a == local }
}
