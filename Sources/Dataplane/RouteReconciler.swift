import IPCore
import Netlink

/// One netlink change the reconciler asks for.
public enum RouteOperation: Hashable, Sendable, CustomStringConvertible {
    /// Install or change one of our routes (`ip route replace`: atomic, no delete first).
    case replace(Route)
    /// Remove one of our routes (identified by prefix, table, tos, metric and our protocol).
    case delete(Route)

    /// The prefix it is about.
    public var prefix: IPPrefix {
        switch self {
        case .replace(let r), .delete(let r): r.destination
        }
    }

    /// The netlink request.
    public var request: NetlinkRequest {
        switch self {
        case .replace(let r): RouteMessage.new(r, replace: true)
        case .delete(let r):
            // Only what identifies the route; the protocol makes sure it is ours.
            RouteMessage.delete(Route(destination: r.destination, table: r.table, proto: r.proto,
                                      type: r.type, metric: r.metric, tos: r.tos))
        }
    }

    public var description: String {
        switch self {
        case .replace(let r): "replace \(r)"
        case .delete(let r): "delete \(r)"
        }
    }
}

/// What `tern fib` shows for one prefix.
public enum FIBState: Hashable, Sendable, CustomStringConvertible {
    /// Our route is in the kernel as desired.
    case installed
    /// A change is queued (or the route waits for its interface).
    case pending
    /// The last attempt failed, e.g. "ENODEV: interface cali1 not found"; retried on the
    /// next event or resync.
    case error(String)
    /// A route of another protocol holds the prefix; Tern leaves it alone.
    case conflict(otherProtocol: UInt8)
    /// Ours, no longer desired, kept until End-of-RIB or the stale timeout.
    case stale

    public var description: String {
        switch self {
        case .installed: "installed"
        case .pending: "pending"
        case .error(let why): "error(\(why))"
        case .conflict(let p): "conflict(other protocol \(p))"
        case .stale: "stale"
        }
    }
}

/// One line of the FIB view: desired vs kernel for a prefix.
public struct FIBEntry: Hashable, Sendable, CustomStringConvertible {
    public var prefix: IPPrefix
    /// Why Tern wants it; nil for a stale route of ours.
    public var source: RouteSource?
    /// The desired route in `ip route` words; nil when not desired.
    public var desired: String?
    /// The kernel's routes for the prefix in our table (ours and others), `ip route` words.
    public var kernel: [String]
    public var state: FIBState
    /// Extra words: why a route is waiting.
    public var detail: String?

    public var description: String {
        var s = "\(prefix) \(state)"
        if let desired { s += " desired: \(desired)" }
        if !kernel.isEmpty { s += " kernel: \(kernel.joined(separator: "; "))" }
        if let detail { s += " (\(detail))" }
        return s
    }
}

/// A failed attempt, remembered so the FIB view can show it until the route changes.
public struct RouteFailure: Hashable, Sendable {
    /// The route that was attempted.
    public var route: Route
    /// "ENODEV: interface cali1 not found".
    public var reason: String

    public init(route: Route, reason: String) {
        self.route = route
        self.reason = reason
    }
}

/// The reconciler's answer.
public struct RoutePlan: Hashable, Sendable {
    /// Changes to make, in prefix order: one netlink batch.
    public var operations: [RouteOperation]
    /// The FIB view as it stands before the operations are applied.
    public var fib: [FIBEntry]
}

