import Testing
@testable import Config

/// `longLivedStaleTime` per peer and `nodeMeshLongLivedStaleTime` (RFC 9494): read, 0 as
/// off, range errors at the file's line and column, diffed.
@Suite struct LLGRConfigTests {
    @Test func perPeerAndMesh() throws {
        let c = try ConfigLoader.parse(yaml: withRequired("""
            nodeMeshLongLivedStaleTime: 600
            nodes: [{name: node-a, address: 192.168.77.1}, {name: node-b, address: 192.168.77.2}]
            peers:
              - {address: 192.168.77.254, asNumber: 64512, longLivedStaleTime: 3600}
              - {address: 192.168.77.253, asNumber: 64512, longLivedStaleTime: 0}
              - {address: 192.168.77.252, asNumber: 64512}
            """))
        #expect(c.nodeMeshLongLivedStaleTime == 600)
        #expect(c.peers.map(\.longLivedStaleTime) == [3600, nil, nil])
        #expect(c.meshPeers.map(\.longLivedStaleTime) == [600])
    }

    @Test func meshZeroIsOff() throws {
        let c = try ConfigLoader.parse(yaml: withRequired("nodeMeshLongLivedStaleTime: 0\nnodes: [{name: node-b, address: 192.168.77.2}]\n"))
        #expect(c.nodeMeshLongLivedStaleTime == nil)
        #expect(c.meshPeers.map(\.longLivedStaleTime) == [nil])
    }

    @Test func outOfRangeWithPlace() throws {
        let peer = try onlyError(withRequired("peers:\n  - {address: 192.168.77.254, asNumber: 64513, longLivedStaleTime: 16777216}\n"))
        #expect(peer.keyPath == "peers[0].longLivedStaleTime")
        #expect(peer.message == "longLivedStaleTime 16777216 is out of range 0-16777215 seconds")
        #expect(peer.line == 5 && peer.column == 68)
        let mesh = try onlyError(withRequired("nodeMeshLongLivedStaleTime: -1\n"))
        #expect(mesh.keyPath == "nodeMeshLongLivedStaleTime" && mesh.line == 4 && mesh.column == 29)
        let text = try onlyError(withRequired("nodeMeshLongLivedStaleTime: an hour\n"))
        #expect(text.line == 4)
    }

    @Test func changedStaleTimeIsAPeerDifference() throws {
        let a = try ConfigLoader.parse(yaml: withRequired("peers:\n  - {address: 192.168.77.254, asNumber: 64513, longLivedStaleTime: 60}\n"))
        let b = try ConfigLoader.parse(yaml: withRequired("peers:\n  - {address: 192.168.77.254, asNumber: 64513, longLivedStaleTime: 120}\n"))
        #expect(ConfigDiff.differences(a.peers[0], b.peers[0]) == ["longLivedStaleTime"])
    }
}
