import Dispatch
import Foundation
import Testing
@testable import Netlink

@Suite(.enabled(if: runningAsRoot, "\(needsRoot)"))
struct BatchAndMonitorTests {
    @Test func batchOfTenThousandWithOneBadRoute() throws {
        let ns = try TestNamespace()
        defer { ns.remove() }
        let sock = try NetlinkSocket(namespace: ns.name)
        let pair = try VethPair(sock, "t0", "t0p")
        let bad = 5000
        var requests = (0..<10_000).map { i in
            RouteMessage.new(Route(destination: host32(i), proto: ourProto, scope: .link, outputInterface: pair.a.index), replace: true)
        }
        requests[bad] = RouteMessage.new(Route(destination: host32(bad), proto: ourProto, scope: .link, outputInterface: 9999), replace: true)
        let results = sock.apply(requests)
        #expect(results.count == requests.count)
        let failures = results.enumerated().compactMap { i, r -> (Int, NetlinkError)? in
            if case .failure(let e) = r { return (i, e) } else { return nil }
        }
        #expect(failures.map(\.0) == [bad])
        if let (_, e) = failures.first {
            #expect(e.name == "ENODEV")
            #expect(e.operation.contains("\(host32(bad)) dev 9999"))
            #expect(e.sequence != nil)
        }
        let installed = try sock.routes(family: .v4).filter { $0.proto == ourProto }
        #expect(installed.count == 9_999)
        #expect(!installed.contains { $0.destination == host32(bad) })

        // Without per-message ACKs only errors come back: delete all, one of them twice.
        var deletes = (0..<10_000).filter { $0 != bad }.map {
            RouteMessage.delete(Route(destination: host32($0), proto: ourProto))
        }
        deletes.insert(RouteMessage.delete(Route(destination: host32(bad), proto: ourProto)), at: 1234)
        let delResults = sock.apply(deletes, acknowledge: false)
        let delFailures = delResults.enumerated().filter { if case .failure = $0.element { true } else { false } }.map(\.offset)
        #expect(delFailures == [1234])
        if case .failure(let e) = delResults[1234] { #expect(e.name == "ESRCH") }
        #expect(try sock.routes(family: .v4).filter { $0.proto == ourProto }.isEmpty)
    }

    @Test func monitorSeesExternalRouteDeleteAndLinkRemoval() throws {
        let ns = try TestNamespace()
        defer { ns.remove() }
        let sock = try NetlinkSocket(namespace: ns.name)
        let pair = try VethPair(sock, "t0", "t0p")
        let log = EventLog()
        let queue = DispatchQueue(label: "netlink-monitor-test")
        let monitor = try NetlinkMonitor(namespace: ns.name, queue: queue) { log.append($0) }
        monitor.start()
        defer { monitor.cancel() }

        let route = Route(destination: pfx("10.244.9.0/26"), proto: ourProto, scope: .link, outputInterface: pair.a.index)
        try sock.perform(RouteMessage.new(route))
        #expect(log.wait { if case .routeAdded(let r) = $0 { r.destination == route.destination && r.proto == ourProto } else { false } })

        let del = try run("ip", "-n", ns.name, "route", "del", "10.244.9.0/26")
        #expect(del.status == 0, "\(del.output)")
        #expect(log.wait { if case .routeRemoved(let r) = $0 { r.destination == route.destination && r.proto == ourProto } else { false } },
                "events: \(log.all)")

        let ldel = try run("ip", "-n", ns.name, "link", "del", "t0")
        #expect(ldel.status == 0, "\(ldel.output)")
        #expect(log.wait { if case .linkRemoved(let l) = $0 { l.name == "t0" && l.index == pair.a.index } else { false } },
                "events: \(log.all)")
        #expect(!log.all.contains(.overrun))
    }

    @Test func monitorReportsNewLinkAndAddress() throws {
        let ns = try TestNamespace()
        defer { ns.remove() }
        let sock = try NetlinkSocket(namespace: ns.name)
        let log = EventLog()
        let monitor = try NetlinkMonitor(namespace: ns.name, queue: DispatchQueue(label: "m")) { log.append($0) }
        monitor.start()
        defer { monitor.cancel() }
        let pair = try VethPair(sock, "t0", "t0p")
        #expect(log.wait { if case .linkAdded(let l) = $0 { l.name == "t0" && l.kind == "veth" } else { false } }, "\(log.all)")
        #expect(log.wait { if case .linkChanged(let l) = $0 { l.name == "t0" && l.isUp } else { false } }, "\(log.all)")
        try sock.perform(AddressMessage.add(Address(interfaceIndex: pair.a.index, prefix: ifa("10.9.0.1/24"))))
        #expect(log.wait { if case .addressAdded(let a) = $0 { a.prefix == ifa("10.9.0.1/24") } else { false } }, "\(log.all)")
    }

    @Test func tinyReceiveBufferOverrunsAndBigOneDoesNot() throws {
        let ns = try TestNamespace()
        defer { ns.remove() }
        let sock = try NetlinkSocket(namespace: ns.name)
        let pair = try VethPair(sock, "t0", "t0p")
        let queue = DispatchQueue(label: "busy-agent")
        let small = EventLog()
        let big = EventLog()
        let tiny = try NetlinkMonitor(namespace: ns.name, receiveBufferSize: 1, queue: queue) { small.append($0) }
        let roomy = try NetlinkMonitor(namespace: ns.name, receiveBufferSize: 32 << 20, queue: queue) { big.append($0) }
        // Keep the agent's queue busy while the kernel emits 2000 route events.
        let gate = DispatchSemaphore(value: 0)
        queue.async { gate.wait() }
        tiny.start()
        roomy.start()
        defer { tiny.cancel(); roomy.cancel() }
        let n = 2000
        let results = sock.apply((0..<n).map {
            RouteMessage.new(Route(destination: host32($0), proto: ourProto, scope: .link, outputInterface: pair.a.index))
        })
        #expect(results.allSatisfy { if case .success = $0 { true } else { false } })
        gate.signal()
        #expect(small.wait { $0 == .overrun }, "tiny buffer (\(tiny.receiveBufferSize) bytes) never overran")
        // Wait for our route events themselves: other events (the veth's links and
        // addresses) also arrive, so counting every event could stop short of the last routes.
        func added() -> Int { big.all.filter { if case .routeAdded(let r) = $0 { r.proto == ourProto } else { false } }.count }
        #expect(big.wait { _ in added() >= n })
        #expect(added() == n)
        #expect(!big.all.contains(.overrun))
    }
}