/// Pure reconciliation (ARCHITECTURE.md example 6, Felix's route table): desired state
/// and the kernel's routes in our table in, operations and the FIB view out.
///
/// Rules, in order, for each prefix:
/// 1. Routes whose protocol is not ours are never touched.
/// 2. Desired, and one of ours matches it: installed; nothing to do (no churn on restart).
/// 3. Desired, another protocol holds the prefix: conflict; Tern does not fight (a
///    `replace` would overwrite the other route when metrics are equal).
/// 4. Desired, otherwise: `replace` (add, or change ours atomically). A failure recorded
///    for exactly this route shows as error; it is tried again on every plan.
/// 5. Ours but not desired (or a second copy of ours with another metric): deleted when
///    this agent installed the prefix itself during this run (`ownedThisRun`: a withdrawal
///    is applied at once); otherwise (adopted after a restart) stale, and deleted only once
///    stale removal is allowed (End-of-RIB or the stale timeout).
public struct RouteReconciler: Sendable {
    public var routeProtocol: RouteProtocol
    public var table: UInt32

    public init(routeProtocol: UInt8, table: UInt32) {
        self.routeProtocol = RouteProtocol(rawValue: routeProtocol)
        self.table = table
    }

    /// Plans the changes.
    /// - Parameters:
    ///   - kernel: routes from a dump (any table, any protocol; filtered here).
    ///   - staleRemovalAllowed: delete routes of ours that are not desired.
    ///   - failures: the last failure per prefix.
    ///   - ownedThisRun: prefixes this agent installed itself since it started.
    ///   - interfaceNames: index -> name, for the FIB view's words.
    public func plan(desired: DesiredState, kernel: [Route], staleRemovalAllowed: Bool,
                     failures: [IPPrefix: RouteFailure] = [:], ownedThisRun: Set<IPPrefix> = [],
                     interfaceNames: [Int32: String] = [:], describeKernel: Bool = true) -> RoutePlan {
        var byPrefix: [IPPrefix: [Route]] = [:]
        for r in kernel where r.table == table && (r.family == .v4 || r.family == .v6) {
            byPrefix[r.destination, default: []].append(r)
        }
        var prefixes = Set(desired.routes.keys).union(desired.waiting.keys)
        for (p, rs) in byPrefix where rs.contains(where: { $0.proto == routeProtocol }) { prefixes.insert(p) }

        var ops: [RouteOperation] = []
        var fib: [FIBEntry] = []
        var sorted = prefixes.map { ($0, $0) }
        if describeKernel { sorted.sort { $0.1 < $1.1 } }   // the FIB view is sorted; a plan need not be
        for (p, bgpPrefix) in sorted {
            let inKernel = byPrefix[p] ?? []
            let ours = inKernel.filter { $0.proto == routeProtocol }
            let others = inKernel.filter { $0.proto != routeProtocol }
            var entry = FIBEntry(prefix: bgpPrefix, source: nil, desired: nil,
                                 kernel: describeKernel ? inKernel.map { Self.describe($0, interfaceNames) } : [],
                                 state: .pending)
            var unwanted: [Route] = []
            if let d = desired.routes[p] {
                entry.source = d.source
                if describeKernel { entry.desired = Self.describe(d.route, interfaceNames) }
                if let match = ours.firstIndex(where: { Self.matches(d.route, $0) }) {
                    entry.state = .installed
                    unwanted = ours.enumerated().filter { $0.offset != match }.map(\.element)
                } else if let other = others.first {
                    entry.state = .conflict(otherProtocol: other.proto.rawValue)
                    unwanted = ours
                } else {
                    ops.append(.replace(d.route))
                    if let f = failures[p], f.route == d.route { entry.state = .error(f.reason) }
                    // A replace overwrites ours with the same metric; others are extra copies.
                    let metric = Self.effectiveMetric(d.route)
                    unwanted = ours.filter { Self.effectiveMetric($0) != metric }
                }
            } else if let w = desired.waiting[p] {
                entry.source = w.source
                entry.detail = "waiting: \(w.reason)" + (w.keepInstalled && !ours.isEmpty ? "; the previous route stays until then" : "")
                entry.state = .pending
                unwanted = w.keepInstalled ? [] : ours
            } else {
                entry.state = staleRemovalAllowed || ownedThisRun.contains(p) ? .pending : .stale
                unwanted = ours
            }
            if staleRemovalAllowed || ownedThisRun.contains(p) {
                ops += unwanted.map { .delete($0) }
            } else if !unwanted.isEmpty && entry.detail == nil && desired.routes[p] != nil {
                entry.detail = "stale copies of ours kept until End-of-RIB: \(unwanted.count)"
            }
            fib.append(entry)
        }
        return RoutePlan(operations: ops, fib: fib)
    }

