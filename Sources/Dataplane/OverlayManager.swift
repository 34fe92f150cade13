import Glibc
import IPCore
import Model
import Logging
import Netlink

/// The overlay: tunnel devices (`tunl0`, `vxlan.tern`: created or adopted, MTU, up, the
/// tunnel address), the underlay, and per remote VTEP a permanent neighbour and an FDB
/// entry on `vxlan.tern`.
///
/// First in the order: its make step decides the ``OverlayPlan`` (which devices are ready)
/// from which the remote routes are built, and puts the VTEP entries in place before any
/// route uses them; its break step runs last: VTEP entries no route of ours uses any more,
/// then `vxlan.tern` once no pool wants VXLAN and no route of ours goes through it.
/// Device failures are kept per device (other pools carry on) and reported once; the agent
/// retries every `tunnelRetryInterval` while ``hasProblems``.
final class OverlayManager: DataplaneManager {
    let name = "overlay"
    let config: DataplaneConfig
    let logger: Logger
    /// Pools and tunnel settings.
    private(set) var overlay: OverlayConfig
    /// The overlay as of the last full pass: underlay, devices, how routes are built.
    private(set) var plan: OverlayPlan
    /// VTEPs the desired routes use (their neighbour and FDB entries are in place).
    private(set) var desiredVTEPs: Set<IPAddress> = []
    /// Last reported problems (logged once when they appear, not at every retry).
    private(set) var reportedProblems: Set<String> = []
    private var neighbours = ProgrammedNeighbours()
    private var wanted: [NeighbourKey: Neighbour] = [:]

    init(config: DataplaneConfig, logger: Logger) {
        self.config = config
        self.logger = logger
        overlay = config.overlay
        plan = OverlayPlan(config: config.overlay)
    }

    /// Some pool's routes cannot be encapsulated now (retry).
    var hasProblems: Bool { !reportedProblems.isEmpty }

    /// A dump must include the bridge family's FDB entries.
    func wantsFDB(_ links: [String: Link]) -> Bool {
        overlay.wantedTunnels.contains(.vxlan) || links[TunnelKind.vxlan.deviceName] != nil
    }

    func onUpdate(_ update: DataplaneUpdate, kernel: KernelView) -> DeferredWork {
        switch update {
        case .overlay(let new):
            guard new != overlay else { return .none }
            overlay = new
            return .resync
        case .routes(let batch):
            // A BGP route through a VTEP without its entries yet: a full pass puts them first.
            for (prefix, hops) in batch where needsNewVTEP(prefix, hops) { return .full }
            return .none
        case .kernel(.addressAdded), .kernel(.addressRemoved):
            // The underlay's address and subnets decide the overlay (CrossSubnet, VTEP).
            return overlay.pools.isEmpty ? .none : .resync
        default:
            return .none
        }
    }

    // MARK: - Make

    /// Devices (the plan of this pass), then the VTEP entries of the desired routes.
    func completeDeferredWork(_ pass: DataplanePass) {
        guard pass.full else { return }
        prepareDevices(pass)
        let desired = pass.desired
        desiredVTEPs = desired.vteps
        wanted = ProgrammedNeighbours.keyed(vtepEntries(desired.vteps))
        neighbours.add(wanted, pass, logger)
    }

    /// Finds the underlay, creates or adopts the tunnel devices the pools need (MTU, up,
    /// address) and records which are ready.
    private func prepareDevices(_ pass: DataplanePass) {
        var plan = OverlayPlan.compute(config: overlay, links: pass.kernel.links, addresses: pass.kernel.addresses)
        var touched = false
        for (kind, spec) in plan.devices.sorted(by: { $0.key.rawValue < $1.key.rawValue }) {
            if let error = ensure(spec, pass, touched: &touched) { plan.deviceErrors[kind] = error }
        }
        if touched { refreshLinks(pass) }
        for (kind, spec) in plan.devices where plan.deviceErrors[kind] == nil {
            if let l = pass.kernel.links[spec.name], l.isUp { plan.ready[kind] = l.index } else { plan.deviceErrors[kind] = "\(spec.name) is not up" }
        }
        self.plan = plan
        pass.overlayPlan = plan
        report(plan)
    }

