import IPCore
import BGPWire
import Model
import Testing
@testable import Config

func config(_ yaml: String) throws -> TernConfig { try ConfigLoader.parse(yaml: yaml, file: "t.yaml") }

@Suite struct MeshPeers {
    @Test func selfExcludedByNameAndAddress() throws {
        let c = try config(withRequired("""
            holdTime: 30
            nodes:
              - {name: node-a, address: 192.168.77.1}
              - {name: node-b, address: 192.168.77.2}
              - {name: node-c, address: 192.168.77.3}
            """))
        let mesh = c.effectivePeers
        #expect(mesh.map(\.name) == ["node-b", "node-c"])
        #expect(mesh.allSatisfy { $0.type == .mesh && $0.asNumber == 64512 && $0.holdTime == 30 && $0.connectRetryTime == 5 })
        #expect(mesh.allSatisfy { $0.families == [.v4] })

        // Built in code, a node at our router ID under another name is skipped too.
        var manual = TernConfig(nodeName: "node-a", asNumber: 64512, routerID: IPv4Address("192.168.77.1")!)
        manual.nodes = [try NodeSpec(name: "alias", address: v4("192.168.77.1")), try NodeSpec(name: "node-b", address: v4("192.168.77.2"))]
        #expect(manual.meshPeers.map(\.name) == ["node-b"])
    }

    @Test func meshOff() throws {
        let c = try config(withRequired("nodeToNodeMesh: false\nnodes: [{name: node-b, address: 192.168.77.2}]\n"))
        #expect(c.meshPeers.isEmpty)
        #expect(c.effectivePeers.isEmpty)
    }

    @Test func passiveTowardLexicallyGreaterAddress() throws {
        // Our address is 10.0.0.10. Calico compares text: "10.0.0.5" > "10.0.0.10", "10.0.0.100" > "10.0.0.10".
        let c = try config("""
            nodeName: me
            asNumber: 64512
            routerID: 10.0.0.10
            nodes:
              - {name: me, address: 10.0.0.10}
              - {name: five, address: 10.0.0.5}
              - {name: hundred, address: 10.0.0.100}
              - {name: one, address: 10.0.0.1}
              - {name: nine, address: 10.0.0.9}
            """)
        let passive = Dictionary(uniqueKeysWithValues: c.meshPeers.map { ($0.name!, $0.passive) })
        #expect(passive == ["five": true, "hundred": true, "one": false, "nine": true])
        // The two ends of every pair disagree, so exactly one side connects.
        let me = PeerEndpoint(address: v4("10.0.0.10"), port: 179)
        for peer in c.meshPeers {
            #expect(TernConfig.meshPassive(peer: peer.endpoint, local: me) != TernConfig.meshPassive(peer: me, local: peer.endpoint))
        }
    }

    @Test func sharedAddressComparesPorts() throws {
        let c = try config("""
            nodeName: a
            asNumber: 64512
            routerID: 10.0.0.1
            listenPort: 1790
            nodes:
              - {name: a, address: 127.0.0.1, port: 1790}
              - {name: b, address: 127.0.0.1, port: 1791}
              - {name: c, address: 127.0.0.1, port: 1789}
            """)
        #expect(c.meshPeers.map(\.port) == [1791, 1789])
        #expect(c.meshPeers.map(\.passive) == [true, false])
    }

    @Test func explicitPeerReplacesMeshPeerAtSameAddress() throws {
        let c = try config(withRequired("""
            nodes: [{name: node-b, address: 192.168.77.2}, {name: node-c, address: 192.168.77.3}]
            peers: [{address: 192.168.77.2, asNumber: 64512, holdTime: 9, name: b-by-hand}]
            """))
        let peers = c.effectivePeers
        #expect(peers.map(\.name) == ["node-c", "b-by-hand"])
        #expect(peers.map(\.type) == [.mesh, .global])
        #expect(peers[1].holdTime == 9)
    }

    @Test func ipv6NodeGetsIPv6Family() throws {
        let c = try config(withRequired("nodes: [{name: v6, address: 'fd00::2'}]\n"))
        #expect(c.meshPeers.first?.families == [.v6])
    }
}

@Suite struct Diffs {
    static let base = withRequired("""
        nodes:
          - {name: node-a, address: 192.168.77.1}
          - {name: node-b, address: 192.168.77.2}
        peers:
          - {address: 192.168.77.254, asNumber: 64513, holdTime: 30}
          - {address: 192.168.77.253, asNumber: 64513}
        blocks: [10.244.1.0/26]
        """)

