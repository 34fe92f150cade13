import IPCore
import Model
import Dispatch
import Foundation
import Testing
@testable import Dataplane
@testable import Netlink

/// The overlay against the kernel, each test in its own namespace (NodeNamespace: eth0
/// 192.168.77.1/24). Where the kernel has no ipip, `tunl0` is a stand-in (a veth: this
/// kernel has no dummy module either): the routes Tern builds through it are still
/// checked by the kernel.
@Suite(.enabled(if: runningAsRoot, "\(needsRoot)"), .serialized)
struct AgentOverlayKernelTests {
    func config(_ pools: [IPPool], standIn: Bool = false, retry: Double = 10) -> DataplaneConfig {
        DataplaneConfig(manageSysctls: false,
                        overlay: OverlayConfig(pools: pools, nodeAddress: IPv4Address("192.168.77.1")!,
                                               tunnelAddresses: [.ipip: IPv4Address("10.244.1.0")!, .vxlan: IPv4Address("10.245.1.0")!],
                                               ipipDeviceKind: standIn ? "veth" : "ipip"),
                        tunnelRetryInterval: retry)
    }

    /// Route deletions the kernel announces for `prefixes` (make-before-break: none).
    final class Deletions: @unchecked Sendable {
        let lock = NSLock()
        var seen: [String] = []
        func add(_ e: NetlinkEvent, _ watch: Set<IPPrefix>) {
            if case .routeRemoved(let r) = e, watch.contains(r.destination) { lock.lock(); seen.append("\(r)"); lock.unlock() }
        }
        var all: [String] { lock.lock(); defer { lock.unlock() }; return seen }
    }

    func kernelText(_ ns: NodeNamespace) throws -> String { try sh("ip", "-n", ns.name, "route", "show", "proto", "199").output }
    func shown(_ ns: NodeNamespace) -> String { (try? kernelText(ns)) ?? "?" }

    static func ipipSupported() -> (Bool, String) {
        let probe = "tprobe-\(getpid())"
        _ = try? sh("ip", "netns", "add", probe)
        defer { _ = try? sh("ip", "netns", "del", probe) }
        // With addresses: where ipip is loaded, every namespace already has tunl0 and a bare
        // "type ipip" fails with EEXIST.
        guard let r = try? sh("ip", "-n", probe, "link", "add", "probe0", "type", "ipip", "local", "10.255.255.1",
                              "remote", "10.255.255.2") else { return (false, "cannot run ip") }
        return (r.status == 0, r.output.trimmingCharacters(in: .whitespacesAndNewlines))
    }

