import Model

/// Compiles ``PolicyInputs`` into a ``PolicyModel``, incrementally: it keeps each
/// selector's members and re-evaluates only the pods (or namespaces) that changed, so a
/// relabel costs O(selectors), not O(selectors × pods).
public struct PolicyCompiler: Sendable {
    private var endpoints: [String: PolicyEndpoint] = [:]
    private var namespaceLabels: [String: [String: String]] = [:]
    private var members: [EndpointSelector: Set<String>] = [:]
    /// Compiled policies by kind, namespace and name, with what they were compiled from
    /// (compared on use: cheaper than hashing whole specs on every pass).
    private var compiled: [String: (KubernetesPolicy, CompiledPolicy)] = [:]
    private var compiledCalico: [String: (CalicoPolicy, CompiledPolicy)] = [:]

    public init() {}

    /// The model for `inputs`.
    public mutating func compile(_ inputs: PolicyInputs) -> PolicyModel {
        // Policies (each compiled once while unchanged).
        var nextCompiled: [String: (KubernetesPolicy, CompiledPolicy)] = [:]
        var policies: [CompiledPolicy] = []
        for p in inputs.kubernetesPolicies {
            let key = "\(p.namespace)/\(p.name)"
            let c = compiled[key].flatMap { $0.0 == p ? $0.1 : nil } ?? PolicyCompiler.compile(p)
            nextCompiled[key] = (p, c)
            policies.append(c)
        }
        compiled = nextCompiled
        var nextCalico: [String: (CalicoPolicy, CompiledPolicy)] = [:]
        for p in inputs.calicoPolicies {
            let key = "\(p.namespace ?? "")/\(p.name)"
            let c = compiledCalico[key].flatMap { $0.0 == p ? $0.1 : nil } ?? PolicyCompiler.compile(p)
            nextCalico[key] = (p, c)
            policies.append(c)
        }
        compiledCalico = nextCalico
        policies.sort(by: CompiledPolicy.evaluatedBefore)

        // Pods and namespaces: what changed.
        var nextEndpoints: [String: PolicyEndpoint] = [:]
        for e in inputs.endpoints { nextEndpoints[e.qualifiedName] = e }
        var nextNamespaces: [String: [String: String]] = [:]
        for ns in Set(inputs.namespaces.keys).union(nextEndpoints.values.map(\.namespace)) {
            nextNamespaces[ns] = inputs.namespaceLabels(ns)
        }
        var changed: Set<String> = []
        for (name, e) in nextEndpoints where endpoints[name] != e || namespaceLabels[e.namespace] != nextNamespaces[e.namespace] {
            changed.insert(name)
        }
        let removed = Set(endpoints.keys).subtracting(nextEndpoints.keys)

        // Selectors: keep the members of those still named, updated for what changed.
        var selectors: Set<EndpointSelector> = []
        for p in policies {
            selectors.insert(p.selector)
            for r in p.ingress + p.egress { selectors.formUnion(r.selectors) }
        }
        var nextMembers: [EndpointSelector: Set<String>] = [:]
        for s in selectors {
            if var m = members.removeValue(forKey: s) {   // moved out, so changed in place
                if !removed.isEmpty { m.subtract(removed) }
                for name in changed {
                    let e = nextEndpoints[name]!
                    if s.matches(e, namespaceLabels: nextNamespaces[e.namespace]!) { m.insert(name) } else { m.remove(name) }
                }
                nextMembers[s] = m
            } else {
                var m: Set<String> = []
                for (name, e) in nextEndpoints where s.matches(e, namespaceLabels: nextNamespaces[e.namespace]!) { m.insert(name) }
                nextMembers[s] = m
            }
        }
        endpoints = nextEndpoints
        namespaceLabels = nextNamespaces
        members = nextMembers
        return PolicyModel(policies: policies, endpoints: endpoints, namespaceLabels: namespaceLabels, members: members)
    }
}