    @Test func identical() throws {
        let d = ConfigDiff(old: try config(Self.base), new: try config(Self.base))
        #expect(d.isEmpty)
        #expect(d.unchanged.count == 3)
        #expect(!d.restartAll && !d.listenerChanged)
        #expect(d.peersToStart.isEmpty)
    }

    @Test func addedAndRemoved() throws {
        let new = Self.base
            .replacingOccurrences(of: "192.168.77.253", with: "192.168.77.252")
            .replacingOccurrences(of: "{name: node-b, address: 192.168.77.2}", with: "{name: node-c, address: 192.168.77.3}")
        let d = ConfigDiff(old: try config(Self.base), new: try config(new))
        #expect(d.added.map(\.address) == [v4("192.168.77.3"), v4("192.168.77.252")])
        #expect(d.removed.map(\.address) == [v4("192.168.77.2"), v4("192.168.77.253")])
        #expect(d.unchanged.map(\.address) == [v4("192.168.77.254")])
        #expect(d.changed.isEmpty)
        #expect(d.changedSettings == ["nodes", "peers"])
        #expect(!d.restartAll)
    }

    @Test func changedPeerFields() throws {
        let new = Self.base.replacingOccurrences(of: "asNumber: 64513, holdTime: 30}", with: "asNumber: 64513, holdTime: 30, passive: true}")
        let d = ConfigDiff(old: try config(Self.base), new: try config(new))
        #expect(d.changed.count == 1)
        #expect(d.changed.first?.fields == ["passive"])
        #expect(d.changed.first?.new.passive == true && d.changed.first?.old.passive == false)
        #expect(d.unchanged.count == 2)
    }

    @Test func topLevelHoldTimeChangesInheritingPeersOnly() throws {
        let d = ConfigDiff(old: try config(Self.base), new: try config(Self.base + "\nholdTime: 60\n"))
        // node-b (mesh) and .253 inherit the hold time; .254 sets its own.
        #expect(d.changed.map { $0.new.address } == [v4("192.168.77.2"), v4("192.168.77.253")])
        #expect(d.changed.allSatisfy { $0.fields == ["holdTime"] })
        #expect(d.unchanged.map(\.address) == [v4("192.168.77.254")])
        // `peers` holds resolved peers: .253's inherited hold time changed with the top level.
        #expect(d.changedSettings == ["holdTime", "peers"])
        #expect(!d.restartAll)
    }

    @Test func asNumberChangeRestartsEverything() throws {
        let new = Self.base.replacingOccurrences(of: "asNumber: 64512", with: "asNumber: 64600")
        let d = ConfigDiff(old: try config(Self.base), new: try config(new))
        #expect(d.restartAll)
        #expect(d.changedSettings == ["asNumber"])
        // The mesh peer takes our AS, so it changed; the explicit ones did not, but restart anyway.
        #expect(d.changed.map(\.fields) == [["asNumber"]])
        #expect(d.unchanged.count == 2)
        #expect(d.peersToStart.count == 3)
    }

    @Test func routerIDChangeRestartsEverything() throws {
        let new = Self.base.replacingOccurrences(of: "routerID: 192.168.77.1", with: "routerID: 192.168.77.9")
        let d = ConfigDiff(old: try config(Self.base), new: try config(new))
        #expect(d.restartAll)
        #expect(d.changedSettings == ["routerID"])
        #expect(d.peersToStart.count == 3)
    }

    @Test func settingsThatNeedNoPeerRestart() throws {
        let new = Self.base.replacingOccurrences(of: "blocks: [10.244.1.0/26]", with: "blocks: [10.244.1.64/26]")
            + "\nlistenPort: 1179\nlogLevel: debug\n"
        let e = ConfigDiff(old: try config(Self.base), new: try config(new))
        #expect(!e.restartAll)
        #expect(e.listenerChanged)
        #expect(e.changedSettings == ["listenPort", "blocks", "logLevel"])
        #expect(e.blocksAdded == [IPPrefix("10.244.1.64/26")!])
        #expect(e.blocksRemoved == [IPPrefix("10.244.1.0/26")!])
        #expect(e.changed.isEmpty && e.added.isEmpty && e.removed.isEmpty)
    }
}
