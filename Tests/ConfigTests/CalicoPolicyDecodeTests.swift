import Config
import IPCore
import Model
import Testing

/// Calico's projectcalico.org/v3 GlobalNetworkPolicy and NetworkPolicy: documents modeled on
/// the examples of Calico's reference pages decode to the model the policy compiler reads.
@Suite struct CalicoPolicyDecodeTests {
    static func sel(_ s: String) -> CalicoSelector { try! CalicoSelector(parsing: s) }

    func one(_ yaml: String) throws -> Resource {
        let all = try ResourceCodec.decode(yaml, file: "p.yaml")
        try #require(all.count == 1)
        return all[0]
    }

    /// "Network policy" reference, sample YAML: allow-tcp-6379.
    @Test func allowTCP6379() throws {
        let r = try one("""
            apiVersion: projectcalico.org/v3
            kind: NetworkPolicy
            metadata:
              name: allow-tcp-6379
              namespace: production
            spec:
              selector: role == 'database'
              types:
                - Ingress
                - Egress
              ingress:
                - action: Allow
                  metadata:
                    annotations:
                      from: frontend
                      to: database
                  protocol: TCP
                  source:
                    selector: role == 'frontend'
                  destination:
                    ports:
                      - 6379
              egress:
                - action: Allow
            """)
        #expect(r.kind == .calicoNetworkPolicy)
        #expect(r.metadata.namespace == "production")
        #expect(r.spec == .calicoNetworkPolicy(CalicoPolicySpec(
            selector: Self.sel("role == 'database'"), types: [.ingress, .egress],
            ingress: [CalicoRule(action: .allow, protocol: .tcp, source: CalicoEntityRule(selector: Self.sel("role == 'frontend'")),
                                 destination: CalicoEntityRule(ports: [.range(6379, 6379)]))],
            egress: [CalicoRule(action: .allow)])))
    }

    /// "Global network policy" reference: ordered, egress only, Deny to nets; a namespaced
    /// NetworkPolicy defaults to the `default` namespace, a GNP has none.
    @Test func orderedEgressDeny() throws {
        let r = try one("""
            apiVersion: projectcalico.org/v3
            kind: GlobalNetworkPolicy
            metadata:
              name: deny-metadata
            spec:
              order: 100
              selector: all()
              namespaceSelector: has(projectcalico.org/name) && projectcalico.org/name != 'kube-system'
              types: [Egress]
              egress:
                - action: Deny
                  destination:
                    nets: [169.254.169.254, 10.96.0.0/12, "fd00::/8"]
                    notNets: [10.96.0.10/32]
                - action: Allow
            """)
        #expect(r.kind == .globalNetworkPolicy)
        #expect(r.metadata.namespace == nil)
        guard case .globalNetworkPolicy(let s) = r.spec else { Issue.record("not a GNP"); return }
        #expect(s.order == 100)
        #expect(s.selector == .all)
        #expect(s.namespaceSelector == Self.sel("has(projectcalico.org/name) && projectcalico.org/name != \"kube-system\""))
        #expect(s.effectiveTypes == [.egress])
        #expect(s.egress.count == 2)
        #expect(s.egress[0].destination.nets == [IPPrefix("169.254.169.254/32")!, IPPrefix("10.96.0.0/12")!, IPPrefix("fd00::/8")!])
        #expect(s.egress[0].destination.notNets == [IPPrefix("10.96.0.10/32")!])
        #expect(s.egress[1] == CalicoRule(action: .allow))
    }

    /// Pass and Log rules, protocols by name (either case) and number, port ranges and
    /// names, not-fields, singular net/notNet, ipVersion, a fractional order, a default tier.
    @Test func everyRuleField() throws {
        let r = try one("""
            apiVersion: projectcalico.org/v3
            kind: NetworkPolicy
            metadata: {name: web, namespace: shop}
            spec:
              tier: default
              order: 10.5
              ingress:
                - action: Log
                  protocol: udp
                - action: Pass
                  notProtocol: ICMPv6
                  ipVersion: 4
                  source: {net: 192.0.2.0/24, notNet: 192.0.2.1, notSelector: "has(quarantine)", namespaceSelector: team == 'a'}
                - action: Deny
                  protocol: 132
                  destination: {ports: [80, "8000:8080", http, "443"], notPorts: ["1:1023"]}
                - action: Allow
                  protocol: UDPLite
                  source: {}
                  destination:
            """)
        guard case .calicoNetworkPolicy(let s) = r.spec else { Issue.record("not a Calico NetworkPolicy"); return }
        #expect(s.order == 10.5)
        #expect(s.types == nil && s.effectiveTypes == [.ingress])
        #expect(s.ingress == [
            CalicoRule(action: .log, protocol: .udp),
            CalicoRule(action: .pass, notProtocol: .icmpv6, ipVersion: 4,
                       source: CalicoEntityRule(nets: [IPPrefix("192.0.2.0/24")!], notNets: [IPPrefix("192.0.2.1/32")!],
                                                notSelector: Self.sel("has(quarantine)"), namespaceSelector: Self.sel("team == 'a'"))),
            CalicoRule(action: .deny, protocol: .number(132),
                       destination: CalicoEntityRule(ports: [.range(80, 80), .range(8000, 8080), .named("http"), .range(443, 443)],
                                                     notPorts: [.range(1, 1023)])),
            CalicoRule(action: .allow, protocol: .udplite),
        ])
    }

    /// Calico's `types` inference (GNP and NetworkPolicy references, `types`).
    @Test(arguments: [
        ("{ingress: [{action: Allow}]}", [PolicyType.ingress]),
        ("{egress: [{action: Allow}]}", [.egress]),
        ("{ingress: [{action: Allow}], egress: [{action: Deny}]}", [.ingress, .egress]),
        ("{}", [.ingress]),
        ("{types: [Egress, Ingress]}", [.egress, .ingress]),
    ]) func typesInference(_ spec: String, _ want: [PolicyType]) throws {
        let r = try one("apiVersion: projectcalico.org/v3\nkind: GlobalNetworkPolicy\nmetadata: {name: p}\nspec: \(spec)\n")
        guard case .globalNetworkPolicy(let s) = r.spec else { Issue.record("not a GNP"); return }
        #expect(s.effectiveTypes == want)
    }

    /// A GNP without a spec (or with a null one) is the default spec; applyOnForward: false is the default.
    @Test func defaults() throws {
        let a = try one("apiVersion: projectcalico.org/v3\nkind: GlobalNetworkPolicy\nmetadata: {name: p}\n")
        #expect(a.spec == .globalNetworkPolicy(CalicoPolicySpec()))
        let b = try one("apiVersion: projectcalico.org/v3\nkind: GlobalNetworkPolicy\nmetadata: {name: p}\nspec: {applyOnForward: false, doNotTrack: false, preDNAT: false, selector: ''}\n")
        #expect(b.spec == .globalNetworkPolicy(CalicoPolicySpec()))
    }

    /// calicoctl's `NetworkPolicyList` is Calico's kind, a `kind: List` item picks by apiVersion.
    @Test func listsPickTheKindByAPIVersion() throws {
        let r = try ResourceCodec.decode("""
            apiVersion: projectcalico.org/v3
            kind: NetworkPolicyList
            items:
              - {apiVersion: projectcalico.org/v3, kind: NetworkPolicy, metadata: {name: a}, spec: {selector: all()}}
            ---
            apiVersion: v1
            kind: List
            items:
              - {apiVersion: networking.k8s.io/v1, kind: NetworkPolicy, metadata: {name: b}, spec: {podSelector: {}}}
              - {apiVersion: projectcalico.org/v3, kind: NetworkPolicy, metadata: {name: c}}
            """, file: "l.yaml")
        #expect(r.map(\.kind) == [.calicoNetworkPolicy, .networkPolicy, .calicoNetworkPolicy])
    }

    /// Model → JSON and YAML → model.
    @Test func roundTrip() throws {
        let spec = CalicoPolicySpec(
            order: 0.25, selector: Self.sel("app in {'web', 'api'}"), namespaceSelector: Self.sel("all()"), types: [.egress],
            ingress: [CalicoRule(action: .log)],
            egress: [CalicoRule(action: .deny, protocol: .number(47), notProtocol: .tcp, ipVersion: 6,
                                source: CalicoEntityRule(selector: Self.sel("!has(x)")),
                                destination: CalicoEntityRule(nets: [IPPrefix("2001:db8::/32")!], notNets: [IPPrefix("2001:db8::1/128")!],
                                                              notSelector: Self.sel("a == 'b'"), namespaceSelector: Self.sel("global()"))),
                     CalicoRule(action: .pass, protocol: .sctp, destination: CalicoEntityRule(ports: [.range(1, 65535), .named("dns")],
                                                                                             notPorts: [.range(53, 53)]))])
        let gnp = Resource(metadata: ResourceMetadata(name: "g"), spec: .globalNetworkPolicy(spec))
        var nsSpec = spec
        nsSpec.namespaceSelector = nil
        nsSpec.order = 1e9
        let cnp = Resource(metadata: ResourceMetadata(name: "n", namespace: "shop"), spec: .calicoNetworkPolicy(nsSpec))
        let bare = Resource(metadata: ResourceMetadata(name: "b", namespace: "default"), spec: .calicoNetworkPolicy(CalicoPolicySpec()))
        for r in [gnp, cnp, bare] {
            #expect(try ResourceCodec.decode(ResourceCodec.encodeJSON(r), file: "j") == [r])
            #expect(try ResourceCodec.decode(ResourceCodec.encodeJSON(r, pretty: true), file: "p") == [r])
        }
        #expect(try ResourceCodec.decode(ResourceCodec.encodeYAML([gnp, cnp, bare]), file: "y") == [gnp, cnp, bare])
        #expect(ResourceCodec.encodeJSON(cnp).hasPrefix(#"{"apiVersion":"projectcalico.org/v3","kind":"NetworkPolicy","metadata":{"name":"n","namespace":"shop"},"spec":{"order":1000000000,"selector":"app in {'web', 'api'}","types":["Egress"]"#))
        #expect(ResourceCodec.encodeJSON(bare).hasSuffix(#""spec":{"selector":"all()"}}"#))
        #expect(ResourceCodec.encodeYAML([gnp]).contains("  order: 0.25\n"))
        #expect(ResourceCodec.encodeYAML([gnp]).contains("        ports:\n          - \"1:65535\"\n          - dns\n        notPorts:\n          - 53\n"))
    }
}
