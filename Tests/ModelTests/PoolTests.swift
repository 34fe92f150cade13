import IPCore
import Testing
@testable import Model

@Suite struct PoolTests {
    func p(_ s: String) -> IPPrefix { IPPrefix(s)! }

    @Test func defaultsAndTunnel() throws {
        let v4 = try IPPool(cidr: p("10.244.0.0/16"), vxlanMode: .CrossSubnet)
        #expect(v4.blockSize == 26 && v4.tunnel == .vxlan && v4.mode == .CrossSubnet)
        #expect(v4.encapsulationDescription == "VXLAN CrossSubnet")
        let v6 = try IPPool(cidr: p("fd00:10::/48"))
        #expect(v6.blockSize == 122 && v6.tunnel == nil && v6.encapsulationDescription == "none")
    }

    @Test(arguments: [
        ("10.244.0.0/16", UInt8?(19), EncapsulationMode.Never, EncapsulationMode.Never, "blockSize", "out of range 20-32"),
        ("10.244.0.0/24", UInt8?(22), .Never, .Never, "blockSize", "larger than the pool"),
        ("10.244.0.0/28", nil, .Never, .Never, "cidr", "smaller than one default /26 block"),
        ("10.244.0.0/16", nil, .Always, .Always, "ipipMode", "both on"),
        ("fd00::/48", nil, .Never, .Always, "vxlanMode", "IPv6 pool"),
        ("fd00::/48", UInt8?(112), .Never, .Never, "blockSize", "out of range 116-128"),
    ])
    func invalidPools(cidr: String, size: UInt8?, ipip: EncapsulationMode, vxlan: EncapsulationMode, field: String, words: String) {
        do {
            _ = try IPPool(cidr: p(cidr), blockSize: size, ipipMode: ipip, vxlanMode: vxlan)
            Issue.record("accepted \(cidr)")
        } catch {
            #expect(error.field == field)
            #expect(error.message.contains(words), "\(error.message)")
        }
    }

    @Test func blocks() throws {
        let pools = [try IPPool(cidr: p("10.244.0.0/16")), try IPPool(cidr: p("10.250.0.0/16"), blockSize: 24)]
        #expect(try Block(cidr: p("10.244.1.0/26"), pools: pools).firstHost == p("10.244.1.0/32"))
        #expect(throws: ModelError.self) { try Block(cidr: p("10.244.1.0/24"), pools: pools) }
        #expect(throws: ModelError.self) { try Block(cidr: p("10.9.0.0/26"), pools: pools) }
        #expect(try Block(cidr: p("10.9.0.0/26"), pools: []).cidr == p("10.9.0.0/26"))
        #expect(pools.pool(containing: p("10.250.3.0/24"))?.blockSize == 24)
    }

    @Test func rpFilterAndNodes() throws {
        #expect(try RPFilter("copy") == .copy)
        #expect(try RPFilter("2") == .value(2))
        #expect(throws: ModelError.self) { try RPFilter("3") }
        #expect(throws: ModelError.self) { try NodeSpec(name: "a", address: .v4(IPv4Address(0))) }
        #expect(throws: ModelError.self) { try NodeSpec(name: "", address: .v4(IPv4Address("192.0.2.1")!)) }
        #expect(try NodeSpec(name: "a", address: .v4(IPv4Address("127.0.0.1")!), port: 1790).port == 1790)
    }
}
