import Model
import Testing
@testable import Policy

/// Calico's ordered policies (one tier, `default`): order, first matching rule, Allow, Deny,
/// Pass, Log, the end-of-tier deny, Kubernetes policies at order 1000.
@Suite struct CalicoSemanticsTests {
    static func gnp(_ name: String, _ spec: String) -> String {
        "apiVersion: projectcalico.org/v3\nkind: GlobalNetworkPolicy\nmetadata: {name: \(name)}\nspec:\n" + spec
    }

    static func cnp(_ ns: String, _ name: String, _ spec: String) -> String {
        "apiVersion: projectcalico.org/v3\nkind: NetworkPolicy\nmetadata: {name: \(name), namespace: \(ns)}\nspec:\n" + spec
    }

    static let k8sAllowFromB = KubernetesSemanticsTests.policy("x", "from-b",
        "  podSelector: {matchLabels: {pod: a}}\n  ingress: [{from: [{podSelector: {matchLabels: {pod: b}}}]}]\n")

    @Test func namespacedPolicyAllowsFromASelector() {
        let w = PolicyWorld(policies: Self.cnp("x", "p", """
              selector: pod == 'a'
              ingress: [{action: Allow, source: {selector: pod == 'b'}}]
            """ + "\n"))
        #expect(w.denied() == PolicyWorld.into("x/a", from: PolicyWorld.all.filter { $0 != "x/b" }))
    }

    @Test func globalPolicyDenyComesBeforeAKubernetesAllow() {
        let w = PolicyWorld(policies: Self.gnp("no-b", """
              order: 100
              selector: pod == 'a'
              ingress: [{action: Deny, source: {selector: pod == 'b'}}]
            """ + "\n") + "\n---\n" + Self.k8sAllowFromB)
        #expect(!w.allowed("x/b", "x/a", 80))          // Deny at 100 before the k8s allow at 1000
        #expect(!w.allowed("y/b", "y/a", 80))          // global: every namespace
        #expect(!w.allowed("x/c", "x/a", 80))          // the k8s policy isolates x/a
        #expect(!w.allowed("x/c", "y/a", 80))          // y/a: the GNP applies and no rule allowed: end of tier
    }

    @Test func anOrderAfter1000ComesAfterKubernetesPolicies() {
        let w = PolicyWorld(policies: Self.gnp("late-deny", """
              order: 2000
              selector: pod == 'a'
              ingress: [{action: Deny, source: {selector: pod == 'b'}}]
            """ + "\n") + "\n---\n" + Self.k8sAllowFromB)
        #expect(w.allowed("x/b", "x/a", 80))
    }

    @Test func lowerOrderFirstAndFirstMatchingRuleWins() {
        let allow = Self.gnp("allow", "  order: 200\n  selector: pod == 'a'\n  ingress: [{action: Allow}]\n")
        let deny = Self.gnp("deny", "  order: 100\n  selector: pod == 'a'\n  ingress: [{action: Deny, protocol: TCP, destination: {ports: [80]}}, {action: Allow}]\n")
        let w = PolicyWorld(policies: allow + "\n---\n" + deny)
        #expect(!w.allowed("x/b", "x/a", 80))
        #expect(w.allowed("x/b", "x/a", 81))
        let m = w.model()
        #expect(m.policies.map(\.name) == ["deny", "allow"])
    }

    @Test func passSkipsTheTierAndReachesTheProfileWhichAllows() {
        let pass = Self.gnp("pass-c", "  order: 10\n  selector: all()\n  ingress: [{action: Pass, source: {selector: pod == 'c'}}]\n")
        let denyAll = KubernetesSemanticsTests.policy("x", "deny", "  podSelector: {}\n")
        let w = PolicyWorld(policies: pass + "\n---\n" + denyAll)
        #expect(w.allowed("x/c", "x/a", 80))
        #expect(!w.allowed("x/b", "x/a", 80))
    }

    @Test func logGoesOnToTheNextRule() {
        let w = PolicyWorld(policies: Self.gnp("log", "  selector: pod == 'a'\n  ingress: [{action: Log}, {action: Allow, source: {selector: pod == 'b'}}]\n"))
        #expect(w.allowed("x/b", "x/a", 80))
        #expect(!w.allowed("x/c", "x/a", 80))
    }

    @Test func typesAreInferredFromTheRules() {
        // Only egress rules: Egress only; ingress stays open.
        let w = PolicyWorld(policies: Self.gnp("out", "  selector: pod == 'a'\n  egress: [{action: Allow, destination: {selector: pod == 'b'}}]\n"))
        #expect(w.allowed("x/c", "x/a", 80))
        #expect(w.allowed("x/a", "x/b", 80))
        #expect(!w.allowed("x/a", "x/c", 80))
    }

    @Test func netsNotNetsNotSelectorAndNamespaceSelector() {
        let w = PolicyWorld(policies: Self.gnp("p", """
              selector: pod == 'a' && projectcalico.org/namespace == 'x'
              ingress:
              - action: Allow
                source: {nets: [10.0.0.0/16], notNets: [10.0.3.0/24], notSelector: pod == 'c'}
              - action: Allow
                source: {namespaceSelector: kubernetes.io/metadata.name == 'z', selector: pod == 'c'}
            """ + "\n"))
        #expect(w.allowed("y/b", "x/a", 80))
        #expect(!w.allowed("y/c", "x/a", 80))      // notSelector
        #expect(!w.allowed("z/a", "x/a", 80))      // notNets
        #expect(w.allowed("z/c", "x/a", 80))       // the second rule
        #expect(w.allowed("x/b", "y/a", 80))       // y/a is not selected
    }

    @Test func namedAndNumericPortsAndNotPorts() {
        let w = PolicyWorld(policies: Self.gnp("p", """
              selector: pod == 'a'
              ingress:
              - {action: Allow, protocol: TCP, destination: {ports: [serve-81-tcp]}}
              - {action: Allow, protocol: UDP, destination: {notPorts: [serve-81-udp]}}
            """ + "\n"))
        #expect(w.allowed("x/b", "x/a", 81))
        #expect(!w.allowed("x/b", "x/a", 80))
        #expect(w.allowed("x/b", "x/a", 80, .udp))
        #expect(!w.allowed("x/b", "x/a", 81, .udp))
    }

    @Test func explainNamesTheDecidingPolicyAndRule() {
        let w = PolicyWorld(policies: Self.gnp("no-b", "  order: 100\n  selector: pod == 'a'\n  ingress: [{action: Allow, source: {selector: pod == 'c'}}, {action: Deny, source: {selector: pod == 'b'}}]\n"))
        let m = w.model()
        let e = m.explain(PacketTuple(source: m.endpoints["x/b"]!.addresses[0], destination: m.endpoints["x/a"]!.addresses[0],
                                      transport: 6, destinationPort: 80), from: "x/b", to: "x/a")
        #expect(!e.allowed)
        #expect(e.ingress?.policy == "gnp no-b")
        #expect(e.ingress?.rule == "ingress[1]")
        #expect(e.egress?.allowed == true)
        #expect(e.ingressEnforcedHere)
    }
}
