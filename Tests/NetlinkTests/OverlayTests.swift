import Glibc
import Testing
@testable import Netlink

/// vxlan.tern's ifindex in the capture namespace (see IprouteFixtures).
let vxlanTern: Int32 = 4

/// The fixture's bytes as a received message (requests and dump replies share the layout).
func message(_ fixture: String) -> NetlinkMessage { NetlinkMessage.split(hex(fixture))[0] }

@Suite struct OverlayBuildersMatchIproute2 {
    let full = VXLANDevice(name: "vxlan.tern", vni: 4096, port: 4789, local: ip("10.0.0.1"), underlayIndex: d0,
                           learning: false, mtu: 1450, address: HardwareAddress("02:74:0a:00:00:01"))

    @Test func vxlanFull() {
        expectSame(LinkMessage.createVXLAN(full), IprouteFixtures.linkVXLAN)
    }
    @Test func vxlanWithoutLocalDevMTUAddress() {
        expectSame(LinkMessage.createVXLAN(VXLANDevice(name: "vxlan.tern", vni: 4096)), IprouteFixtures.linkVXLANMinimal)
    }
    @Test func vxlanLearningIsSentAsOne() {
        expectSame(LinkMessage.createVXLAN(VXLANDevice(name: "vxlan.tern", vni: 4096, learning: true)),
                   IprouteFixtures.linkVXLANLearning)
    }
    @Test func vxlanPartialVariants() {
        var s = full
        s.underlayIndex = nil
        s.address = nil
        expectSame(LinkMessage.createVXLAN(s), IprouteFixtures.linkVXLANMTULocal)
        s = full
        s.local = nil
        s.mtu = nil
        expectSame(LinkMessage.createVXLAN(s), IprouteFixtures.linkVXLANAddressDev)
        expectSame(LinkMessage.createVXLAN(VXLANDevice(name: "vxlan.tern", vni: 4096, local: ip("2001:db8::1"))),
                   IprouteFixtures.linkVXLANLocal6)
    }
    @Test func ipip() {
        expectSame(LinkMessage.createIPIP(name: "tunl0", mtu: 1480), IprouteFixtures.linkIPIP)
        expectSame(LinkMessage.createIPIP(name: "tunl0", mtu: nil), IprouteFixtures.linkIPIPNoMTU)
    }
    @Test func ipipBareCommandWouldTurnPMTUDiscoveryOff() throws {
        // `type ipip` with nothing after it: kind only, no IFLA_INFO_DATA, which the kernel
        // reads as "no DF". Ours carries IFLA_IPTUN_PMTUDISC = 1.
        let bare = try #require(LinkMessage.parse(message(IprouteFixtures.linkIPIPBare)))
        #expect(bare.kind == "ipip")
        #expect(bare.mtu == 1480)
        #expect(bare.ipip == nil)
        let ours = try #require(LinkMessage.parse(NetlinkMessage.split(LinkMessage.createIPIP(name: "tunl0", mtu: 1480).encode(sequence: 1))[0]))
        #expect(ours.ipip == IPIPInfo(pmtudisc: true, ttl: 0))
    }
    @Test func fdbReplaceAndDelete() {
        let e = Neighbour.fdb(interfaceIndex: vxlanTern, mac: HardwareAddress("02:74:0a:00:00:02")!, destination: ip("10.0.0.2"))
        #expect(e.family == .bridge)
        #expect(e.flags == 0x02)  // NTF_SELF
        #expect(e.state == [.permanent, .noarp])
        expectSame(NeighbourMessage.new(e, replace: true), IprouteFixtures.fdbReplace)
        expectSame(NeighbourMessage.delete(e), IprouteFixtures.fdbDelete)
    }
    @Test func neighbourOnVXLAN() {
        let n = Neighbour(interfaceIndex: vxlanTern, ip: ip("10.244.2.0"), lladdr: HardwareAddress("02:74:0a:00:00:02"))
        expectSame(NeighbourMessage.new(n, replace: true), IprouteFixtures.neighVXLAN)
    }
    @Test func onlinkRouteOverVXLAN() {
        expectSame(RouteMessage.new(Route(destination: pfx("10.244.2.0/26"), proto: 199, outputInterface: vxlanTern,
                                          gateway: ip("10.0.0.2"), flags: .onlink), replace: true),
                   IprouteFixtures.v4ViaVXLANOnlink)
    }
}

