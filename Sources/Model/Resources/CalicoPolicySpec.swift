/// The spec of Calico's `projectcalico.org/v3` GlobalNetworkPolicy and NetworkPolicy
/// (Calico "Global network policy" and "Network policy" references): the endpoints it
/// selects, its place among the policies, and its ordered ingress and egress rules.
///
/// Tern reads the default tier only, without `doNotTrack`, `preDNAT`, `applyOnForward`,
/// service accounts, HTTP match and ICMP type/code (see docs/RESOURCES.md).
public struct CalicoPolicySpec: Sendable, Hashable {
    /// Policies apply in increasing order; nil = after every ordered policy.
    public var order: Double?
    /// The endpoints the policy applies to (`selector`; absent = `all()`). For a
    /// NetworkPolicy, endpoints of its namespace.
    public var selector: CalicoSelector
    /// GlobalNetworkPolicy only: the namespaces whose endpoints it applies to.
    public var namespaceSelector: CalicoSelector?
    /// `types` as written; nil when absent (see ``effectiveTypes``).
    public var types: [PolicyType]?
    /// Ingress rules, in order.
    public var ingress: [CalicoRule]
    /// Egress rules, in order.
    public var egress: [CalicoRule]

    public init(order: Double? = nil, selector: CalicoSelector = .all, namespaceSelector: CalicoSelector? = nil,
                types: [PolicyType]? = nil, ingress: [CalicoRule] = [], egress: [CalicoRule] = []) {
        self.order = order
        self.selector = selector
        self.namespaceSelector = namespaceSelector
        self.types = types
        self.ingress = ingress
        self.egress = egress
    }

    /// Calico's inference when `types` is absent: egress rules only -> [Egress]; both ->
    /// [Ingress, Egress]; else [Ingress].
    public var effectiveTypes: [PolicyType] {
        if let types { return types }
        switch (ingress.isEmpty, egress.isEmpty) {
        case (true, false): return [.egress]
        case (false, false): return [.ingress, .egress]
        default: return [.ingress]
        }
    }

    /// The checks of the spec's own fields: a finite order, each type once (rules of a type
    /// not listed are kept, and not enforced), no `namespaceSelector` on a `namespaced`
    /// NetworkPolicy (Calico's NetworkPolicy has no such field).
    public func validateFields(namespaced: Bool) throws(ModelError) {
        if let order, !order.isFinite {
            throw ModelError(field: "order", "order must be a finite number", hint: "write a number such as 100")
        }
        if namespaced, namespaceSelector != nil {
            throw ModelError(field: "namespaceSelector", "a NetworkPolicy has no namespaceSelector; it applies in its own namespace",
                             hint: "remove it, or make the policy a GlobalNetworkPolicy")
        }
        guard let types else { return }
        if Set(types).count != types.count {
            throw ModelError(field: "types", "lists a policy type twice", hint: "write each of Ingress and Egress at most once")
        }
    }

    /// Every check: ``validateFields(namespaced:)`` and each rule's (fields `ingress[i]...`).
    public func validate(namespaced: Bool) throws(ModelError) {
        try validateFields(namespaced: namespaced)
        for (key, rules) in [("ingress", ingress), ("egress", egress)] {
            for (i, r) in rules.enumerated() {
                try prefixed("\(key)[\(i)]") { () throws(ModelError) in try r.validate() }
            }
        }
    }
}
