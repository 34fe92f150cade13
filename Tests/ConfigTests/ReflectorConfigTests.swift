import IPCore
import BGPWire
import Foundation
import Testing
@testable import Config

/// `routeReflectorClusterID`, `peers[].routeReflectorClient`, `routeReflector`, `addPaths`,
/// `addPathsCount`.
@Suite struct ReflectorConfigTests {
    @Test func reflectorKeys() throws {
        let c = try ConfigLoader.parse(yaml: withRequired("""
            role: reflector
            nodeToNodeMesh: false
            routeReflectorClusterID: 10.0.0.100
            peers:
              - {address: 192.168.77.11, asNumber: 64512, routeReflectorClient: true, addPaths: send, addPathsCount: 3}
              - {address: 192.168.77.12, asNumber: 64512, routeReflectorClient: true}
              - {address: 192.168.77.13, asNumber: 64512, addPaths: receive}

            """))
        #expect(c.routeReflectorClusterID == IPv4Address("10.0.0.100"))
        #expect(c.reflectorClusterID == IPv4Address("10.0.0.100"))
        let p = c.effectivePeers
        #expect(p.map(\.routeReflectorClient) == [true, true, false])
        #expect(p.map(\.addPaths) == [.send, .none, .receive])
        #expect(p.map(\.addPathsCount) == [3, 2, 2])
        #expect(p.map(\.displayType) == ["reflector client", "reflector client", "global"])
    }

    @Test func clientSideMarksItsReflector() throws {
        let c = try ConfigLoader.parse(yaml: withRequired("""
            peers:
              - {address: 192.168.77.100, asNumber: 64512, routeReflector: true, addPaths: receive}

            """))
        #expect(c.reflectorClusterID == nil)
        #expect(c.effectivePeers[0].displayType == "reflector")
        #expect(c.effectivePeers[0].routeReflector)
    }

    @Test func roleReflectorDefaultsClusterIDToRouterID() throws {
        #expect(try ConfigLoader.parse(yaml: withRequired("role: reflector\n")).reflectorClusterID == IPv4Address("192.168.77.1"))
        #expect(try ConfigLoader.parse(yaml: withRequired("")).reflectorClusterID == nil)
    }

    @Test func clientWithoutClusterIDIsAnError() throws {
        let e = try onlyError(withRequired("""
            role: reflector
            peers:
              - address: 192.168.77.11
                asNumber: 64512
                routeReflectorClient: true

            """))
        #expect(e.line == 8)
        #expect(e.keyPath == "peers[0].routeReflectorClient")
        #expect(e.message.contains("routeReflectorClusterID is not set"))
        #expect(e.hint?.contains("routeReflectorClusterID: <IPv4 cluster ID>") == true)
    }

    @Test func badClusterIDs() throws {
        let zero = try onlyError(withRequired("routeReflectorClusterID: 0.0.0.0\n"))
        #expect(zero.line == 4 && zero.keyPath == "routeReflectorClusterID")
        #expect(zero.message.contains("0.0.0.0"))
        let v6 = try onlyError(withRequired("holdTime: 90\nrouteReflectorClusterID: 2001:db8::1\n"))
        #expect(v6.line == 5)
        #expect(v6.message.contains("not an IPv4 address"))
    }

    @Test func peerReflectorErrors() throws {
        let ebgp = try onlyError(withRequired("""
            routeReflectorClusterID: 10.0.0.100
            peers:
              - {address: 192.168.77.254, asNumber: 64513, routeReflectorClient: true}

            """))
        #expect(ebgp.line == 6 && ebgp.keyPath == "peers[0].routeReflectorClient")
        #expect(ebgp.message.contains("only iBGP"))
        let both = try onlyError(withRequired("""
            routeReflectorClusterID: 10.0.0.100
            peers:
              - {address: 192.168.77.2, asNumber: 64512, routeReflectorClient: true, routeReflector: true}

            """))
        #expect(both.keyPath == "peers[0].routeReflector" && both.line == 6)
        let mode = try onlyError(withRequired("peers:\n  - {address: 192.168.77.2, asNumber: 64512, addPaths: recieve}\n"))
        #expect(mode.line == 5 && mode.keyPath == "peers[0].addPaths")
        #expect(mode.hint == "did you mean \"receive\"?")
        let count = try onlyError(withRequired("peers:\n  - {address: 192.168.77.2, asNumber: 64512, addPaths: send, addPathsCount: 0}\n"))
        #expect(count.keyPath == "peers[0].addPathsCount" && count.message.contains("out of range"))
        let useless = try onlyError(withRequired("peers:\n  - {address: 192.168.77.2, asNumber: 64512, addPaths: receive, addPathsCount: 4}\n"))
        #expect(useless.keyPath == "peers[0].addPathsCount")
        #expect(useless.hint?.contains("addPaths: send") == true)
    }

    @Test func diffRestartsOnClusterChangeAndPeerOnClientChange() throws {
        let a = try ConfigLoader.parse(yaml: withRequired("routeReflectorClusterID: 10.0.0.100\npeers:\n  - {address: 192.168.77.2, asNumber: 64512}\n"))
        let b = try ConfigLoader.parse(yaml: withRequired("routeReflectorClusterID: 10.0.0.101\npeers:\n  - {address: 192.168.77.2, asNumber: 64512}\n"))
        #expect(ConfigDiff(old: a, new: b).restartAll)
        #expect(ConfigDiff(old: a, new: b).changedSettings == ["routeReflectorClusterID"])
        let c = try ConfigLoader.parse(yaml: withRequired("routeReflectorClusterID: 10.0.0.100\npeers:\n  - {address: 192.168.77.2, asNumber: 64512, routeReflectorClient: true, addPaths: both}\n"))
        let d = ConfigDiff(old: a, new: c)
        #expect(!d.restartAll)
        #expect(d.changed.map(\.fields) == [["routeReflectorClient", "addPaths"]])
    }

    @Test func shippedReflectorExampleParses() throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../config/reflector.yaml")
        let c = try ConfigLoader.load(path: url.standardizedFileURL.path)
        #expect(c.role == .reflector)
        #expect(!c.dataplaneEnabled)
        #expect(c.reflectorClusterID != nil)
        #expect(c.effectivePeers.contains { $0.routeReflectorClient })
    }
}
