import CNI
import Foundation
import IPCore
import TernAPI

/// The `tern` CNI plugin: one attachment of a pod to the node (docs/CNI.md). ADD makes
/// the veth pair, takes addresses from IPAM and registers the workload with the daemon,
/// which routes it, sets its sysctls and writes its WorkloadEndpoint; DEL undoes that
/// and succeeds when things are already gone; CHECK verifies it; GC frees what no valid
/// attachment holds; STATUS says whether ADD can work now.
struct Plugin {
    let env: CNIEnvironment
    let config: NetworkConfig
    /// The configuration as the runtime sent it (a delegated IPAM plugin gets it unchanged).
    let stdin: Data

    var daemon: DaemonLink { DaemonLink(path: config.controlSocket ?? DaemonLink.defaultSocket) }
    /// The IPAM handle and the workload's attachment (calico-ipam's `GetHandleID`).
    var attachment: String { handle(of: env.containerID) }
    /// The handle of one of this network's containers.
    func handle(of containerID: String) -> String { "\(config.name).\(containerID)" }
    /// GC's valid attachments as handles.
    var validHandles: [String] { (config.validAttachments ?? []).map { handle(of: $0.containerID) } }

    /// tern-ipam for this attachment: IPv4 unless `assign_ipv4` is off, IPv6 when asked
    /// (`assign_ipv6`, `ipv6_pools`) or when the node has an IPv6 pool (dual stack).
    func ternIPAM(node: ControlProtocol.Status) throws(CNIError) -> [IPPrefix] {
        let ipam = config.ipam ?? IPAMConfig(type: "tern-ipam")
        let pools = node.overlay?.pools.map(\.cidr) ?? []
        let wantV6 = ipam.assignIPv6 || !ipam.ipv6Pools.isEmpty || pools.contains { $0.contains(":") }
        return try TernIPAM(daemon: daemon, handle: attachment, ipv4Pools: ipam.ipv4Pools, ipv6Pools: ipam.ipv6Pools)
            .allocate(staticAddresses: try staticAddresses(), ipv4: ipam.assignIPv4, ipv6: wantV6)
    }
    var hostInterface: String { HostInterfaceName.calico(namespace: env.podNamespace, name: env.podName) }

    func run() throws(CNIError) -> Data? {
        switch env.command {
        case .add: return try add().json(cniVersion: config.cniVersion)
        case .del: try del(); return nil
        case .check: try check(); return nil
        case .gc: try gc(); return nil
        case .status: try status(); return nil
        case .version: return CNIVersion.versionResult(cniVersion: config.cniVersion)
        }
    }

    // MARK: ADD

    func add() throws(CNIError) -> CNIResult {
        let daemon = self.daemon
        let node = try daemon.status()
        let addresses: [IPPrefix]
        var undo: [() -> Void] = []
        func cleanUp() { for u in undo.reversed() { u() } }
        let mtu = config.mtu.map { UInt32(clamping: $0) } ?? node.overlay?.workloadMTU
        do throws(CNIError) {
            addresses = try allocate(node: node)
            undo.append { _ = try? self.releaseAddresses() }
            guard !addresses.isEmpty else {
                throw CNIError(CNIError.ipamExhausted, "tern: IPAM gave no address (assign_ipv4 and assign_ipv6 both off?)")
            }
            let mac = try staticMAC()
            let made = try VethSetup.create(host: hostInterface, container: env.ifName, netnsPath: env.netns,
                                            addresses: addresses, mtu: mtu, containerMAC: mac)
            undo.append { VethSetup.remove(host: self.hostInterface) }
            let w = ControlProtocol.Workload(name: env.podName, namespace: env.podNamespace, interface: hostInterface,
                                             ipNetworks: addresses.map(\.description), mac: made.containerMAC.isEmpty ? nil : made.containerMAC,
                                             origin: "cni", attachment: attachment)
            _ = try daemon.send(.init(.workloadAdd, workload: w))
            return result(addresses: addresses, containerMAC: made.containerMAC, mtu: mtu)
        } catch {
            cleanUp()
            throw error
        }
    }

    /// The spec's ADD result (SPEC.md "Success"): the host end without `sandbox`, the
    /// container end with it, `ips` pointing at the container end, the gateway routes;
    /// after whatever a previous plugin of the chain reported.
    func result(addresses: [IPPrefix], containerMAC: String, mtu: UInt32?) -> CNIResult {
        var r = config.prevResult ?? CNIResult(cniVersion: config.cniVersion, interfaces: [], ips: [], routes: [], dns: nil)
        r.cniVersion = config.cniVersion
        let base = r.interfaces.count
        r.interfaces.append(.init(name: hostInterface, mac: VethSetup.hostMAC.description, mtu: mtu.map(Int.init), sandbox: nil))
        r.interfaces.append(.init(name: env.ifName, mac: containerMAC, mtu: mtu.map(Int.init), sandbox: env.netns))
        for a in addresses { r.ips.append(.init(address: a.description, gateway: nil, interface: base + 1)) }
        if addresses.contains(where: { $0.ipFamily == .v4 }) {
            r.routes.append(.init(dst: "0.0.0.0/0", gw: VethSetup.gateway4.description))
        }
        if addresses.contains(where: { $0.ipFamily == .v6 }) {
            r.routes.append(.init(dst: "::/0", gw: VethSetup.gateway6.description))
        }
        return r
    }

