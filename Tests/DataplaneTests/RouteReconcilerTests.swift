import IPCore
import Model
import Netlink
import Testing
@testable import Dataplane

@Suite struct RouteReconcilerTests {
    let rec = RouteReconciler(routeProtocol: 199, table: 254)
    let links: [String: Link] = ["cali1": Link(index: 7, name: "cali1", flags: 1)]

    func desired(bgp: [IPPrefix: [IPAddress]] = [:], blocks: [IPPrefix] = [bp("10.244.1.0/26")]) -> DesiredState {
        DesiredState.compute(config: testConfig,
                             workloads: [workload(name: "pod-a", interface: "cali1", ipNetworks: [bp("10.244.1.5/32")])],
                             links: links, localBlocks: blocks, bgpRoutes: bgp)
    }

    /// The kernel's dump of our routes as it reports them (devices resolved, scope filled in).
    var kernelCopy: [Route] {
        [Route(destination: kp("10.244.1.5/32"), proto: 199, scope: .link, outputInterface: 7),
         Route(destination: kp("10.244.1.0/26"), proto: 199, type: .blackhole),
         Route(destination: kp("10.244.2.0/26"), proto: 199, outputInterface: 3, gateway: ka("192.168.77.2")),
         Route(destination: kp("10.244.3.0/26"), proto: 199, nextHops: [NextHop(gateway: ka("192.168.77.3"), interfaceIndex: 3),
                                                                    NextHop(gateway: ka("192.168.77.2"), interfaceIndex: 3)])]
    }
    let bgp: [IPPrefix: [IPAddress]] = [bp("10.244.2.0/26"): [ba("192.168.77.2")],
                                                        bp("10.244.3.0/26"): [ba("192.168.77.2"), ba("192.168.77.3")]]

    @Test func adoptsMatchingRoutesWithoutChurn() {
        let plan = rec.plan(desired: desired(bgp: bgp), kernel: kernelCopy, staleRemovalAllowed: false)
        #expect(plan.operations.isEmpty)
        #expect(plan.fib.map(\.state) == [.installed, .installed, .installed, .installed])
        #expect(plan.fib.map(\.prefix) == [bp("10.244.1.0/26"), bp("10.244.1.5/32"), bp("10.244.2.0/26"), bp("10.244.3.0/26")])
        let allowed = rec.plan(desired: desired(bgp: bgp), kernel: kernelCopy, staleRemovalAllowed: true)
        #expect(allowed.operations.isEmpty)
    }

    @Test func replacesChangedRoutes() {
        var kernel = kernelCopy
        kernel[0].outputInterface = 5  // interface re-created with another index
        kernel[2].gateway = ka("192.168.77.9")  // best path moved
        let d = desired(bgp: bgp)
        let plan = rec.plan(desired: d, kernel: kernel, staleRemovalAllowed: false)
        #expect(plan.operations == [.replace(d.routes[kp("10.244.1.5/32")]!.route), .replace(d.routes[kp("10.244.2.0/26")]!.route)])
        #expect(plan.fib.first { $0.prefix == bp("10.244.1.5/32") }?.state == .pending)
        #expect(plan.fib.first { $0.prefix == bp("10.244.1.5/32") }?.kernel == ["10.244.1.5/32 dev if5 proto 199 scope link"])
    }

    @Test func installsMissingRoutes() {
        let d = desired(bgp: bgp)
        let plan = rec.plan(desired: d, kernel: [], staleRemovalAllowed: false, interfaceNames: [7: "cali1"])
        #expect(plan.operations.count == 4)
        #expect(plan.fib.allSatisfy { $0.state == .pending })
        #expect(plan.fib.first { $0.prefix == bp("10.244.1.5/32") }?.desired == "10.244.1.5/32 dev cali1 proto 199 scope link")
    }

