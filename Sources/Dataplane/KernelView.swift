import IPCore
import Netlink

/// A neighbour (family v4/v6) or VXLAN FDB entry (family bridge, `ip` = NDA_DST), as the
/// kernel keys it.
struct NeighbourKey: Hashable {
    var family: Netlink.AddressFamily
    var interfaceIndex: Int32
    var ip: IPAddress

    init(_ n: Neighbour, ip: IPAddress) {
        family = n.family
        interfaceIndex = n.interfaceIndex
        self.ip = ip
    }
}

/// The agent's picture of the kernel, shared by every manager: links by name, the routes of
/// Tern's table (all protocols), neighbours and FDB entries, addresses.
///
/// Filled from dumps and kept current by the netlink monitor, both by the agent alone
/// (``load(links:routes:neighbours:addresses:)``, ``apply(_:)``). Managers read it; the only
/// writes they make are the confirmed results of their own netlink requests (`noteRoute…`,
/// `noteNeighbour…`, `reloadLinks`), which is what the monitor will echo anyway, so that the
/// managers after them in the pass see the kernel as it now is.
///
/// Confined to the agent's queue.
final class KernelView {
    let table: UInt32
    private(set) var links: [String: Link] = [:]
    private(set) var routes: [IPPrefix: [Route]] = [:]
    private(set) var neighbours: [NeighbourKey: Neighbour] = [:]
    private(set) var addresses: [Address] = []

    init(table: UInt32) { self.table = table }

    /// Index -> name, for messages and the FIB view.
    var interfaceNames: [Int32: String] {
        Dictionary(links.values.map { ($0.index, $0.name) }, uniquingKeysWith: { a, _ in a })
    }

    /// Every route of the table.
    var allRoutes: [Route] { Array(routes.values.joined()) }

    // MARK: - The agent's writes

    /// Replaces everything with a dump (routes of other tables are dropped here).
    func load(links ls: [Link], routes rs: [Route], neighbours ns: [Neighbour], addresses: [Address]) {
        self.addresses = addresses
        links = Dictionary(ls.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        routes = [:]
        for r in rs where r.table == table { routes[r.destination, default: []].append(r) }
        neighbours = [:]
        for n in ns { if let ip = n.ip { neighbours[NeighbourKey(n, ip: ip)] = n } }
    }

    /// Applies one monitor event. Returns `.resync` when the event means the view can no
    /// longer be trusted without a dump (a link went down, away or changed its index: the
    /// kernel drops the routes through it without telling), else `.none`.
    func apply(_ event: NetlinkEvent) -> DeferredWork {
        switch event {
        case .routeAdded(let r):
            guard r.table == table else { return .none }
            var list = routes[r.destination] ?? []
            // An add with the same metric and tos replaced what was there (NLM_F_REPLACE).
            list.removeAll { RouteReconciler.effectiveMetric($0) == RouteReconciler.effectiveMetric(r) && $0.tos == r.tos }
            list.append(r)
            routes[r.destination] = list
        case .routeRemoved(let r):
            guard r.table == table else { return .none }
            if var list = routes[r.destination], let i = list.firstIndex(where: { Self.sameIdentity($0, r) }) {
                list.remove(at: i)
                routes[r.destination] = list.isEmpty ? nil : list
            }
        case .linkAdded(let l), .linkChanged(let l):
            for (name, old) in links where old.index == l.index && name != l.name { links[name] = nil }
            let before = links[l.name]
            links[l.name] = l
            if before?.index != l.index || before?.isUp != l.isUp || before?.name != l.name { return .resync }
        case .linkRemoved(let l):
            if links[l.name]?.index == l.index { links[l.name] = nil }
            return .resync
        case .neighbourAdded(let n):
            if let ip = n.ip { neighbours[NeighbourKey(n, ip: ip)] = n }
        case .neighbourRemoved(let n):
            if let ip = n.ip { neighbours[NeighbourKey(n, ip: ip)] = nil }
        case .overrun:
            return .resync
        case .addressAdded, .addressRemoved:
            break   // addresses come from dumps; the overlay manager asks for one when it cares
        }
        return .none
    }

    // MARK: - Managers' confirmed results

    /// A `replace` of ours succeeded.
    func noteRouteReplaced(_ r: Route) {
        var list = routes[r.destination] ?? []
        list.removeAll { $0.proto == r.proto && RouteReconciler.effectiveMetric($0) == RouteReconciler.effectiveMetric(r) && $0.tos == r.tos }
        list.append(r)
        routes[r.destination] = list
    }

    /// A route of ours is gone (deleted, or already absent).
    func noteRouteRemoved(_ r: Route) {
        guard var list = routes[r.destination] else { return }
        list.removeAll { Self.sameIdentity($0, r) }
        routes[r.destination] = list.isEmpty ? nil : list
    }

    /// A neighbour or FDB entry was set (`n`) or removed (nil).
    func noteNeighbour(_ key: NeighbourKey, _ n: Neighbour?) { neighbours[key] = n }

    /// A link is gone (deleted by a manager).
    func noteLinkRemoved(_ name: String) { links[name] = nil }

    /// Re-reads links and addresses after a manager changed devices.
    func reloadLinks(_ socket: NetlinkSocket) throws {
        links = Dictionary(try socket.links().map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        addresses = try socket.addresses()
    }

    /// Same kernel route: protocol, metric and tos (the key of an IPv4 fib alias).
    static func sameIdentity(_ a: Route, _ b: Route) -> Bool {
        a.proto == b.proto && RouteReconciler.effectiveMetric(a) == RouteReconciler.effectiveMetric(b) && a.tos == b.tos
    }
}
