import IPCore
import BGPWire

// MARK: - FIBRoute

/// The kernel route one prefix calls for (the rules of ``FIBChange``), compact: the common
/// single next hop is stored inline (no allocation), so comparing the route before and
/// after a change costs nothing for a full table of single-path prefixes. Never stored per
/// prefix: computed from the candidates when they change.
enum FIBRoute: Equatable, Sendable {
    /// No kernel route.
    case none
    /// Via one next hop.
    case one(IPAddress)
    /// ECMP: two or more next hops, distinct, in canonical order (``FIBRoute/precedes(_:_:)``).
    case many([IPAddress])

    /// The change that brings the kernel to this route for `prefix`.
    func change(for prefix: IPPrefix) -> FIBChange {
        switch self {
        case .none: .remove(prefix)
        case .one(let h): .set(prefix, nextHops: [h])
        case .many(let hs): .set(prefix, nextHops: hs)
        }
    }

    /// The route a change leaves (inverse of ``change(for:)``).
    init(_ change: FIBChange) {
        switch change {
        case .remove: self = .none
        case .set(_, let hs): self = hs.isEmpty ? .none : hs.count == 1 ? .one(hs[0]) : .many(hs)
        }
    }

    /// The canonical order of next hops: IPv4 before IPv6, then ascending.
    static func precedes(_ a: IPAddress, _ b: IPAddress) -> Bool {
        switch (a, b) {
        case (.v4(let x), .v4(let y)): x < y
        case (.v6(let x), .v6(let y)): x < y
        case (.v4, .v6): true
        case (.v6, .v4): false
        }
    }
}
