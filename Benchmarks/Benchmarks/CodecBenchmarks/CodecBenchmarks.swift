// BGPWire codec benchmarks: 1M IPv4 /24 prefixes per stream, measured per whole stream.
//
// Each benchmark also records two custom metrics, `updates` and `prefixes` (the stream's
// UPDATE and prefix counts), so that scripts/bench.sh can derive ns/prefix and
// allocations/UPDATE from package-benchmark's export.
import BGPWire
import Benchmark
import CodecStreams

/// One stream: its messages (for the counts) and the concatenated bytes (for decode).
struct Stream: Sendable {
    let updates: Int
    let prefixes: Int
    let bytes: [UInt8]

    init(_ messages: [[UInt8]]) {
        let bytes = CodecStreams.stream(messages)
        let (u, p) = try! CodecStreams.decode(bytes)
        precondition(u == messages.count && p == 1_000_000, "stream holds \(u) UPDATEs, \(p) prefixes")
        self.updates = u
        self.prefixes = p
        self.bytes = bytes
    }
}

// Built on first use, in each benchmark's setup (outside the measured region).
let oneSet = Stream(CodecStreams.encodeOneSet())
let distinct = Stream(CodecStreams.encodeDistinctPaths())
let withdrawals = Stream(CodecStreams.encodeWithdrawals())

let updatesMetric = BenchmarkMetric.custom("updates", useScalingFactor: false)
let prefixesMetric = BenchmarkMetric.custom("prefixes", useScalingFactor: false)

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .cpuTotal, .mallocCountTotal, .peakMemoryResident, .throughput, updatesMetric, prefixesMetric],
        timeUnits: .nanoseconds,
        units: [.mallocCountTotal: .count, .peakMemoryResident: .count, .throughput: .count,
                updatesMetric: .count, prefixesMetric: .count],
        warmupIterations: 2,
        scalingFactor: .one,
        maxDuration: .seconds(5),
        maxIterations: 30
    )

    func counts(_ s: Stream, _ b: Benchmark) {
        b.measurement(updatesMetric, s.updates)
        b.measurement(prefixesMetric, s.prefixes)
    }

    func decodeBenchmark(_ name: String, _ stream: @escaping @Sendable () -> Stream) {
        Benchmark(name, configuration: .init(setup: {
            let s = stream()
            print("\(name): \(s.updates) UPDATEs, \(s.prefixes) prefixes, \(s.bytes.count) bytes")
        })) { b in
            let s = stream()
            b.startMeasurement()
            for _ in b.scaledIterations {
                blackHole(try CodecStreams.decode(s.bytes))
            }
            b.stopMeasurement()
            counts(s, b)
        }
    }

    func encodeBenchmark(_ name: String, _ stream: @escaping @Sendable () -> Stream,
                         _ encode: @escaping @Sendable () -> [[UInt8]]) {
        Benchmark(name, configuration: .init(setup: {
            let s = stream()
            print("\(name): \(s.updates) UPDATEs, \(s.prefixes) prefixes")
        })) { b in
            let s = stream()
            b.startMeasurement()
            for _ in b.scaledIterations {
                blackHole(encode())
            }
            b.stopMeasurement()
            counts(s, b)
        }
    }

    decodeBenchmark("decode-1M-one-attrset", { oneSet })
    encodeBenchmark("encode-1M-one-attrset", { oneSet }, CodecStreams.encodeOneSet)
    decodeBenchmark("decode-1M-100k-aspaths", { distinct })
    encodeBenchmark("encode-1M-100k-aspaths", { distinct }, CodecStreams.encodeDistinctPaths)
    decodeBenchmark("decode-1M-withdrawals", { withdrawals })
    encodeBenchmark("encode-1M-withdrawals", { withdrawals }, CodecStreams.encodeWithdrawals)
}
