import IPCore
import Testing
@testable import BGPWire

@Suite struct NegotiationTests {
    static let v4v6: [Capability] = [.multiprotocol(.ipv4Unicast), .multiprotocol(.ipv6Unicast)]

    func open(_ caps: [Capability], hold: UInt16 = 90, asn: UInt16 = 65001) -> OpenMessage {
        OpenMessage(myAS: asn, holdTime: hold, bgpIdentifier: IPv4Address("10.0.0.1")!, capabilities: caps)
    }

    // MARK: ADD-PATH (RFC 7911 §4)

    @Test func addPathDirections() {
        let local = open(Self.v4v6 + [.addPath([.init(.ipv4Unicast, .both), .init(.ipv6Unicast, .receive)])])
        let remote = open(Self.v4v6 + [.addPath([.init(.ipv4Unicast, .receive), .init(.ipv6Unicast, .both)])])
        let n = NegotiatedCapabilities(local: local, remote: remote)
        // IPv4: we send (both) and the peer receives; the peer cannot send, so we receive none.
        // IPv6: we only receive, the peer can send.
        #expect(n.addPathSend == [.ipv4Unicast])
        #expect(n.addPathReceive == [.ipv6Unicast])
        #expect(n.encodeContext.addPath == [.ipv4Unicast])
        #expect(n.decodeContext.addPath == [.ipv6Unicast])
        #expect(n.encodeContext.hasAddPath(.ipv4Unicast))
        #expect(!n.decodeContext.hasAddPath(.ipv4Unicast))

        // Seen from the other side, the directions swap.
        let m = NegotiatedCapabilities(local: remote, remote: local)
        #expect(m.addPathSend == [.ipv6Unicast])
        #expect(m.addPathReceive == [.ipv4Unicast])
    }

    @Test func addPathBothWays() {
        let both = open([.addPath([.init(.ipv4Unicast, .both)])])
        let n = NegotiatedCapabilities(local: both, remote: both)
        #expect(n.addPathSend == [.ipv4Unicast])
        #expect(n.addPathReceive == [.ipv4Unicast])
    }

    @Test func addPathSendAgainstSendGivesNothing() {
        let send = open([.addPath([.init(.ipv4Unicast, .send)])])
        let n = NegotiatedCapabilities(local: send, remote: send)
        #expect(n.addPathSend.isEmpty)
        #expect(n.addPathReceive.isEmpty)
    }

    @Test func addPathOneSidedOrForUnnegotiatedFamily() {
        let local = open(Self.v4v6 + [.addPath([.init(.ipv4Unicast, .both), .init(.ipv6Unicast, .both)])])
        #expect(NegotiatedCapabilities(local: local, remote: open(Self.v4v6)).addPathSend.isEmpty)
        // The peer does add-path for IPv6 but did not negotiate IPv6 (IPv4 only, implied).
        let remote = open([.addPath([.init(.ipv6Unicast, .both)])])
        let n = NegotiatedCapabilities(local: local, remote: remote)
        #expect(n.families == [.ipv4Unicast])
        #expect(n.addPathSend.isEmpty)
        #expect(n.addPathReceive.isEmpty)
    }

    // MARK: Families (RFC 4760)

    @Test func familiesIntersection() {
        let v4mc = AddressFamily(afi: .ipv4, safi: .multicast)
        let n = NegotiatedCapabilities(local: open(Self.v4v6), remote: open([.multiprotocol(.ipv6Unicast), .multiprotocol(v4mc)]))
        #expect(n.families == [.ipv6Unicast])
    }

    @Test func noMultiprotocolImpliesIPv4Unicast() {
        #expect(NegotiatedCapabilities(local: open(Self.v4v6), remote: open([.routeRefresh])).families == [.ipv4Unicast])
        #expect(NegotiatedCapabilities(local: open([]), remote: open([])).families == [.ipv4Unicast])
        // A side that advertises only IPv6 does not get IPv4 implied.
        #expect(NegotiatedCapabilities(local: open([.multiprotocol(.ipv6Unicast)]), remote: open([])).families.isEmpty)
    }

    // MARK: Flags (RFC 6793, RFC 8654, RFC 2918, RFC 7313)

