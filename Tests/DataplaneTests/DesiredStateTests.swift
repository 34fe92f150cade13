import IPCore
import Model
import Netlink
import Testing
@testable import Dataplane

func bp(_ s: String) -> IPPrefix { IPPrefix(s)! }
func ba(_ s: String) -> IPAddress {
    if let a = IPv4Address(s) { return .v4(a) }
    return .v6(IPv6Address(s)!)
}
func kp(_ s: String) -> IPPrefix { IPPrefix(s)! }
func ka(_ s: String) -> InterfaceAddress { InterfaceAddress(s)! }
func ka(_ s: String) -> IPAddress { IPAddress(s)! }

let upFlags: UInt32 = 1
let testConfig = DataplaneConfig(routeProtocol: 199, routeTable: 254)

@Suite struct DesiredStateTests {
    let links: [String: Link] = [
        "cali1": Link(index: 7, name: "cali1", flags: upFlags),
        "cali2": Link(index: 8, name: "cali2", flags: upFlags),
        "cali3": Link(index: 9, name: "cali3", flags: 0),
    ]

    @Test func workloadRoutesAndNeighbours() {
        let w = [workload(name: "pod-a", interface: "cali1", ipNetworks: [bp("10.244.1.5/32"), bp("fd00:1::5/128")],
                          mac: [0xee, 0xee, 0xee, 0xee, 0xee, 0x05]),
                 workload(name: "pod-b", interface: "cali2", ipNetworks: [bp("10.244.1.6/32")])]
        let s = DesiredState.compute(config: testConfig, workloads: w, links: links, localBlocks: [], bgpRoutes: [:])
        let r = s.routes[kp("10.244.1.5/32")]
        #expect(r?.route == Route(destination: kp("10.244.1.5/32"), table: 254, proto: 199, scope: .link, type: .unicast, outputInterface: 7))
        #expect(r?.source == .workload("pod-a"))
        #expect(s.routes[kp("fd00:1::5/128")]?.route.outputInterface == 7)
        #expect(s.routes[kp("10.244.1.6/32")]?.route.outputInterface == 8)
        #expect(s.routes.count == 3)
        #expect(Set(s.neighbours.map { $0.ip! }) == [ka("10.244.1.5"), ka("fd00:1::5")])
        #expect(s.neighbours.allSatisfy { $0.interfaceIndex == 7 && $0.state == .permanent && $0.lladdr?.bytes == [0xee, 0xee, 0xee, 0xee, 0xee, 0x05] })
        #expect(s.workloadInterfaces == ["cali1": 7, "cali2": 8])
    }

    @Test func vanishedOrDownInterfaceLeavesTheDesiredState() {
        let w = [workload(name: "gone", interface: "cali9", ipNetworks: [bp("10.244.1.9/32")], mac: [2, 0, 0, 0, 0, 9]),
                 workload(name: "down", interface: "cali3", ipNetworks: [bp("10.244.1.3/32")])]
        let s = DesiredState.compute(config: testConfig, workloads: w, links: links, localBlocks: [], bgpRoutes: [:])
        #expect(s.routes.isEmpty)
        #expect(s.neighbours.isEmpty)
        #expect(s.waiting[kp("10.244.1.9/32")]?.reason == "interface cali9 not present")
        #expect(s.waiting[kp("10.244.1.3/32")]?.reason == "interface cali3 is down")
        // Back under the same name with a new index: the route follows it.
        var back = links
        back["cali9"] = Link(index: 42, name: "cali9", flags: upFlags)
        let s2 = DesiredState.compute(config: testConfig, workloads: w, links: back, localBlocks: [], bgpRoutes: [:])
        #expect(s2.routes[kp("10.244.1.9/32")]?.route.outputInterface == 42)
        #expect(s2.waiting[kp("10.244.1.9/32")] == nil)
    }

    @Test func blocksAreBlackholes() {
        let s = DesiredState.compute(config: DataplaneConfig(routeProtocol: 201, routeTable: 1000), workloads: [], links: links,
                                     localBlocks: [bp("10.244.1.0/26")], bgpRoutes: [:])
        #expect(s.routes[kp("10.244.1.0/26")]?.route == Route(destination: kp("10.244.1.0/26"), table: 1000, proto: 201, type: .blackhole))
        #expect(s.routes[kp("10.244.1.0/26")]?.source == .localBlock)
    }

    @Test func bgpRoutesAndECMP() {
        let s = DesiredState.compute(config: testConfig, workloads: [], links: links, localBlocks: [], bgpRoutes: [
            bp("10.244.2.0/26"): [ba("192.168.77.2")],
            bp("10.244.3.0/26"): [ba("192.168.77.3"), ba("192.168.77.2"), ba("192.168.77.3")],
            bp("10.244.4.0/26"): [ba("2001:db8::1")],
        ])
        let single = s.routes[kp("10.244.2.0/26")]?.route
        #expect(single?.gateway == ka("192.168.77.2") && single?.nextHops.isEmpty == true && single?.proto == 199)
        let ecmp = s.routes[kp("10.244.3.0/26")]?.route
        #expect(ecmp?.gateway == nil)
        #expect(ecmp?.nextHops.map(\.gateway) == [ka("192.168.77.2"), ka("192.168.77.3")])
        #expect(s.routes[kp("10.244.4.0/26")] == nil)
        #expect(s.waiting[kp("10.244.4.0/26")]?.reason.contains("family") == true)
    }

    @Test func precedenceWorkloadThenBlockThenBGP() {
        let w = [workload(name: "pod-a", interface: "cali1", ipNetworks: [bp("10.244.1.5/32")]),
                 workload(name: "pod-z", interface: "cali2", ipNetworks: [bp("10.244.1.5/32")])]
        let s = DesiredState.compute(config: testConfig, workloads: w, links: links, localBlocks: [bp("10.244.1.0/26")],
                                     bgpRoutes: [bp("10.244.1.5/32"): [ba("192.168.77.2")], bp("10.244.1.0/26"): [ba("192.168.77.2")]])
        #expect(s.routes[kp("10.244.1.5/32")]?.source == .workload("pod-a"))
        #expect(s.routes[kp("10.244.1.0/26")]?.source == .localBlock)
        #expect(s.shadowed.count == 3)
    }
}