    private func refreshLinks(_ pass: DataplanePass) {
        do {
            try pass.kernel.reloadLinks(pass.socket)
        } catch {
            logger.error("cannot list links after changing tunnel devices: \(error)")
        }
    }

    /// Makes one device as wanted; nil when it is, else why not.
    private func ensure(_ spec: TunnelDeviceSpec, _ pass: DataplanePass, touched: inout Bool) -> String? {
        let socket = pass.socket
        let meta: Logger.Metadata = ["interface": "\(spec.name)"]
        let expectedKind = spec.kind == .ipip ? overlay.ipipDeviceKind : "vxlan"
        var link = pass.kernel.links[spec.name]
        if let l = link, l.kind != expectedKind {
            return "\(spec.name) exists but is a \(l.kind ?? "plain") device, not \(expectedKind); Tern leaves it alone"
        }
        if let l = link, spec.kind == .vxlan, let why = vxlanMismatch(l, spec) {
            logger.warning("\(spec.name) \(why): re-creating it", metadata: meta)
            if case .failure(let e) = perform(LinkMessage.delete(index: l.index), socket) {
                return "cannot delete \(spec.name) to re-create it: \(e.name) (\(e.kernelMessage ?? e.reason))"
            }
            link = nil
            touched = true
        }
        if link == nil {
            let request: NetlinkRequest
            switch spec.kind {
            case .ipip:
                request = LinkMessage.createIPIP(name: spec.name, mtu: spec.mtu)
            case .vxlan:
                request = LinkMessage.createVXLAN(VXLANDevice(
                    name: spec.name, vni: spec.vni, port: spec.port, local: spec.local.map { IPAddress.v4($0) },
                    underlayIndex: spec.underlayIndex, learning: false, mtu: spec.mtu, address: spec.mac))
            }
            switch perform(request, socket) {
            case .success:
                logger.info("created \(spec.name) (\(describe(spec, pass.kernel)))", metadata: meta)
                refreshLinks(pass)  // its index, for the steps below
                link = pass.kernel.links[spec.name]
            case .failure(let e) where e.code == EOPNOTSUPP:
                return spec.kind == .ipip ? "this kernel has no ipip support (CONFIG_NET_IPIP)"
                                          : "this kernel has no vxlan support (CONFIG_VXLAN)"
            case .failure(let e):
                return "cannot create \(spec.name): \(e.name) (\(e.kernelMessage ?? e.reason))"
            }
        }
        guard let l = link else { return "\(spec.name) was created but is not listed" }
        var ops: [NetlinkRequest] = []
        if l.mtu != spec.mtu { ops.append(LinkMessage.setMTU(index: l.index, spec.mtu)) }
        if !l.isUp { ops.append(LinkMessage.setUp(index: l.index)) }
        let mine = pass.kernel.addresses.filter { $0.interfaceIndex == l.index && $0.prefix.family == .v4 }
        if let a = spec.address {
            let want = InterfaceAddress(.v4(a), length: 32)
            if let want, !mine.contains(where: { $0.prefix == want }) { ops.append(AddressMessage.add(Address(interfaceIndex: l.index, prefix: want))) }
            // An earlier tunnel address (the node's block changed) goes.
            for old in mine where old.prefix != want && old.prefix.length == 32 && inSomePool(old.prefix.address) {
                ops.append(AddressMessage.delete(old))
            }
        }
        guard !ops.isEmpty else { return nil }
        touched = true
        for (op, result) in zip(ops, socket.apply(ops)) {
            if case .failure(let e) = result {
                return "\(op.operation) failed: \(e.name) (\(e.kernelMessage ?? e.reason))"
            }
        }
        logger.info("\(spec.name): \(ops.map(\.operation).joined(separator: "; "))", metadata: meta)
        return nil
    }

