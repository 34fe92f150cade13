import BGPWire
import IPCore
import RIB
import Testing

/// Issue 11 item 8: the default import filter. What the hostile-peer probe got installed
/// and re-advertised (martians, routes to our own address, impossible next hops, an eBGP
/// path that does not start with the peer's AS) is ignored, counted and named.
@Suite struct ImportFilterTests {
    let a = ebgpPeer(1, address: "10.0.0.1", asn: 64513, local: "192.0.2.9")
    let c = ibgpPeer(3, address: "10.0.0.3")

    func rib() -> RIB {
        var r = RIB(config: testConfig)
        r.addPeer(a); r.addPeer(c)
        return r
    }

    @Test(arguments: ["127.1.0.0/16", "224.0.0.0/4", "240.0.0.0/4", "255.255.255.255/32", "0.0.0.0/8",
                      "169.254.0.0/16", "0.1.2.0/24", "224.0.0.0/24"])
    func martiansAreIgnored(_ prefix: String) {
        var r = rib()
        let ch = r.apply(announce([prefix, "10.9.0.0/24"]), from: a.id)
        #expect(ch.prefixes == [pfx("10.9.0.0/24")])
        #expect(r.route(for: pfx(prefix)) == nil)
        #expect(r.prefixCount(from: a.id) == (received: 2, accepted: 1))
        #expect(r.rejected(from: a.id) == [NLRI(pfx(prefix)): .martian])
    }

    @Test func hostRoutesToOurOwnAddressesAreIgnored() {
        var r = rib()
        // Our router ID (192.0.2.1) and the session's local address (192.0.2.9).
        _ = r.apply(announce(["192.0.2.1/32", "192.0.2.9/32", "192.0.2.0/24"]), from: a.id)
        #expect(r.rejectedCounts(from: a.id) == [.ownAddress: 2])
        #expect(r.route(for: pfx("192.0.2.0/24")) != nil)
    }

    @Test func aDefaultRouteIsNotAMartian() {
        var r = rib()
        _ = r.apply(announce(["0.0.0.0/0"]), from: a.id)
        #expect(r.route(for: pfx("0.0.0.0/0")) != nil)
        #expect(ImportFilter.isMartian(pfx("0.0.0.0/0")) == false)
    }

    @Test(arguments: ["0.0.0.0", "224.0.0.1", "239.1.1.1", "255.255.255.255", "192.0.2.1", "192.0.2.9"])
    func invalidNextHopsAreIgnored(_ nextHop: String) {
        var r = rib()
        _ = r.apply(announce(["10.9.0.0/24", "10.9.1.0/24"], attrs(nextHop: nextHop)), from: a.id)
        #expect(r.prefixCount == 0)
        #expect(r.rejectedCounts(from: a.id) == [.invalidNextHop: 2])
    }

    @Test func anEBGPPathMustStartWithThePeersAS() {
        var r = rib()
        _ = r.apply(announce(["10.9.0.0/24"], attrs([64999, 64513])), from: a.id)
        #expect(r.rejectedCounts(from: a.id) == [.firstASMismatch: 1])
        // The same path from an iBGP peer is fine (its AS_PATH starts where it entered the AS).
        _ = r.apply(announce(["10.9.0.0/24"], attrs([64999, 64513], nextHop: "10.0.0.3")), from: c.id)
        #expect(r.route(for: pfx("10.9.0.0/24")) != nil)
        // Configurable, like FRR's enforce-first-as (route servers do not prepend).
        var cfg = testConfig
        cfg.enforceFirstAS = false
        var open = RIB(config: cfg)
        open.addPeer(a)
        _ = open.apply(announce(["10.9.0.0/24"], attrs([64999, 64513])), from: a.id)
        #expect(open.route(for: pfx("10.9.0.0/24")) != nil)
    }

    @Test func aLaterValidAnnouncementReplacesTheRejection() {
        var r = rib()
        _ = r.apply(announce(["10.9.0.0/24"], attrs(nextHop: "0.0.0.0")), from: a.id)
        #expect(r.prefixCount(from: a.id) == (received: 1, accepted: 0))
        _ = r.apply(announce(["10.9.0.0/24"]), from: a.id)
        #expect(r.prefixCount(from: a.id) == (received: 1, accepted: 1))
        #expect(r.rejected(from: a.id).isEmpty)
    }

    @Test func ipv6Martians() {
        for p in ["::/128", "::1/128", "fe80::/64", "ff02::/16", "::ffff:10.0.0.0/104"] {
            #expect(ImportFilter.isMartian(IPPrefix(p)!), "\(p)")
        }
        for p in ["2001:db8::/32", "fd00::/8", "::/0"] {
            #expect(!ImportFilter.isMartian(IPPrefix(p)!), "\(p)")
        }
    }

    /// The bit tests of `isMartian` agree with the documented list on prefixes at, inside,
    /// around and outside every range, of every length, both families.
    @Test func bitTestsAgreeWithTheList() {
        func byList(_ p: IPPrefix) -> Bool { p.length > 0 && ImportFilter.martians.contains { $0.contains(p) } }
        var probes: [IPPrefix] = []
        let v4 = ["0.0.0.0", "0.255.1.2", "1.0.0.0", "126.255.255.255", "127.0.0.1", "128.0.0.0", "169.253.255.255",
                  "169.254.0.1", "169.255.0.0", "223.255.255.255", "224.0.0.1", "239.1.1.1", "240.0.0.0", "255.255.255.255", "10.1.2.3"]
        let v6 = ["::", "::1", "::2", "::ffff:1.2.3.4", "::fffe:0:0", "::1:ffff:0:0", "fe80::1", "febf::1", "fec0::1", "fe7f::1",
                  "ff00::", "ff02::1", "feff::1", "2001:db8::1", "fd00::1"]
        for a in v4 { for l in stride(from: 0, through: 32, by: 1) { probes.append(IPPrefix(address: IPAddress(a)!, length: UInt8(l))!) } }
        for a in v6 { for l in stride(from: 0, through: 128, by: 1) { probes.append(IPPrefix(address: IPAddress(a)!, length: UInt8(l))!) } }
        for p in probes { #expect(ImportFilter.isMartian(p) == byList(p), "\(p)") }
    }
}
