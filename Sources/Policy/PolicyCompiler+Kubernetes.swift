import IPCore
import Model

extension PolicyCompiler {
    /// The order Calico gives converted Kubernetes policies (`knp.default.<name>`, tier default).
    public static let kubernetesOrder = 1000.0

    /// A Kubernetes NetworkPolicy (API reference "NetworkPolicySpec"): it applies to the pods
    /// of its namespace its `podSelector` picks, in its effective policy types; each rule
    /// allows traffic matching one of its peers (any when none) on one of its ports (any
    /// when none); a rule becomes one compiled rule per peer and port group.
    static func compile(_ p: KubernetesPolicy) -> CompiledPolicy {
        let spec = p.spec
        var ingress: [PolicyRule] = []
        var egress: [PolicyRule] = []
        let types = Set(spec.effectivePolicyTypes)
        if types.contains(.ingress) {
            for (i, rule) in spec.ingress.enumerated() {
                ingress += expand(rule, origin: i, namespace: p.namespace, direction: .ingress)
            }
        }
        if types.contains(.egress) {
            for (i, rule) in spec.egress.enumerated() {
                egress += expand(rule, origin: i, namespace: p.namespace, direction: .egress)
            }
        }
        return CompiledPolicy(kind: .kubernetes, namespace: p.namespace, name: p.name, order: kubernetesOrder,
                              selector: EndpointSelector(namespace: p.namespace, pods: spec.podSelector),
                              types: types, ingress: ingress, egress: egress)
    }

    /// One rule as (peer × port group) allow rules. Numeric ports of one protocol share a
    /// rule; each named port is its own. The peer is the source of ingress traffic and the
    /// destination of egress traffic.
    static func expand(_ rule: NetworkPolicyRule, origin: Int, namespace: String, direction: PolicyType) -> [PolicyRule] {
        let peers: [AddressMatch] = rule.peers.isEmpty ? [.any] : rule.peers.map { peerMatch($0, namespace: namespace) }
        var ports: [(UInt8?, PortMatch?)] = []
        if rule.ports.isEmpty {
            ports = [(nil, nil)]
        } else {
            var ranges: [TransportProtocol: [ClosedRange<UInt16>]] = [:]
            var whole: Set<TransportProtocol> = []
            for port in rule.ports {
                switch port.port {
                case nil: whole.insert(port.transport)
                case .number(let n)?: ranges[port.transport, default: []].append(n...(port.endPort ?? n))
                case .named(let name)?: ports.append((port.transport.number, .named(name)))
                }
            }
            for t in TransportProtocol.allCases {
                if whole.contains(t) { ports.append((t.number, nil)) }
                else if let r = ranges[t] { ports.append((t.number, .ranges(r))) }
            }
        }
        var out: [PolicyRule] = []
        for peer in peers {
            for (transport, match) in ports {
                out.append(PolicyRule(action: .allow, transport: transport,
                                      source: direction == .ingress ? peer : .any,
                                      destination: direction == .egress ? peer : .any,
                                      destinationPorts: match, origin: origin))
            }
        }
        return out
    }

    /// A `from`/`to` element: a pod selector alone is scoped to the policy's namespace, a
    /// namespace selector alone to every namespace it picks, both in one element AND;
    /// `ipBlock` is addresses (pod IPs included) outside its `except`.
    static func peerMatch(_ peer: NetworkPolicyPeer, namespace: String) -> AddressMatch {
        switch peer {
        case .pods(let s): return AddressMatch(pods: EndpointSelector(namespace: namespace, pods: s))
        case .namespaces(let n): return AddressMatch(pods: EndpointSelector(namespaces: n))
        case .podsInNamespaces(let s, let n): return AddressMatch(pods: EndpointSelector(pods: s, namespaces: n))
        case .ipBlock(let b): return AddressMatch(nets: [b.cidr], notNets: b.except)
        }
    }
}
