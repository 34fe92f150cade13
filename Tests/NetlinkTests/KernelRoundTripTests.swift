import Foundation
import Testing
@testable import Netlink

@Suite(.enabled(if: runningAsRoot, "\(needsRoot)"))
struct KernelRoundTripTests {
    @Test func socketIsInsideTheNamespace() throws {
        let ns = try TestNamespace()
        defer { ns.remove() }
        let sock = try NetlinkSocket(namespace: ns.name)
        // A fresh namespace has only lo; the host's links must not show up.
        #expect(try sock.links().map(\.name) == ["lo"])
        let pair = try VethPair(sock, "t0", "t0p")
        #expect(pair.a.kind == "veth")
        let seen = try sock.link(named: "t0")
        #expect(seen?.isUp == true)
        #expect(seen?.mtu == 1500)
        #expect(seen?.address?.bytes.count == 6)
        // The host namespace does not see t0.
        let hostSock = try NetlinkSocket()
        let mac = try #require(seen?.address)
        #expect(try hostSock.links().contains { $0.address == mac } == false)
    }

    @Test func addressesRoutesReplaceDeleteAndErrors() throws {
        let ns = try TestNamespace()
        defer { ns.remove() }
        let sock = try NetlinkSocket(namespace: ns.name)
        let pair = try VethPair(sock, "t0", "t0p")
        let t0 = pair.a.index
        try sock.perform(AddressMessage.add(Address(interfaceIndex: t0, prefix: ifa("10.9.0.1/24"))))
        try sock.perform(AddressMessage.add(Address(interfaceIndex: t0, prefix: ifa("2001:db8:9::1/64"), flags: 0x02 /* IFA_F_NODAD */)))
        let addrs = try sock.addresses().filter { $0.interfaceIndex == t0 }.map(\.prefix)
        #expect(addrs.contains(ifa("10.9.0.1/24")))
        #expect(addrs.contains(ifa("2001:db8:9::1/64")))

        let wanted: [Route] = [
            Route(destination: pfx("10.244.1.5/32"), proto: ourProto, scope: .link, outputInterface: t0),
            Route(destination: pfx("10.244.2.0/26"), proto: ourProto, outputInterface: t0, gateway: ip("10.9.0.2")),
            Route(destination: pfx("10.244.3.0/26"), proto: ourProto, type: .blackhole),
            Route(destination: pfx("10.244.4.0/26"), proto: ourProto, outputInterface: t0, gateway: ip("10.99.0.1"), flags: .onlink),
            Route(destination: pfx("10.244.5.0/26"), proto: ourProto, nextHops: [
                NextHop(gateway: ip("10.9.0.2"), interfaceIndex: t0),
                NextHop(gateway: ip("10.9.0.3"), interfaceIndex: t0, flags: .onlink),
            ]),
            Route(destination: pfx("10.244.6.0/26"), table: 1000, proto: ourProto, metric: 100, outputInterface: t0, gateway: ip("10.9.0.2")),
            Route(destination: pfx("2001:db8:44::/64"), proto: ourProto, metric: 1024, outputInterface: t0, gateway: ip("2001:db8:9::2")),
        ]
        for r in wanted { try sock.perform(RouteMessage.new(r)) }

        let ours = try sock.routes().filter { $0.proto == ourProto }
        for w in wanted {
            let got = ours.first { $0.destination == w.destination }
            #expect(got != nil, "\(w) missing from dump")
            guard let got else { continue }
            #expect(got.type == w.type)
            #expect(got.table == w.table)
            #expect(got.gateway == w.gateway)
            #expect(got.outputInterface == w.outputInterface)
            #expect(got.flags.contains(.onlink) == w.flags.contains(.onlink))
            if let m = w.metric { #expect(got.metric == m) }
            if w.family == .v4 { #expect(got.scope == w.scope) }
            #expect(got.nextHops.map(\.gateway) == w.nextHops.map(\.gateway))
            #expect(got.nextHops.map(\.interfaceIndex) == w.nextHops.map(\.interfaceIndex))
            #expect(got.nextHops.map { $0.flags.contains(.onlink) } == w.nextHops.map { $0.flags.contains(.onlink) })
        }
        #expect(ours.count == wanted.count, "\(ours)")

        // Duplicate add without replace -> EEXIST, named.
        do {
            try sock.perform(RouteMessage.new(wanted[2]))
            Issue.record("duplicate add succeeded")
        } catch let e as NetlinkError {
            #expect(e.name == "EEXIST")
            #expect(e.description.contains("add route blackhole 10.244.3.0/26"))
        }
        // Replace moves the /32 to the peer device.
        var moved = wanted[0]
        moved.outputInterface = pair.b.index
        try sock.perform(RouteMessage.new(moved, replace: true))
        #expect(try sock.routes(family: .v4).first { $0.destination == moved.destination }?.outputInterface == pair.b.index)

        // Missing ifindex -> ENODEV with the operation.
        do {
            try sock.perform(RouteMessage.new(Route(destination: pfx("10.244.7.0/26"), proto: ourProto, scope: .link, outputInterface: 9999)))
            Issue.record("route to ifindex 9999 succeeded")
        } catch let e as NetlinkError {
            #expect(e.name == "ENODEV")
            #expect(e.operation.contains("10.244.7.0/26 dev 9999"))
        }
        // Unreachable gateway without onlink -> ENETUNREACH, with the kernel's extended ACK text.
        do {
            try sock.perform(RouteMessage.new(Route(destination: pfx("10.244.8.0/26"), proto: ourProto, outputInterface: t0, gateway: ip("10.50.0.1"))))
            Issue.record("route via an off-link gateway succeeded")
        } catch let e as NetlinkError {
            #expect(e.name == "ENETUNREACH")
            if sock.extendedAcks { #expect(e.kernelMessage?.isEmpty == false, "\(e)") }
        }

        // Delete, then the delete again -> ESRCH.
        try sock.perform(RouteMessage.delete(wanted[1]))
        #expect(try sock.routes().contains { $0.destination == wanted[1].destination } == false)
        #expect(throws: NetlinkError.self) { try sock.perform(RouteMessage.delete(wanted[1])) }
        do { try sock.perform(RouteMessage.delete(wanted[1])) } catch let e as NetlinkError { #expect(e.name == "ESRCH") }
        // A delete restricted to another protocol does not touch ours.
        var foreign = wanted[2]
        foreign.proto = .static
        #expect(throws: NetlinkError.self) { try sock.perform(RouteMessage.delete(foreign)) }
        #expect(try sock.routes().contains { $0.destination == wanted[2].destination })
    }

    @Test func neighbourAndLinkLifecycle() throws {
        let ns = try TestNamespace()
        defer { ns.remove() }
        let sock = try NetlinkSocket(namespace: ns.name)
        let pair = try VethPair(sock, "t0", "t0p")
        let n = Neighbour(interfaceIndex: pair.a.index, ip: ip("10.9.0.7"), lladdr: HardwareAddress("ee:ee:ee:ee:ee:ee"))
        try sock.perform(NeighbourMessage.new(n))
        let got = try sock.neighbours(family: .v4).first { $0.ip == n.ip }
        #expect(got?.lladdr == n.lladdr)
        #expect(got?.state == .permanent)
        #expect(got?.interfaceIndex == pair.a.index)
        #expect(throws: NetlinkError.self) { try sock.perform(NeighbourMessage.new(n)) }
        var m = n
        m.lladdr = HardwareAddress("ee:ee:ee:ee:ee:01")
        try sock.perform(NeighbourMessage.new(m, replace: true))
        #expect(try sock.neighbours(family: .v4).first { $0.ip == n.ip }?.lladdr == m.lladdr)
        try sock.perform(NeighbourMessage.delete(n))
        #expect(try sock.neighbours(family: .v4).contains { $0.ip == n.ip } == false)

        try sock.perform(LinkMessage.delete(index: pair.a.index))
        let names = try sock.links().map(\.name)
        #expect(!names.contains("t0") && !names.contains("t0p"))
        do { try sock.perform(LinkMessage.delete(index: pair.a.index)) } catch let e as NetlinkError { #expect(e.name == "ENODEV") }
    }

    @Test func vethPeerIntoAnotherNamespaceByFd() throws {
        let ns = try TestNamespace()
        let pod = try TestNamespace()
        defer { ns.remove(); pod.remove() }
        let sock = try NetlinkSocket(namespace: ns.name)
        let fd = open(NetworkNamespace.path(pod.name), O_RDONLY | O_CLOEXEC)
        defer { close(fd) }
        try sock.perform(LinkMessage.createVeth(name: "cali0", peerName: "eth0", peerNamespace: .fd(fd)))
        #expect(try sock.link(named: "cali0") != nil)
        #expect(try sock.link(named: "eth0") == nil)
        #expect(try NetlinkSocket(namespace: pod.name).link(named: "eth0")?.kind == "veth")
        // One link by name (RTM_GETLINK + IFLA_IFNAME) is what the dump says of it; the MAC set.
        let host = try #require(try sock.link(named: "cali0"))
        try sock.perform(LinkMessage.setAddress(index: host.index, HardwareAddress("ee:ee:ee:ee:ee:ee")!))
        let one = try #require(try sock.link(named: "cali0"))
        #expect(one == (try sock.links().first { $0.name == "cali0" }))
        #expect(one.address == HardwareAddress("ee:ee:ee:ee:ee:ee"))
        #expect(try NetlinkSocket(namespacePath: NetworkNamespace.path(pod.name)).link(named: "eth0")?.kind == "veth")
    }
}
