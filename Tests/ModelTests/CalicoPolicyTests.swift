import IPCore
import Model
import Testing

/// CalicoPolicySpec and its parts: Calico's `types` inference, protocol numbers, the rule
/// validation (with the field paths the codec reports), and the kinds' words and keys.
@Suite struct CalicoPolicyTests {
    static func sel(_ s: String) -> CalicoSelector { try! CalicoSelector(parsing: s) }

    @Test(arguments: [
        (0, 0, nil, [PolicyType.ingress]), (1, 0, nil, [.ingress]), (0, 1, nil, [.egress]), (2, 3, nil, [.ingress, .egress]),
        (1, 1, [PolicyType.egress], [.egress]), (0, 0, [], []),
    ] as [(Int, Int, [PolicyType]?, [PolicyType])])
    func effectiveTypes(_ ingress: Int, _ egress: Int, _ types: [PolicyType]?, _ want: [PolicyType]) {
        let s = CalicoPolicySpec(types: types, ingress: Array(repeating: CalicoRule(action: .allow), count: ingress),
                                 egress: Array(repeating: CalicoRule(action: .deny), count: egress))
        #expect(s.effectiveTypes == want)
    }

    @Test(arguments: [
        (CalicoProtocol.tcp, 6 as UInt8, true, "TCP"), (.udp, 17, true, "UDP"), (.sctp, 132, true, "SCTP"), (.udplite, 136, true, "UDPLite"),
        (.icmp, 1, false, "ICMP"), (.icmpv6, 58, false, "ICMPv6"), (.number(6), 6, true, "6"), (.number(47), 47, false, "47"),
    ]) func protocols(_ p: CalicoProtocol, _ number: UInt8, _ ports: Bool, _ text: String) {
        #expect(p.ianaNumber == number)
        #expect(p.hasPorts == ports)
        #expect(p.description == text)
        if case .number = p {} else {
            #expect(CalicoProtocol(name: text) == p)
            #expect(CalicoProtocol(name: text.lowercased()) == p)
        }
    }

    @Test func protocolNamesAreExact() {
        #expect(CalicoProtocol(name: "Tcp") == nil)
        #expect(CalicoProtocol(name: "udplite") == .udplite)
    }

    @Test func ports() {
        #expect(CalicoPort.port(80) == .range(80, 80))
        #expect(CalicoPort.range(80, 80).description == "80")
        #expect(CalicoPort.range(1000, 2000).description == "1000:2000")
        #expect(CalicoPort.named("http").description == "http")
    }

    @Test func entityRuleIsEmpty() {
        #expect(CalicoEntityRule().isEmpty)
        #expect(!CalicoEntityRule(notSelector: Self.sel("a == 'b'")).isEmpty)
        #expect(!CalicoEntityRule(notPorts: [.port(1)]).isEmpty)
    }