    /// Addresses from `tern-ipam` through the daemon, or from the delegate named in `ipam.type`.
    func allocate(node: ControlProtocol.Status) throws(CNIError) -> [IPPrefix] {
        guard let ipam = config.ipam else {
            throw CNIError(CNIError.invalidNetworkConfig, "tern: the network config has no \"ipam\" section",
                           details: "add \"ipam\": {\"type\": \"tern-ipam\"}")
        }
        if ipam.type == "tern-ipam" { return try ternIPAM(node: node) }
        return try DelegateIPAM(type: ipam.type, path: env.path, config: stdin).allocate()
    }

    func releaseAddresses() throws(CNIError) {
        guard let ipam = config.ipam else { return }
        if ipam.type == "tern-ipam" { return try TernIPAM(daemon: daemon, handle: attachment).release() }
        _ = try DelegateIPAM(type: ipam.type, path: env.path, config: stdin).run(.del)
    }

    /// podman's `IP=` (CNI_ARGS) and the `ips` capability (runtimeConfig); a length is ignored.
    func staticAddresses() throws(CNIError) -> [IPAddress] {
        var out: [IPAddress] = []
        for text in env.staticIPs + config.runtimeConfig.ips {
            let bare = text.split(separator: "/").first.map(String.init) ?? text
            guard let a = IPAddress(bare) else {
                throw CNIError(CNIError.invalidEnvironment, "tern: static address \(text) is not an IP address")
            }
            if !out.contains(a) { out.append(a) }
        }
        return out
    }

    /// podman's `MAC=` (CNI_ARGS) or the `mac` capability.
    func staticMAC() throws(CNIError) -> MACAddress? {
        guard let text = env.staticMAC ?? config.runtimeConfig.mac else { return nil }
        guard let m = MACAddress(text), m.isUnicast else {
            throw CNIError(CNIError.invalidEnvironment, "tern: static MAC \(text) is not a unicast MAC address")
        }
        return m
    }

    // MARK: DEL, CHECK, GC, STATUS

    /// Idempotent: the workload, the veth and the addresses, each already gone or not.
    /// The workload goes first (the daemon stops programming the interface before it
    /// vanishes); the veth goes in any case; the daemon unreachable is then an error (the
    /// addresses would leak).
    func del() throws(CNIError) {
        let w = ControlProtocol.Workload(name: env.podName, namespace: env.podNamespace, interface: hostInterface,
                                         ipNetworks: [], origin: "cni", attachment: attachment)
        var unregistered: CNIError?
        do { _ = try daemon.send(.init(.workloadDelete, workload: w)) } catch { unregistered = error }
        VethSetup.remove(host: hostInterface)
        if let unregistered { throw unregistered }
        try releaseAddresses()
    }

    /// SPEC.md "CHECK": the attachment is as ADD left it (prevResult is what ADD returned).
    func check() throws(CNIError) {
        guard let prev = config.prevResult else {
            throw CNIError(CNIError.invalidNetworkConfig, "tern: CHECK needs prevResult (the result of ADD)")
        }
        let mine = prev.ips.compactMap { ip -> IPPrefix? in
            guard let i = ip.interface, prev.interfaces.indices.contains(i), prev.interfaces[i].name == env.ifName else { return nil }
            return InterfaceAddress(ip.address).map { IPPrefix.host($0.address) }
        }
        if let p = VethSetup.problem(host: hostInterface, container: env.ifName, netnsPath: env.netns, addresses: mine) {
            throw CNIError(CNIError.kernelError, "tern: CHECK failed: \(p)")
        }
        let list = try daemon.send(.init(.workloadList)).workloads ?? []
        guard let w = list.first(where: { $0.attachment == attachment }) else {
            throw CNIError(CNIError.daemonRefused, "tern: CHECK failed: the daemon has no workload for attachment \(attachment)")
        }
        let registered = Set(w.ipNetworks)
        for p in mine where !registered.contains(p.description) {
            throw CNIError(CNIError.daemonRefused, "tern: CHECK failed: the daemon's workload \(w.qualifiedName) lacks \(p)")
        }
    }

    /// SPEC.md "GC": everything of this network whose attachment is not in
    /// `cni.dev/valid-attachments` goes: its workload, its veth, its addresses.
    func gc() throws(CNIError) {
        let valid = Set(validHandles)
        let prefix = "\(config.name)."
        let list = try daemon.send(.init(.workloadList)).workloads ?? []
        for w in list where w.origin == "cni" {
            guard let a = w.attachment, a.hasPrefix(prefix), !valid.contains(a) else { continue }
            VethSetup.remove(host: w.interface)
            _ = try daemon.send(.init(.workloadDelete, workload: w))
        }
        if config.ipam?.type == "tern-ipam" {
            _ = try daemon.send(.init(.ipamGC, ipam: .init(handle: prefix, keep: Array(valid))))
        }
    }

    /// SPEC.md "STATUS": 50 when ADD cannot work now (no daemon, or its datastore down).
    func status() throws(CNIError) {
        let s: ControlProtocol.Status
        do { s = try daemon.status() } catch {
            throw CNIError(CNIError.pluginNotAvailable, "tern: the node's tern daemon is not reachable at \(daemon.path)", details: error.msg)
        }
        if config.ipam?.type == "tern-ipam", let ds = s.datastore, ds.state != "connected" {
            throw CNIError(CNIError.pluginNotAvailable, "tern: the datastore (\(ds.type)) is \(ds.state): no address can be assigned",
                           details: ds.error)
        }
    }
}