@Suite struct OverlayParsers {
    @Test func vxlanFromIproute2Bytes() throws {
        let l = try #require(LinkMessage.parse(message(IprouteFixtures.linkVXLAN)))
        #expect(l.name == "vxlan.tern")
        #expect(l.kind == "vxlan")
        #expect(l.mtu == 1450)
        #expect(l.address == HardwareAddress("02:74:0a:00:00:01"))
        #expect(l.vxlan == VXLANInfo(vni: 4096, port: 4789, local: ip("10.0.0.1"), underlayIndex: d0, learning: false))
        #expect(l.ipip == nil)
        let v6 = try #require(LinkMessage.parse(message(IprouteFixtures.linkVXLANLocal6)))
        #expect(v6.vxlan == VXLANInfo(vni: 4096, port: 4789, local: ip("2001:db8::1"), learning: false))
        #expect(LinkMessage.parse(message(IprouteFixtures.linkVXLANLearning))?.vxlan?.learning == true)
    }

    @Test func ipipFromIproute2Bytes() throws {
        let l = try #require(LinkMessage.parse(message(IprouteFixtures.linkIPIPLocalRemoteTTL)))
        #expect(l.kind == "ipip")
        #expect(l.ipip == IPIPInfo(local: ip("10.0.0.1"), remote: ip("10.0.0.2"), pmtudisc: true, ttl: 64))
        #expect(l.vxlan == nil)
    }

    @Test func vxlanSpecRoundTripsThroughBytes() throws {
        let spec = VXLANDevice(name: "vxlan.calico", vni: 0xABCDEF, port: 8472, local: ip("192.168.5.1"), underlayIndex: 7,
                               learning: true, mtu: 1410, address: HardwareAddress("66:77:88:99:aa:bb"))
        let l = try #require(LinkMessage.parse(NetlinkMessage.split(LinkMessage.createVXLAN(spec).encode(sequence: 3))[0]))
        #expect(l.vxlan == VXLANInfo(vni: 0xABCDEF, port: 8472, local: spec.local, underlayIndex: 7, learning: true))
        #expect(l.mtu == 1410)
        #expect(l.address == spec.address)
    }

    /// IFLA_LINKINFO { KIND kind, DATA data } after a plain ifinfomsg + IFLA_IFNAME.
    func linkMessage(kind: String, data: [UInt8]) -> NetlinkMessage {
        var b = LinkMessage.ifinfomsg(index: 9)
        b.appendAttribute(NL.iflaIfname, string: "x0")
        let info = b.beginNested(NL.iflaLinkinfo)
        b.appendAttribute(NL.iflaInfoKind, string: kind, nul: false)
        b.appendAttribute(NL.iflaInfoData, data)
        b.endNested(info)
        return NetlinkMessage(type: NL.newLink, payload: b)
    }

    @Test func malformedVXLANDataGivesNilFields() {
        var good: [UInt8] = []
        good.appendAttribute(NL.iflaVXLANID, u32: 42)
        good.appendAttribute(NL.iflaVXLANLearning, u8: 0)
        good.appendAttribute(NL.iflaVXLANPort, be16: 4789)
        #expect(LinkMessage.parse(linkMessage(kind: "vxlan", data: good))?.vxlan == VXLANInfo(vni: 42, port: 4789, learning: false))

        // A 2-byte IFLA_VXLAN_ID: no VXLANInfo, the link itself still parses.
        var shortID: [UInt8] = []
        shortID.appendAttribute(NL.iflaVXLANID, [1, 0])
        shortID.appendAttribute(NL.iflaVXLANLearning, u8: 0)
        shortID.appendAttribute(NL.iflaVXLANPort, be16: 4789)
        let l = LinkMessage.parse(linkMessage(kind: "vxlan", data: shortID))
        #expect(l?.name == "x0")
        #expect(l?.kind == "vxlan")
        #expect(l?.vxlan == nil)

        // Missing port: nil. A 3-byte local and a zero link index: dropped, not guessed.
        var noPort: [UInt8] = []
        noPort.appendAttribute(NL.iflaVXLANID, u32: 42)
        noPort.appendAttribute(NL.iflaVXLANLearning, u8: 0)
        #expect(LinkMessage.parse(linkMessage(kind: "vxlan", data: noPort))?.vxlan == nil)
        var oddLocal = good
        oddLocal.appendAttribute(NL.iflaVXLANLocal, [10, 0, 0])
        oddLocal.appendAttribute(NL.iflaVXLANLink, u32: 0)
        #expect(LinkMessage.parse(linkMessage(kind: "vxlan", data: oddLocal))?.vxlan == VXLANInfo(vni: 42, port: 4789, learning: false))

        // VXLAN data under another kind is not read as VXLAN.
        #expect(LinkMessage.parse(linkMessage(kind: "veth", data: good))?.vxlan == nil)
        // An attribute claiming more bytes than there are ends the walk.
        #expect(LinkMessage.parse(linkMessage(kind: "vxlan", data: [200, 0, 1, 0, 0, 0x10, 0, 0]))?.vxlan == nil)
    }

