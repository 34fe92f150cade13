// swift-tools-version: 6.1
// Tern: a Calico-style vRouter (BGP-4 speaker + Felix-like dataplane agent) in Swift.
// Targets follow docs/ARCHITECTURE.md: one responsibility each.
import PackageDescription

let package = Package(
    name: "Tern",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "tern", targets: ["tern"]),
        .executable(name: "tern-cni", targets: ["tern-cni"]),
        .library(name: "BGPWire", targets: ["BGPWire"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.0.0"),
        .package(url: "https://github.com/apple/swift-collections", from: "1.1.0"),
        // The Prometheus registry and text exposition (swift-metrics' backend); no SwiftNIO
        // in its graph (swift-atomics, swift-metrics 2.13.0 only).
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
    ],
    targets: [
        /// libmnl (netlink) as a Swift module; only the Netlink target may import it.
        .systemLibrary(
            name: "CMNL",
            pkgConfig: "libmnl",
            providers: [.apt(["libmnl-dev"])]
        ),
        /// libcurl (HTTP client) as a Swift module; only the EtcdClient target may import it.
        .systemLibrary(
            name: "CCurl",
            pkgConfig: "libcurl",
            providers: [.apt(["libcurl4-openssl-dev"])]
        ),
        /// libnftables (the nft language and JSON, libnftables(3)) as a Swift module; only the NFTables target may import it.
        .systemLibrary(
            name: "CNFTables",
            pkgConfig: "libnftables",
            providers: [.apt(["libnftables-dev"])]
        ),
        /// Pure leaf: IPv4/IPv6 addresses and prefixes, MAC addresses, interface names.
        .target(name: "IPCore"),
        /// Pure: one validated model type per concept (Workload, IPPool, Block, NodeSpec, RPFilter, ...).
        .target(name: "Model", dependencies: ["IPCore"]),
        /// Pure BGP-4 codec: messages, capabilities, attributes, NLRI, framer, RFC 7606.
        .target(name: "BGPWire", dependencies: ["IPCore"]),
        /// Pure RFC 4271 §8 session state machine: `handle(event, now) -> [action]`.
        .target(name: "BGPSession", dependencies: ["BGPWire", "IPCore"]),
        /// Pure: SHA-1 (FIPS 180-4) for what protocols name it (BFD's Keyed SHA1, Calico's interface names).
        .target(name: "Digest"),
        /// Pure RFC 5880 BFD asynchronous mode: control packet codec and session state machine, `handle(event, now) -> [action]`.
        .target(name: "BFD", dependencies: ["Digest"]),
        /// Adj-RIB-In, decision process (RFC 4271 §9.1), Loc-RIB, Adj-RIB-Out with update groups.
        .target(name: "RIB", dependencies: ["BGPWire", "IPCore"]),
        /// Pure NetworkPolicy compiler: Kubernetes and Calico policies, pods and namespaces in; the compiled
        /// model (what `tern policy explain` evaluates) and Tern's nftables table (text) out.
        .target(name: "Policy", dependencies: ["Model", "IPCore"]),
        /// Dispatch-based non-blocking sockets and timers (no SwiftNIO).
        .target(name: "EventLoop", dependencies: ["IPCore"]),
        /// Netlink over libmnl: routes, links, addresses, neighbours, monitor. The only importer of CMNL.
        .target(name: "Netlink", dependencies: ["CMNL", "IPCore"]),
        /// nftables through libnftables: one-transaction batches in nft syntax, JSON listings read into typed values.
        /// The only importer of CNFTables.
        .target(name: "NFTables", dependencies: ["CNFTables"]),
        /// Felix-like dataplane agent: desired routes from workloads, blocks and BGP; kernel reconciled.
        .target(name: "Dataplane", dependencies: ["Netlink", "NFTables", "Policy", "IPCore", "Model", .product(name: "Logging", package: "swift-log")]),
        /// The BGP speaker: peers and their sessions, the listener, and the route engine (RIB, graceful restart,
        /// End-of-RIB); a speaker configuration and peer specs in, FIB changes out to a route sink.
        .target(
            name: "Speaker",
            dependencies: [
                "BGPWire", "BGPSession", "BFD", "RIB", "IPCore", "Model", "EventLoop",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "DequeModule", package: "swift-collections"),
            ]
        ),
        /// Metrics and health: the Prometheus families Tern exports (filled from status values
        /// at scrape time), the readiness rule, the event-loop lag probe.
        .target(
            name: "Observability",
            dependencies: ["EventLoop", .product(name: "Prometheus", package: "swift-prometheus")]
        ),
        /// The datastore protocol: revisions, compare-and-swap, leases, watches (etcd's shape; file and etcd stores implement it).
        .target(name: "Datastore"),
        /// Blocking etcd v3 client over libcurl and etcd's JSON gateway: KV, txn (CAS), leases, watch. The only importer of CCurl.
        .target(name: "EtcdClient", dependencies: ["CCurl"]),
        /// The single-host Datastore: one directory (a file per key, a change log, flock for CAS), shared by processes.
        .target(name: "FileDatastore", dependencies: ["Datastore"]),
        /// The cluster Datastore over EtcdClient: errors mapped, self-healing watches (down, back-off, resync after compaction).
        .target(name: "EtcdDatastore", dependencies: ["Datastore", "EtcdClient"]),
        /// Test support, not a test target: a real etcd started by pid for one test (EtcdClientTests, DatastoreTests).
        .target(name: "EtcdTestSupport", dependencies: ["EtcdClient"], path: "Tests/EtcdTestSupport"),
        /// Pure: the CNI spec's protocol values (command, environment, network config, result, error, version) for tern-cni.
        .target(name: "CNI", dependencies: ["IPCore", "Digest"]),
        /// The typed control API (requests, responses, errors, the client): what the CLI and the CNI plugin link.
        .target(name: "TernAPI", dependencies: ["IPCore", "Model", "EventLoop"]),
        /// The YAML configuration model, validation with line numbers, defaults.
        .target(name: "Config", dependencies: ["BGPWire", "IPCore", "Model", .product(name: "Yams", package: "Yams")]),
        /// The cluster datastore client: typed resources, this node's registration and liveness, IPAM block
        /// claims, and the view of the cluster the node's effective configuration is made from.
        .target(
            name: "Cluster",
            dependencies: ["Datastore", "FileDatastore", "EtcdDatastore", "EtcdClient", "Config", "Model", "IPCore",
                           .product(name: "Logging", package: "swift-log")]
        ),
        /// The node's composition root: configuration and reload, the control server, the workload store,
        /// and the wiring Speaker → Dataplane; signals.
        .target(
            name: "Daemon",
            dependencies: [
                "IPCore", "Model", "BGPWire", "BGPSession", "BFD", "RIB", "Speaker", "EventLoop", "Config", "Dataplane", "TernAPI",
                "Cluster", "Datastore", "FileDatastore", "Observability", "Policy",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        /// The `tern` command line.
        .executableTarget(
            name: "tern",
            dependencies: [
                "IPCore", "Model", "BGPWire", "Config", "Daemon", "TernAPI", "Cluster", "Datastore",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        /// The CNI plugin, installed as /opt/cni/bin/tern and /opt/cni/bin/tern-ipam (docs/CNI.md): the
        /// protocol values, the control API to the node's daemon, netlink for the veth; never the daemon or BGP.
        .executableTarget(name: "tern-cni", dependencies: ["CNI", "TernAPI", "Netlink", "Model", "IPCore"]),
        /// Not a test: N simulated nodes registering in one etcd (interop/bench/datastore-mesh.sh).
        .executableTarget(
            name: "cluster-bench",
            dependencies: ["Cluster", "Config", "Datastore", "EtcdDatastore", "Model", "IPCore", .product(name: "Logging", package: "swift-log")],
            path: "Benchmarks/ClusterBench"
        ),
        .testTarget(name: "IPCoreTests", dependencies: ["IPCore"]),
        .testTarget(name: "ModelTests", dependencies: ["Model", "IPCore"]),
        .testTarget(name: "PolicyTests", dependencies: ["Policy", "Model", "IPCore", "Config"]),
        .testTarget(name: "SpeakerTests", dependencies: ["Speaker", "BFD", "RIB", "BGPWire", "BGPSession", "IPCore", "Model", "EventLoop", .product(name: "Logging", package: "swift-log")]),
        .testTarget(
            name: "BGPWireTests",
            dependencies: ["BGPWire", "IPCore"],
            resources: [.copy("Fixtures")]
        ),
        .testTarget(name: "CMNLTests", dependencies: ["CMNL"]),
        .testTarget(name: "BGPSessionTests", dependencies: ["BGPSession", "BGPWire", "IPCore"]),
        .testTarget(name: "BFDTests", dependencies: ["BFD"]),
        .testTarget(name: "RIBTests", dependencies: ["RIB", "BGPWire", "IPCore"]),
        .testTarget(name: "EventLoopTests", dependencies: ["EventLoop", "IPCore"]),
        .testTarget(name: "ConfigTests", dependencies: ["Config", "Model", "BGPWire", "IPCore"]),
        .testTarget(name: "NetlinkTests", dependencies: ["Netlink", "IPCore", "NFTables"]),
        .testTarget(name: "NFTablesTests", dependencies: ["NFTables"]),
        .testTarget(
            name: "DataplaneTests",
            dependencies: ["Dataplane", "Netlink", "NFTables", "Policy", "IPCore", "Model", .product(name: "Logging", package: "swift-log")]
        ),
        .testTarget(name: "DaemonTests", dependencies: ["Daemon", "TernAPI", "Config", "Model", "IPCore", "BGPWire", "BGPSession", "RIB", "EventLoop",
                                                    "Cluster", "FileDatastore"]),
        .testTarget(name: "ObservabilityTests", dependencies: ["Observability", "EventLoop"]),
        .testTarget(name: "TernAPITests", dependencies: ["TernAPI", "Model"]),
        .testTarget(name: "CNITests", dependencies: ["CNI", "IPCore"]),
        .testTarget(name: "DigestTests", dependencies: ["Digest"]),
        .testTarget(name: "EtcdClientTests", dependencies: ["EtcdClient", "EtcdTestSupport"]),
        /// Test support, not a test: a separate process writing a FileDatastore directory (DatastoreTests' multi-process test).
        .executableTarget(name: "filestore-writer", dependencies: ["Datastore", "FileDatastore"], path: "Tests/FileStoreWriter"),
        .testTarget(
            name: "DatastoreTests",
            dependencies: ["Datastore", "FileDatastore", "EtcdDatastore", "EtcdClient", "EtcdTestSupport", "filestore-writer"]
        ),
        .testTarget(
            name: "ClusterTests",
            dependencies: ["Cluster", "Config", "Datastore", "FileDatastore", "EtcdDatastore", "EtcdTestSupport", "Model", "IPCore"]
        ),
    ],
    swiftLanguageModes: [.v6]
)
