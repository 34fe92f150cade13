import IPCore
import Model
import Testing
@testable import Dataplane
@testable import Netlink

/// The overlay's pure half: underlay, devices, and how each remote route is built.
@Suite struct OverlayPlanTests {
    let links: [String: Link] = [
        "eth0": Link(index: 2, name: "eth0", kind: "veth", flags: upFlags, mtu: 1500),
        "tunl0": Link(index: 5, name: "tunl0", kind: "ipip", flags: upFlags, mtu: 1480),
        "vxlan.tern": Link(index: 6, name: "vxlan.tern", kind: "vxlan", flags: upFlags, mtu: 1450),
    ]
    let addresses = [Address(interfaceIndex: 2, prefix: ka("192.168.1.1/24")),
                     Address(interfaceIndex: 2, prefix: ka("172.16.0.9/16"))]

    func overlay(_ pools: [IPPool], node: String = "192.168.1.1") -> OverlayConfig {
        OverlayConfig(pools: pools, nodeAddress: IPv4Address(node)!,
                      tunnelAddresses: [.ipip: IPv4Address("10.244.1.0")!, .vxlan: IPv4Address("10.245.1.0")!])
    }

    func plan(_ pools: [IPPool], ready: [TunnelKind: Int32] = [.ipip: 5, .vxlan: 6]) -> OverlayPlan {
        var p = OverlayPlan.compute(config: overlay(pools), links: links, addresses: addresses)
        p.ready = ready
        return p
    }

    func route(_ plan: OverlayPlan, _ prefix: String, _ hops: [String]) -> DesiredState {
        DesiredState.compute(config: testConfig, workloads: [], links: links, localBlocks: [],
                             bgpRoutes: [bp(prefix): hops.map(ba)], overlay: plan)
    }

    let ipipAlways = pool("10.244.0.0/16", .ipip, .Always)
    let ipipCross = pool("10.244.0.0/16", .ipip, .CrossSubnet)
    let vxlanAlways = pool("10.245.0.0/16", .vxlan, .Always)
    let plain = pool("10.246.0.0/16")

