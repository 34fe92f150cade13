import Model

/// A policy of either kind in the one form the dataplane and `tern policy explain` use: the
/// pods it applies to, the directions it isolates, and its rules in order.
public struct CompiledPolicy: Sendable, Hashable {
    /// Where it came from.
    public enum Kind: String, Sendable, Hashable {
        /// `networking.k8s.io/v1` NetworkPolicy.
        case kubernetes = "NetworkPolicy"
        /// `projectcalico.org/v3` GlobalNetworkPolicy.
        case calicoGlobal = "GlobalNetworkPolicy"
        /// `projectcalico.org/v3` NetworkPolicy.
        case calico = "projectcalico.org/v3 NetworkPolicy"
    }

    public let kind: Kind
    /// nil for a GlobalNetworkPolicy.
    public let namespace: String?
    public let name: String
    /// Calico's order (lower first); Kubernetes policies are Calico's `knp.default.*` at 1000;
    /// nil: after every ordered policy.
    public var order: Double?
    /// The pods it applies to.
    public var selector: EndpointSelector
    /// The directions it applies in.
    public var types: Set<PolicyType>
    public var ingress: [PolicyRule]
    public var egress: [PolicyRule]

    /// Stable across restarts: the kernel chain and counter names derive from it (FNV-1a of
    /// kind, namespace and name; computed once).
    public let id: String

    public init(kind: Kind, namespace: String?, name: String, order: Double?, selector: EndpointSelector,
                types: Set<PolicyType>, ingress: [PolicyRule], egress: [PolicyRule]) {
        self.kind = kind
        self.namespace = namespace
        self.name = name
        self.order = order
        self.selector = selector
        self.types = types
        self.ingress = ingress
        self.egress = egress
        id = StableHash.hex("\(kind.rawValue) \(namespace ?? "") \(name)", length: 10)
    }

    /// `x/deny-all`, `gnp/allow-dns`, `x/calico-policy` with the kind in words by ``kindLabel``.
    public var displayName: String {
        switch kind {
        case .kubernetes: "\(namespace ?? "")/\(name)"
        case .calicoGlobal: name
        case .calico: "\(namespace ?? "")/\(name)"
        }
    }

    /// A short word for tables: `k8s`, `gnp`, `cnp`.
    public var kindLabel: String {
        switch kind {
        case .kubernetes: "k8s"
        case .calicoGlobal: "gnp"
        case .calico: "cnp"
        }
    }

    /// The rules of one direction.
    public func rules(_ direction: PolicyType) -> [PolicyRule] {
        direction == .ingress ? ingress : egress
    }

    /// Calico's policy order: by `order` (absent last), then by name (Calico sorts equal orders by name).
    static func evaluatedBefore(_ a: CompiledPolicy, _ b: CompiledPolicy) -> Bool {
        switch (a.order, b.order) {
        case let (x?, y?) where x != y: return x < y
        case (.some, nil): return true
        case (nil, .some): return false
        default: return (a.namespace ?? "", a.name, a.kind.rawValue) < (b.namespace ?? "", b.name, b.kind.rawValue)
        }
    }
}
