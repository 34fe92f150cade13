// swift-tools-version: 6.1
// Codec benchmarks for BGPWire (package-benchmark). Run from the repository root with
//   swift package --package-path Benchmarks benchmark
// or scripts/bench.sh, which also prints ns/prefix and allocations/UPDATE.
import PackageDescription

let package = Package(
    name: "TernBenchmarks",
    platforms: [.macOS(.v14)],
    dependencies: [
        .package(name: "Tern", path: ".."),
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: [
        /// The streams (deterministic UPDATE data) shared by the benchmarks and the driver.
        .target(
            name: "CodecStreams",
            dependencies: [.product(name: "BGPWire", package: "Tern")]
        ),
        /// A plain executable over the same streams, for perf / valgrind.
        .executableTarget(
            name: "CodecDriver",
            dependencies: ["CodecStreams", .product(name: "BGPWire", package: "Tern")]
        ),
        .executableTarget(
            name: "CodecBenchmarks",
            dependencies: [
                "CodecStreams",
                .product(name: "BGPWire", package: "Tern"),
                .product(name: "Benchmark", package: "benchmark"),
            ],
            path: "Benchmarks/CodecBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
    ]
)
