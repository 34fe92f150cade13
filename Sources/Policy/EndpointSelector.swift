import Model

/// A set of pods a rule's peer or a policy names, in either selector language, with the
/// namespace scope it is evaluated in. The compiler makes one kernel address set per
/// distinct selector, so that a pod added or relabelled changes set elements, not rules.
public struct EndpointSelector: Sendable, Hashable, CustomStringConvertible {
    /// Pods of this namespace only; nil: every namespace.
    public let namespace: String?
    /// A Kubernetes pod selector (nil: every pod of the scope).
    public let pods: LabelSelector?
    /// A Kubernetes namespace selector over namespace labels (nil: no condition).
    public let namespaces: LabelSelector?
    /// A Calico selector over the pod's labels (plus `projectcalico.org/namespace`).
    public let calico: CalicoSelector?
    /// A Calico selector over namespace labels.
    public let calicoNamespaces: CalicoSelector?
    /// The canonical rendering, the same for equal selectors however they were written;
    /// computed once: equality and hashing use it (selectors are dictionary keys on every
    /// pass), the kernel set's name is its hash.
    public let description: String

    public init(namespace: String? = nil, pods: LabelSelector? = nil, namespaces: LabelSelector? = nil,
                calico: CalicoSelector? = nil, calicoNamespaces: CalicoSelector? = nil) {
        self.namespace = namespace
        self.pods = pods
        self.namespaces = namespaces
        self.calico = calico
        self.calicoNamespaces = calicoNamespaces
        description = EndpointSelector.canonical(namespace: namespace, pods: pods, namespaces: namespaces,
                                                 calico: calico, calicoNamespaces: calicoNamespaces)
    }

    public static func == (a: EndpointSelector, b: EndpointSelector) -> Bool { a.description == b.description }

    public func hash(into hasher: inout Hasher) { hasher.combine(description) }

    /// Whether `endpoint` (in a namespace with `namespaceLabels`) is selected.
    public func matches(_ endpoint: PolicyEndpoint, namespaceLabels: [String: String]) -> Bool {
        if let namespace, endpoint.namespace != namespace { return false }
        if let pods, !pods.matches(endpoint.labels) { return false }
        if let namespaces, !namespaces.matches(namespaceLabels) { return false }
        if let calicoNamespaces, !calicoNamespaces.matches(namespaceLabels) { return false }
        if let calico {
            var labels = endpoint.labels
            labels[PolicyInputs.calicoNamespaceLabel] = endpoint.namespace
            if !calico.matches(labels) { return false }
        }
        return true
    }

    static func canonical(namespace: String?, pods: LabelSelector?, namespaces: LabelSelector?,
                          calico: CalicoSelector?, calicoNamespaces: CalicoSelector?) -> String {
        var parts: [String] = []
        parts.append("ns=\(namespace ?? "*")")
        if let pods { parts.append("pods={\(EndpointSelector.canonical(pods))}") }
        if let namespaces { parts.append("namespaces={\(EndpointSelector.canonical(namespaces))}") }
        if let calico { parts.append("selector=\(calico.description)") }
        if let calicoNamespaces { parts.append("namespaceSelector=\(calicoNamespaces.description)") }
        return parts.joined(separator: " ")
    }

    /// The set's name stem, e.g. `pods-3f2a9c01b7d4` (renderers cache it: it hashes ``description``).
    var setStem: String { "pods-" + StableHash.hex(description) }

    /// matchLabels sorted, then expressions sorted, values sorted.
    static func canonical(_ s: LabelSelector) -> String {
        let labels = s.matchLabels.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
        let exprs = s.matchExpressions.map { "\($0.key) \($0.operator.rawValue) (\($0.values.sorted().joined(separator: ",")))" }.sorted()
        return (labels + exprs).joined(separator: ", ")
    }
}
