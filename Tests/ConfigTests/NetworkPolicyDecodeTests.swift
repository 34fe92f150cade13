import Config
import Foundation
import IPCore
import Model
import Testing

/// Issue 12 (Resources): the NetworkPolicy manifests of ../shared/seeds/000 (a Chinese
/// tutorial on Kubernetes network policy, copied verbatim with its comments) decode, and the
/// ones with typos get the errors a Kubernetes user would expect.
@Suite struct NetworkPolicyDecodeTests {
    func policies(_ yaml: String) throws -> [(name: String, namespace: String?, spec: NetworkPolicySpec)] {
        try ResourceCodec.decode(yaml, file: "seed.yaml").map { r in
            guard case .networkPolicy(let s) = r.spec else { throw ConfigErrors([]) }
            return (r.metadata.name, r.metadata.namespace, s)
        }
    }

    func errors(_ yaml: String) -> [String] {
        do {
            _ = try ResourceCodec.decode(yaml, file: "seed.yaml")
            return []
        } catch {
            return error.errors.map(\.description)
        }
    }

    static func app(_ name: String) -> LabelSelector { LabelSelector(matchLabels: ["app": name]) }

    /// "Ingress" (the section's example): ipBlock with except, a pod selector, TCP/80.
    @Test func allowMyappIngress() throws {
        let p = try policies("""
            apiVersion: networking.k8s.io/v1
            kind: NetworkPolicy
            metadata:
              name: allow-myapp-ingress
              namespace: default
            spec:
              podSelector: #选择策略生效目标
                matchLabels:
                  app: myapp
              policyTypes: ['Ingress'] #策略管控的流量方向，此处为入站流量(Ingress)
              ingress:
                - from: #入站来源
                  - ipBlock: #ip选择
                      cidr: 10.244.0.0/16
                      except: #排除部分选项
                        - 10.244.3.0/24
                  - podSelector: # 标签选择
                      matchLabels:
                        app: myapp
                  ports: #目标端口
                  - protocol: TCP
                    port: 80
            """)
        #expect(p.count == 1 && p[0].name == "allow-myapp-ingress" && p[0].namespace == "default")
        #expect(p[0].spec == NetworkPolicySpec(
            podSelector: Self.app("myapp"), policyTypes: [.ingress],
            ingress: [NetworkPolicyRule(peers: [.ipBlock(IPBlock(cidr: IPPrefix("10.244.0.0/16")!, except: [IPPrefix("10.244.3.0/24")!])),
                                               .pods(Self.app("myapp"))],
                                        ports: [NetworkPolicyPort(transport: .tcp, port: .number(80))])]))
        // ipBlock: 10.244.3.7 is excepted, 10.244.4.7 is in.
        guard case .ipBlock(let block) = p[0].spec.ingress[0].peers[0] else { Issue.record("not an ipBlock"); return }
        #expect(!block.contains(IPAddress("10.244.3.7")!) && block.contains(IPAddress("10.244.4.7")!))
    }

    /// "配置清单" (the worked example): three policies in one manifest decode as written.
    @Test func testingNamespaceManifest() throws {
        let p = try policies("""
            apiVersion: networking.k8s.io/v1
            kind: NetworkPolicy
            metadata:
              name: testing-default # testing默认策略，拒绝所有进出流量
              namespace: testing
            spec:
              podSelector: {} 
              policyTypes: 
                - Ingress
                - Egress
            ---
            apiVersion: networking.k8s.io/v1
            kind: NetworkPolicy
            metadata:
              name: myapp-policy # myapp策略
              namespace: testing
            spec:
              policyTypes:
                - Ingress
                - Egress
              podSelector:
                matchLabels:
                  app: myapp
              ingress:
                - from: #允许来自nginx访问其80端口
                  - podSelector:
                      matchLabels:
                        app: nginx
                  ports:
                    - port: 80
                - from: #允许来自kube-system的pod访问
                  - namespaceSelector:
                      matchLabels:
                        ns: kube-system
              egress:
                - to: #允许访问nginx的所有端口
                  - podSelector:
                      matchLabels:
                        app: nginx
                - to: # 允许访问kube-system的pod
                  - namespaceSelector:
                      matchLabels:
                        ns: kube-system
            ---
            apiVersion: networking.k8s.io/v1
            kind: NetworkPolicy
            metadata:
              name: nginx-policy #nginx策略
              namespace: testing
            spec:
              podSelector:
                matchLabels:
                  app: nginx
              policyTypes:
                - Ingress
                - Egress
              ingress:
                - ports: #允许所有源站点访问80端口
                  - port: 80
                - from: # 允许来自kube-system访问
                  - namespaceSelector:
                      matchLabels:
                        ns: kube-system
              egress: 
                - {} #出口流量不限制
            """)
        #expect(p.map(\.name) == ["testing-default", "myapp-policy", "nginx-policy"])
        #expect(p.allSatisfy { $0.namespace == "testing" })
        // Deny all: every pod, both directions, no rule.
        #expect(p[0].spec == NetworkPolicySpec(podSelector: .everything, policyTypes: [.ingress, .egress]))
        #expect(p[0].spec.podSelector.matches(["app": "anything"]) && p[0].spec.podSelector.matches([:]))
        let kubeSystem = LabelSelector(matchLabels: ["ns": "kube-system"])
        #expect(p[1].spec == NetworkPolicySpec(
            podSelector: Self.app("myapp"), policyTypes: [.ingress, .egress],
            ingress: [NetworkPolicyRule(peers: [.pods(Self.app("nginx"))], ports: [NetworkPolicyPort(port: .number(80))]),
                      NetworkPolicyRule(peers: [.namespaces(kubeSystem)])],
            egress: [NetworkPolicyRule(peers: [.pods(Self.app("nginx"))]), NetworkPolicyRule(peers: [.namespaces(kubeSystem)])]))
        // A port rule with no `from` (all sources) and an egress `{}` (allow all).
        #expect(p[2].spec.ingress[0] == NetworkPolicyRule(ports: [NetworkPolicyPort(port: .number(80))]))
        #expect(p[2].spec.egress == [NetworkPolicyRule()])
        #expect(p[2].spec.podSelector.matches(["app": "nginx", "pod-template-hash": "x"]) && !p[2].spec.podSelector.matches(["app": "myapp"]))
    }

    /// "默认规则": `Ingress:` capitalised is not the field `ingress` (kubectl: unknown field
    /// "Ingress" in io.k8s.api.networking.v1.NetworkPolicySpec).
    @Test func denyAllTrafficCapitalisedIngress() {
        #expect(errors("""
            apiVersion: networking.k8s.io/v1
            kind: NetworkPolicy
            metadata:
              name: deny-all-traffic
              namespace: testing
            spec:
              podSelector: {} #所有pod
              policyTypes: # 进口、出口流量都管控；没有定义出站(Egress)详细规则，则拒绝所有出站流量
                - Ingress
                - Egress
              Ingress: #定义了入站规则，但是为空，表示允许所有入站流量
                - {}
            """) == ["seed.yaml:11:3: spec.Ingress: unknown key \"Ingress\" (hint: did you mean \"ingress\"?)"])
    }

    /// "Egress": `kind: NetworPolicy` (kubectl: no matches for kind "NetworPolicy").
    @Test func tomcatEgressMisspelledKind() {
        #expect(errors("""
            apiVersion: networking.k8s.io/v1
            kind: NetworPolicy
            metadata:
              name: allow-tomcat-egress
              namespace: default
            spec:
              podSelector:
                matchLabels:
                  app: tomcat
              policyTypes: ["Egress"]
              egress:
                - to:
                  - podSelector:
                      matchLabels:
                        app: nginx
                  ports:
                    - protocol: TCP
                      port: 80
                - to:
                  - podSelector:
                      matchLabels:
                        app: mysql
                  ports:
                    - protocol: TCP
                      port: 3306
            """) == ["seed.yaml:2:7: kind: unknown kind \"NetworPolicy\" (hint: did you mean \"NetworkPolicy\"?)"])
    }

    /// The same policy with the kind fixed: egress only, to two pod sets on one port each.
    @Test func tomcatEgressFixed() throws {
        let p = try policies("""
            apiVersion: networking.k8s.io/v1
            kind: NetworkPolicy
            metadata: {name: allow-tomcat-egress, namespace: default}
            spec:
              podSelector: {matchLabels: {app: tomcat}}
              policyTypes: ["Egress"]
              egress:
                - to: [{podSelector: {matchLabels: {app: nginx}}}]
                  ports: [{protocol: TCP, port: 80}]
                - to: [{podSelector: {matchLabels: {app: mysql}}}]
                  ports: [{protocol: TCP, port: 3306}]
            """)
        #expect(p[0].spec.effectivePolicyTypes == [.egress])
        #expect(p[0].spec.egress.map(\.ports) == [[NetworkPolicyPort(port: .number(80))], [NetworkPolicyPort(port: .number(3306))]])
    }

    /// "名称空间隔离": `name:` written twice where `namespace:` was meant (kubectl: mapping
    /// key "name" already defined); the error stops the reading of the stream.
    @Test func namespaceIsolationDuplicateName() {
        #expect(errors("""
            apiVersion: networking.k8s.io/v1
            kind: NetworkPolicy
            metadata:
              name: namespace-deny-all
              name: testing
            spec:
              podSelector: {}
              policyTypes: ["Ingress", "Egress"]
            ---
            apiVersion: networking.k8s.io/v1
            kind: NetworkPolicy
            metadata:
              name: namespace-allow
              name: testing
            spec:
              policyTypes: ["Ingress", "Egress"]
              podSelector: {}
            """) == ["seed.yaml:4:3: key \"name\" appears more than once in one mapping (hint: it is written again at line 5; keep one of them; YAML does not say which would win)"])
    }

    /// "名称空间隔离", second policy with `namespace:` fixed: its `Egress:` is the next typo,
    /// and matchExpressions select the two namespaces.
    @Test func namespaceAllowCapitalisedEgress() throws {
        let yaml = """
            apiVersion: networking.k8s.io/v1
            kind: NetworkPolicy
            metadata:
              name: namespace-allow
              namespace: testing
            spec:
              policyTypes: ["Ingress", "Egress"]
              podSelector: {}
              ingress:
                - from:
                  - namespaceSelector:
                      matchExpressions:
                        - key: name
                          operator: In
                          values: ["testing", "kube-system"]
              Egress:
                - to:
                  - namespaceSelector:
                      matchExpressions:
                        - key: name
                          operator: In
                          values: ["testing", "kube-system"]
            """
        #expect(errors(yaml) == ["seed.yaml:16:3: spec.Egress: unknown key \"Egress\" (hint: did you mean \"egress\"?)"])
        let fixed = try policies(yaml.replacingOccurrences(of: "  Egress:", with: "  egress:"))
        let sel = try #require(fixed[0].spec.ingress.first?.peers.first?.namespaceSelector)
        #expect(sel.matches(["name": "kube-system"]) && sel.matches(["name": "testing", "x": "y"]))
        #expect(!sel.matches(["name": "default"]) && !sel.matches([:]))
        #expect(fixed[0].spec.egress.count == 1)
    }

    /// The tutorial's prose mentions `podSelctor` and `matchLabel`: written in a manifest,
    /// each gets its suggestion.
    @Test func proseTyposInAManifest() {
        #expect(errors("""
            apiVersion: networking.k8s.io/v1
            kind: NetworkPolicy
            metadata: {name: p, namespace: testing}
            spec:
              podSelector:
                matchLabel: {app: myapp}
              ingress:
              - from:
                - podSelctor: {matchLabels: {app: nginx}}
            """) == [
            "seed.yaml:6:5: spec.podSelector.matchLabel: unknown key \"matchLabel\" (hint: did you mean \"matchLabels\"?)",
            "seed.yaml:9:7: spec.ingress[0].from[0].podSelctor: unknown key \"podSelctor\" (hint: did you mean \"podSelector\"?)",
        ])
    }
}

/// Null values in a policy read as the apiserver reads them: absent.
@Suite struct NetworkPolicyNullTests {
    @Test func nullListsAreAbsent() throws {
        let r = try ResourceCodec.decode("""
            apiVersion: networking.k8s.io/v1
            kind: NetworkPolicy
            metadata: {name: deny-ingress}
            spec:
              podSelector:
                matchLabels:
              policyTypes:
              ingress:
              egress:
              - to:
                ports:
            """, file: "n.yaml")
        #expect(r[0].spec == .networkPolicy(NetworkPolicySpec(egress: [NetworkPolicyRule()])))
        guard case .networkPolicy(let n) = r[0].spec else { return }
        #expect(n.policyTypes == nil && n.effectivePolicyTypes == [.ingress, .egress])
    }

    @Test func duplicateKeyHintFindsTheSecondOneInAnyDocument() {
        #expect {
            try ResourceCodec.decode("apiVersion: v1\nkind: Namespace\nmetadata: {name: a}\n---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  labels: {a: b}\n  # the namespace\n  name: q\n",
                                     file: "d.yaml")
        } throws: {
            "\($0)" == "d.yaml:8:3: key \"name\" appears more than once in one mapping (hint: it is written again at line 11; keep one of them; YAML does not say which would win)"
        }
    }
}
