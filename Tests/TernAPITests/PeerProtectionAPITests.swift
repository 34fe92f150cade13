import Foundation
import Testing
@testable import TernAPI

/// The status row's protection fields are additive: an old row (without them) still
/// decodes, and a new one round-trips with `maxPrefixes`, `md5` and `ttlSecurity`.
@Suite struct PeerProtectionAPITests {
    @Test func oldRowDecodesWithoutTheNewFields() throws {
        let old = #"{"address":"192.0.2.1","port":179,"asNumber":64513,"type":"global","state":"Established","since":"t","prefixesReceived":1,"prefixesAccepted":1,"prefixesSent":0,"info":"Established"}"#
        let p = try JSONDecoder().decode(ControlProtocol.Peer.self, from: Data(old.utf8))
        #expect(p.maxPrefixes == nil && p.md5 == nil && p.ttlSecurity == nil)
    }

    @Test func newFieldsRoundTrip() throws {
        let m = ControlProtocol.PeerMaxPrefixes(limit: 10, warningPercent: 90, action: "restart", restartTime: 60,
                                                received: ["ipv4": 11, "ipv6": 0], tripped: true, restartAt: "2026-12-07T18:00:00Z")
        let p = ControlProtocol.Peer(address: "192.0.2.1", port: 179, asNumber: 64513, type: "global", state: .idle, since: "t",
                                     prefixesReceived: 0, prefixesAccepted: 0, prefixesSent: 0, lastError: nil, info: "Idle",
                                     maxPrefixes: m, md5: true, ttlSecurity: 1)
        let data = try JSONEncoder().encode(p)
        let text = String(decoding: data, as: UTF8.self)
        #expect(text.contains(#""tripped":true"#) && text.contains(#""ttlSecurity":1"#) && text.contains(#""md5":true"#))
        #expect(try JSONDecoder().decode(ControlProtocol.Peer.self, from: data) == p)
    }
}