    @Test func deletesUnwantedOnlyWhenStaleRemovalAllowed() {
        let d = desired(bgp: [bp("10.244.2.0/26"): [ba("192.168.77.2")]])  // 10.244.3.0/26 withdrawn
        let kept = rec.plan(desired: d, kernel: kernelCopy, staleRemovalAllowed: false)
        #expect(kept.operations.isEmpty)
        #expect(kept.fib.first { $0.prefix == bp("10.244.3.0/26") }?.state == .stale)
        let removed = rec.plan(desired: d, kernel: kernelCopy, staleRemovalAllowed: true)
        #expect(removed.operations == [.delete(kernelCopy[3])])
        // The delete names only what identifies the route, with our protocol.
        let req = RouteMessage.delete(Route(destination: kp("10.244.3.0/26"), proto: 199))
        #expect(removed.operations[0].request == req)
        // A prefix this agent installed itself is withdrawn without waiting.
        let owned = rec.plan(desired: d, kernel: kernelCopy, staleRemovalAllowed: false, ownedThisRun: [kp("10.244.3.0/26")])
        #expect(owned.operations == [.delete(kernelCopy[3])])
    }

    @Test func otherProtocolsAreNeverTouchedAndReportedAsConflicts() {
        let theirs = [Route(destination: kp("10.244.1.0/26"), proto: 4, outputInterface: 2),  // static on our block
                      Route(destination: kp("10.9.0.0/16"), proto: 12, gateway: ka("192.168.77.254")),  // BIRD's, unrelated
                      Route(destination: kp("10.244.1.5/32"), table: 100, proto: 199, scope: .link, outputInterface: 7)]  // other table
        for allowed in [false, true] {
            let plan = rec.plan(desired: desired(), kernel: theirs, staleRemovalAllowed: allowed)
            #expect(plan.operations == [.replace(desired().routes[kp("10.244.1.5/32")]!.route)])
            #expect(plan.fib.first { $0.prefix == bp("10.244.1.0/26") }?.state == .conflict(otherProtocol: 4))
            #expect(!plan.fib.contains { $0.prefix == bp("10.9.0.0/16") })
        }
    }

    @Test func errorsAreShownAndRetriedWithoutBlockingOthers() {
        let d = desired(bgp: bgp)
        let failed = d.routes[kp("10.244.1.5/32")]!.route
        let failures = [kp("10.244.1.5/32"): RouteFailure(route: failed, reason: "ENODEV: interface cali1 not found")]
        let plan = rec.plan(desired: d, kernel: [], staleRemovalAllowed: false, failures: failures)
        #expect(plan.operations.count == 4)  // retried, and the others still go
        #expect(plan.fib.first { $0.prefix == bp("10.244.1.5/32") }?.state == .error("ENODEV: interface cali1 not found"))
        #expect(plan.fib.filter { $0.state == .pending }.count == 3)
        // A failure of an older form of the route no longer applies.
        var old = failed
        old.outputInterface = 99
        let stale = rec.plan(desired: d, kernel: [], staleRemovalAllowed: false,
                             failures: [kp("10.244.1.5/32"): RouteFailure(route: old, reason: "x")])
        #expect(stale.fib.first { $0.prefix == bp("10.244.1.5/32") }?.state == .pending)
    }

    @Test func waitingRoutesArePendingWithAReason() {
        let d = DesiredState.compute(config: testConfig,
                                     workloads: [workload(name: "pod-a", interface: "cali9", ipNetworks: [bp("10.244.1.9/32")])],
                                     links: links, localBlocks: [], bgpRoutes: [:])
        let plan = rec.plan(desired: d, kernel: [], staleRemovalAllowed: true)
        #expect(plan.operations.isEmpty)
        #expect(plan.fib.map(\.state) == [.pending])
        #expect(plan.fib.first?.detail == "waiting: interface cali9 not present")
    }

    @Test func matchesIgnoresWhatTheKernelFillsIn() {
        let want = Route(destination: kp("10.244.2.0/26"), proto: 199, gateway: ka("192.168.77.2"))
        var have = want
        have.outputInterface = 3
        have.flags = .linkDown
        #expect(RouteReconciler.matches(want, have))
        have.metric = 20
        #expect(!RouteReconciler.matches(want, have))
        let v6 = Route(destination: kp("fd00:2::/64"), proto: 199, gateway: ka("fd00::2"))
        var v6k = v6
        v6k.metric = 1024
        #expect(RouteReconciler.matches(v6, v6k))
    }
}
