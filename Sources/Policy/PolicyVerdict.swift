import Model

/// The outcome of one direction's policies for one packet: allowed or denied, and what decided.
public struct PolicyVerdict: Sendable, Hashable {
    public var allowed: Bool
    /// The policy whose rule decided (`k8s x/allow-web`), nil when no rule did.
    public var policy: String?
    /// That rule, e.g. `ingress[0]`.
    public var rule: String?
    /// Why, in words.
    public var reason: String

    public init(allowed: Bool, policy: String? = nil, rule: String? = nil, reason: String) {
        self.allowed = allowed
        self.policy = policy
        self.rule = rule
        self.reason = reason
    }
}

/// `tern policy explain`: both sides of one connection attempt.
public struct PolicyExplanation: Sendable, Hashable {
    /// The source pod (`x/a`) or address.
    public var from: String
    /// The destination pod or address.
    public var to: String
    /// The protocol and port, e.g. `80/TCP`.
    public var port: String
    /// The source pod's egress policies (nil: the source is not a pod, nothing to check).
    public var egress: PolicyVerdict?
    /// The destination pod's ingress policies (nil: not a pod).
    public var ingress: PolicyVerdict?
    /// The node that enforces each side: `this node` or where the pod's endpoint is.
    public var egressEnforcedHere: Bool
    public var ingressEnforcedHere: Bool

    /// Both sides allow.
    public var allowed: Bool { (egress?.allowed ?? true) && (ingress?.allowed ?? true) }
}
