import IPCore
import Model
import Dispatch
import Glibc
import Netlink

/// What `tern status` shows about the overlay.
public struct OverlayStatus: Hashable, Sendable, Codable {
    public struct Pool: Hashable, Sendable, Codable {
        public var cidr: String
        /// "VXLAN Always", "IPIP CrossSubnet", "none".
        public var encapsulation: String
        /// Why its routes cannot be encapsulated now, e.g. "IPIP requested for pool
        /// 10.244.0.0/16 but this kernel has no ipip support (CONFIG_NET_IPIP)".
        public var problem: String?

        public init(cidr: String, encapsulation: String, problem: String? = nil) {
            self.cidr = cidr
            self.encapsulation = encapsulation
            self.problem = problem
        }
    }
    public struct Device: Hashable, Sendable, Codable {
        public var name: String
        public var kind: String
        /// The device's MTU in the kernel (nil: not present).
        public var mtu: UInt32?
        /// The MTU Tern wants.
        public var wantedMTU: UInt32
        /// "up", "down", "absent" or the error.
        public var state: String
        public var address: String?
    }
    public var pools: [Pool] = []
    public var devices: [Device] = []
    /// "eth0 (10.0.0.1, MTU 1500)" or the reason it is unknown.
    public var underlay: String?
    /// The MTU workloads should use (the smallest tunnel MTU, else the underlay's).
    public var workloadMTU: UInt32?

    public init(pools: [Pool] = [], devices: [Device] = [], underlay: String? = nil, workloadMTU: UInt32? = nil) {
        self.pools = pools
        self.devices = devices
        self.underlay = underlay
        self.workloadMTU = workloadMTU
    }
}

extension DataplaneAgent {
    // MARK: - Public API (call on `queue`)

    /// Replaces the pools and tunnel settings (SIGHUP). Devices, neighbours and routes are
    /// re-made before anything is removed, so no block becomes unreachable in between.
    public func setOverlay(_ new: OverlayConfig) {
        dispatchPrecondition(condition: .onQueue(queue))
        guard new != overlay else { return }
        overlay = new
        needsDump = true
        needsFull = true
        scheduleReconcile()
    }

