import Model
import Testing
@testable import Policy

/// Every rule of the NetworkPolicy semantics (docs/POLICY.md; ../shared/reference/POLICY.md
/// A1), each as the set of probes of the 3×3 model that must be denied.
@Suite struct KubernetesSemanticsTests {
    static func policy(_ ns: String, _ name: String, _ spec: String) -> String {
        "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: \(name), namespace: \(ns)}\nspec:\n" + spec
    }

    static let x = ["x/a", "x/b", "x/c"]

    @Test func noPolicyAllowsEverything() {
        let w = PolicyWorld()
        #expect(w.denied().isEmpty)
    }

    @Test func denyAllIngressIsolatesEveryPodOfTheNamespace() {
        let w = PolicyWorld(policies: Self.policy("x", "deny", "  podSelector: {}\n  policyTypes: [Ingress]\n"))
        #expect(w.denied() == Set(Self.x.flatMap { PolicyWorld.into($0) }))
    }

    @Test func emptyRuleAllowsAll() {
        let w = PolicyWorld(policies: Self.policy("x", "all", "  podSelector: {}\n  ingress: [{}]\n"))
        #expect(w.denied().isEmpty)
    }

    @Test func podSelectorPeerIsScopedToThePolicysNamespace() {
        let w = PolicyWorld(policies: Self.policy("x", "p", """
              podSelector: {matchLabels: {pod: a}}
              ingress: [{from: [{podSelector: {matchLabels: {pod: b}}}]}]
            """ + "\n"))
        #expect(w.denied() == PolicyWorld.into("x/a", from: PolicyWorld.all.filter { $0 != "x/b" }))
        #expect(w.allowed("x/b", "x/a", 80))
        #expect(!w.allowed("y/b", "x/a", 80))
    }

    @Test func matchExpressionsOperators() {
        let cases: [(String, [String])] = [
            ("{key: pod, operator: In, values: [b, c]}", ["x/b", "x/c"]),
            ("{key: pod, operator: NotIn, values: [b]}", ["x/c"]),           // x/a itself ignored (loopback)
            ("{key: pod, operator: Exists}", ["x/b", "x/c"]),
            ("{key: pod, operator: DoesNotExist}", []),
        ]
        for (expr, allowed) in cases {
            let w = PolicyWorld(policies: Self.policy("x", "p", """
                  podSelector: {matchLabels: {pod: a}}
                  ingress: [{from: [{podSelector: {matchExpressions: [\(expr)]}}]}]
                """ + "\n"))
            #expect(w.denied() == PolicyWorld.into("x/a", from: PolicyWorld.all.filter { !allowed.contains($0) }), "\(expr)")
        }
    }

    @Test func notInMatchesPodsWithoutTheKey() {
        let w = PolicyWorld(policies: Self.policy("x", "p", """
              podSelector: {matchLabels: {pod: a}}
              ingress: [{from: [{podSelector: {matchExpressions: [{key: tier, operator: NotIn, values: [web]}]}}]}]
            """ + "\n"))
        #expect(w.allowed("x/b", "x/a", 80))
        w.relabel("x/b", ["pod": "b", "tier": "web"])
        #expect(!w.allowed("x/b", "x/a", 80))
    }

    @Test func namespaceSelectorAloneSelectsEveryPodOfTheNamespaces() {
        let w = PolicyWorld(policies: Self.policy("x", "p", """
              podSelector: {matchLabels: {pod: a}}
              ingress: [{from: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: y}}}]}]
            """ + "\n"))
        #expect(w.denied() == PolicyWorld.into("x/a", from: PolicyWorld.all.filter { !$0.hasPrefix("y/") }))
    }

    @Test func bothSelectorsInOnePeerAreAnd() {
        let w = PolicyWorld(policies: Self.policy("x", "p", """
              podSelector: {matchLabels: {pod: a}}
              ingress: [{from: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: y}}, podSelector: {matchLabels: {pod: b}}}]}]
            """ + "\n"))
        #expect(w.denied() == PolicyWorld.into("x/a", from: PolicyWorld.all.filter { $0 != "y/b" }))
    }