    private func perform(_ request: NetlinkRequest, _ socket: NetlinkSocket) -> Result<Void, NetlinkError> {
        socket.apply([request])[0]
    }

    private func describe(_ spec: TunnelDeviceSpec, _ kernel: KernelView) -> String {
        switch spec.kind {
        case .ipip: return "ipip, MTU \(spec.mtu)"
        case .vxlan:
            let dev = spec.underlayIndex.flatMap { i in kernel.links.values.first { $0.index == i }?.name } ?? "-"
            return "vxlan VNI \(spec.vni), port \(spec.port), local \(spec.local.map(\.description) ?? "-"), dev \(dev), "
                + "learning off, MAC \(spec.mac.map(\.description) ?? "-"), MTU \(spec.mtu)"
        }
    }

    /// Why an existing vxlan.tern differs in what only re-creation changes, or nil.
    func vxlanMismatch(_ l: Link, _ spec: TunnelDeviceSpec) -> String? {
        guard let v = l.vxlan else { return nil }
        if v.vni != spec.vni { return "has VNI \(v.vni) (want \(spec.vni))" }
        if v.port != spec.port { return "has UDP port \(v.port) (want \(spec.port))" }
        if let want = spec.local, v.local != IPAddress.v4(want) { return "has local \(v.local.map(\.description) ?? "none") (want \(want))" }
        if let want = spec.underlayIndex, v.underlayIndex != want { return "is on another underlay device" }
        if v.learning { return "has learning on" }
        if let mac = spec.mac, l.address != mac { return "has MAC \(l.address.map(\.description) ?? "none") (want \(mac))" }
        return nil
    }

    private func inSomePool(_ a: IPAddress) -> Bool {
        guard case .v4 = a else { return false }
        return overlay.pool(for: .host(a)) != nil
    }

    // MARK: - Break

    /// VTEP entries no longer wanted (and stale permanent ones on `vxlan.tern`), except
    /// those a route of ours still uses; then `vxlan.tern` if nothing wants it.
    func completeDeferredCleanup(_ pass: DataplanePass) {
        guard pass.full else { return }
        let inUse = vtepsInUse(pass.kernel)
        var stale: [(NeighbourKey, Neighbour)] = []
        if let vx = pass.kernel.links[TunnelKind.vxlan.deviceName]?.index {
            for (key, n) in pass.kernel.neighbours where key.interfaceIndex == vx && wanted[key] == nil
                && n.state.contains(.permanent) && !inUse.contains(key) {
                stale.append((key, n))
            }
        }
        neighbours.remove(keeping: wanted, inUse: inUse, extra: stale.sorted { $0.0.ip < $1.0.ip }, pass, logger)
        removeUnwantedTunnels(pass)
    }

    /// `vxlan.tern` goes once no pool wants VXLAN and no route of ours uses it any more.
    /// (`tunl0` stays: with the ipip module loaded it is the kernel's fallback device and
    /// cannot be deleted.)
    private func removeUnwantedTunnels(_ pass: DataplanePass) {
        let name = TunnelKind.vxlan.deviceName
        guard !overlay.wantedTunnels.contains(.vxlan), let l = pass.kernel.links[name], l.kind == "vxlan" else { return }
        let ours = RouteProtocol(rawValue: config.routeProtocol)
        let used = pass.kernel.routes.values.joined().contains { r in
            r.proto == ours && (r.outputInterface == l.index || r.nextHops.contains { $0.interfaceIndex == l.index })
        }
        guard !used else { return }
        switch perform(LinkMessage.delete(index: l.index), pass.socket) {
        case .success:
            pass.kernel.noteLinkRemoved(name)
            logger.info("removed \(name) (no pool uses VXLAN)", metadata: ["interface": "\(name)"])
        case .failure(let e):
            logger.error("cannot remove \(name): \(e.name) (\(e.reason))", metadata: ["interface": "\(name)", "errno": "\(e.name)"])
        }
    }

    // MARK: - VTEPs

