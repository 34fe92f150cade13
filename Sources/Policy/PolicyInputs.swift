import Model

/// Everything the policy compiler reads: every pod of the cluster (local ones with their
/// interface), the namespaces' labels, and the policies of both kinds.
public struct PolicyInputs: Sendable, Hashable {
    /// Every known pod (this node's and, from the datastore's WorkloadEndpoints, the others').
    public var endpoints: [PolicyEndpoint]
    /// Namespace labels by name, as written on the `Namespace` resources. Every namespace
    /// also carries `kubernetes.io/metadata.name=<name>` (added by the compiler).
    public var namespaces: [String: [String: String]]
    /// `networking.k8s.io/v1` NetworkPolicies.
    public var kubernetesPolicies: [KubernetesPolicy]
    /// `projectcalico.org/v3` GlobalNetworkPolicies (namespace nil) and NetworkPolicies.
    /// `projectcalico.org/v3` GlobalNetworkPolicies (namespace nil) and NetworkPolicies.
    public var calicoPolicies: [CalicoPolicy] = []

    public init(endpoints: [PolicyEndpoint] = [], namespaces: [String: [String: String]] = [:],
                kubernetesPolicies: [KubernetesPolicy] = []) {
        self.endpoints = endpoints
        self.namespaces = namespaces
        self.kubernetesPolicies = kubernetesPolicies
    }

    /// The label every namespace carries (Kubernetes 1.22+, "Automatic labelling").
    public static let namespaceNameLabel = "kubernetes.io/metadata.name"
    /// The label Calico adds to every workload endpoint: its namespace.
    public static let calicoNamespaceLabel = "projectcalico.org/namespace"

    /// The labels of namespace `name`, with its `kubernetes.io/metadata.name`.
    public func namespaceLabels(_ name: String) -> [String: String] {
        var l = namespaces[name] ?? [:]
        l[PolicyInputs.namespaceNameLabel] = name
        return l
    }
}

/// A Kubernetes NetworkPolicy with its namespace and name.
public struct KubernetesPolicy: Sendable, Hashable {
    public var namespace: String
    public var name: String
    public var spec: NetworkPolicySpec

    public init(namespace: String, name: String, spec: NetworkPolicySpec) {
        self.namespace = namespace
        self.name = name
        self.spec = spec
    }
}

/// A Calico policy: a GlobalNetworkPolicy (`namespace` nil) or a namespaced NetworkPolicy.
public struct CalicoPolicy: Sendable, Hashable {
    public var namespace: String?
    public var name: String
    public var spec: CalicoPolicySpec

    public init(namespace: String?, name: String, spec: CalicoPolicySpec) {
        self.namespace = namespace
        self.name = name
        self.spec = spec
    }
}