    @Test func selectorsInTwoPeersAreOr() {
        let w = PolicyWorld(policies: Self.policy("x", "p", """
              podSelector: {matchLabels: {pod: a}}
              ingress: [{from: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: y}}}, {podSelector: {matchLabels: {pod: b}}}]}]
            """ + "\n"))
        #expect(w.denied() == PolicyWorld.into("x/a", from: PolicyWorld.all.filter { !$0.hasPrefix("y/") && $0 != "x/b" }))
    }

    @Test func numericPortDefaultsToTCP() {
        let w = PolicyWorld(policies: Self.policy("x", "p", "  podSelector: {matchLabels: {pod: a}}\n  ingress: [{ports: [{port: 80}]}]\n"))
        #expect(w.denied() == PolicyWorld.into("x/a", ports: [(81, .tcp), (80, .udp), (81, .udp)]))
    }

    @Test func udpPortOnly() {
        let w = PolicyWorld(policies: Self.policy("x", "p", "  podSelector: {matchLabels: {pod: a}}\n  ingress: [{ports: [{port: 81, protocol: UDP}]}]\n"))
        #expect(w.denied() == PolicyWorld.into("x/a", ports: [(80, .tcp), (81, .tcp), (80, .udp)]))
    }

    @Test func protocolWithoutPortIsEveryPortOfIt() {
        let w = PolicyWorld(policies: Self.policy("x", "p", "  podSelector: {matchLabels: {pod: a}}\n  ingress: [{ports: [{protocol: UDP}]}]\n"))
        #expect(w.denied() == PolicyWorld.into("x/a", ports: [(80, .tcp), (81, .tcp)]))
    }

    @Test func endPortIsAnInclusiveRange() {
        let w = PolicyWorld(policies: Self.policy("x", "p", "  podSelector: {matchLabels: {pod: a}}\n  ingress: [{ports: [{port: 79, endPort: 80}]}]\n"))
        #expect(w.denied() == PolicyWorld.into("x/a", ports: [(81, .tcp), (80, .udp), (81, .udp)]))
        #expect(w.allowed("x/b", "x/a", 79))
    }

    @Test func namedPortResolvesOnTheDestinationPod() {
        let w = PolicyWorld(policies: Self.policy("x", "p", "  podSelector: {matchLabels: {pod: a}}\n  ingress: [{ports: [{port: serve-81-tcp}]}]\n"))
        #expect(w.denied() == PolicyWorld.into("x/a", ports: [(80, .tcp), (80, .udp), (81, .udp)]))
        // The same name resolved per pod: x/a now serves serve-81-tcp on 8081.
        let i = w.inputs.endpoints.firstIndex { $0.qualifiedName == "x/a" }!
        w.inputs.endpoints[i].namedPorts = [NamedPort(name: "serve-81-tcp", port: 8081)]
        #expect(!w.allowed("x/b", "x/a", 81))
        #expect(w.allowed("x/b", "x/a", 8081))
    }

    @Test func namedPortWithTheWrongProtocolNeverMatches() {
        // protocol defaults to TCP; the pod's serve-80-udp is a UDP port: nothing matches.
        let w = PolicyWorld(policies: Self.policy("x", "p", "  podSelector: {matchLabels: {pod: a}}\n  ingress: [{ports: [{port: serve-80-udp}]}]\n"))
        #expect(!w.allowed("x/b", "x/a", 80, .udp))
        #expect(!w.allowed("x/b", "x/a", 80, .tcp))
        let u = PolicyWorld(policies: Self.policy("x", "p", "  podSelector: {matchLabels: {pod: a}}\n  ingress: [{ports: [{port: serve-80-udp, protocol: UDP}]}]\n"))
        #expect(u.allowed("x/b", "x/a", 80, .udp))
        #expect(!u.allowed("x/b", "x/a", 80, .tcp))
    }

    @Test func egressNamedPortResolvesOnEachDestination() {
        let w = PolicyWorld(policies: Self.policy("x", "p", """
              podSelector: {matchLabels: {pod: a}}
              policyTypes: [Egress]
              egress: [{ports: [{port: serve-80-tcp}]}]
            """ + "\n"))
        #expect(w.denied() == PolicyWorld.outOf("x/a", ports: [(81, .tcp), (80, .udp), (81, .udp)]))
    }

