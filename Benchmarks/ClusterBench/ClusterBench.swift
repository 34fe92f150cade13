// cluster-bench: N simulated nodes (real ClusterAgents, each with its own etcd connection)
// register in one etcd at once; measures the time from the last registration to every
// node seeing all N nodes, and the etcd requests per node per minute at rest (from etcd's
// own gRPC counters on /metrics). Run by interop/bench/datastore-mesh.sh.
//
//   cluster-bench ETCD_URL NODES REST_SECONDS
import Cluster
import Config
import Datastore
import EtcdDatastore
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import IPCore
import Logging
import Model

@main
struct ClusterBench {
    static func main() throws {
        let args = CommandLine.arguments
        guard args.count == 4, let n = Int(args[2]), let rest = Int(args[3]) else {
            FileHandle.standardError.write(Data("usage: cluster-bench ETCD_URL NODES REST_SECONDS\n".utf8))
            exit(2)
        }
        try run(url: args[1], n: n, rest: rest)
    }

    /// When each simulated node first saw itself registered and first saw all N nodes.
    final class Seen: @unchecked Sendable {
        let lock = NSLock()
        let start = Date()
        var registeredAt: [Int: Double] = [:]
        var allSeenAt: [Int: Double] = [:]
        var now: Double { Date().timeIntervalSince(start) }
    }

    static func run(url: String, n: Int, rest: Int) throws {
        var logger = Logger(label: "bench")
        logger.logLevel = .warning
        let seen = Seen()
        let setup = ResourceClient(store: try EtcdDatastore(endpoints: [url], tls: nil), prefix: "/bench")
        try setup.apply(Resource(metadata: ResourceMetadata(name: "bench"),
                                 spec: .ipPool(IPPoolSpec(cidr: IPPrefix("10.200.0.0/16")!, blockSize: 26))))
        var agents: [ClusterAgent] = []
        for i in 0..<n {
            let name = "sim-\(i)"
            let identity = ClusterAgent.Identity(name: name, ipv4: InterfaceAddress("10.99.\(i / 250).\(i % 250 + 1)/16"), ipv6: nil)
            agents.append(ClusterAgent(identity: identity, kind: "etcd", prefix: "/bench", logger: logger,
                                       open: { () throws(DatastoreError) -> any Datastore in try EtcdDatastore(endpoints: [url], tls: nil) }) { state in
                seen.lock.withLock {
                    let t = seen.now
                    if seen.registeredAt[i] == nil, state.view.node(name) != nil { seen.registeredAt[i] = t }
                    if seen.allSeenAt[i] == nil, state.view.nodes.count >= n { seen.allSeenAt[i] = t }
                }
            })
        }
        for a in agents { a.start() }
        let deadline = Date().addingTimeInterval(120)
        while Date() < deadline, seen.lock.withLock({ seen.allSeenAt.count }) < n { Thread.sleep(forTimeInterval: 0.05) }
        let (registered, converged) = seen.lock.withLock { (seen.registeredAt, seen.allSeenAt) }
        guard converged.count == n, registered.count == n else {
            print("FAILED: \(converged.count)/\(n) nodes saw all nodes, \(registered.count) registered in 120 s")
            exit(1)
        }
        let lastRegistration = registered.values.max()!, lastSeen = converged.values.max()!
        let blocks = Set(agents.flatMap(\.status.blocks))
        print(String(format: "nodes %d: all registered by %.3f s; every node saw all %d by %.3f s (%.0f ms after the last registration); %d distinct blocks",
                     n, lastRegistration, n, lastSeen, (lastSeen - lastRegistration) * 1000, blocks.count))

        Thread.sleep(forTimeInterval: 2)
        let before = requests(url)
        Thread.sleep(forTimeInterval: Double(rest))
        let after = requests(url)
        let perMinute = 60.0 / Double(rest) / Double(n)
        let rows = Set(before.keys).union(after.keys).sorted().compactMap { m -> String? in
            let d = (after[m] ?? 0) - (before[m] ?? 0)
            return d > 0 ? "\(m) \(String(format: "%.2f", d * perMinute))" : nil
        }
        print("at rest over \(rest) s, etcd requests per node per minute: " + (rows.isEmpty ? "none" : rows.joined(separator: ", ")))
        for a in agents { a.stop() }
    }

    /// etcd's handled gRPC requests by method (`grpc_server_handled_total`), from /metrics.
    static func requests(_ url: String) -> [String: Double] {
        guard let data = try? Data(contentsOf: URL(string: "\(url)/metrics")!) else { return [:] }
        var out: [String: Double] = [:]
        for line in String(decoding: data, as: UTF8.self).split(separator: "\n") where line.hasPrefix("grpc_server_handled_total{") {
            guard let m = line.range(of: "grpc_method=\""), let v = line.split(separator: " ").last, let value = Double(v) else { continue }
            out[String(line[m.upperBound...].prefix { $0 != "\"" }), default: 0] += value
        }
        return out
    }
}
