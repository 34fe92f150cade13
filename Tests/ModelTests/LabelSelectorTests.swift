import IPCore
import Model
import Testing

/// Kubernetes label selectors ("Labels and Selectors"): matchLabels AND matchExpressions;
/// NotIn and DoesNotExist hold for objects without the key; the empty selector matches all.
@Suite struct LabelSelectorTests {
    typealias R = LabelSelectorRequirement

    @Test func emptySelectorMatchesEverything() {
        #expect(LabelSelector().matches([:]))
        #expect(LabelSelector.everything.matches(["app": "web"]))
        #expect(LabelSelector.everything.isEmpty)
    }

    @Test func matchLabelsNeedsEveryPair() {
        let s = LabelSelector(matchLabels: ["app": "web", "tier": "front"])
        #expect(s.matches(["app": "web", "tier": "front", "extra": "x"]))
        #expect(!s.matches(["app": "web"]))
        #expect(!s.matches(["app": "web", "tier": "back"]))
        // A label with the empty value is a value like any other.
        #expect(LabelSelector(matchLabels: ["canary": ""]).matches(["canary": ""]))
        #expect(!LabelSelector(matchLabels: ["canary": ""]).matches([:]))
    }

    @Test func operators() {
        let labels = ["app": "web", "env": "prod"]
        #expect(R(key: "app", operator: .in, values: ["web", "api"]).matches(labels))
        #expect(!R(key: "app", operator: .in, values: ["api"]).matches(labels))
        #expect(!R(key: "missing", operator: .in, values: ["x"]).matches(labels))
        #expect(R(key: "env", operator: .notIn, values: ["dev"]).matches(labels))
        #expect(!R(key: "env", operator: .notIn, values: ["prod"]).matches(labels))
        #expect(R(key: "missing", operator: .notIn, values: ["x"]).matches(labels))
        #expect(R(key: "app", operator: .exists).matches(labels))
        #expect(!R(key: "missing", operator: .exists).matches(labels))
        #expect(R(key: "missing", operator: .doesNotExist).matches(labels))
        #expect(!R(key: "app", operator: .doesNotExist).matches(labels))
    }

    @Test func labelsAndExpressionsAreANDed() {
        let s = LabelSelector(matchLabels: ["app": "db"], matchExpressions: [R(key: "tier", operator: .in, values: ["a", "b"]),
                                                                          R(key: "canary", operator: .doesNotExist)])
        #expect(s.matches(["app": "db", "tier": "a"]))
        #expect(!s.matches(["app": "db", "tier": "c"]))
        #expect(!s.matches(["app": "db", "tier": "a", "canary": "1"]))
        #expect(!s.matches(["app": "web", "tier": "a"]))
    }

    @Test func validationRules() {
        #expect(throws: Never.self) { try LabelSelector(matchExpressions: [R(key: "example.com/tier", operator: .notIn, values: ["a"])]).validate() }
        #expect { try R(key: "a", operator: .in).validate() } throws: {
            ($0 as? ModelError) == ModelError(field: "values", "must be specified when operator is In or NotIn", hint: "list the values, e.g. values: [web, api]")
        }
        #expect { try R(key: "a", operator: .exists, values: ["x"]).validate() } throws: { ($0 as? ModelError)?.field == "values" }
        #expect { try R(key: "bad key", operator: .exists).validate() } throws: { ($0 as? ModelError)?.field == "key" }
        #expect { try R(key: "a", operator: .in, values: ["ok", "not ok"]).validate() } throws: { ($0 as? ModelError)?.field == "values[1]" }
        #expect { try LabelSelector(matchLabels: ["app": "-x"]).validate() } throws: { ($0 as? ModelError)?.field == "matchLabels.app" }
        #expect { try LabelSelector(matchExpressions: [R(key: "k", operator: .in)]).validate() } throws: {
            ($0 as? ModelError)?.field == "matchExpressions[0].values"
        }
    }
}

/// NetworkPolicySpec's defaults and rules (k8s apiserver defaulting and validation).
@Suite struct NetworkPolicySpecTests {
    @Test func effectivePolicyTypes() {
        #expect(NetworkPolicySpec().effectivePolicyTypes == [.ingress])
        // Egress rules without policyTypes also isolate ingress (the common surprise).
        #expect(NetworkPolicySpec(egress: [NetworkPolicyRule()]).effectivePolicyTypes == [.ingress, .egress])
        #expect(NetworkPolicySpec(policyTypes: [.egress], ingress: [NetworkPolicyRule()]).effectivePolicyTypes == [.egress])
        #expect(NetworkPolicySpec(policyTypes: []).effectivePolicyTypes == [])
    }

    @Test func portRules() {
        #expect(throws: Never.self) { try NetworkPolicyPort(port: .number(30000), endPort: 30000).validate() }
        #expect { try NetworkPolicyPort(port: .number(90), endPort: 80).validate() } throws: { ($0 as? ModelError)?.field == "endPort" }
        #expect { try NetworkPolicyPort(endPort: 80).validate() } throws: { ($0 as? ModelError)?.field == "endPort" }
        #expect { try NetworkPolicyPort(port: .named("http"), endPort: 80).validate() } throws: { ($0 as? ModelError)?.field == "endPort" }
        #expect(NetworkPolicyPort.serviceNameProblem("serve-80-tcp") == nil)
        #expect(NetworkPolicyPort.serviceNameProblem("80") == "it must contain a letter")
        #expect(NetworkPolicyPort.serviceNameProblem("a--b") == "it must not contain \"--\"")
        #expect(NetworkPolicyPort.serviceNameProblem("averyveryverylongname") == "it has more than 15 characters")
    }

    @Test func ipBlockExceptMustBeStrictlyInside() {
        let cidr = IPPrefix("10.0.0.0/16")!
        #expect(throws: Never.self) { try IPBlock(cidr: cidr, except: [IPPrefix("10.0.3.0/24")!]).validate() }
        for bad in ["10.0.0.0/16", "10.1.0.0/24", "10.0.0.0/8", "fd00::/64"] {
            #expect { try IPBlock(cidr: cidr, except: [IPPrefix(bad)!]).validate() } throws: { ($0 as? ModelError)?.field == "except[0]" }
        }
    }

    @Test func specValidationNamesTheField() {
        let spec = NetworkPolicySpec(egress: [NetworkPolicyRule(peers: [.ipBlock(IPBlock(cidr: IPPrefix("10.0.0.0/16")!, except: [IPPrefix("10.2.0.0/24")!]))])])
        #expect { try spec.validate() } throws: { ($0 as? ModelError)?.field == "egress[0].to[0].ipBlock.except[0]" }
        let dup = NetworkPolicySpec(policyTypes: [.ingress, .ingress])
        #expect { try dup.validate() } throws: { ($0 as? ModelError)?.field == "policyTypes" }
    }
}