    @Test func egressRulesWithoutPolicyTypesAlsoIsolateIngress() {
        let w = PolicyWorld(policies: Self.policy("x", "p", """
              podSelector: {matchLabels: {pod: a}}
              egress: [{to: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: y}}}]}]
            """ + "\n"))
        let egressDenied = PolicyWorld.outOf("x/a", to: PolicyWorld.all.filter { !$0.hasPrefix("y/") })
        #expect(w.denied() == egressDenied.union(PolicyWorld.into("x/a")))
    }

    @Test func emptyEgressWithoutPolicyTypesIsIngressOnly() {
        let w = PolicyWorld(policies: Self.policy("x", "p", "  podSelector: {matchLabels: {pod: a}}\n  egress: []\n  ingress: [{}]\n"))
        #expect(w.denied().isEmpty)
    }

    @Test func egressDenyAll() {
        let w = PolicyWorld(policies: Self.policy("x", "p", "  podSelector: {matchLabels: {pod: a}}\n  policyTypes: [Egress]\n"))
        #expect(w.denied() == PolicyWorld.outOf("x/a"))
    }

    @Test func explicitPolicyTypesIgnoreRulesOfAnUnlistedDirection() {
        let w = PolicyWorld(policies: Self.policy("x", "p", """
              podSelector: {matchLabels: {pod: a}}
              policyTypes: [Ingress]
              ingress: [{}]
              egress: [{to: [{podSelector: {matchLabels: {pod: none}}}]}]
            """ + "\n"))
        #expect(w.denied().isEmpty)
    }

    @Test func ipBlockMatchesPodAddressesAndHonoursExcept() {
        let w = PolicyWorld(policies: Self.policy("x", "p", """
              podSelector: {matchLabels: {pod: a}}
              ingress: [{from: [{ipBlock: {cidr: 10.0.2.0/24, except: [10.0.2.2/32]}}]}]
            """ + "\n"))
        #expect(w.denied() == PolicyWorld.into("x/a", from: PolicyWorld.all.filter { $0 != "y/a" && $0 != "y/c" }))
    }

    @Test func severalPoliciesAreAUnion() {
        let w = PolicyWorld(policies: Self.policy("x", "p1", "  podSelector: {matchLabels: {pod: a}}\n  ingress: [{from: [{podSelector: {matchLabels: {pod: b}}}]}]\n")
                            + "\n---\n" + Self.policy("x", "p2", "  podSelector: {matchLabels: {pod: a}}\n  ingress: [{from: [{podSelector: {matchLabels: {pod: c}}}]}]\n"))
        #expect(w.denied() == PolicyWorld.into("x/a", from: PolicyWorld.all.filter { $0 != "x/b" && $0 != "x/c" }))
    }

    @Test func bothEndsMustAllow() {
        // x/b may only send to y; x/a only accepts from x/b: x/b → x/a is denied by x/b's egress.
        let w = PolicyWorld(policies: Self.policy("x", "in", "  podSelector: {matchLabels: {pod: a}}\n  ingress: [{from: [{podSelector: {matchLabels: {pod: b}}}]}]\n")
                            + "\n---\n" + Self.policy("x", "out", """
              podSelector: {matchLabels: {pod: b}}
              policyTypes: [Egress]
              egress: [{to: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: y}}}]}]
            """ + "\n"))
        #expect(!w.allowed("x/b", "x/a", 80))
        #expect(w.allowed("x/b", "y/a", 80))
        #expect(!w.allowed("x/c", "x/a", 80))
    }

    @Test func relabellingAPodAndANamespaceChangesTheOutcome() {
        let w = PolicyWorld(policies: Self.policy("x", "p", """
              podSelector: {matchLabels: {pod: a}}
              ingress: [{from: [{namespaceSelector: {matchLabels: {team: blue}}}]}]
            """ + "\n"))
        #expect(!w.allowed("y/b", "x/a", 80))
        w.inputs.namespaces["y"] = ["team": "blue"]
        #expect(w.allowed("y/b", "x/a", 80))
        w.relabel("x/a", ["pod": "other"])          // no longer selected
        #expect(w.allowed("z/b", "x/a", 80))
    }

    @Test func aPolicyInOneNamespaceDoesNotSelectPodsOfAnother() {
        let w = PolicyWorld(policies: Self.policy("y", "deny", "  podSelector: {}\n"))
        #expect(w.denied() == Set(["y/a", "y/b", "y/c"].flatMap { PolicyWorld.into($0) }))
    }
}
