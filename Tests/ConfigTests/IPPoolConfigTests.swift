import IPCore
import BGPWire
import Model
import Testing
@testable import Config

@Suite struct IPPoolConfig {
    @Test func defaultsAndEveryField() throws {
        let none = try ConfigLoader.parse(yaml: withRequired(""), file: "t.yaml")
        #expect(none.ipPools.isEmpty && none.dataplane.overlay == OverlaySettings())
        #expect(none.dataplane.overlay.vxlanVNI == 4096 && none.dataplane.overlay.vxlanPort == 4789)

        let c = try ConfigLoader.parse(yaml: withRequired("""
        blocks: [10.244.1.0/26, 10.245.1.0/24, 10.246.1.0/26]
        ipPools:
          - {cidr: 10.244.0.0/16, ipipMode: Always}
          - {cidr: 10.245.0.0/16, blockSize: 24, vxlanMode: CrossSubnet}
          - {cidr: 10.246.0.0/16, ipipMode: Never, vxlanMode: Never}
          - {cidr: 'fd00:10::/48'}
        dataplane:
          ipipMTU: 1440
          vxlanMTU: 1410
          vxlanVNI: 7
          vxlanPort: 8472
          underlayInterface: eth1
        """), file: "t.yaml")
        #expect(c.ipPools == [
            try IPPool(cidr: IPPrefix("10.244.0.0/16")!, blockSize: 26, ipipMode: .Always),
            try IPPool(cidr: IPPrefix("10.245.0.0/16")!, blockSize: 24, vxlanMode: .CrossSubnet),
            try IPPool(cidr: IPPrefix("10.246.0.0/16")!),
            try IPPool(cidr: IPPrefix("fd00:10::/48")!, blockSize: 122),
        ])
        #expect(c.ipPools.map(\.encapsulationDescription) == ["IPIP Always", "VXLAN CrossSubnet", "none", "none"])
        #expect(c.dataplane.overlay.ipipMTU == 1440 && c.dataplane.overlay.vxlanMTU == 1410)
        #expect(c.dataplane.overlay.vxlanVNI == 7 && c.dataplane.overlay.vxlanPort == 8472)
        #expect(c.dataplane.overlay.underlayInterface == "eth1")
        #expect(c.pool(containing: IPPrefix("10.245.9.0/24")!)?.vxlanMode == .CrossSubnet)
        #expect(c.pool(containing: IPPrefix("10.247.0.0/26")!) == nil)
        // tunl0 takes the first address of the node's block in the IPIP pool, vxlan.tern of the VXLAN one.
        #expect(c.tunnelAddresses.map { "\($0.device) \($0.address)" } == ["tunl0 10.244.1.0/32", "vxlan.tern 10.245.1.0/32"])
    }

    /// Each invalid value: (line, key path, words the message must contain).
    @Test(arguments: [
        ("ipPools:\n  - {cidr: 10.244.0.0/16, ipipMode: Always, vxlanMode: Always}\n", 5, "ipPools[0].ipipMode", "both on"),
        ("ipPools:\n  - {cidr: 10.244.0.0/16, ipipMode: CrossSubnet, vxlanMode: Always}\n", 5, "ipPools[0].ipipMode", "encapsulated one way"),
        ("ipPools:\n  - {cidr: 10.244.0.0/16, ipipMode: Sometimes}\n", 5, "ipPools[0].ipipMode", "not a mode"),
        ("ipPools:\n  - {cidr: 10.244.0.0/16, vxlanMode: always}\n", 5, "ipPools[0].vxlanMode", "not a mode"),
        ("ipPools:\n  - {cidr: 10.244.0.1/16}\n", 5, "ipPools[0].cidr", "host bits"),
        ("ipPools:\n  - {cidr: 10.244.0.0/16, blockSize: 19}\n", 5, "ipPools[0].blockSize", "out of range 20-32"),
        ("ipPools:\n  - {cidr: 10.244.0.0/24, blockSize: 22}\n", 5, "ipPools[0].blockSize", "larger than the pool"),
        ("ipPools:\n  - {cidr: 10.244.0.0/28}\n", 5, "ipPools[0].cidr", "smaller than one default /26 block"),
        ("ipPools:\n  - {cidr: 'fd00::/48', vxlanMode: Always}\n", 5, "ipPools[0].vxlanMode", "IPv4 pools only"),
        ("ipPools:\n  - {cidr: 10.244.0.0/16}\n  - {cidr: 10.244.128.0/17}\n", 6, "ipPools[1].cidr", "overlaps ipPools[0]"),
        ("ipPools:\n  - {blockSize: 26}\n", 5, "ipPools[0].cidr", "missing required key"),
        ("ipPools:\n  - {cidr: 10.244.0.0/16, ipip: Always}\n", 5, "ipPools[0].ipip", "unknown key"),
        ("blocks: [10.9.0.0/26]\nipPools:\n  - {cidr: 10.244.0.0/16}\n", 4, "blocks[0]", "in none of the ipPools"),
        ("blocks: [10.244.1.0/24]\nipPools:\n  - {cidr: 10.244.0.0/16}\n", 4, "blocks[0]", "not a /26 block"),
        ("blocks: [10.244.1.0/26]\nipPools:\n  - {cidr: 10.244.0.0/16, vxlanMode: Always}\nworkloads:\n  - {name: a, interface: cali1, ipNetworks: [10.244.1.0/32]}\n",
         8, "workloads[0].ipNetworks", "vxlan.tern tunnel address"),
        ("dataplane:\n  ipipMTU: 100\n", 5, "dataplane.ipipMTU", "out of range 576-65535"),
        ("dataplane:\n  vxlanMTU: 70000\n", 5, "dataplane.vxlanMTU", "out of range 576-65535"),
        ("dataplane:\n  vxlanVNI: 0\n", 5, "dataplane.vxlanVNI", "out of range 1-16777215"),
        ("dataplane:\n  vxlanVNI: 16777216\n", 5, "dataplane.vxlanVNI", "24 bits"),
        ("dataplane:\n  underlayInterface: 'e th0'\n", 5, "dataplane.underlayInterface", "not a valid Linux interface name"),
    ])
    func invalid(yaml: String, line: Int, keyPath: String, words: String) throws {
        let e = try onlyError(withRequired(yaml))
        #expect(e.line == line, "\(e)")
        #expect(e.keyPath == keyPath, "\(e)")
        #expect(e.message.contains(words), "\(e)")
    }

    @Test func hints() throws {
        #expect(try onlyError(withRequired("ipPools:\n  - {cidr: 10.244.0.0/16, vxlanMode: always}\n")).hint == "did you mean \"Always\"?")
        #expect(try onlyError(withRequired("ipPools:\n  - {cidr: 10.244.0.0/16, ipipMode: Always, vxlanMode: Always}\n")).hint
                == "set one of them to Never")
    }

    @Test func diffSwitchesOverlayInPlace() throws {
        let base = withRequired("blocks: [10.244.1.0/26]\n")
        let a = try ConfigLoader.parse(yaml: base + "ipPools:\n  - {cidr: 10.244.0.0/16}\n", file: "t.yaml")
        let b = try ConfigLoader.parse(yaml: base + "ipPools:\n  - {cidr: 10.244.0.0/16, vxlanMode: Always}\n", file: "t.yaml")
        let d = ConfigDiff(old: a, new: b)
        #expect(d.overlayChanged && !d.dataplaneChanged && !d.restartAll)
        #expect(d.changedSettings == ["ipPools"])
        let mtu = try ConfigLoader.parse(yaml: base + "ipPools:\n  - {cidr: 10.244.0.0/16}\ndataplane: {vxlanMTU: 1400}\n", file: "t.yaml")
        let d2 = ConfigDiff(old: a, new: mtu)
        #expect(d2.overlayChanged && !d2.dataplaneChanged)
        let table = try ConfigLoader.parse(yaml: base + "ipPools:\n  - {cidr: 10.244.0.0/16}\ndataplane: {routeTable: 100}\n", file: "t.yaml")
        let d3 = ConfigDiff(old: a, new: table)
        #expect(!d3.overlayChanged && d3.dataplaneChanged)
    }
}
