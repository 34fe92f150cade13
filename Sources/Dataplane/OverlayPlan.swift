import IPCore
import Model
import Netlink

/// The interface encapsulated packets leave by, and this node's address on it.
public struct Underlay: Hashable, Sendable {
    public var name: String
    public var index: Int32
    public var mtu: UInt32
    /// The tunnel source (VTEP) address.
    public var address: IPv4Address
    /// The IPv4 subnets of the interface (CrossSubnet: next hops inside go unencapsulated).
    public var subnets: [IPPrefix]

    /// True when `hop` lies inside one of the interface's subnets.
    public func isOnLink(_ hop: IPAddress) -> Bool {
        subnets.contains { $0.contains(address: hop) }
    }
}

/// A tunnel device as Tern wants it.
public struct TunnelDeviceSpec: Hashable, Sendable {
    public var kind: TunnelKind
    public var name: String { kind.deviceName }
    /// The configured MTU, else the underlay's minus the overhead.
    public var mtu: UInt32
    /// The host address the device carries (source of the node's own traffic into the overlay).
    public var address: IPv4Address?
    /// VXLAN only: VNI, UDP port, local VTEP address, underlay index and the derived MAC.
    public var vni: UInt32 = 0
    public var port: UInt16 = 0
    public var local: IPv4Address?
    public var underlayIndex: Int32?
    public var mac: HardwareAddress?
}

/// Pure: what the overlay needs from the kernel, and how each remote route is built.
///
/// Computed on every full reconcile from the configuration, the links and the addresses;
/// the agent fills `ready` (device indices) and `deviceErrors` after making the devices.
public struct OverlayPlan: Hashable, Sendable {
    public var config: OverlayConfig
    public var underlay: Underlay?
    /// Why the underlay is unknown (only when some pool needs it).
    public var underlayError: String?
    /// The devices some pool needs.
    public var devices: [TunnelKind: TunnelDeviceSpec] = [:]
    /// Devices present, of the right kind and up: their interface index.
    public var ready: [TunnelKind: Int32] = [:]
    /// Why a wanted device is not ready, e.g. "this kernel has no ipip support (CONFIG_NET_IPIP)".
    public var deviceErrors: [TunnelKind: String] = [:]

    public init(config: OverlayConfig) { self.config = config }

    /// Finds the underlay and the wanted devices.
    public static func compute(config: OverlayConfig, links: [String: Link], addresses: [Address]) -> OverlayPlan {
        var plan = OverlayPlan(config: config)
        let wanted = config.wantedTunnels
        // The underlay is looked for even without tunnels: its MTU is the workload MTU then
        // (the CNI plugin's default, `tern status`). Not finding it is a problem only for tunnels.
        var underlayError: String?
        plan.underlay = findUnderlay(config, links, addresses, error: &underlayError)
        guard !wanted.isEmpty else { return plan }
        plan.underlayError = underlayError
        guard let u = plan.underlay else { return plan }
        for kind in wanted.sorted(by: { $0.rawValue < $1.rawValue }) {
            let configured = kind == .ipip ? config.ipipMTU : config.vxlanMTU
            var spec = TunnelDeviceSpec(kind: kind, mtu: configured ?? (u.mtu > kind.overhead ? u.mtu - kind.overhead : 576),
                                        address: config.tunnelAddresses[kind])
            if kind == .vxlan {
                spec.vni = config.vxlanVNI
                spec.port = config.vxlanPort
                spec.local = u.address
                spec.underlayIndex = u.index
                spec.mac = vtepMAC(for: u.address)
            }
            plan.devices[kind] = spec
        }
        return plan
    }

