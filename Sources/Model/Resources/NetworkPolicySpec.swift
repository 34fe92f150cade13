/// A Kubernetes `networking.k8s.io/v1` NetworkPolicy spec.
public struct NetworkPolicySpec: Sendable, Hashable {
    public init() {}
}
