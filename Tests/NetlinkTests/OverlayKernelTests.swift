import Foundation
import Testing
@testable import Netlink

/// Overlay devices against the running kernel, each test in its own namespace.
@Suite(.enabled(if: runningAsRoot, "\(needsRoot)"))
struct OverlayKernelTests {
    @Test func vxlanDeviceFDBNeighbourAndOnlinkRoute() throws {
        let ns = try TestNamespace()
        defer { ns.remove() }
        let sock = try NetlinkSocket(namespace: ns.name)
        let pair = try VethPair(sock, "t0", "t0p")
        try sock.perform(AddressMessage.add(Address(interfaceIndex: pair.a.index, prefix: ifa("10.9.0.1/24"))))

        let spec = VXLANDevice(name: "vxlan.tern", vni: 4096, port: 4789, local: ip("10.9.0.1"), underlayIndex: pair.a.index,
                               learning: false, mtu: 1450, address: HardwareAddress("02:74:0a:00:00:01"))
        try sock.perform(LinkMessage.createVXLAN(spec))
        let vx = try #require(try sock.link(named: "vxlan.tern"))
        #expect(vx.kind == "vxlan")
        #expect(vx.mtu == 1450)
        #expect(vx.address == spec.address)
        #expect(vx.vxlan == VXLANInfo(vni: 4096, port: 4789, local: ip("10.9.0.1"), underlayIndex: pair.a.index, learning: false))
        #expect(vx.ipip == nil)
        do {
            try sock.perform(LinkMessage.createVXLAN(spec))
            Issue.record("second create of vxlan.tern succeeded")
        } catch let e as NetlinkError {
            #expect(e.name == "EEXIST")
            #expect(!e.isUnsupportedLinkKind)
        }
        try sock.perform(LinkMessage.setUp(index: vx.index))

        // FDB: the remote VTEP's MAC -> its underlay address, in the vxlan device's own FDB.
        let mac = try #require(HardwareAddress("02:74:0a:00:00:02"))
        let fdb = Neighbour.fdb(interfaceIndex: vx.index, mac: mac, destination: ip("10.9.0.2"))
        try sock.perform(NeighbourMessage.new(fdb, replace: true))
        try sock.perform(NeighbourMessage.new(fdb, replace: true))  // replace is idempotent
        let got = try sock.neighbours(family: .bridge).filter { $0.interfaceIndex == vx.index && $0.lladdr == mac }
        #expect(got.count == 1, "\(got)")
        #expect(got.first?.family == .bridge)
        #expect(got.first?.ip == ip("10.9.0.2"))
        #expect(got.first?.state.contains(.permanent) == true)
        #expect(got.first.map { $0.flags & 0x02 != 0 } == true, "NTF_SELF")
        // A family-0 dump is `neigh_dump_info` (ARP/NDP tables only): the FDB is not in it.
        #expect(try sock.neighbours(family: .unspec).contains { $0.family == .bridge } == false)

        // The remote VTEP's tunnel address -> its MAC (Calico's permanent ARP entry).
        let arp = Neighbour(interfaceIndex: vx.index, ip: ip("10.244.2.0"), lladdr: mac)
        try sock.perform(NeighbourMessage.new(arp, replace: true))
        let seen = try sock.neighbours(family: .v4).first { $0.ip == arp.ip && $0.interfaceIndex == vx.index }
        #expect(seen?.lladdr == mac)
        #expect(seen?.state == .permanent)
        #expect(try sock.neighbours().contains { $0.family == .v4 && $0.ip == arp.ip && $0.lladdr == mac })

        // The block route through the tunnel: via the VTEP's address, onlink.
        let route = Route(destination: pfx("10.244.2.0/26"), proto: ourProto, outputInterface: vx.index,
                          gateway: ip("10.244.2.0"), flags: .onlink)
        try sock.perform(RouteMessage.new(route, replace: true))
        let r = try sock.routes(family: .v4).first { $0.destination == route.destination }
        #expect(r?.gateway == route.gateway)
        #expect(r?.outputInterface == vx.index)
        #expect(r?.flags.contains(.onlink) == true)

        // Delete the FDB entry (MAC + dst), then the device.
        try sock.perform(NeighbourMessage.delete(fdb))
        #expect(try sock.neighbours(family: .bridge).contains { $0.interfaceIndex == vx.index && $0.lladdr == mac } == false)
        do {
            try sock.perform(NeighbourMessage.delete(fdb))
            Issue.record("second FDB delete succeeded")
        } catch let e as NetlinkError {
            #expect(e.name == "ENOENT")
        }
        try sock.perform(LinkMessage.delete(index: vx.index))
        #expect(try sock.link(named: "vxlan.tern") == nil)
    }

    @Test func vxlanWithoutUnderlayAndWithIPv6Local() throws {
        let ns = try TestNamespace()
        defer { ns.remove() }
        let sock = try NetlinkSocket(namespace: ns.name)
        try sock.perform(LinkMessage.createVXLAN(VXLANDevice(name: "vx0", vni: 1)))
        let vx0 = try #require(try sock.link(named: "vx0"))
        #expect(vx0.vxlan == VXLANInfo(vni: 1, port: 4789, learning: false))
        try sock.perform(LinkMessage.createVXLAN(VXLANDevice(name: "vx6", vni: 0xFFFFFF, port: 8472, local: ip("2001:db8:9::1"),
                                                             learning: true)))
        let vx6 = try #require(try sock.link(named: "vx6"))
        #expect(vx6.vxlan == VXLANInfo(vni: 0xFFFFFF, port: 8472, local: ip("2001:db8:9::1"), learning: true))
    }

    /// Whichever is true of this kernel: with the ipip driver the device appears with
    /// path-MTU discovery on; without it the create fails with EOPNOTSUPP, and says so.
    @Test func ipipCreatesOrIsReportedUnsupported() throws {
        let ns = try TestNamespace()
        defer { ns.remove() }
        // Probe with iproute2 (independently of our builder); it loads the module if it can.
        let probe = try run("ip", "-n", ns.name, "link", "add", "name", "tprobe0", "type", "ipip", "mode", "ipip")
        let supported = probe.status == 0
        if supported { try run("ip", "-n", ns.name, "link", "del", "tprobe0") }

        let sock = try NetlinkSocket(namespace: ns.name)
        // Not "tunl0": where the driver is loaded every namespace already has that fallback device.
        let request = LinkMessage.createIPIP(name: "ipip.tern", mtu: 1480)
        if supported {
            try sock.perform(request)
            let l = try #require(try sock.link(named: "ipip.tern"))
            #expect(l.kind == "ipip")
            #expect(l.mtu == 1480)
            #expect(l.ipip == IPIPInfo(local: nil, remote: nil, pmtudisc: true, ttl: 0))
        } else {
            #expect(probe.output.contains("Unknown device type"), "\(probe.output)")
            do {
                try sock.perform(request)
                Issue.record("ipip create succeeded although iproute2's did not")
            } catch let e as NetlinkError {
                #expect(e.code == EOPNOTSUPP)
                #expect(e.name == "EOPNOTSUPP")
                #expect(e.isUnsupportedLinkKind)
                #expect(e.requestType == NL.newLink)
                #expect(e.operation == "add link ipip.tern type ipip")
                if sock.extendedAcks { #expect(e.kernelMessage == "Unknown device type", "\(e)") }
            }
            #expect(try sock.link(named: "ipip.tern") == nil)
        }
    }
}
