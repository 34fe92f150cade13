import IPCore
import BGPWire
import Foundation
import Model
import Testing
@testable import Config

@Suite struct WorkloadAndDataplaneConfig {
    @Test func defaults() throws {
        let c = try ConfigLoader.parse(yaml: withRequired(""), file: "t.yaml")
        #expect(c.workloads.isEmpty)
        #expect(c.dataplane == DataplaneSettings())
        #expect(c.dataplane.routeProtocol == 199 && c.dataplane.routeTable == 254)
        #expect(c.dataplane.resyncInterval == 90 && c.dataplane.staleRouteTimeout == 120)
        #expect(c.dataplane.rpFilter == .copy)
        #expect(c.dataplaneEnabled)
        let r = try ConfigLoader.parse(yaml: withRequired("role: reflector\n"), file: "t.yaml")
        #expect(!r.dataplaneEnabled)
        let on = try ConfigLoader.parse(yaml: withRequired("role: reflector\ndataplane: {enabled: true}\n"), file: "t.yaml")
        #expect(on.dataplaneEnabled)
    }

    @Test func everyField() throws {
        let c = try ConfigLoader.parse(yaml: withRequired("""
        workloads:
          - {name: pod-a, interface: cali1a2b3c4d5e6, ipNetworks: [10.244.1.5/32, 'fd00:1::5/128'], mac: "EE:ee:ee:ee:ee:01"}
          - {name: pod-b, interface: cali2, ipNetworks: [10.244.1.6]}
        dataplane:
          enabled: false
          routeProtocol: 201
          routeTable: 100000
          resyncInterval: 30
          staleRouteTimeout: 0
          rpFilter: 2
        """), file: "t.yaml")
        #expect(c.workloads == [
            try Workload(name: "pod-a", interface: InterfaceName(validating: "cali1a2b3c4d5e6"),
                         ipNetworks: [IPPrefix("10.244.1.5/32")!, IPPrefix("fd00:1::5/128")!],
                         mac: MACAddress("ee:ee:ee:ee:ee:01")),
            try Workload(name: "pod-b", interface: InterfaceName(validating: "cali2"), ipNetworks: [IPPrefix("10.244.1.6/32")!]),
        ])
        #expect(c.dataplane.enabled == false && !c.dataplaneEnabled)
        #expect(c.dataplane.routeProtocol == 201)
        #expect(c.dataplane.routeTable == 100_000)
        #expect(c.dataplane.resyncInterval == 30 && c.dataplane.staleRouteTimeout == 0)
        #expect(c.dataplane.rpFilter == .value(2))
    }

    /// Each invalid value: (line 4 onward, key path, words the message must contain).
    @Test(arguments: [
        ("workloads:\n  - {name: a, interface: cali1, ipNetworks: [10.244.1.0/26]}\n", 5, "workloads[0].ipNetworks[0]", "not a host route"),
        ("workloads:\n  - {name: a, interface: cali1, ipNetworks: ['fd00::/64']}\n", 5, "workloads[0].ipNetworks[0]", "/128"),
        ("workloads:\n  - {name: a, interface: cali1, ipNetworks: [nonsense]}\n", 5, "workloads[0].ipNetworks[0]", "not an IP address"),
        ("workloads:\n  - {name: a, interface: cali1, ipNetworks: []}\n", 5, "workloads[0].ipNetworks", "at least one"),
        ("workloads:\n  - {name: a, interface: cali1234567890ab, ipNetworks: [10.244.1.5/32]}\n", 5, "workloads[0].interface", "at most 15"),
        ("workloads:\n  - {name: a, interface: 'ca li', ipNetworks: [10.244.1.5/32]}\n", 5, "workloads[0].interface", "not a valid Linux interface name"),
        ("workloads:\n  - {name: a, interface: 'a/b', ipNetworks: [10.244.1.5/32]}\n", 5, "workloads[0].interface", "not a valid Linux interface name"),
        ("workloads:\n  - {name: a, interface: cali1, ipNetworks: [10.244.1.5/32], mac: 'ee:ee:ee'}\n", 5, "workloads[0].mac", "not a MAC address"),
        ("workloads:\n  - {name: a, interface: cali1, ipNetworks: [10.244.1.5/32], mac: '01:00:5e:00:00:01'}\n", 5, "workloads[0].mac", "multicast"),
        ("workloads:\n  - {name: a, interface: cali1, ipNetworks: [10.244.1.5/32], mac: 'e:e:e:e:e:1'}\n", 5, "workloads[0].mac", "not a MAC address"),
        ("workloads:\n  - {name: a, interface: '..', ipNetworks: [10.244.1.5/32]}\n", 5, "workloads[0].interface", "'.' and '..' are not interface names"),
        ("workloads:\n  - {name: a, namespace: Web_1, interface: cali1, ipNetworks: [10.244.1.5/32]}\n", 5, "workloads[0].namespace", "not a valid namespace name"),
        ("workloads:\n  - {name: a, interface: cali1, ipNetworks: [10.244.1.5/32], labels: {'-app': web}}\n", 5, "workloads[0].labels.-app", "label key"),
        ("workloads:\n  - {name: a, interface: cali1, ipNetworks: [10.244.1.5/32], labels: {app: 'a b'}}\n", 5, "workloads[0].labels.app", "label value"),
        ("workloads:\n  - {name: a, interface: cali1, ipNetworks: [10.244.1.5/32, 10.244.1.5]}\n", 5, "workloads[0].ipNetworks[1]", "already an address of workloads[0]"),
        ("workloads:\n  - {name: a, interface: cali1, ipNetworks: [10.244.1.5/32]}\n  - {name: a, interface: cali2, ipNetworks: [10.244.1.6/32]}\n", 6, "workloads[1].name", "duplicate workload name"),
        ("workloads:\n  - {name: a, interface: cali1, ipNetworks: [10.244.1.5/32]}\n  - {name: b, interface: cali1, ipNetworks: [10.244.1.6/32]}\n", 6, "workloads[1].interface", "already used by workloads[0]"),
        ("workloads:\n  - {name: a, interface: cali1, ipNetworks: [10.244.1.5/32]}\n  - {name: b, interface: cali2, ipNetworks: [10.244.1.5/32]}\n", 6, "workloads[1].ipNetworks[0]", "already an address of workloads[0]"),
        ("workloads:\n  - {name: a, ipNetworks: [10.244.1.5/32]}\n", 5, "workloads[0].interface", "missing required key"),
        ("workloads:\n  - {name: a, interface: cali1, ipNetworks: [10.244.1.5/32], macc: 'ee:ee:ee:ee:ee:01'}\n", 5, "workloads[0].macc", "unknown key"),
        ("dataplane:\n  routeProtocol: 80\n", 5, "dataplane.routeProtocol", "Felix"),
        ("dataplane:\n  routeProtocol: 3\n", 5, "dataplane.routeProtocol", "kernel's boot"),
        ("dataplane:\n  routeProtocol: 12\n", 5, "dataplane.routeProtocol", "bird"),
        ("dataplane:\n  routeProtocol: 186\n", 5, "dataplane.routeProtocol", "reserved"),
        ("dataplane:\n  routeProtocol: 0\n", 5, "dataplane.routeProtocol", "out of range 1-255"),
        ("dataplane:\n  routeProtocol: 256\n", 5, "dataplane.routeProtocol", "out of range 1-255"),
        ("dataplane:\n  routeTable: 0\n", 5, "dataplane.routeTable", "out of range"),
        ("dataplane:\n  routeTable: 4294967296\n", 5, "dataplane.routeTable", "out of range"),
        ("dataplane:\n  routeTable: 255\n", 5, "dataplane.routeTable", "local"),
        ("dataplane:\n  resyncInterval: 0\n", 5, "dataplane.resyncInterval", "out of range"),
        ("dataplane:\n  staleRouteTimeout: -1\n", 5, "dataplane.staleRouteTimeout", "out of range"),
        ("dataplane:\n  rpFilter: 3\n", 5, "dataplane.rpFilter", "not an rp_filter setting"),
        ("dataplane:\n  rpFilter: cpy\n", 5, "dataplane.rpFilter", "not an rp_filter setting"),
        ("dataplane:\n  enabled: yes please\n", 5, "dataplane.enabled", "true or false"),
        ("dataplane:\n  resync: 30\n", 5, "dataplane.resync", "unknown key"),
    ])
    func invalid(yaml: String, line: Int, keyPath: String, words: String) throws {
        let e = try onlyError(withRequired(yaml))
        #expect(e.line == line, "\(e)")
        #expect(e.keyPath == keyPath, "\(e)")
        #expect(e.message.contains(words), "\(e)")
    }

    @Test func hints() throws {
        #expect(try onlyError(withRequired("dataplane:\n  rpFilter: cpy\n")).hint == "did you mean \"copy\"?")
        #expect(try onlyError(withRequired("dataplane:\n  resync: 30\n")).hint == "did you mean \"resyncInterval\"?")
        #expect(try onlyError(withRequired("workloads:\n  - {name: a, interface: cali1, ipNetworks: [10.244.1.5/32], macc: 'ee:ee:ee:ee:ee:01'}\n")).hint
                == "did you mean \"mac\"?")
    }

    @Test func diffWorkloads() throws {
        let old = try ConfigLoader.parse(yaml: withRequired("""
        workloads:
          - {name: a, interface: cali1, ipNetworks: [10.244.1.5/32]}
          - {name: b, interface: cali2, ipNetworks: [10.244.1.6/32]}
        """))
        let new = try ConfigLoader.parse(yaml: withRequired("""
        workloads:
          - {name: b, interface: cali2, ipNetworks: [10.244.1.6/32], mac: 'ee:ee:ee:ee:ee:02'}
          - {name: c, interface: cali3, ipNetworks: [10.244.1.7/32]}
        dataplane: {routeProtocol: 201}
        """))
        let d = ConfigDiff(old: old, new: new)
        #expect(d.dataplaneChanged)
        #expect(d.changedSettings == ["workloads", "dataplane"])
        #expect(!d.restartAll)
        let same = ConfigDiff(old: old, new: old)
        #expect(same.isEmpty && same.changedSettings.isEmpty && !same.dataplaneChanged)
        // A MAC-only change is a change of the workloads.
        let macOnly = try ConfigLoader.parse(yaml: withRequired("""
        workloads:
          - {name: a, interface: cali1, ipNetworks: [10.244.1.5/32]}
          - {name: b, interface: cali2, ipNetworks: [10.244.1.6/32], mac: 'ee:ee:ee:ee:ee:02'}
        """))
        #expect(ConfigDiff(old: old, new: macOnly).changedSettings == ["workloads"])
    }
}