    @Test func fourOctetASNeedsBothSides() {
        let four = OpenMessage(asNumber: 4_200_000_000, holdTime: 90, bgpIdentifier: IPv4Address("10.0.0.1")!)
        let two = open([.routeRefresh])
        let oneSided = NegotiatedCapabilities(local: four, remote: two)
        #expect(!oneSided.fourOctetAS)
        #expect(!oneSided.decodeContext.fourOctetAS)
        #expect(!oneSided.encodeContext.fourOctetAS)
        #expect(!NegotiatedCapabilities(local: two, remote: four).fourOctetAS)
        let both = NegotiatedCapabilities(local: four, remote: OpenMessage(asNumber: 65002, holdTime: 90, bgpIdentifier: IPv4Address("10.0.0.2")!))
        #expect(both.fourOctetAS)
        #expect(both.decodeContext.fourOctetAS && both.encodeContext.fourOctetAS)
    }

    @Test func extendedMessageNeedsBothSides() {
        let ext = open([.extendedMessage])
        #expect(NegotiatedCapabilities(local: ext, remote: open([])).decodeContext.maxMessageLength == 4096)
        let both = NegotiatedCapabilities(local: ext, remote: ext)
        #expect(both.extendedMessage)
        #expect(both.decodeContext.maxMessageLength == 65535)
        #expect(both.encodeContext.maxMessageLength == 65535)
    }

    @Test func routeRefreshFlags() {
        let n = NegotiatedCapabilities(local: open([.routeRefresh, .enhancedRouteRefresh]),
                                       remote: open([.routeRefresh, .unknown(code: 128, value: [])]))
        #expect(n.routeRefresh)
        #expect(!n.enhancedRouteRefresh)
        let m = NegotiatedCapabilities(local: open([.routeRefresh, .enhancedRouteRefresh]),
                                       remote: open([.enhancedRouteRefresh, .routeRefresh]))
        #expect(m.enhancedRouteRefresh)
    }

    @Test func contextsLeavePeerIsExternalFalse() {
        let n = NegotiatedCapabilities(local: open([]), remote: open([]))
        #expect(n.decodeContext == CodecContext(fourOctetAS: false, extendedMessage: false, addPath: [], peerIsExternal: false))
        #expect(n.encodeContext == .initial)
    }

    // MARK: Hold time (RFC 4271 §4.2)

    @Test(arguments: [(UInt16(90), UInt16(180), UInt16(90)), (180, 90, 90), (0, 90, 0), (3, 0, 0), (3, 240, 3)])
    func holdTimeIsTheMinimum(_ ours: UInt16, _ theirs: UInt16, _ expected: UInt16) {
        #expect(NegotiatedCapabilities(local: open([], hold: ours), remote: open([], hold: theirs)).holdTime == expected)
    }

    // MARK: Graceful restart (RFC 4724)

    @Test func peerGracefulRestart() {
        let gr = GracefulRestartCapability(restartState: true, restartTime: 120, families: [.init(.ipv4Unicast, forwardingStatePreserved: true)])
        let n = NegotiatedCapabilities(local: open([]), remote: open([.gracefulRestart(gr)]))
        #expect(n.peerGracefulRestart == gr)
        #expect(!n.localGracefulRestart)
        let m = NegotiatedCapabilities(local: open([.gracefulRestart(GracefulRestartCapability(restartTime: 90))]), remote: open([]))
        #expect(m.peerGracefulRestart == nil)
        #expect(m.localGracefulRestart)
    }

    // MARK: From the wire

    @Test func birdAgainstGoBGP() {
        let n = NegotiatedCapabilities(local: OpenGoldenTests.bird, remote: OpenGoldenTests.gobgp)
        #expect(n.families == [.ipv4Unicast, .ipv6Unicast])
        #expect(n.fourOctetAS)
        #expect(!n.extendedMessage)         // GoBGP-like OPEN lacks it
        #expect(n.routeRefresh)
        #expect(!n.enhancedRouteRefresh)
        #expect(n.addPathReceive == [.ipv4Unicast]) // BIRD receives, GoBGP sends (both)
        #expect(n.addPathSend.isEmpty)
        #expect(n.holdTime == 90)
        #expect(n.peerGracefulRestart == nil)
    }
}
