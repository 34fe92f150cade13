import Cluster
import Datastore
import EtcdDatastore
import EtcdTestSupport
import FileDatastore
import Foundation
import IPCore
import Model
import Testing

/// Block claims against the real stores: two nodes racing never get the same block, a
/// pending claim left by a crash is settled, release frees a node's blocks.
@Suite(.serialized) struct BlockClaimerTests {
    static let pool = [(name: "p", spec: IPPoolSpec(cidr: IPPrefix("10.250.0.0/24")!, blockSize: 26))]

    func tempDir() -> String {
        let d = NSTemporaryDirectory() + "tern-claim-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try? FileManager.default.createDirectory(atPath: d, withIntermediateDirectories: true)
        return d
    }

    /// The two racing nodes: names whose search starts at the same block of the 4-block pool,
    /// so that they really compete for it (nodes with other names would start apart).
    static let racers = ["x", "d"]

    @Test func theRacersStartAtTheSameBlock() {
        #expect(BlockClaimer.start(for: Self.racers[0]) % 4 == BlockClaimer.start(for: Self.racers[1]) % 4)
    }

    /// Two nodes claim at the same instant, each through its own store instance (its own
    /// lock file descriptor or HTTP connection, as two processes would): 20 rounds, the
    /// blocks are always different and each node's affinity is confirmed.
    func race(_ makeStore: (Int) throws -> any Datastore, prefix: (Int) -> String) throws {
        for round in 0..<20 {
            let stores = [try makeStore(round), try makeStore(round)]
            let results = Results()
            let roundPrefix = prefix(round)
            DispatchQueue.concurrentPerform(iterations: 2) { i in
                let client = ResourceClient(store: stores[i], prefix: roundPrefix)
                do throws(ResourceClient.Failure) {
                    results.set(i, try BlockClaimer(client: client, node: Self.racers[i]).claim(pools: Self.pool, labels: [:]))
                } catch {
                    results.fail("\(error)")
                }
            }
            #expect(results.errors.isEmpty, "round \(round): \(results.errors)")
            let (a, b) = (results.blocks[0] ?? [], results.blocks[1] ?? [])
            #expect(a.count == 1 && b.count == 1 && a != b, "round \(round): \(Self.racers[0]) \(a), \(Self.racers[1]) \(b)")
            let client = ResourceClient(store: stores[0], prefix: prefix(round))
            let affinities = try client.list(.blockAffinity).resources.compactMap { r -> BlockAffinitySpec? in
                if case .blockAffinity(let s) = r.spec { return s } else { return nil }
            }
            #expect(affinities.count == 2 && affinities.allSatisfy { $0.state == .confirmed }, "round \(round): \(affinities)")
        }
    }

    @Test func fileStoreRace() throws {
        var dirs: [Int: String] = [:]
        try race({ round in
            if dirs[round] == nil { dirs[round] = tempDir() }
            return try FileDatastore(directory: dirs[round]!)
        }, prefix: { _ in "/tern" })
        for d in dirs.values { try? FileManager.default.removeItem(atPath: d) }
    }

    @Test(.enabled(if: EtcdServer.available, "etcd is not installed (make deps installs etcd-server)"))
    func etcdRace() throws {
        let server = try EtcdServer()
        defer { server.stop() }
        try race({ _ in try EtcdDatastore(endpoints: [server.clientURL], tls: nil) }, prefix: { "/race\($0)" })
    }

    @Test func pendingClaimsAreSettledAndReleaseFrees() throws {
        let dir = tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let client = ResourceClient(store: try FileDatastore(directory: dir), prefix: "/tern")
        // A crash left n1 a pending affinity for a block it created, and one for a block n2 has.
        let mine = IPPrefix("10.250.0.0/26")!, theirs = IPPrefix("10.250.0.64/26")!
        for (cidr, owner) in [(mine, "n1"), (theirs, "n2")] {
            try client.apply(Resource(metadata: ResourceMetadata(name: ResourceKeys.affinityName(node: "n1", cidr: cidr)),
                                      spec: .blockAffinity(BlockAffinitySpec(state: .pending, node: "n1", cidr: cidr))))
            _ = try client.store.create(client.keys.block(cidr), Array("{\"affinity\":\"host:\(owner)\",\"cidr\":\"\(cidr)\"}".utf8), lease: nil)
        }
        let held = try BlockClaimer(client: client, node: "n1").claim(pools: Self.pool, labels: [:])
        #expect(held == [mine])
        let names = try client.list(.blockAffinity).resources.map(\.metadata.name)
        #expect(names == [ResourceKeys.affinityName(node: "n1", cidr: mine)])
        // Release: the block and the affinity go; another node can take the block.
        #expect(try BlockClaimer.release(node: "n1", client: client) == [mine])
        #expect(try client.list(.blockAffinity).resources.isEmpty)
        #expect(try client.store.get(client.keys.block(mine)) == nil)
        // A pool of one block: taken, refused to another node, released, then the other's.
        let single = [(name: "one", spec: IPPoolSpec(cidr: IPPrefix("10.253.0.0/26")!, blockSize: 26))]
        let only = IPPrefix("10.253.0.0/26")!
        #expect(try BlockClaimer(client: client, node: "n5").claim(pools: single, labels: [:]) == [only])
        #expect(throws: ResourceClient.Failure.self) { try BlockClaimer(client: client, node: "n6").claim(pools: single, labels: [:]) }
        #expect(try BlockClaimer.release(node: "n5", client: client) == [only])
        #expect(try BlockClaimer(client: client, node: "n6").claim(pools: single, labels: [:]) == [only])
    }

    @Test func selectorsDisabledPoolsAndExhaustion() throws {
        let dir = tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let client = ResourceClient(store: try FileDatastore(directory: dir), prefix: "/tern")
        let pools = [
            (name: "rack1", spec: IPPoolSpec(cidr: IPPrefix("10.251.0.0/26")!, blockSize: 26, nodeSelector: "rack == 'r1'")),
            (name: "off", spec: IPPoolSpec(cidr: IPPrefix("10.252.0.0/24")!, blockSize: 26, disabled: true)),
        ]
        #expect(try BlockClaimer(client: client, node: "n1").claim(pools: pools, labels: ["rack": "r1"]) == [IPPrefix("10.251.0.0/26")!])
        #expect(try BlockClaimer(client: client, node: "n2").claim(pools: pools, labels: ["rack": "r2"]) == [])
        do {
            _ = try BlockClaimer(client: client, node: "n3").claim(pools: pools, labels: ["rack": "r1"])
            Issue.record("a full pool gave a block")
        } catch {
            #expect("\(error)".contains("no free /26 block"))
        }
    }
}

final class Results: @unchecked Sendable {
    private let lock = NSLock()
    private(set) var blocks: [Int: [IPPrefix]] = [:]
    private(set) var errors: [String] = []
    func set(_ i: Int, _ b: [IPPrefix]) { lock.withLock { blocks[i] = b } }
    func fail(_ e: String) { lock.withLock { errors.append(e) } }
}
