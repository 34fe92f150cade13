import IPCore
import BGPWire
import Config
import Foundation
import Testing
@testable import Daemon
import TernAPI

/// Route reflection (RFC 4456) and add-path (RFC 7911) between real speakers in one
/// process over loopback TCP (127.0.0.4x-6x), as ``SpeakerLoopbackTests``.
@Suite(.serialized) struct ReflectorLoopbackTests {
    typealias Node = SpeakerLoopbackTests.Node
    static let port = SpeakerLoopbackTests.port
    static let cluster = "10.255.255.1"

    /// One speaker's YAML; `peers` are flow mappings without the port.
    static func config(name: String, ip: String, blocks: [String], reflector: Bool = false,
                       peers: [String], dir: String) -> String {
        var y = """
            nodeName: \(name)
            role: \(reflector ? "reflector" : "node")
            asNumber: 64512
            routerID: \(ip)
            listenAddress: \(ip)
            listenPort: \(port)
            controlSocket: \(dir)/\(name).sock
            holdTime: 9
            connectRetryTime: 1
            nodeToNodeMesh: false
            blocks: [\(blocks.joined(separator: ", "))]
            dataplane: {enabled: false}
            logLevel: critical

            """
        if reflector { y += "routeReflectorClusterID: \(cluster)\n" }
        y += "peers:\n" + peers.map { "  - {\($0), asNumber: 64512, port: \(port)}" }.joined(separator: "\n") + "\n"
        return y
    }

    static func node(_ name: String, _ ip: String, blocks: [String], reflector: Bool = false, peers: [String],
                     dir: String) throws -> Node {
        try Node(config(name: name, ip: ip, blocks: blocks, reflector: reflector, peers: peers, dir: dir), name: name, dir: dir)
    }

    static func eventually(_ seconds: Double = 15, _ condition: () -> Bool) -> Bool {
        SpeakerLoopbackTests.eventually(seconds, condition)
    }

    /// The paths of `prefix` at `n`.
    static func paths(_ n: Node, _ prefix: String) -> [ControlProtocol.Path] {
        n.routes().first { $0.prefix == prefix }?.paths ?? []
    }

    @Test func clientsLearnEachOtherViaReflector() throws {
        let dir = try SpeakerLoopbackTests.tempDir()
        let rr = "127.0.0.41", ips = ["127.0.0.42", "127.0.0.43", "127.0.0.44"]
        let reflector = try Self.node("rr", rr, blocks: [], reflector: true,
                                      peers: ips.map { "address: \($0), routeReflectorClient: true" }, dir: dir)
        let clients = try ips.enumerated().map { i, ip in
            try Self.node("c\(i)", ip, blocks: ["10.50.\(i).0/26"], peers: ["address: \(rr), routeReflector: true"], dir: dir)
        }
        defer { for n in clients + [reflector] { n.stop() } }
        for (i, c) in clients.enumerated() {
            for (j, ip) in ips.enumerated() where j != i {
                let prefix = "10.50.\(j).0/26"
                // The original next hop (the originating client), not the reflector.
                #expect(Self.eventually { c.hasRoute(prefix, via: ip) }, "c\(i) lacks \(prefix): \(c.routes())")
                let p = Self.paths(c, prefix).first
                #expect(p?.source == rr)
                #expect(p?.originatorID == ip)
                #expect(p?.clusterList == [Self.cluster])
                #expect(p?.localPref == 100)
            }
            #expect(c.status().peers.map(\.type) == ["reflector"])
        }
        let s = reflector.status()
        #expect(s.role == "reflector")
        #expect(s.peers.map(\.type) == ["reflector client", "reflector client", "reflector client"])
        #expect(s.peers.allSatisfy { $0.prefixesSent == 2 && $0.prefixesAccepted == 1 })
    }

