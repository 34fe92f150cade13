import BGPWire
import Foundation
import Testing
@testable import RIB

/// Manual benchmark, not a timed test: `RIB_BENCH=1000000 swift test --filter RIBBenchmark`
/// (best with `-c release`). Loads N IPv4 /24s from one eBGP peer with one attribute set,
/// in UPDATEs of ~1000 prefixes like a real session, and prints time and memory per route.
@Suite struct RIBBenchmark {
    static let count = ProcessInfo.processInfo.environment["RIB_BENCH"].flatMap { Int($0) }

    @Test(.enabled(if: count != nil)) func oneMillionSlash24() {
        let n = Self.count ?? 0
        var r = RIB(config: testConfig)
        let peer = ebgpPeer(1, address: "10.0.0.1", asn: 64513)
        r.addPeer(peer)
        let listener = ibgpPeer(2, address: "10.0.0.2")
        r.addPeer(listener)
        _ = r.fullTable(for: listener.id)
        let a = attrs([64513, 65000, 65001], nextHop: "10.0.0.1")
        let rssBefore = Self.rss()
        let clock = ContinuousClock()
        var changes = 0, messages = 0
        let t = clock.measure {
            var i = 0
            while i < n {
                let end = min(n, i + 1000)
                var nlri: [NLRI] = []
                nlri.reserveCapacity(end - i)
                for k in i..<end {
                    let v = UInt32(0x0B00_0000) + UInt32(k) << 8  // 11.0.0.0/24 onwards
                    nlri.append(NLRI(.v4(IPv4Prefix(address: IPv4Address(v), length: 24)!)))
                }
                let ch = r.apply(UpdateMessage(attributes: a, nlri: nlri), from: peer.id)
                changes += ch.count
                messages += r.exports(for: ch).reduce(0) { $0 + $1.messages.count }
                i = end
            }
        }
        let rssAfter = Self.rss()
        let est = r.storageEstimate()
        print("RIB bench: \(n) routes in \(t), \(changes) changes, \(messages) UPDATEs to 1 iBGP peer")
        print("RIB bench: RSS +\((rssAfter - rssBefore) / 1_000_000) MB = \((rssAfter - rssBefore) / max(n, 1)) bytes/route; estimate \(est.bytes / max(est.routes, 1)) bytes/route")
        #expect(r.prefixCount == n)
        #expect(r.attributeSetCount == 1)
        let t2 = clock.measure { _ = r.peerDown(peer.id) }
        print("RIB bench: peer down of \(n) routes in \(t2)")
    }

    /// Resident set size in bytes (Linux /proc/self/statm).
    static func rss() -> Int {
        guard let s = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return 0 }
        let f = s.split(separator: " ")
        return f.count > 1 ? (Int(f[1]) ?? 0) * 4096 : 0
    }
}
