import Model

extension PolicyCompiler {
    /// A Calico GlobalNetworkPolicy or NetworkPolicy (Calico reference "Global network
    /// policy", "Network policy"): it applies to the endpoints its `selector` picks (a
    /// namespaced one in its namespace; a global one in the namespaces its
    /// `namespaceSelector` picks, every one without), in its types (inferred from the rules
    /// when not written); its rules keep their order and actions.
    static func compile(_ p: CalicoPolicy) -> CompiledPolicy {
        let spec = p.spec
        let types = Set(spec.effectiveTypes)
        func rules(_ list: [CalicoRule]) -> [PolicyRule] {
            list.enumerated().flatMap { i, r in calicoRules(r, origin: i, namespace: p.namespace) }
        }
        return CompiledPolicy(kind: p.namespace == nil ? .calicoGlobal : .calico, namespace: p.namespace, name: p.name,
                              order: spec.order,
                              selector: EndpointSelector(namespace: p.namespace, calico: spec.selector,
                                                         calicoNamespaces: spec.namespaceSelector),
                              types: types,
                              ingress: types.contains(.ingress) ? rules(spec.ingress) : [],
                              egress: types.contains(.egress) ? rules(spec.egress) : [])
    }

    /// One Calico rule; every field must match (AND). Numeric and named destination ports
    /// in one list become one rule for the numbers and one per name (the list is an OR).
    static func calicoRules(_ r: CalicoRule, origin: Int, namespace: String?) -> [PolicyRule] {
        let action: PolicyAction = switch r.action {
        case .allow: .allow
        case .deny: .deny
        case .log: .log
        case .pass: .pass
        }
        var base = PolicyRule(action: action, transport: r.protocol?.ianaNumber, notTransport: r.notProtocol?.ianaNumber,
                              ipVersion: r.ipVersion, source: entity(r.source, namespace: namespace),
                              destination: entity(r.destination, namespace: namespace),
                              notDestinationPorts: ranges(r.destination.notPorts),
                              sourcePorts: r.source.ports.isEmpty ? nil : ranges(r.source.ports), origin: origin)
        base.notNamedPorts = names(r.destination.notPorts)
        let numeric = ranges(r.destination.ports)
        let named = names(r.destination.ports)
        if numeric.isEmpty && named.isEmpty { return [base] }
        var out: [PolicyRule] = []
        if !numeric.isEmpty {
            var rule = base
            rule.destinationPorts = .ranges(numeric)
            out.append(rule)
        }
        for n in named {
            var rule = base
            rule.destinationPorts = .named(n)
            out.append(rule)
        }
        return out
    }

    /// `source` / `destination`: nets, notNets, and the endpoints of `selector` (in the
    /// policy's namespace, or in the namespaces of `namespaceSelector`; for a global policy
    /// in every namespace), not those of `notSelector`.
    static func entity(_ e: CalicoEntityRule, namespace: String?) -> AddressMatch {
        let scope = e.namespaceSelector == nil ? namespace : nil
        var m = AddressMatch(nets: e.nets, notNets: e.notNets)
        if e.selector != nil || e.namespaceSelector != nil {
            m.pods = EndpointSelector(namespace: scope, calico: e.selector, calicoNamespaces: e.namespaceSelector)
        }
        if let s = e.notSelector {
            m.notPods = EndpointSelector(namespace: scope, calico: s, calicoNamespaces: e.namespaceSelector)
        }
        return m
    }

    /// The named ports of a Calico port list.
    static func names(_ ports: [CalicoPort]) -> [String] {
        ports.compactMap { p in
            if case .named(let n) = p { return n }
            return nil
        }
    }

    /// The numeric ports of a Calico port list, as ranges (names are handled apart).
    static func ranges(_ ports: [CalicoPort]) -> [ClosedRange<UInt16>] {
        ports.compactMap { p in
            if case .range(let a, let b) = p { return a...b }
            return nil
        }
    }
}
