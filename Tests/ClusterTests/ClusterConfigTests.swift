import Cluster
import Config
import IPCore
import Model
import Testing

/// The effective configuration from a file config and a view of the datastore.
@Suite struct ClusterConfigTests {
    let keys = ResourceKeys(prefix: "/tern")

    func base(_ name: String = "a", router: String = "192.168.90.1") -> TernConfig {
        var c = try! ConfigLoader.parse(yaml: "nodeName: \(name)\nrouterID: \(router)\ndatastore: {type: file, path: /tmp/x}\n")
        c.holdTime = 9
        return c
    }

    func node(_ name: String, _ ip: String, asNumber: UInt32? = nil, labels: [String: String] = [:], rr: String? = nil) -> Resource {
        Resource(metadata: ResourceMetadata(name: name, labels: labels),
                 spec: .node(NodeResourceSpec(bgp: NodeBGPSpec(ipv4Address: InterfaceAddress(ip), asNumber: asNumber,
                                                              routeReflectorClusterID: rr))))
    }

    func view(_ resources: [Resource]) -> ClusterView {
        var v = ClusterView()
        for r in resources { v.set(keys.key(r), r) }
        return v
    }

    @Test func meshFromRegisteredNodes() {
        let v = view([node("a", "192.168.90.1/24"), node("b", "192.168.90.2/24"), node("c", "192.168.90.3/24")])
        let r = ClusterConfig.effective(base: base(), view: v, blocks: [IPPrefix("10.244.0.0/26")!])
        #expect(r.problems.isEmpty)
        #expect(r.config.asNumber == 64512)
        #expect(r.config.effectivePeers.map(\.name) == ["b", "c"])
        #expect(r.config.effectivePeers.allSatisfy { $0.type == .mesh && $0.asNumber == 64512 && $0.holdTime == 9 })
        #expect(r.config.blocks == [IPPrefix("10.244.0.0/26")!])
    }

    @Test func asNumberFromNodeThenClusterThenDefault() {
        let cfg = Resource(metadata: ResourceMetadata(name: "default"), spec: .bgpConfiguration(BGPConfigurationSpec(asNumber: 64600, nodeToNodeMeshEnabled: false)))
        var r = ClusterConfig.effective(base: base(), view: view([node("a", "192.168.90.1/24"), cfg]), blocks: [])
        #expect(r.config.asNumber == 64600)
        #expect(!r.config.nodeToNodeMesh)
        r = ClusterConfig.effective(base: base(), view: view([node("a", "192.168.90.1/24", asNumber: 65001), cfg]), blocks: [])
        #expect(r.config.asNumber == 65001)
        var written = base()
        written.asNumber = 64999
        written.asNumberWritten = true
        r = ClusterConfig.effective(base: written, view: view([node("a", "192.168.90.1/24", asNumber: 65001)]), blocks: [])
        #expect(r.config.asNumber == 64999)
    }

    @Test func bgpPeersByNodeSelectorAndGlobal() {
        let tor = Resource(metadata: ResourceMetadata(name: "tor"),
                           spec: .bgpPeer(BGPPeerSpec(nodeSelector: "rack == 'r1'", peerIP: IPAddress("192.168.90.254"), asNumber: 64513)))
        let other = Resource(metadata: ResourceMetadata(name: "other-rack"),
                             spec: .bgpPeer(BGPPeerSpec(nodeSelector: "rack == 'r2'", peerIP: IPAddress("192.168.91.254"), asNumber: 64514)))
        let forB = Resource(metadata: ResourceMetadata(name: "for-b"),
                            spec: .bgpPeer(BGPPeerSpec(node: "b", peerIP: IPAddress("192.168.90.253"), asNumber: 64515)))
        let global = Resource(metadata: ResourceMetadata(name: "everyone"),
                              spec: .bgpPeer(BGPPeerSpec(peerIP: IPAddress("192.168.90.252"), peerPort: 1179, asNumber: 64516)))
        let v = view([node("a", "192.168.90.1/24", labels: ["rack": "r1"]), tor, other, forB, global])
        let r = ClusterConfig.effective(base: base(), view: v, blocks: [])
        let explicit = r.config.peers.map { "\($0.name ?? "-") \($0.address):\($0.port) AS\($0.asNumber)" }
        #expect(explicit == ["everyone 192.168.90.252:1179 AS64516", "tor 192.168.90.254:179 AS64513"])
    }

    @Test func routeReflectorsByPeerSelector() {
        let rrPeer = Resource(metadata: ResourceMetadata(name: "to-rr"),
                              spec: .bgpPeer(BGPPeerSpec(nodeSelector: "all()", peerSelector: "has(route-reflector)")))
        let nodes = [node("a", "192.168.90.1/24"), node("b", "192.168.90.2/24"),
                     node("rr", "192.168.90.9/24", labels: ["route-reflector": "true"], rr: "10.0.0.1")]
        let meshOff = Resource(metadata: ResourceMetadata(name: "default"), spec: .bgpConfiguration(BGPConfigurationSpec(nodeToNodeMeshEnabled: false)))
        // A client: one peer, the reflector, marked as our reflector.
        var r = ClusterConfig.effective(base: base(), view: view(nodes + [rrPeer, meshOff]), blocks: [])
        #expect(r.config.effectivePeers.map { "\($0.name!) rr=\($0.routeReflector) client=\($0.routeReflectorClient)" } == ["rr rr=true client=false"])
        // The reflector: every node it selects... here the peer selects only reflectors, so
        // the reflector needs its own BGPPeer to its clients.
        let rrToClients = Resource(metadata: ResourceMetadata(name: "rr-to-clients"),
                                   spec: .bgpPeer(BGPPeerSpec(nodeSelector: "has(route-reflector)", peerSelector: "!has(route-reflector)")))
        r = ClusterConfig.effective(base: base("rr", router: "192.168.90.9"), view: view(nodes + [rrPeer, rrToClients, meshOff]), blocks: [])
        #expect(r.config.reflectorClusterID == IPv4Address("10.0.0.1"))
        #expect(r.config.effectivePeers.map { "\($0.name!) client=\($0.routeReflectorClient)" } == ["a client=true", "b client=true"])
    }

    @Test func poolsAndProblems() {
        let pool = Resource(metadata: ResourceMetadata(name: "p"), spec: .ipPool(IPPoolSpec(cidr: IPPrefix("10.244.0.0/16")!, vxlanMode: .Always)))
        let bad = Resource(metadata: ResourceMetadata(name: "bad"),
                           spec: .bgpPeer(BGPPeerSpec(nodeSelector: "rack ==", peerIP: IPAddress("192.168.90.254"), asNumber: 64513)))
        let r = ClusterConfig.effective(base: base(), view: view([pool, bad]), blocks: [])
        #expect(r.config.ipPools.map(\.cidr) == [IPPrefix("10.244.0.0/16")!])
        #expect(r.config.ipPools.first?.vxlanMode == .Always)
        #expect(r.problems.count == 1 && r.problems[0].hasPrefix("BGPPeer bad: "))
    }
}