    /// The metric the kernel gives a route without RTA_PRIORITY (IPv4 0, IPv6 1024).
    static func effectiveMetric(_ r: Route) -> UInt32 { r.metric ?? (r.family == .v6 ? 1024 : 0) }

    /// Whether a kernel route is the desired one: same type, metric and forwarding. The
    /// kernel fills in what it resolved (the device of a gateway, each multipath next
    /// hop's device and flags), so those are not compared.
    public static func matches(_ want: Route, _ have: Route) -> Bool {
        guard want.destination == have.destination, want.table == have.table, want.proto == have.proto,
              want.type == have.type, want.tos == have.tos, effectiveMetric(want) == effectiveMetric(have)
        else { return false }
        if want.type != .unicast { return true }
        if !want.nextHops.isEmpty || !have.nextHops.isEmpty {
            // ECMP: the same gateways (the kernel may report a one-path multipath as plain).
            // A next hop with an explicit device (tunnels, CrossSubnet) must have that device
            // and the same onlink flag; the kernel fills in the device of the others.
            func hops(_ r: Route, explicit: Bool) -> Set<String> {
                let list = r.nextHops.isEmpty
                    ? [NextHop(gateway: r.gateway, interfaceIndex: r.outputInterface ?? 0, flags: r.flags)] : r.nextHops
                return Set(list.map { h in
                    explicit ? "\(h.gateway.map(\.description) ?? "-") \(h.interfaceIndex) \(h.flags.contains(.onlink))"
                             : "\(h.gateway.map(\.description) ?? "-") \(h.flags.contains(.onlink))"
                })
            }
            let explicit = want.nextHops.isEmpty ? want.outputInterface != nil : want.nextHops.contains { $0.interfaceIndex != 0 }
            return hops(want, explicit: explicit) == hops(have, explicit: explicit)
        }
        if let g = want.gateway {
            guard have.gateway == g else { return false }
            // A plain `via` names no device (the kernel resolves it) and is never onlink;
            // an onlink route in the kernel is a tunnel route to be replaced.
            guard let dev = want.outputInterface else { return !have.flags.contains(.onlink) }
            return have.outputInterface == dev && want.flags.contains(.onlink) == have.flags.contains(.onlink)
        }
        return have.gateway == nil && want.outputInterface == have.outputInterface && want.scope == have.scope
    }

    /// `ip route` words with interface names: "10.244.1.5/32 dev cali1 scope link proto 199".
    public static func describe(_ r: Route, _ names: [Int32: String] = [:]) -> String {
        func dev(_ i: Int32) -> String { names[i] ?? "if\(i)" }
        var s = r.type == .unicast ? "\(r.destination)" : "\(r.type) \(r.destination)"
        if let g = r.gateway { s += " via \(g)" }
        if let o = r.outputInterface { s += " dev \(dev(o))" }
        for nh in r.nextHops {
            s += " nexthop"
            if let g = nh.gateway { s += " via \(g)" }
            if nh.interfaceIndex != 0 { s += " dev \(dev(nh.interfaceIndex))" }
            if nh.flags.contains(.onlink) { s += " onlink" }
        }
        if r.flags.contains(.onlink) { s += " onlink" }
        if r.table != 254 { s += " table \(r.table)" }
        s += " proto \(r.proto.rawValue)"
        if r.scope == .link { s += " scope link" }
        if let m = r.metric, !(r.family == .v6 && m == 1024) { s += " metric \(m)" }
        return s
    }
}