    @Test func malformedIPIPDataGivesNilFields() {
        var d: [UInt8] = []
        d.appendAttribute(NL.iflaIPTunLocal, [10, 0, 0])  // 3 bytes
        d.appendAttribute(NL.iflaIPTunRemote, [0, 0, 0, 0])  // any
        d.appendAttribute(NL.iflaIPTunTTL, u8: 5)
        d.appendAttribute(NL.iflaIPTunPMTUDisc, u8: 0)
        #expect(LinkMessage.parse(linkMessage(kind: "ipip", data: d))?.ipip == IPIPInfo(pmtudisc: false, ttl: 5))
        var noTTL: [UInt8] = []
        noTTL.appendAttribute(NL.iflaIPTunPMTUDisc, u8: 1)
        #expect(LinkMessage.parse(linkMessage(kind: "ipip", data: noTTL))?.ipip == nil)
        var empty: [UInt8] = []
        empty.appendAttribute(NL.iflaIPTunTTL, [])  // zero-length u8
        empty.appendAttribute(NL.iflaIPTunPMTUDisc, u8: 1)
        #expect(LinkMessage.parse(linkMessage(kind: "ipip", data: empty))?.ipip == nil)
    }

    @Test func fdbEntryParsesWithMACAndDestination() throws {
        let n = try #require(NeighbourMessage.parse(message(IprouteFixtures.fdbReplace)))
        #expect(n == Neighbour.fdb(interfaceIndex: vxlanTern, mac: HardwareAddress("02:74:0a:00:00:02")!, destination: ip("10.0.0.2")))
    }

    @Test func everyTruncationAndByteFlipOfTheOverlayFixturesIsSafe() {
        let fixtures = [IprouteFixtures.linkVXLAN, IprouteFixtures.linkVXLANLocal6, IprouteFixtures.linkIPIP,
                        IprouteFixtures.linkIPIPLocalRemoteTTL, IprouteFixtures.fdbReplace, IprouteFixtures.fdbDelete]
        var parsed = 0
        func feed(_ b: [UInt8]) {
            for m in NetlinkMessage.split(b) {
                if LinkMessage.parse(m) != nil { parsed += 1 }
                if NeighbourMessage.parse(m) != nil { parsed += 1 }
                _ = NetlinkEvent.parse(m)
            }
        }
        for f in fixtures {
            let bytes = hex(f)
            for cut in 0...bytes.count {
                var b = Array(bytes[0..<cut])
                if b.count >= 4 { b.replaceSubrange(0..<4, with: withUnsafeBytes(of: UInt32(cut)) { Array($0) }) }
                feed(b)
            }
            // Every byte after the nlmsghdr set to 0x00, 0x01 and 0xFF in turn.
            for i in NL.headerLength..<bytes.count {
                for v: UInt8 in [0x00, 0x01, 0xFF] {
                    var b = bytes
                    b[i] = v
                    feed(b)
                }
            }
        }
        #expect(parsed > 0)
    }

    @Test func unsupportedLinkKindIsEOPNOTSUPPOnNewLink() {
        #expect(NetlinkError(code: EOPNOTSUPP, operation: "add link tunl0 type ipip", requestType: NL.newLink).isUnsupportedLinkKind)
        #expect(!NetlinkError(code: EOPNOTSUPP, operation: "add route", requestType: NL.newRoute).isUnsupportedLinkKind)
        #expect(!NetlinkError(code: EEXIST, operation: "add link tunl0 type ipip", requestType: NL.newLink).isUnsupportedLinkKind)
        #expect(!NetlinkError(code: EOPNOTSUPP, operation: "add link").isUnsupportedLinkKind)
        #expect(NetlinkError(code: EOPNOTSUPP, operation: "x").name == "EOPNOTSUPP")
    }
}
