import IPCore
import Model
import Testing
@testable import Config

/// `bfd` per peer and `nodeMeshBFD` for the mesh: read, defaulted, validated with line and
/// column, given to mesh peers, and diffed without restarting BGP.
@Suite struct BFDConfigTests {
    static let mesh = """
        nodes:
          - {name: node-a, address: 192.168.77.1}
          - {name: node-b, address: 192.168.77.2}

        """

    @Test func peerBFDIsReadWithDefaults() throws {
        let c = try ConfigLoader.parse(yaml: withRequired("""
            peers:
              - {address: 192.168.77.254, asNumber: 64513, bfd: {enabled: true, minimumRecvInterval: 50, minimumSendInterval: 200, multiplier: 5, graceful: true}}
              - {address: 192.168.77.253, asNumber: 64513, bfd: {}}
              - {address: 192.168.77.252, asNumber: 64513, bfd: {enabled: false, multiplier: 4}}
              - {address: 192.168.77.251, asNumber: 64513}
            """))
        #expect(c.peers[0].bfd == (try BFDSettings(minimumRecvInterval: 50, minimumSendInterval: 200, multiplier: 5, graceful: true)))
        #expect(c.peers[1].bfd == (try BFDSettings()))
        #expect(c.peers[1].bfd?.minimumRecvInterval == 100 && c.peers[1].bfd?.multiplier == 3 && c.peers[1].bfd?.graceful == false)
        #expect(c.peers[2].bfd == nil && c.peers[3].bfd == nil)
    }

    @Test func nodeMeshBFDGoesToMeshPeersOnly() throws {
        let c = try ConfigLoader.parse(yaml: withRequired(Self.mesh + """
            nodeMeshBFD: {enabled: true, minimumRecvInterval: 100, minimumSendInterval: 100, multiplier: 3}
            peers:
              - {address: 192.168.77.254, asNumber: 64513}
            """))
        let peers = c.effectivePeers
        #expect(peers.map(\.type) == [.mesh, .global])
        #expect(peers[0].bfd == (try BFDSettings()))
        #expect(peers[1].bfd == nil)
    }

    @Test func badValuesAreReportedAtTheirLineAndColumn() throws {
        let range = try onlyError(withRequired("""
            peers:
              - {address: 192.168.77.254, asNumber: 64513, bfd: {minimumRecvInterval: 0}}
            """))
        #expect(range.line == 5 && range.keyPath == "peers[0].bfd.minimumRecvInterval")
        #expect(range.message == "0 ms is out of range 1-3600000 ms")
        let mult = try onlyError(withRequired("nodeMeshBFD:\n  multiplier: 300\n"))
        #expect(mult.line == 5 && mult.column == 15 && mult.keyPath == "nodeMeshBFD.multiplier", "\(mult)")
        let unknown = try onlyError(withRequired("nodeMeshBFD: {enabled: true, minRx: 100}\n"))
        #expect(unknown.line == 4 && unknown.column == 30 && unknown.keyPath == "nodeMeshBFD.minRx")
        let type = try onlyError(withRequired("nodeMeshBFD: {graceful: maybe}\n"))
        #expect(type.keyPath == "nodeMeshBFD.graceful" && type.line == 4)
        let shape = try onlyError(withRequired("nodeMeshBFD: true\n"))
        #expect(shape.keyPath == "nodeMeshBFD" && shape.message.contains("expected the BFD settings"))
    }

    @Test func aBFDChangeKeepsTheBGPSession() throws {
        let base = withRequired(Self.mesh + "peers:\n  - {address: 192.168.77.254, asNumber: 64513}\n")
        let on = withRequired(Self.mesh + "nodeMeshBFD: {multiplier: 5}\npeers:\n  - {address: 192.168.77.254, asNumber: 64513, bfd: {}}\n")
        let d = ConfigDiff(old: try ConfigLoader.parse(yaml: base), new: try ConfigLoader.parse(yaml: on))
        #expect(d.changed.isEmpty && d.added.isEmpty && d.removed.isEmpty)
        #expect(d.bfdChanged.map(\.address) == [v4("192.168.77.2"), v4("192.168.77.254")])
        #expect(d.bfdChanged[0].bfd?.multiplier == 5)
        #expect(d.changedSettings.contains("nodeMeshBFD") && !d.isEmpty)
        let back = ConfigDiff(old: try ConfigLoader.parse(yaml: on), new: try ConfigLoader.parse(yaml: base))
        #expect(back.bfdChanged.count == 2 && back.bfdChanged.allSatisfy { $0.bfd == nil })
    }
}