    /// Pools, tunnel devices, underlay and the workload MTU, as of the last full reconcile.
    public func overlayStatus() -> OverlayStatus {
        dispatchPrecondition(condition: .onQueue(queue))
        let plan = overlayPlan
        var s = OverlayStatus()
        s.pools = overlay.pools.map { OverlayStatus.Pool(cidr: $0.cidr.description, encapsulation: $0.encapsulation, problem: plan.problem(for: $0)) }
        for (kind, spec) in plan.devices.sorted(by: { $0.key.rawValue < $1.key.rawValue }) {
            let link = links[spec.name]
            let state = plan.deviceErrors[kind] ?? (link == nil ? "absent" : link!.isUp ? "up" : "down")
            let addr = link.flatMap { l in addresses.first { $0.interfaceIndex == l.index && $0.prefix.family == .v4 } }
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

    // MARK: - Devices

    /// Step 1 of a full reconcile: finds the underlay, creates or adopts the tunnel devices
    /// the pools need (MTU, up, address) and records which are ready. Failures are kept
    /// per device and retried every `tunnelRetryInterval`; other pools carry on.
    func prepareOverlay(_ socket: NetlinkSocket) {
        var plan = OverlayPlan.compute(config: overlay, links: links, addresses: addresses)
        var touched = false
        for (kind, spec) in plan.devices.sorted(by: { $0.key.rawValue < $1.key.rawValue }) {
            if let error = ensure(spec, socket, touched: &touched) { plan.deviceErrors[kind] = error }
        }
        if touched { refreshLinks(socket) }
        for (kind, spec) in plan.devices where plan.deviceErrors[kind] == nil {
            if let l = links[spec.name], l.isUp { plan.ready[kind] = l.index } else { plan.deviceErrors[kind] = "\(spec.name) is not up" }
        }
        overlayPlan = plan
        report(plan)
    }

    func refreshLinks(_ socket: NetlinkSocket) {
        do {
            links = Dictionary(try socket.links().map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
            addresses = try socket.addresses()
        } catch {
            log(.error, "dataplane: cannot list links after changing tunnel devices: \(error)")
        }
    }

    /// Makes one device as wanted; nil when it is, else why not.
    func ensure(_ spec: TunnelDeviceSpec, _ socket: NetlinkSocket, touched: inout Bool) -> String? {
        let expectedKind = spec.kind == .ipip ? overlay.ipipDeviceKind : "vxlan"
        var link = links[spec.name]
        if let l = link, l.kind != expectedKind {
            return "\(spec.name) exists but is a \(l.kind ?? "plain") device, not \(expectedKind); Tern leaves it alone"
        }
        if let l = link, spec.kind == .vxlan, let why = vxlanMismatch(l, spec) {
            log(.warning, "dataplane: \(spec.name) \(why): re-creating it")
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
                log(.info, "dataplane: created \(spec.name) (\(describe(spec)))")
                refreshLinks(socket)  // its index, for the steps below
                link = links[spec.name]
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
        let mine = addresses.filter { $0.interfaceIndex == l.index && $0.prefix.family == .v4 }
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
        log(.info, "dataplane: \(spec.name): \(ops.map(\.operation).joined(separator: "; "))")
        return nil
    }

    func perform(_ request: NetlinkRequest, _ socket: NetlinkSocket) -> Result<Void, NetlinkError> {
        socket.apply([request])[0]
    }

    func describe(_ spec: TunnelDeviceSpec) -> String {
        switch spec.kind {
        case .ipip: return "ipip, MTU \(spec.mtu)"
        case .vxlan:
            let dev = spec.underlayIndex.flatMap { i in links.values.first { $0.index == i }?.name } ?? "-"
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

    func inSomePool(_ a: IPAddress) -> Bool {
        guard case .v4 = a else { return false }
        return overlay.pool(for: .host(a)) != nil
    }

    /// Last step of a full reconcile: `vxlan.tern` goes once no pool wants VXLAN and no
    /// route of ours uses it any more. (`tunl0` stays: with the ipip module loaded it is
    /// the kernel's fallback device and cannot be deleted.)
    func removeUnwantedTunnels(_ socket: NetlinkSocket) {
        let name = TunnelKind.vxlan.deviceName
        guard !overlay.wantedTunnels.contains(.vxlan), let l = links[name], l.kind == "vxlan" else { return }
        let used = kernelRoutes.values.joined().contains { r in
            r.proto == reconciler.routeProtocol && (r.outputInterface == l.index || r.nextHops.contains { $0.interfaceIndex == l.index })
        }
        guard !used else { return }
        switch perform(LinkMessage.delete(index: l.index), socket) {
        case .success:
            links[name] = nil
            log(.info, "dataplane: removed \(name) (no pool uses VXLAN)")
        case .failure(let e):
            log(.error, "dataplane: cannot remove \(name): \(e.name) (\(e.reason))")
        }
    }

    // MARK: - VTEPs

    /// Per remote VTEP: `<node> lladdr <its MAC> dev vxlan.tern nud permanent` and the FDB
    /// entry `<its MAC> dst <node> dev vxlan.tern self permanent`.
    func vtepEntries(_ vteps: Set<IPAddress>) -> [Neighbour] {
        guard let vx = overlayPlan.ready[.vxlan] else { return [] }
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
    func vtepsInUse() -> Set<NeighbourKey> {
        guard let vx = links[TunnelKind.vxlan.deviceName]?.index else { return [] }
        var out = Set<NeighbourKey>()
        for r in kernelRoutes.values.joined() where r.proto == reconciler.routeProtocol {
            let hops = r.nextHops.isEmpty ? (r.outputInterface == vx ? [r.gateway] : [])
                                          : r.nextHops.filter { $0.interfaceIndex == vx }.map(\.gateway)
            for case let h? in hops {
                out.insert(NeighbourKey(Neighbour(interfaceIndex: vx, ip: h, lladdr: nil), ip: h))
                out.insert(NeighbourKey(Neighbour(interfaceIndex: vx, ip: h, lladdr: nil, family: .bridge), ip: h))
            }
        }
        return out
    }

    /// A BGP route through a VTEP that has no neighbour/FDB entry yet: a full reconcile
    /// puts those in place before the route.
    func needsNewVTEP(_ prefix: IPPrefix, _ hops: [IPAddress]) -> Bool {
        guard overlayPlan.ready[.vxlan] != nil, let pool = overlay.pool(for: prefix), pool.tunnel == .vxlan else { return false }
        return hops.contains { h in
            let k = h
            if pool.mode == .crossSubnet, overlayPlan.underlay?.isOnLink(k) == true { return false }
            return !desiredVTEPs.contains(k)
        }
    }

    // MARK: - Problems

    /// Logs each overlay problem once when it appears and once when it is gone, and keeps a
    /// retry timer running while any remains.
    func report(_ plan: OverlayPlan) {
        let now = Set(overlay.pools.compactMap { plan.problem(for: $0) })
        for p in now.subtracting(reportedOverlayProblems).sorted() {
            log(.error, "dataplane: \(p); routes of that pool wait (any route of ours already installed stays); retrying every \(Int(config.tunnelRetryInterval)) s")
        }
        for p in reportedOverlayProblems.subtracting(now).sorted() { log(.info, "dataplane: resolved: \(p)") }
        reportedOverlayProblems = now
        if now.isEmpty {
            overlayRetryTimer?.cancel()
            overlayRetryTimer = nil
        } else if overlayRetryTimer == nil {
            let t = DispatchSource.makeTimerSource(queue: queue)
            let interval = DispatchTimeInterval.milliseconds(Int(max(0.1, config.tunnelRetryInterval) * 1000))
            t.schedule(deadline: .now() + interval, repeating: interval)
            t.setEventHandler { [weak self] in
                guard let self, self.running else { return }
                self.needsDump = true
                self.needsFull = true
                self.scheduleReconcile()
            }
            overlayRetryTimer = t
            t.resume()
        }
    }
}
