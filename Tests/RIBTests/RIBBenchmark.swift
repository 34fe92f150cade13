import IPCore
import BGPWire
import Foundation
import Testing
@testable import RIB

/// Manual benchmark, not a timed test: `RIB_BENCH=1000000 swift test --filter RIBBenchmark`
/// (best with `-c release -Xswiftc -enable-testing`). Loads N IPv4 /24s from one eBGP peer
/// with one attribute set, in UPDATEs of ~1000 prefixes like a real session (built before
/// the clock starts), and prints time and memory per route.
///
/// - `oneMillionSlash24`: one iBGP listener receives the exports.
/// - `receiveOnly`: the sending peer is the only peer (in sync), nothing can be exported:
///   the scenario of `interop/bench/receive-1m.sh`. Also times withdrawing everything.
@Suite struct RIBBenchmark {
    static let count = ProcessInfo.processInfo.environment["RIB_BENCH"].flatMap { Int($0) }

    /// With `RIB_BENCH_SHUFFLE=1` the prefixes come in a random (fixed-seed) order instead
    /// of ascending.
    static let shuffled = ProcessInfo.processInfo.environment["RIB_BENCH_SHUFFLE"] == "1"

    /// With `RIB_BENCH_FIB=1` the RIB tracks the FIB (``RIB/trackFIBChanges()``), as with a
    /// dataplane, and `oneMillionSlash24` counts the kernel route changes.
    static let fib = ProcessInfo.processInfo.environment["RIB_BENCH_FIB"] == "1"

    static func updates(_ n: Int, _ a: PathAttributes) -> (announce: [UpdateMessage], withdraw: [UpdateMessage]) {
        var ann: [UpdateMessage] = [], wd: [UpdateMessage] = []
        var order = Array(0..<n)
        if shuffled {
            var x: UInt64 = 0x9E37_79B9_7F4A_7C15
            for i in stride(from: n - 1, to: 0, by: -1) {
                x ^= x << 13; x ^= x >> 7; x ^= x << 17
                order.swapAt(i, Int(x % UInt64(i + 1)))
            }
        }
        var i = 0
        while i < n {
            let end = min(n, i + 1000)
            var nlri: [NLRI] = []
            nlri.reserveCapacity(end - i)
            for k in order[i..<end] {
                let v = UInt32(0x0B00_0000) + UInt32(k) << 8  // 11.0.0.0/24 onwards
                nlri.append(NLRI(.v4(IPv4Prefix(address: IPv4Address(v), length: 24)!)))
            }
            ann.append(UpdateMessage(attributes: a, nlri: nlri))
            wd.append(UpdateMessage(withdrawn: nlri))
            i = end
        }
        return (ann, wd)
    }

    @Test(.enabled(if: count != nil)) func oneMillionSlash24() {
        let n = Self.count ?? 0
        var r = RIB(config: testConfig)
        let peer = ebgpPeer(1, address: "10.0.0.1", asn: 64513)
        r.addPeer(peer)
        let listener = ibgpPeer(2, address: "10.0.0.2")
        r.addPeer(listener)
        _ = r.fullTable(for: listener.id)
        if Self.fib { r.trackFIBChanges() }
        let msgs = Self.updates(n, attrs([64513, 65000, 65001], nextHop: "10.0.0.1")).announce
        let rssBefore = Self.rss()
        let clock = ContinuousClock()
        var changes = 0, messages = 0, fibChanges = 0
        let t = clock.measure {
            for m in msgs {
                let ch = r.apply(m, from: peer.id)
                changes += ch.count
                fibChanges += ch.fib.count
                messages += r.exports(for: ch).reduce(0) { $0 + $1.messages.count }
            }
        }
        let rssAfter = Self.rss()
        let est = r.storageEstimate()
        print("RIB bench: \(n) routes in \(t), \(changes) changes, \(messages) UPDATEs to 1 iBGP peer, \(fibChanges) FIB changes")
        if Self.fib { #expect(fibChanges == n) }
        print("RIB bench: RSS +\((rssAfter - rssBefore) / 1_000_000) MB = \((rssAfter - rssBefore) / max(n, 1)) bytes/route; estimate \(est.bytes / max(est.routes, 1)) bytes/route")
        #expect(r.prefixCount == n)
        #expect(r.attributeSetCount == 1)
        var down = RIBChanges()
        let t2 = clock.measure { down = r.peerDown(peer.id) }
        print("RIB bench: peer down of \(n) routes in \(t2), \(down.fib.count) FIB changes")
        if Self.fib { #expect(down.fib.count == n) }
    }

    @Test(.enabled(if: count != nil)) func receiveOnly() {
        let n = Self.count ?? 0
        var r = RIB(config: testConfig)
        let peer = ebgpPeer(1, address: "10.0.0.1", asn: 64513)
        r.addPeer(peer)
        _ = r.fullTable(for: peer.id)
        let (ann, wd) = Self.updates(n, attrs([64513], nextHop: "10.0.0.1", med: 0))
        let rssBefore = Self.rss()
        let clock = ContinuousClock()
        var changes = 0, batches = 0
        let t = clock.measure {
            for m in ann {
                let ch = r.apply(m, from: peer.id)
                changes += ch.count
                batches += r.exports(for: ch).count
            }
        }
        let rssAfter = Self.rss()
        print("RIB bench receive-only: \(n) routes in \(t), \(changes) changes, \(batches) batches; RSS +\((rssAfter - rssBefore) / 1_000_000) MB")
        #expect(r.prefixCount == n)
        #expect(r.prefixCount(from: peer.id).accepted == n)
        #expect(batches == 0)
        changes = 0
        let t2 = clock.measure {
            for m in wd {
                let ch = r.apply(m, from: peer.id)
                changes += ch.count
                batches += r.exports(for: ch).count
            }
        }
        print("RIB bench receive-only: withdraw \(n) routes in \(t2), \(changes) changes")
        #expect(r.prefixCount == 0)
        #expect(r.prefixCount(from: peer.id).accepted == 0)
    }

    /// Resident set size in bytes (Linux /proc/self/statm).
    static func rss() -> Int {
        guard let s = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return 0 }
        let f = s.split(separator: " ")
        return f.count > 1 ? (Int(f[1]) ?? 0) * 4096 : 0
    }
}
