import IPCore
import Testing
@testable import Model

@Suite struct PeerSpecTests {
    func a(_ s: String) -> IPAddress { IPAddress(s)! }

    @Test func defaultsAndDisplay() throws {
        let p = try PeerSpec(address: a("192.0.2.1"), asNumber: 64513)
        #expect(p.port == 179 && p.holdTime == 90 && p.connectRetryTime == 5 && p.families == [.v4])
        #expect(p.endpoint == PeerEndpoint(address: a("192.0.2.1"), port: 179))
        #expect(p.description == "192.0.2.1:179, AS 64513, global")
        let m = try PeerSpec(address: a("2001:db8::2"), port: 1790, asNumber: 64512, passive: true, type: .mesh, name: "node-b",
                             families: [.v6])
        #expect(m.description == "node-b ([2001:db8::2]:1790, AS 64512, node-to-node mesh, passive)")
        #expect(try PeerSpec(address: a("192.0.2.1"), asNumber: 1, routeReflectorClient: true).displayType == "reflector client")
    }

    /// Each rule, the field it names and its words: the loader puts these at the field's
    /// line and column, the same words as `tern check` has always printed.
    @Test(arguments: [
        ("0.0.0.0", 64513, 179, 90, 5, "address", "not a unicast host address"),
        ("224.0.0.5", 64513, 179, 90, 5, "address", "not a unicast host address"),
        ("192.0.2.1", 0, 179, 90, 5, "asNumber", "AS 0 is reserved"),
        ("192.0.2.1", 23456, 179, 90, 5, "asNumber", "AS_TRANS"),
        ("192.0.2.1", 64513, 0, 90, 5, "port", "must be positive"),
        ("192.0.2.1", 64513, 179, 2, 5, "holdTime", "must be 0 or at least 3 seconds"),
        ("192.0.2.1", 64513, 179, 90, 0, "connectRetryTime", "out of range 1-65535"),
    ])
    func invalidPeers(address: String, asn: Int, port: Int, hold: Int, retry: Int, field: String, words: String) {
        do {
            _ = try PeerSpec(address: a(address), port: UInt16(port), asNumber: UInt32(asn), holdTime: UInt16(hold),
                             connectRetryTime: UInt16(retry))
            Issue.record("accepted \(address) AS \(asn) port \(port) hold \(hold) retry \(retry)")
        } catch {
            #expect(error.field == field)
            #expect(error.message.contains(words), "\(error.message)")
        }
    }

    @Test func crossFieldRules() {
        #expect(throws: ModelError.self) { try PeerSpec(address: a("192.0.2.1"), asNumber: 1, families: []) }
        #expect(throws: ModelError.self) { try PeerSpec(address: a("192.0.2.1"), asNumber: 1, families: [.v4, .v4]) }
        #expect(throws: ModelError.self) { try PeerSpec(address: a("192.0.2.1"), asNumber: 1, name: "") }
        #expect(throws: ModelError.self) { try PeerSpec(address: a("192.0.2.1"), asNumber: 1, addPathsCount: 65) }
        do {
            _ = try PeerSpec(address: a("192.0.2.1"), asNumber: 1, routeReflectorClient: true, routeReflector: true)
            Issue.record("accepted a peer that is both reflector and client")
        } catch {
            #expect(error.field == "routeReflector")
        }
    }

    @Test func rulesOnWideIntegers() throws {
        #expect(try PeerSpec.validASNumber(4_294_967_295, whose: "the peer's") == UInt32.max)
        #expect(throws: ModelError.self) { try PeerSpec.validASNumber(4_294_967_296, whose: "the peer's") }
        #expect(throws: ModelError.self) { try PeerSpec.validPort(65536) }
        #expect(throws: ModelError.self) { try PeerSpec.validHoldTime(-1) }
        #expect(try PeerSpec.validHoldTime(0) == 0)
        #expect(PeerSpec.family(named: "IPv6-unicast") == .v6 && PeerSpec.family(named: "ipx") == nil)
    }
}