    @Test func ipipAlwaysAndCrossSubnetThroughAStandInTunl0() throws {
        let ns = try NodeNamespace()
        defer { ns.remove() }
        try must("ip", "-n", ns.name, "link", "add", "tunl0", "type", "veth", "peer", "name", "tunl0p")  // down, MTU 1500: Tern fixes both
        try must("ip", "-n", ns.name, "link", "set", "tunl0p", "up")
        let deletions = Deletions()
        let watch: Set<IPPrefix> = [kp("10.244.2.0/26"), kp("10.244.3.0/26")]
        let monitor = try NetlinkMonitor(namespace: ns.name, queue: DispatchQueue(label: "watch")) { deletions.add($0, watch) }
        monitor.start()
        defer { monitor.cancel() }

        let always = pool("10.244.0.0/16", .ipip, .Always)
        let h = Harness(ns, config: config([always], standIn: true))
        try h.on { a in
            try a.start()
            a.setRoute(bp("10.244.2.0/26"), nextHops: [ba("192.168.77.2")])   // same subnet as eth0
            a.setRoute(bp("10.244.3.0/26"), nextHops: [ba("10.9.9.9")])       // elsewhere
        }
        defer { h.on { $0.stop() } }
        #expect(try eventually { try kernelText(ns).contains("10.244.2.0/26 via 192.168.77.2 dev tunl0 onlink")
            && kernelText(ns).contains("10.244.3.0/26 via 10.9.9.9 dev tunl0 onlink") }, "\(shown(ns))")
        let tunl0 = try #require(try ns.socket.link(named: "tunl0"))
        #expect(tunl0.mtu == 1480 && tunl0.isUp)
        #expect(try ns.socket.addresses().contains { $0.interfaceIndex == tunl0.index && $0.prefix == ka("10.244.1.0/32") })
        let status = h.on { $0.overlayStatus }
        #expect(status.pools.first?.problem == nil && status.workloadMTU == 1480)
        #expect(status.devices.first.map { "\($0.name) \($0.mtu ?? 0) \($0.state)" } == "tunl0 1480 up")

        // CrossSubnet, switched in place: the same-subnet next hop goes plain through eth0.
        let cross = pool("10.244.0.0/16", .ipip, .CrossSubnet)
        var o = h.agent.config.overlay
        o.pools = [cross]
        h.on { $0.setOverlay(o) }
        #expect(try eventually { try kernelText(ns).split(separator: "\n").contains {
            $0.hasPrefix("10.244.2.0/26 via 192.168.77.2 dev eth0") && !$0.contains("onlink") } }, "\(shown(ns))")
        #expect(try kernelText(ns).contains("10.244.3.0/26 via 10.9.9.9 dev tunl0 onlink"))
        // And back to Always.
        o.pools = [always]
        h.on { $0.setOverlay(o) }
        #expect(try eventually { try kernelText(ns).contains("10.244.2.0/26 via 192.168.77.2 dev tunl0 onlink") }, "\(shown(ns))")
        usleep(200_000)
        #expect(deletions.all.isEmpty, "make-before-break: routes replaced, never deleted: \(deletions.all)")
    }

    @Test func ipipOnThisKernelIsReportedWhileVXLANWorks() throws {
        let (supported, probeError) = Self.ipipSupported()
        let ns = try NodeNamespace()
        defer { ns.remove() }
        let pools = [pool("10.244.0.0/16", .ipip, .Always),
                     pool("10.245.0.0/16", .vxlan, .Always)]
        let h = Harness(ns, config: config(pools, retry: 0.2))
        try h.on { a in
            try a.start()
            a.setLocalBlocks([bp("10.244.1.0/26"), bp("10.245.1.0/26")])
            a.setRoute(bp("10.244.2.0/26"), nextHops: [ba("192.168.77.2")])
            a.setRoute(bp("10.245.2.0/26"), nextHops: [ba("192.168.77.2")])
        }
        defer { h.on { $0.stop() } }
        #expect(try eventually { try kernelText(ns).contains("10.245.2.0/26 via 192.168.77.2 dev vxlan.tern onlink") }, "\(shown(ns))")
        #expect(try kernelText(ns).contains("blackhole 10.244.1.0/26"), "the IPIP pool's own block is still blackholed")
        if supported {
            #expect(try eventually { try kernelText(ns).contains("10.244.2.0/26 via 192.168.77.2 dev tunl0 onlink") })
            return
        }
        #expect(probeError.contains("Unknown device type"), "\(probeError)")
        let message = "IPIP requested for pool 10.244.0.0/16 but this kernel has no ipip support (CONFIG_NET_IPIP)"
        let status = h.on { $0.overlayStatus }
        #expect(status.pools.map(\.problem) == [message, nil])
        #expect(status.devices.map { "\($0.name): \($0.state)" }
                == ["tunl0: this kernel has no ipip support (CONFIG_NET_IPIP)", "vxlan.tern: up"])
        #expect(!(try kernelText(ns)).contains("10.244.2.0/26"), "no route for the IPIP pool's remote block")
        let fib = h.fib("10.244.2.0/26")
        #expect(fib?.state == .pending && fib?.detail == "waiting: \(message)", "\(String(describing: fib))")
        // Retried every 0.2 s; logged once, not at every retry.
        usleep(1_200_000)
        let errors = h.log.all.filter { $0.hasPrefix("error:") && $0.contains(message) }
        #expect(errors.count == 1, "\(h.log.all)")
        #expect(try kernelText(ns).contains("10.245.2.0/26 via 192.168.77.2 dev vxlan.tern onlink"))
    }

    @Test func vxlanSwitchedOnAndOffInPlace() throws {
        let ns = try NodeNamespace()
        defer { ns.remove() }
        let deletions = Deletions()
        let watch: Set<IPPrefix> = [kp("10.245.2.0/26")]
        let monitor = try NetlinkMonitor(namespace: ns.name, queue: DispatchQueue(label: "watch")) { deletions.add($0, watch) }
        monitor.start()
        defer { monitor.cancel() }
        let plain = pool("10.245.0.0/16")
        let h = Harness(ns, config: config([plain]))
        try h.on { a in
            try a.start()
            a.setRoute(bp("10.245.2.0/26"), nextHops: [ba("192.168.77.2")])
        }
        defer { h.on { $0.stop() } }
        #expect(try eventually { try kernelText(ns).contains("10.245.2.0/26 via 192.168.77.2 dev eth0") }, "\(shown(ns))")
        #expect(try ns.socket.link(named: "vxlan.tern") == nil)

        var o = h.agent.config.overlay
        o.pools = [pool("10.245.0.0/16", .vxlan, .Always)]
        h.on { $0.setOverlay(o) }
        #expect(try eventually { try kernelText(ns).contains("10.245.2.0/26 via 192.168.77.2 dev vxlan.tern onlink") }, "\(shown(ns))")
        let vx = try #require(try ns.socket.link(named: "vxlan.tern"))
        #expect(vx.vxlan == VXLANInfo(vni: 4096, port: 4789, local: ka("192.168.77.1"),
                                      underlayIndex: try ns.socket.link(named: "eth0")?.index, learning: false))
        #expect(vx.mtu == 1450 && vx.address == HardwareAddress("02:74:c0:a8:4d:01") && vx.isUp)
        let remoteMAC = HardwareAddress("02:74:c0:a8:4d:02")
        let neigh = try ns.socket.neighbours(family: .v4).first { $0.interfaceIndex == vx.index && $0.ip == ka("192.168.77.2") }
        #expect(neigh?.lladdr == remoteMAC && neigh?.state.contains(.permanent) == true)
        let fdb = try ns.socket.neighbours(family: .bridge).first { $0.interfaceIndex == vx.index && $0.lladdr == remoteMAC }
        #expect(fdb?.ip == ka("192.168.77.2") && fdb?.state.contains(.permanent) == true)

        // A new remote node: its neighbour and FDB entry come with (before) its route.
        h.on { $0.setRoute(bp("10.245.3.0/26"), nextHops: [ba("10.9.9.3")]) }
        #expect(try eventually { try kernelText(ns).contains("10.245.3.0/26 via 10.9.9.3 dev vxlan.tern onlink") })
        #expect(try ns.socket.neighbours(family: .bridge).contains { $0.lladdr == HardwareAddress("02:74:0a:09:09:03") && $0.ip == ka("10.9.9.3") })

        // That node goes: its neighbour and FDB entry go after its route.
        h.on { $0.setRoute(bp("10.245.3.0/26"), nextHops: []) }
        #expect(try eventually { try !ns.socket.neighbours(family: .bridge).contains { $0.ip == ka("10.9.9.3") }
            && !ns.socket.neighbours(family: .v4).contains { $0.ip == ka("10.9.9.3") } })
        #expect(try ns.socket.neighbours(family: .bridge).contains { $0.ip == ka("192.168.77.2") })

        o.pools = [plain]
        h.on { $0.setOverlay(o) }
        #expect(try eventually { try kernelText(ns).contains("10.245.2.0/26 via 192.168.77.2 dev eth0")
            && ns.socket.link(named: "vxlan.tern") == nil }, "\(shown(ns))")
        usleep(200_000)
        #expect(deletions.all.isEmpty, "make-before-break: replaced, never deleted: \(deletions.all)")
    }

    /// No tunl0 and no ipip: reported; when a tunl0 appears (here the stand-in, as after
    /// `modprobe ipip`) the waiting routes are installed and the problem is resolved.
    @Test(.enabled(if: !ipipSupported().0, "the kernel has ipip: creation succeeds, nothing to recover from"))
    func recoversWhenTunl0Appears() throws {
        let ns = try NodeNamespace()
        defer { ns.remove() }
        let h = Harness(ns, config: config([pool("10.244.0.0/16", .ipip, .Always)],
                                           standIn: true, retry: 0.3))
        try h.on { a in
            try a.start()
            a.setRoute(bp("10.244.2.0/26"), nextHops: [ba("192.168.77.2")])
        }
        defer { h.on { $0.stop() } }
        let message = "IPIP requested for pool 10.244.0.0/16 but this kernel has no ipip support (CONFIG_NET_IPIP)"
        #expect(eventually { h.on { $0.overlayStatus }.pools.first?.problem == message })
        #expect(!(try kernelText(ns)).contains("10.244.2.0/26"))

        try must("ip", "-n", ns.name, "link", "add", "tunl0", "type", "veth", "peer", "name", "tunl0p")
        try must("ip", "-n", ns.name, "link", "set", "tunl0p", "up")
        #expect(try eventually { try kernelText(ns).contains("10.244.2.0/26 via 192.168.77.2 dev tunl0 onlink") }, "\(shown(ns))")
        #expect(h.on { $0.overlayStatus }.pools.first?.problem == nil)
        #expect(h.log.all.contains { $0.hasPrefix("info:") && $0.contains("resolved: \(message)") }, "\(h.log.all)")
        #expect(h.log.all.filter { $0.hasPrefix("error:") && $0.contains(message) }.count == 1)
    }
}
