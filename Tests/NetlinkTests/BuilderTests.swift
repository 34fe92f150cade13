import IPCore
import Testing
@testable import Netlink

/// Hex text to bytes (fixtures); traps only on a malformed literal in this file.
func hex(_ s: String) -> [UInt8] {
    var out: [UInt8] = []
    var it = s.makeIterator()
    while let a = it.next(), let b = it.next() { out.append(UInt8(String([a, b]), radix: 16)!) }
    return out
}

func hexString(_ b: [UInt8]) -> String {
    b.map { let s = String($0, radix: 16); return s.count == 1 ? "0" + s : s }.joined()
}

/// The sequence number iproute2 used (bytes 8..<12, host order).
func seq(of fixture: String) -> UInt32 { hex(fixture).readNative(UInt32.self, at: 8)! }

func pfx(_ s: String) -> IPPrefix { IPPrefix(s)! }
func ip(_ s: String) -> IPAddress { IPAddress(s)! }
func ifa(_ s: String) -> InterfaceAddress { InterfaceAddress(s)! }

/// Encodes with the fixture's sequence number and compares every byte.
func expectSame(_ r: NetlinkRequest, _ fixture: String, sourceLocation: SourceLocation = #_sourceLocation) {
    let ours = hexString(r.encode(sequence: seq(of: fixture)))
    #expect(ours == fixture, "ours:\n\(ours)\niproute2:\n\(fixture)", sourceLocation: sourceLocation)
}

/// d0's ifindex in the capture namespace.
let d0: Int32 = 3

@Suite struct RouteBuilderMatchesIproute2 {
    @Test func v4DevScopeLink() {
        expectSame(RouteMessage.new(Route(destination: pfx("10.244.1.5/32"), scope: .link, outputInterface: d0)),
                   IprouteFixtures.v4DevScopeLink)
    }
    @Test func v4ReplaceProtoMetric() {
        expectSame(RouteMessage.new(Route(destination: pfx("10.244.1.5/32"), proto: 80, scope: .link, metric: 1024,
                                          outputInterface: d0), replace: true),
                   IprouteFixtures.v4ReplaceProtoMetric)
    }
    @Test func v4Delete() {
        // Whatever scope the route was added with, a delete sends the wildcard like iproute2.
        expectSame(RouteMessage.delete(Route(destination: pfx("10.244.1.5/32"), proto: 80, scope: .link, metric: 1024,
                                             outputInterface: d0)),
                   IprouteFixtures.v4Delete)
    }
    @Test func v4Blackhole() {
        expectSame(RouteMessage.new(Route(destination: pfx("10.244.1.0/26"), proto: 80, type: .blackhole)),
                   IprouteFixtures.v4Blackhole)
    }
    @Test func v4Unreachable() {
        expectSame(RouteMessage.new(Route(destination: pfx("10.244.7.0/26"), type: .unreachable)),
                   IprouteFixtures.v4Unreachable)
    }
    @Test func v4Via() {
        expectSame(RouteMessage.new(Route(destination: pfx("10.244.2.0/26"), proto: 80, gateway: ip("10.0.0.2"))),
                   IprouteFixtures.v4Via)
    }
    @Test func v4ViaDevOnlink() {
        expectSame(RouteMessage.new(Route(destination: pfx("10.244.3.0/26"), proto: 80, outputInterface: d0,
                                          gateway: ip("10.0.0.9"), flags: .onlink)),
                   IprouteFixtures.v4ViaDevOnlink)
    }
    @Test func v4Multipath() {
        let r = Route(destination: pfx("10.244.4.0/26"), proto: 80, nextHops: [
            NextHop(gateway: ip("10.0.0.2"), interfaceIndex: d0),
            NextHop(gateway: ip("10.0.0.3"), interfaceIndex: d0, flags: .onlink),
        ])
        expectSame(RouteMessage.new(r), IprouteFixtures.v4Multipath)
    }
    @Test func v4TableAbove255UsesRTATable() {
        expectSame(RouteMessage.new(Route(destination: pfx("10.244.5.0/26"), table: 1000, proto: 80, scope: .link,
                                          metric: 100, outputInterface: d0)),
                   IprouteFixtures.v4TableMetric)
    }
    @Test func v4SmallTableInHeader() {
        expectSame(RouteMessage.new(Route(destination: pfx("10.244.6.0/26"), table: 100, scope: .link, outputInterface: d0)),
                   IprouteFixtures.v4SmallTable)
    }
    @Test func v4PrefsrcVia() {
        expectSame(RouteMessage.new(Route(destination: pfx("10.244.8.0/26"), outputInterface: d0, gateway: ip("10.0.0.2"),
                                          preferredSource: ip("10.0.0.1"))),
                   IprouteFixtures.v4PrefsrcVia)
    }
    @Test func v6Dev() {
        expectSame(RouteMessage.new(Route(destination: pfx("2001:db8:1::/64"), outputInterface: d0)),
                   IprouteFixtures.v6Dev)
    }
    @Test func v6ViaMetric() {
        expectSame(RouteMessage.new(Route(destination: pfx("2001:db8:2::/64"), proto: 80, metric: 1024,
                                          outputInterface: d0, gateway: ip("2001:db8::2"))),
                   IprouteFixtures.v6ViaMetric)
    }
    @Test func v6Delete() {
        // `ip -6 route del` without `proto` sends RTPROT_UNSPEC (any owner).
        expectSame(RouteMessage.delete(Route(destination: pfx("2001:db8:1::/64"), proto: .unspec, outputInterface: d0)),
                   IprouteFixtures.v6Delete)
    }
    @Test func v6Blackhole() {
        expectSame(RouteMessage.new(Route(destination: pfx("2001:db8:3::/64"), type: .blackhole)),
                   IprouteFixtures.v6Blackhole)
    }
}

@Suite struct LinkAddressNeighbourBuildersMatchIproute2 {
    @Test func vethCreate() {
        expectSame(LinkMessage.createVeth(name: "vh0", peerName: "vp0"), IprouteFixtures.linkVeth)
    }
    @Test func vethCreatePeerInNamespaceByPid() {
        expectSame(LinkMessage.createVeth(name: "vh1", peerName: "vp1", peerNamespace: .pid(10423)),
                   IprouteFixtures.linkVethPeerPid)
    }
    @Test func linkDelete() {
        expectSame(LinkMessage.delete(index: 5), IprouteFixtures.linkDelete)
    }
    @Test func addressAddV4() {
        expectSame(AddressMessage.add(Address(interfaceIndex: d0, prefix: ifa("10.0.0.5/24"))), IprouteFixtures.addrAddV4)
    }
    @Test func addressAddV6() {
        expectSame(AddressMessage.add(Address(interfaceIndex: d0, prefix: ifa("2001:db8::5/64"))), IprouteFixtures.addrAddV6)
    }
    @Test func neighbourAddPermanent() {
        let n = Neighbour(interfaceIndex: d0, ip: ip("10.0.0.7"), lladdr: HardwareAddress("ee:ee:ee:ee:ee:ee"))
        expectSame(NeighbourMessage.new(n), IprouteFixtures.neighAdd)
        expectSame(NeighbourMessage.new(n, replace: true), IprouteFixtures.neighReplace)
        expectSame(NeighbourMessage.delete(n), IprouteFixtures.neighDelete)
    }
    @Test func neighbourAddV6() {
        let n = Neighbour(interfaceIndex: d0, ip: ip("2001:db8::7"), lladdr: HardwareAddress("ee:ee:ee:ee:ee:ee"))
        expectSame(NeighbourMessage.new(n), IprouteFixtures.neighAddV6)
    }
}