    /// Each rule problem with the field the codec puts under `spec.ingress[i].`.
    @Test(arguments: [
        (CalicoRule(action: .allow, destination: CalicoEntityRule(ports: [.port(80)])), "destination.ports"),
        (CalicoRule(action: .allow, protocol: .icmp, source: CalicoEntityRule(notPorts: [.port(80)])), "source.notPorts"),
        (CalicoRule(action: .allow, notProtocol: .tcp, destination: CalicoEntityRule(ports: [.port(80)])), "destination.ports"),
        (CalicoRule(action: .allow, ipVersion: 5), "ipVersion"),
        (CalicoRule(action: .allow, protocol: .icmpv6, ipVersion: 4), "protocol"),
        (CalicoRule(action: .allow, protocol: .number(1), ipVersion: 6), "protocol"),
        (CalicoRule(action: .allow, ipVersion: 4, destination: CalicoEntityRule(notNets: [IPPrefix("10.0.0.0/8")!, IPPrefix("fd00::/8")!])),
         "destination.notNets[1]"),
        (CalicoRule(action: .allow, protocol: .tcp, destination: CalicoEntityRule(ports: [.port(1), .range(9, 8)])), "destination.ports[1]"),
        (CalicoRule(action: .allow, protocol: .udp, source: CalicoEntityRule(ports: [.named("No")])), "source.ports[0]"),
        (CalicoRule(action: .allow, protocol: .tcp, source: CalicoEntityRule(ports: [.port(0)])), "source.ports[0]"),
    ]) func invalidRule(_ rule: CalicoRule, _ field: String) {
        #expect(throws: ModelError.self) { try rule.validate() }
        do { try rule.validate() } catch { #expect(error.field == field) }
    }

    @Test func validRules() throws {
        try CalicoRule(action: .allow, protocol: .number(17), ipVersion: 6,
                       destination: CalicoEntityRule(nets: [IPPrefix("fd00::/8")!], ports: [.range(1, 65535), .named("dns")])).validate()
        try CalicoRule(action: .pass, protocol: .icmp, ipVersion: 4).validate()
        try CalicoRule(action: .log, source: CalicoEntityRule(nets: [IPPrefix("10.0.0.0/8")!, IPPrefix("fd00::/8")!])).validate()
    }

    @Test func specValidation() throws {
        let ns = CalicoPolicySpec(namespaceSelector: .all)
        try ns.validate(namespaced: false)
        #expect(throws: ModelError.self) { try ns.validate(namespaced: true) }
        let twice = CalicoPolicySpec(types: [.egress, .egress])
        do { try twice.validate(namespaced: false) } catch { #expect(error.field == "types") }
        let badRule = CalicoPolicySpec(egress: [CalicoRule(action: .allow), CalicoRule(action: .deny, ipVersion: 7)])
        do { try badRule.validate(namespaced: true) } catch { #expect(error.field == "egress[1].ipVersion") }
        do { try CalicoPolicySpec(order: .infinity).validate(namespaced: false) } catch { #expect(error.field == "order") }
    }

    /// `tern get` words and kinds by kind name and apiVersion.
    @Test(arguments: [
        ("gnp", ResourceKind.globalNetworkPolicy), ("GlobalNetworkPolicy", .globalNetworkPolicy), ("globalnetworkpolicies", .globalNetworkPolicy),
        ("cnp", .calicoNetworkPolicy), ("networkpolicies.projectcalico.org", .calicoNetworkPolicy),
        ("networkpolicy.projectcalico.org", .calicoNetworkPolicy), ("caliconetworkpolicies", .calicoNetworkPolicy),
        ("CalicoNetworkPolicy", .calicoNetworkPolicy), ("networkpolicies", .networkPolicy), ("netpol", .networkPolicy),
        ("networkpolicies.networking.k8s.io", .networkPolicy),
    ]) func kindWords(_ word: String, _ kind: ResourceKind) {
        #expect(ResourceKind.named(word) == kind)
    }

    @Test func kindsOfNetworkPolicy() {
        #expect(ResourceKind.kind(named: "NetworkPolicy", apiVersion: "projectcalico.org/v3") == .calicoNetworkPolicy)
        #expect(ResourceKind.kind(named: "NetworkPolicy", apiVersion: "networking.k8s.io/v1") == .networkPolicy)
        #expect(ResourceKind.kind(named: "NetworkPolicy", apiVersion: nil) == .networkPolicy)
        #expect(ResourceKind.kind(named: "GlobalNetworkPolicy", apiVersion: "v1") == .globalNetworkPolicy)
        #expect(ResourceKind.kind(named: "CalicoNetworkPolicy", apiVersion: "projectcalico.org/v3") == nil)
        let c = ResourceKind.calicoNetworkPolicy
        #expect((c.kindName, c.apiVersion, c.plural, c.isNamespaced, c.cliName) ==
                ("NetworkPolicy", "projectcalico.org/v3", "networkpolicies", true, "networkpolicies.projectcalico.org"))
        let g = ResourceKind.globalNetworkPolicy
        #expect((g.kindName, g.apiVersion, g.plural, g.isNamespaced) == ("GlobalNetworkPolicy", "projectcalico.org/v3", "globalnetworkpolicies", false))
        #expect(ResourceKind.kindNames.filter { $0 == "NetworkPolicy" }.count == 1)
    }
}
