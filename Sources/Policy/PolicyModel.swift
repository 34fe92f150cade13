import IPCore
import Model

/// The compiled policy state of the cluster as this node enforces it: the policies in
/// evaluation order, every pod, the members of every selector a rule names, the pods'
/// named ports, and for each local pod the policies that apply to it per direction.
/// The kernel table is rendered from it (``NFTRenderer``) and `tern policy explain`
/// evaluates it (``explain(from:to:transport:port:)``), so the two cannot disagree.
public struct PolicyModel: Sendable {
    /// Every policy, in evaluation order (Calico's: order, then name).
    public let policies: [CompiledPolicy]
    /// Every pod by `namespace/name`.
    public let endpoints: [String: PolicyEndpoint]
    /// Each namespace's labels, with `kubernetes.io/metadata.name`.
    public let namespaceLabels: [String: [String: String]]
    /// The members (`namespace/name`) of every selector a rule or policy names.
    public let members: [EndpointSelector: Set<String>]
    /// For each local pod (`namespace/name`), the indexes into ``policies`` that apply, per direction.
    public let applicable: [String: [PolicyType: [Int]]]
    /// Pods by address (a pod's address belongs to that pod only).
    let byAddress: [IPAddress: String]

    init(policies: [CompiledPolicy], endpoints: [String: PolicyEndpoint], namespaceLabels: [String: [String: String]],
         members: [EndpointSelector: Set<String>]) {
        self.policies = policies
        self.endpoints = endpoints
        self.namespaceLabels = namespaceLabels
        self.members = members
        var applicable: [String: [PolicyType: [Int]]] = [:]
        for (i, p) in policies.enumerated() {
            for name in members[p.selector] ?? [] where endpoints[name]?.isLocal == true {
                for t in p.types.sorted(by: { $0.rawValue < $1.rawValue }) { applicable[name, default: [:]][t, default: []].append(i) }
            }
        }
        self.applicable = applicable
        var byAddress: [IPAddress: String] = [:]
        for (name, e) in endpoints { for a in e.addresses { byAddress[a] = name } }
        self.byAddress = byAddress
    }

    /// The pods policy `index` applies to (any node).
    public func selected(by index: Int) -> [PolicyEndpoint] {
        (members[policies[index].selector] ?? []).sorted().compactMap { endpoints[$0] }
    }

    /// The addresses of one family of a selector's members, sorted.
    public func addresses(of selector: EndpointSelector, family: IPFamily) -> [IPAddress] {
        (members[selector] ?? []).flatMap { endpoints[$0]?.addresses.filter { $0.family == family } ?? [] }.sorted()
    }

    /// The pod an address belongs to.
    public func endpoint(at address: IPAddress) -> PolicyEndpoint? {
        byAddress[address].flatMap { endpoints[$0] }
    }

    /// Whether `endpoint` is in `selector`'s members.
    func isMember(_ endpoint: PolicyEndpoint?, of selector: EndpointSelector) -> Bool {
        guard let endpoint else { return false }
        if let m = members[selector] { return m.contains(endpoint.qualifiedName) }
        return selector.matches(endpoint, namespaceLabels: namespaceLabels[endpoint.namespace] ?? [PolicyInputs.namespaceNameLabel: endpoint.namespace])
    }

    /// Every selector a rule names (the kernel sets), sorted by name.
    public var ruleSelectors: [EndpointSelector] {
        Set(policies.flatMap { ($0.ingress + $0.egress).flatMap(\.selectors) }).sorted { $0.setStem < $1.setStem }
    }
}