    @Test func underlayDevicesAndMTUs() {
        let p = plan([ipipAlways, vxlanAlways])
        #expect(p.underlay == Underlay(name: "eth0", index: 2, mtu: 1500, address: IPv4Address("192.168.1.1")!,
                                       subnets: [kp("192.168.1.0/24"), kp("172.16.0.0/16")]))
        #expect(p.devices[.ipip]?.mtu == 1480 && p.devices[.ipip]?.address == IPv4Address("10.244.1.0"))
        let vx = p.devices[.vxlan]
        #expect(vx?.mtu == 1450 && vx?.vni == 4096 && vx?.port == 4789 && vx?.underlayIndex == 2)
        #expect(vx?.local == IPv4Address("192.168.1.1") && vx?.mac == HardwareAddress("02:74:c0:a8:01:01"))
        #expect(p.workloadMTU == 1450)  // the smallest tunnel MTU
        // Configured MTUs win; without tunnels the workload MTU is the underlay's.
        var c = overlay([ipipAlways])
        c.ipipMTU = 1400
        #expect(OverlayPlan.compute(config: c, links: links, addresses: addresses).devices[.ipip]?.mtu == 1400)
        #expect(OverlayPlan.compute(config: overlay([plain]), links: links, addresses: addresses).devices.isEmpty)
        #expect(OverlayPlan.compute(config: overlay([plain]), links: links, addresses: addresses).workloadMTU == 1500)
        // No tunnels and no underlay: no MTU to give, and no error (nothing needs it).
        let lost = OverlayPlan.compute(config: overlay([plain], node: "192.168.9.9"), links: links, addresses: addresses)
        #expect(lost.workloadMTU == nil && lost.underlayError == nil)
    }

    @Test func underlayErrorsAreSpecific() {
        let none = OverlayPlan.compute(config: overlay([vxlanAlways], node: "192.168.9.9"), links: links, addresses: addresses)
        #expect(none.underlay == nil)
        #expect(none.underlayError == "no interface has this node's address 192.168.9.9; set dataplane.underlayInterface")
        #expect(none.problem(for: vxlanAlways) == "VXLAN requested for pool 10.245.0.0/16 but no interface has this node's address 192.168.9.9; set dataplane.underlayInterface")
        var named = overlay([vxlanAlways])
        named.underlayInterface = "bond0"
        #expect(OverlayPlan.compute(config: named, links: links, addresses: addresses).underlayError
                == "underlay interface bond0 (dataplane.underlayInterface) not found")
    }

    @Test func vtepMACIsDerivedFromTheNodeAddress() {
        #expect(vtepMAC(for: IPv4Address("10.0.2.2")!) == HardwareAddress("02:74:0a:00:02:02"))
        // Locally administered (bit 1), unicast (bit 0 clear).
        #expect(vtepMAC(for: IPv4Address("255.255.255.255")!).bytes[0] & 0b11 == 0b10)
    }

    @Test func ipipAlwaysIsOnlinkThroughTunl0() {
        let s = route(plan([ipipAlways]), "10.244.2.0/26", ["192.168.1.2"])
        let r = s.routes[kp("10.244.2.0/26")]?.route
        #expect(r?.gateway == ka("192.168.1.2") && r?.outputInterface == 5 && r?.flags == .onlink)
        #expect(r.map { RouteReconciler.describe($0) } == "10.244.2.0/26 via 192.168.1.2 dev if5 onlink proto 199")
        #expect(s.vteps.isEmpty)
    }

    @Test func crossSubnetEncapsulatesOnlyOutsideTheUnderlaySubnets() {
        let p = plan([ipipCross])
        let same = route(p, "10.244.2.0/26", ["192.168.1.2"]).routes[kp("10.244.2.0/26")]?.route
        #expect(same?.gateway == ka("192.168.1.2") && same?.outputInterface == 2 && same?.flags == [])
        let other = route(p, "10.244.3.0/26", ["192.168.7.3"]).routes[kp("10.244.3.0/26")]?.route
        #expect(other?.gateway == ka("192.168.7.3") && other?.outputInterface == 5 && other?.flags == .onlink)
        let second = route(p, "10.244.4.0/26", ["172.16.3.3"]).routes[kp("10.244.4.0/26")]?.route
        #expect(second?.outputInterface == 2, "a next hop in the interface's second subnet is on-link too")
        // ECMP across both kinds: one plain next hop, one tunnelled.
        let mixed = route(p, "10.244.5.0/26", ["192.168.1.2", "192.168.7.3"]).routes[kp("10.244.5.0/26")]?.route
        #expect(mixed?.nextHops == [NextHop(gateway: ka("192.168.1.2"), interfaceIndex: 2),
                                    NextHop(gateway: ka("192.168.7.3"), interfaceIndex: 5, flags: .onlink)])
    }

    @Test func vxlanRoutesNameTheirVTEPs() {
        let s = route(plan([vxlanAlways]), "10.245.2.0/26", ["192.168.7.2"])
        let r = s.routes[kp("10.245.2.0/26")]?.route
        #expect(r?.gateway == ka("192.168.7.2") && r?.outputInterface == 6 && r?.flags == .onlink)
        #expect(s.vteps == [ka("192.168.7.2")])
    }

    @Test func otherPoolsAndPrefixesOutsidePoolsArePlain() {
        let p = plan([ipipAlways, plain])
        for prefix in ["10.246.2.0/26", "10.99.0.0/24"] {
            let r = route(p, prefix, ["192.168.1.2"]).routes[kp(prefix)]?.route
            #expect(r?.gateway == ka("192.168.1.2") && r?.outputInterface == nil && r?.flags == [])
        }
    }

    @Test func aMissingTunnelMakesItsPoolWaitAndKeepsWhatIsInstalled() {
        var p = plan([ipipAlways, vxlanAlways], ready: [.vxlan: 6])
        p.deviceErrors[.ipip] = "this kernel has no ipip support (CONFIG_NET_IPIP)"
        let s = route(p, "10.244.2.0/26", ["192.168.1.2"])
        let w = s.waiting[kp("10.244.2.0/26")]
        #expect(w?.reason == "IPIP requested for pool 10.244.0.0/16 but this kernel has no ipip support (CONFIG_NET_IPIP)")
        #expect(w?.keepInstalled == true)
        #expect(p.problem(for: vxlanAlways) == nil)
        #expect(route(p, "10.245.2.0/26", ["192.168.7.2"]).routes[kp("10.245.2.0/26")] != nil)

        // The reconciler keeps our route for a waiting prefix (make-before-break) ...
        let old = Route(destination: kp("10.244.2.0/26"), table: 254, proto: 199, type: .unicast, gateway: ka("192.168.1.2"))
        let keep = RouteReconciler(routeProtocol: 199, table: 254).plan(desired: s, kernel: [old], staleRemovalAllowed: true)
        #expect(keep.operations.isEmpty)
        #expect(keep.fib.first?.detail?.contains("the previous route stays until then") == true)
        // ... but not for a prefix that waits for another reason.
        var gone = DesiredState()
        gone.waiting[kp("10.244.2.0/26")] = WaitingRoute(source: .bgp, reason: "no next hop")
        #expect(RouteReconciler(routeProtocol: 199, table: 254).plan(desired: gone, kernel: [old], staleRemovalAllowed: true)
            .operations == [.delete(old)])
    }

    @Test func switchingEncapsulationReplacesTheRoute() {
        // The kernel reports the device of a plain `via` route; a tunnel route names its
        // device and onlink: each direction must be a replace, not "already installed".
        let plainKernel = Route(destination: kp("10.245.2.0/26"), table: 254, proto: 199, type: .unicast,
                                outputInterface: 2, gateway: ka("192.168.1.2"))
        let tunnel = route(plan([vxlanAlways]), "10.245.2.0/26", ["192.168.1.2"])
        let rec = RouteReconciler(routeProtocol: 199, table: 254)
        let toTunnel = rec.plan(desired: tunnel, kernel: [plainKernel], staleRemovalAllowed: true).operations
        #expect(toTunnel.count == 1 && toTunnel.first.map { if case .replace = $0 { true } else { false } } == true)
        let tunnelKernel = tunnel.routes[kp("10.245.2.0/26")]!.route
        #expect(RouteReconciler.matches(tunnelKernel, tunnelKernel))
        let back = route(plan([]), "10.245.2.0/26", ["192.168.1.2"])
        // A plain want names no device (the kernel picks it) but is never onlink: the tunnel route is replaced.
        #expect(!RouteReconciler.matches(back.routes[kp("10.245.2.0/26")]!.route, tunnelKernel))
        #expect(RouteReconciler.matches(back.routes[kp("10.245.2.0/26")]!.route, plainKernel))
        var notOnlink = tunnelKernel
        notOnlink.flags = []
        #expect(!RouteReconciler.matches(tunnelKernel, notOnlink))
        var otherDev = tunnelKernel
        otherDev.outputInterface = 2
        #expect(!RouteReconciler.matches(tunnelKernel, otherDev))
    }
}