    static func findUnderlay(_ config: OverlayConfig, _ links: [String: Link], _ addresses: [Address],
                             error: inout String?) -> Underlay? {
        let link: Link
        if let name = config.underlayInterface {
            guard let l = links[name] else {
                error = "underlay interface \(name) (dataplane.underlayInterface) not found"
                return nil
            }
            link = l
        } else {
            guard let node = config.nodeAddress else {
                error = "this node's address is unknown; set dataplane.underlayInterface"
                return nil
            }
            let want = IPAddress.v4(node)
            guard let a = addresses.first(where: { $0.prefix.address == want }),
                  let l = links.values.first(where: { $0.index == a.interfaceIndex }) else {
                error = "no interface has this node's address \(node); set dataplane.underlayInterface"
                return nil
            }
            link = l
        }
        let mine = addresses.filter { $0.interfaceIndex == link.index && $0.prefix.family == .v4 && $0.scope == 0 }
        let preferred = config.nodeAddress.map { IPAddress.v4($0) }
        guard let local = mine.first(where: { $0.prefix.address == preferred }) ?? mine.first,
              case .v4(let v4) = local.prefix.address else {
            error = "underlay interface \(link.name) has no IPv4 address"
            return nil
        }
        let subnets = mine.map(\.prefix.subnet)
        return Underlay(name: link.name, index: link.index, mtu: link.mtu ?? 1500, address: v4, subnets: subnets)
    }

    /// The MTU workloads should use: the smallest wanted tunnel MTU, else the underlay's.
    public var workloadMTU: UInt32? {
        devices.values.map(\.mtu).min() ?? underlay?.mtu
    }

    /// Why routes of `pool` cannot be encapsulated now, or nil when they can.
    public func problem(for pool: IPPool) -> String? {
        guard let kind = pool.tunnel else { return nil }
        if let e = underlayError { return "\(kind) requested for pool \(pool.cidr) but \(e)" }
        if ready[kind] != nil { return nil }
        return "\(kind) requested for pool \(pool.cidr) but \(deviceErrors[kind] ?? "\(kind.deviceName) is not ready yet")"
    }

    /// How a remote route of an encapsulated pool is built; nil when the prefix is in no
    /// encapsulated pool (plain `via`). `hops` are the usable next hops (prefix's family).
    ///
    /// - Always: `<prefix> via <node> dev tunl0|vxlan.tern onlink` for each next hop.
    /// - CrossSubnet: a next hop inside a subnet of the underlay interface gets
    ///   `via <node> dev <underlay>` (no encapsulation); others as Always.
    /// - The device or underlay is missing: waiting with the reason, keeping any route of
    ///   ours already in the kernel (make-before-break: nothing is broken before the new
    ///   form can be made).
    func route(_ p: IPPrefix, _ prefix: IPPrefix, _ hops: [IPAddress], proto: RouteProtocol,
               table: UInt32) -> DesiredState.BGPDesire? {
        guard let pool = config.pool(for: prefix), let kind = pool.tunnel else { return nil }
        var out: [NextHop] = []
        for h in hops {
            if pool.mode == .CrossSubnet, let u = underlay, u.isOnLink(h) {
                out.append(NextHop(gateway: h, interfaceIndex: u.index))
            } else if let index = ready[kind], underlayError == nil {
                out.append(NextHop(gateway: h, interfaceIndex: index, flags: .onlink))
            } else {
                return .waiting(WaitingRoute(source: .bgp, reason: problem(for: pool) ?? "\(kind) not ready", keepInstalled: true))
            }
        }
        var r = Route(destination: p, table: table, proto: proto, scope: .universe, type: .unicast)
        if out.count == 1 {
            r.gateway = out[0].gateway
            r.outputInterface = out[0].interfaceIndex
            r.flags = out[0].flags
        } else {
            r.nextHops = out
        }
        return .route(DesiredRoute(route: r, source: .bgp, interfaceName: nil))
    }

    /// The VXLAN next hops (remote VTEPs) of a desired route, if it goes through vxlan.tern.
    func vteps(of r: Route) -> [IPAddress] {
        guard let vx = ready[.vxlan] else { return [] }
        if r.nextHops.isEmpty {
            return r.outputInterface == vx ? [r.gateway].compactMap { $0 } : []
        }
        return r.nextHops.filter { $0.interfaceIndex == vx }.compactMap(\.gateway)
    }
}
