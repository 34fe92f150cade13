// A plain driver for profilers (perf, valgrind): `CodecDriver decode|encode|distinct-decode|
// distinct-encode|withdraw-decode|withdraw-encode [rounds]`.
import BGPWire
import CodecStreams

#if canImport(Glibc)
import Glibc
#endif

let args = CommandLine.arguments
let which = args.count > 1 ? args[1] : "decode"
let rounds = args.count > 2 ? Int(args[2]) ?? 10 : 10

func now() -> UInt64 {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
}

let encoder: () -> [[UInt8]]
switch which {
case "decode", "encode": encoder = CodecStreams.encodeOneSet
case "distinct-decode", "distinct-encode": encoder = CodecStreams.encodeDistinctPaths
case "withdraw-decode", "withdraw-encode": encoder = CodecStreams.encodeWithdrawals
default: print("unknown benchmark \(which)"); exit(2)
}
let stream = CodecStreams.stream(encoder())
var best = UInt64.max
var sink = 0
for _ in 0..<rounds {
    let t0 = now()
    if which.hasSuffix("decode") {
        let r = try CodecStreams.decode(stream)
        sink &+= r.prefixes
    } else {
        sink &+= encoder().count
    }
    best = min(best, now() - t0)
}
print("\(which): best of \(rounds): \(Double(best) / 1e6) ms, \(Double(best) / 1e6) ns/prefix (1M prefixes) [\(sink)]")