    @Test func redundantReflectorsKeepClientsConverged() throws {
        let dir = try SpeakerLoopbackTests.tempDir()
        let r1 = "127.0.0.51", r2 = "127.0.0.52", ips = ["127.0.0.53", "127.0.0.54", "127.0.0.55"]
        let clientPeers = ips.map { "address: \($0), routeReflectorClient: true" }
        // The reflectors also peer with each other (non-clients): each reflects its clients'
        // routes to the other, which drops them (its cluster ID is in the CLUSTER_LIST).
        let rr1 = try Self.node("rr1", r1, blocks: [], reflector: true, peers: clientPeers + ["address: \(r2)"], dir: dir)
        let rr2 = try Self.node("rr2", r2, blocks: [], reflector: true, peers: clientPeers + ["address: \(r1)"], dir: dir)
        let clients = try ips.enumerated().map { i, ip in
            try Self.node("c\(i)", ip, blocks: ["10.60.\(i).0/26"],
                          peers: ["address: \(r1), routeReflector: true", "address: \(r2), routeReflector: true"], dir: dir)
        }
        defer { for n in clients + [rr2] { n.stop() } }
        func converged(_ c: Node, _ i: Int, paths: Int) -> Bool {
            ips.indices.allSatisfy { j in
                j == i || {
                    let p = Self.paths(c, "10.60.\(j).0/26")
                    return p.count == paths && p.allSatisfy { $0.nextHop == ips[j] }
                }()
            }
        }
        func hasAll(_ c: Node, _ i: Int) -> Bool {
            ips.indices.allSatisfy { j in
                j == i || {
                    let p = Self.paths(c, "10.60.\(j).0/26")
                    return !p.isEmpty && p.allSatisfy { $0.nextHop == ips[j] }
                }()
            }
        }
        // Every client has every other block twice, once via each reflector.
        for (i, c) in clients.enumerated() {
            #expect(Self.eventually { converged(c, i, paths: 2) }, "c\(i): \(c.routes())")
        }
        // Loop prevention between the reflectors: what rr1 reflects to rr2 is received, not accepted.
        #expect(Self.eventually {
            rr2.status().peers.first { $0.address == r1 }.map { $0.prefixesReceived == 3 && $0.prefixesAccepted == 0 } == true
        })
        // rr1 dies: no client is ever without a route, and each ends with the path via rr2.
        rr1.stop()
        let end = Date().addingTimeInterval(3)
        var lost: [String] = []
        repeat {
            for (i, c) in clients.enumerated() where !hasAll(c, i) {
                lost.append("c\(i): \(c.routes().map(\.prefix))")
            }
            usleep(20_000)
        } while Date() < end && lost.isEmpty
        #expect(lost.isEmpty, "routes lost: \(lost)")
        for (i, c) in clients.enumerated() {
            #expect(Self.eventually { converged(c, i, paths: 1) })
            #expect(ips.indices.filter { $0 != i }.allSatisfy { Self.paths(c, "10.60.\($0).0/26").first?.source == r2 })
        }
    }

    @Test func addPathGivesClientBothPathsToAnycastBlock() throws {
        let dir = try SpeakerLoopbackTests.tempDir()
        let rr = "127.0.0.61", ips = ["127.0.0.62", "127.0.0.63", "127.0.0.64"]
        let shared = "10.70.0.0/26"
        let reflector = try Self.node("rr", rr, blocks: [], reflector: true, peers: [
            "address: \(ips[0]), routeReflectorClient: true",
            "address: \(ips[1]), routeReflectorClient: true",
            "address: \(ips[2]), routeReflectorClient: true, addPaths: send, addPathsCount: 2",
        ], dir: dir)
        let c0 = try Self.node("c0", ips[0], blocks: [shared, "10.70.1.0/26"], peers: ["address: \(rr), routeReflector: true"], dir: dir)
        let c1 = try Self.node("c1", ips[1], blocks: [shared], peers: ["address: \(rr), routeReflector: true"], dir: dir)
        let c2 = try Self.node("c2", ips[2], blocks: [],
                               peers: ["address: \(rr), routeReflector: true, addPaths: receive"], dir: dir)
        defer { for n in [c0, c1, c2, reflector] { n.stop() } }
        // c2 (add-path receive) gets both paths of the shared block, with distinct path IDs,
        // and the single path of the other block.
        #expect(Self.eventually { Set(Self.paths(c2, shared).map(\.nextHop)) == [ips[0], ips[1]] }, "\(c2.routes())")
        let p = Self.paths(c2, shared)
        #expect(p.count == 2)
        #expect(Set(p.compactMap(\.pathID)).count == 2)
        #expect(p.allSatisfy { $0.source == rr && $0.clusterList == [Self.cluster] })
        #expect(Self.eventually { Self.paths(c2, "10.70.1.0/26").count == 1 })
        #expect(c2.status().peers.first?.prefixesAccepted == 3)
        // Without add-path, c1 gets only the reflector's best path of the shared block (next
        // to its own local path).
        #expect(Self.eventually { c1.hasRoute("10.70.1.0/26", via: ips[0]) })
        #expect(Self.paths(c1, shared).filter { $0.source == rr }.count == 1)
        // One node withdrawing its copy takes just that path away.
        c0.loop.sync { c0.speaker.speaker.withdrawOriginated([IPPrefix(shared)!]) }
        #expect(Self.eventually { Self.paths(c2, shared).map(\.nextHop) == [ips[1]] }, "\(c2.routes())")
    }
}
