import IPCore
import Model
import Netlink

/// Why Tern wants a route.
public enum RouteSource: Hashable, Sendable, CustomStringConvertible {
    /// A local workload's address (`dev <interface> scope link`).
    case workload(String)
    /// A local IPAM block (`blackhole`).
    case localBlock
    /// A best BGP route to another node's block or /32 (`via <next hop>`).
    case bgp

    public var description: String {
        switch self {
        case .workload(let name): "workload \(name)"
        case .localBlock: "local block"
        case .bgp: "bgp"
        }
    }
}

/// One route Tern wants in the kernel.
public struct DesiredRoute: Hashable, Sendable {
    /// The exact route to install (our protocol and table, no metric).
    public var route: Route
    /// Why.
    public var source: RouteSource
    /// The interface name for `dev` routes (for messages; the route carries the index).
    public var interfaceName: String?
}

/// A route Tern would want but cannot have yet (its interface is absent or down, or a
/// BGP route has no next hop of the prefix's family). Not part of the desired routes.
public struct WaitingRoute: Hashable, Sendable {
    public var source: RouteSource
    public var reason: String
    /// Keep a route of ours already in the kernel for the prefix (a tunnel the new form
    /// needs is missing: make-before-break, nothing is removed before its successor exists).
    public var keepInstalled: Bool = false
}

/// The pure desired state: inputs in, routes keyed by prefix out.
///
/// Precedence when several inputs name the same prefix: a workload address beats a
/// local block, which beats a BGP route (our own pod is reached locally, even if some
/// other node advertises it). Between two workloads claiming one address the first by
/// name wins; the other is recorded in `shadowed`.
public struct DesiredState: Hashable, Sendable {
    /// The routes to have in the kernel.
    public var routes: [IPPrefix: DesiredRoute] = [:]
    /// Permanent neighbour entries for workloads with a MAC.
    public var neighbours: [Neighbour] = []
    /// Routes left out for now, with the reason (shown as pending in the FIB view).
    public var waiting: [IPPrefix: WaitingRoute] = [:]
    /// Inputs overridden by a stronger source for the same prefix, e.g. "bgp 10.244.1.5/32
    /// (workload pod-a wins)".
    public var shadowed: [String] = []
    /// Interfaces of workloads that are present (name -> index): sysctls go there.
    public var workloadInterfaces: [String: Int32] = [:]
    /// Remote VTEPs the desired routes go through (`vxlan.tern`): each gets a permanent
    /// neighbour and an FDB entry.
    public var vteps: Set<IPAddress> = []

    public init() {}

    /// Computes the desired state.
    /// - Parameters:
    ///   - links: the kernel's interfaces by name (a dump, kept current by the monitor).
    ///   - bgpRoutes: best routes and their next hops (several: ECMP).
    public static func compute(config: DataplaneConfig, workloads: [Workload], links: [String: Link],
                               localBlocks: [IPPrefix],
                               bgpRoutes: [IPPrefix: [IPAddress]],
                               overlay: OverlayPlan? = nil) -> DesiredState {
        var s = DesiredState()
        let proto = RouteProtocol(rawValue: config.routeProtocol)
        let table = config.routeTable

        // 1. Workloads: <ip>/32 dev <interface> scope link.
        for w in workloads.sorted(by: { $0.qualifiedName < $1.qualifiedName }) {
            let name = w.qualifiedName, interface = w.interface.rawValue
            let link = links[interface]
            if let link { s.workloadInterfaces[interface] = link.index }
            for net in w.ipNetworks {
                let p = net
                if let other = s.routes[p], case .workload(let owner) = other.source {
                    s.shadowed.append("workload \(name) \(net) (workload \(owner) wins)")
                    continue
                }
                if let waiting = s.waiting[p], case .workload(let owner) = waiting.source {
                    s.shadowed.append("workload \(name) \(net) (workload \(owner) wins)")
                    continue
                }
                guard let link else {
                    s.waiting[p] = WaitingRoute(source: .workload(name), reason: "interface \(interface) not present")
                    continue
                }
                guard link.isUp else {
                    s.waiting[p] = WaitingRoute(source: .workload(name), reason: "interface \(interface) is down")
                    continue
                }
                let r = Route(destination: p, table: table, proto: proto, scope: .link, type: .unicast,
                              outputInterface: link.index)
                s.routes[p] = DesiredRoute(route: r, source: .workload(name), interfaceName: interface)
                if let mac = w.mac {
                    s.neighbours.append(Neighbour(interfaceIndex: link.index, ip: p.address,
                                                  lladdr: HardwareAddress(bytes: mac.octets), state: .permanent))
                }
            }
        }

        // 2. Local blocks: blackhole <block>.
        for block in localBlocks.sorted() {
            let p = block
            if let owner = s.routes[p]?.source ?? s.waiting[p]?.source {
                s.shadowed.append("local block \(block) (\(owner) wins)")
                continue
            }
            let r = Route(destination: p, table: table, proto: proto, scope: .universe, type: .blackhole)
            s.routes[p] = DesiredRoute(route: r, source: .localBlock)
        }

        // 3. BGP: <prefix> via <next hop>, ECMP with several.
        for (prefix, hops) in bgpRoutes.sorted(by: { $0.key < $1.key }) {
            let p = prefix
            if let owner = s.routes[p]?.source ?? s.waiting[p]?.source {
                s.shadowed.append("bgp \(prefix) (\(owner) wins)")
                continue
            }
            switch bgpRoute(p, hops, proto: proto, table: table, overlay: overlay) {
            case .route(let d):
                s.routes[p] = d
                if let overlay { s.vteps.formUnion(overlay.vteps(of: d.route)) }
            case .waiting(let w): s.waiting[p] = w
            }
        }
        return s
    }

    /// What one BGP route becomes (step 3 above): `<prefix> via <next hop>`, ECMP with
    /// several, or waiting when no next hop has the prefix's family. A prefix of an
    /// encapsulated pool is built by the overlay plan (`via <node> dev tunl0 onlink`...).
    static func bgpRoute(_ p: IPPrefix, _ hops: [IPAddress], proto: RouteProtocol,
                         table: UInt32, overlay: OverlayPlan? = nil) -> BGPDesire {
        let usable = Self.nextHops(for: p, hops)
        if usable.isEmpty {
            return .waiting(WaitingRoute(source: .bgp, reason: hops.isEmpty
                ? "no next hop" : "no next hop of the prefix's family (\(hops.map(\.description).joined(separator: ", ")))"))
        }
        if let overlay, case let prefix = p, let encapsulated = overlay.route(p, prefix, usable, proto: proto, table: table) {
            return encapsulated
        }
        var r = Route(destination: p, table: table, proto: proto, scope: .universe, type: .unicast)
        if usable.count == 1 {
            r.gateway = usable[0]
        } else {
            r.nextHops = usable.map { NextHop(gateway: $0) }
        }
        return .route(DesiredRoute(route: r, source: .bgp))
    }

    enum BGPDesire {
        case route(DesiredRoute)
        case waiting(WaitingRoute)
    }

    /// Next hops of the prefix's family, duplicates removed, in address order (the kernel
    /// keeps multipath next hops in the order given; a stable order avoids churn).
    static func nextHops(for p: IPPrefix, _ hops: [IPAddress]) -> [IPAddress] {
        var seen = Set<IPAddress>()
        return hops
            .filter { $0.family == p.ipFamily && seen.insert($0).inserted }
            .sorted()
    }
}