    /// Per remote VTEP: `<node> lladdr <its MAC> dev vxlan.tern nud permanent` and the FDB
    /// entry `<its MAC> dst <node> dev vxlan.tern self permanent`.
    func vtepEntries(_ vteps: Set<IPAddress>) -> [Neighbour] {
        guard let vx = plan.ready[.vxlan] else { return [] }
        var out: [Neighbour] = []
        for h in vteps.sorted() {
            guard case .v4(let node) = h else { continue }
            let mac = vtepMAC(for: node)
            out.append(Neighbour(interfaceIndex: vx, ip: h, lladdr: mac, state: .permanent))
            out.append(Neighbour.fdb(interfaceIndex: vx, mac: mac, destination: h))
        }
        return out
    }

    /// Neighbour and FDB keys of the VTEPs that routes of ours in the kernel go through.
    func vtepsInUse(_ kernel: KernelView) -> Set<NeighbourKey> {
        guard let vx = kernel.links[TunnelKind.vxlan.deviceName]?.index else { return [] }
        let ours = RouteProtocol(rawValue: config.routeProtocol)
        var out = Set<NeighbourKey>()
        for r in kernel.routes.values.joined() where r.proto == ours {
            let hops = r.nextHops.isEmpty ? (r.outputInterface == vx ? [r.gateway] : [])
                                          : r.nextHops.filter { $0.interfaceIndex == vx }.map(\.gateway)
            for case let h? in hops {
                out.insert(NeighbourKey(Neighbour(interfaceIndex: vx, ip: h, lladdr: nil), ip: h))
                out.insert(NeighbourKey(Neighbour(interfaceIndex: vx, ip: h, lladdr: nil, family: .bridge), ip: h))
            }
        }
        return out
    }

    /// A BGP route through a VTEP that has no neighbour/FDB entry yet.
    func needsNewVTEP(_ prefix: IPPrefix, _ hops: [IPAddress]) -> Bool {
        guard plan.ready[.vxlan] != nil, let pool = overlay.pool(for: prefix), pool.tunnel == .vxlan else { return false }
        return hops.contains { h in
            if pool.mode == .CrossSubnet, plan.underlay?.isOnLink(h) == true { return false }
            return !desiredVTEPs.contains(h)
        }
    }

    // MARK: - Problems and status

    /// Logs each problem once when it appears and once when it is gone.
    private func report(_ plan: OverlayPlan) {
        let now = Set(overlay.pools.compactMap { plan.problem(for: $0) })
        for p in now.subtracting(reportedProblems).sorted() {
            logger.error("\(p); routes of that pool wait (any route of ours already installed stays); retrying every \(Int(config.tunnelRetryInterval)) s")
        }
        for p in reportedProblems.subtracting(now).sorted() { logger.info("resolved: \(p)") }
        reportedProblems = now
    }

    /// Pools, tunnel devices, underlay and the workload MTU, as of the last full pass.
    func status(_ kernel: KernelView) -> OverlayStatus {
        let plan = self.plan
        var s = OverlayStatus()
        s.pools = overlay.pools.map { OverlayStatus.Pool(cidr: $0.cidr.description, encapsulation: $0.encapsulationDescription, problem: plan.problem(for: $0)) }
        for (kind, spec) in plan.devices.sorted(by: { $0.key.rawValue < $1.key.rawValue }) {
            let link = kernel.links[spec.name]
            let state = plan.deviceErrors[kind] ?? (link == nil ? "absent" : link!.isUp ? "up" : "down")
            let addr = link.flatMap { l in kernel.addresses.first { $0.interfaceIndex == l.index && $0.prefix.family == .v4 } }
            s.devices.append(OverlayStatus.Device(name: spec.name, kind: kind.rawValue, mtu: link?.mtu, wantedMTU: spec.mtu,
                                                  state: state, address: addr.map { "\($0.prefix)" }))
        }
        if let u = plan.underlay {
            s.underlay = "\(u.name) (\(u.address), MTU \(u.mtu))"
        } else {
            s.underlay = plan.underlayError
        }
        s.workloadMTU = plan.workloadMTU
        return s
    }
}
