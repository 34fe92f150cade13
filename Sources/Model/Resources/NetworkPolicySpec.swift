import IPCore

/// A Kubernetes `networking.k8s.io/v1` NetworkPolicy spec (API reference
/// "NetworkPolicySpec"; semantics: Kubernetes "Network Policies" concept page): the pods of the
/// policy's namespace it selects, the directions it isolates, and the traffic it allows.
public struct NetworkPolicySpec: Sendable, Hashable {
    /// The pods of the policy's namespace the policy applies to (`{}`: all of them).
    public var podSelector: LabelSelector
    /// `policyTypes` as written; nil when absent (see ``effectivePolicyTypes``).
    public var policyTypes: [PolicyType]?
    /// Allowed incoming traffic (`ingress[]`); empty = none allowed (when isolated).
    public var ingress: [NetworkPolicyRule]
    /// Allowed outgoing traffic (`egress[]`).
    public var egress: [NetworkPolicyRule]

    public init(podSelector: LabelSelector = LabelSelector(), policyTypes: [PolicyType]? = nil,
                ingress: [NetworkPolicyRule] = [], egress: [NetworkPolicyRule] = []) {
        self.podSelector = podSelector
        self.policyTypes = policyTypes
        self.ingress = ingress
        self.egress = egress
    }

    /// The directions the policy isolates: `policyTypes` when written, else the apiserver's
    /// default: Ingress, plus Egress when there are egress rules.
    public var effectivePolicyTypes: [PolicyType] {
        if let policyTypes { return policyTypes }
        return egress.isEmpty ? [.ingress] : [.ingress, .egress]
    }

    /// Checks selectors, peers and ports (k8s `ValidateNetworkPolicySpec`); fields are
    /// `podSelector...`, `ingress[i].from[j]...`, `egress[i].ports[j].endPort`, ...
    public func validate() throws(ModelError) {
        try prefixed("podSelector") { () throws(ModelError) in try podSelector.validate() }
        if let policyTypes, Set(policyTypes).count != policyTypes.count {
            throw ModelError(field: "policyTypes", "lists a policy type twice", hint: "write each of Ingress and Egress at most once")
        }
        for (i, r) in ingress.enumerated() {
            try prefixed("ingress[\(i)]") { () throws(ModelError) in try r.validate(peers: "from") }
        }
        for (i, r) in egress.enumerated() {
            try prefixed("egress[\(i)]") { () throws(ModelError) in try r.validate(peers: "to") }
        }
    }
}

/// Runs `check`, putting `prefix.` in front of the field of its error.
func prefixed(_ prefix: String, _ check: () throws(ModelError) -> Void) throws(ModelError) {
    do {
        try check()
    } catch {
        throw ModelError(field: error.field.isEmpty ? prefix : "\(prefix).\(error.field)", error.message, hint: error.hint)
    }
}

/// A direction a NetworkPolicy isolates.
public enum PolicyType: String, Sendable, Hashable, CaseIterable {
    /// Traffic into the selected pods.
    case ingress = "Ingress"
    /// Traffic out of the selected pods.
    case egress = "Egress"
}

/// One ingress or egress rule: traffic from/to any of `peers` on any of `ports`
/// (`from`/`to` and `ports` empty = all peers, including non-pod IPs / all ports).
public struct NetworkPolicyRule: Sendable, Hashable {
    /// `from` (ingress) or `to` (egress).
    public var peers: [NetworkPolicyPeer]
    /// `ports`: the destination ports the rule allows.
    public var ports: [NetworkPolicyPort]

    public init(peers: [NetworkPolicyPeer] = [], ports: [NetworkPolicyPort] = []) {
        self.peers = peers
        self.ports = ports
    }

    /// Checks each peer and port; `peers` is the key of the peer list (`from` or `to`).
    public func validate(peers key: String) throws(ModelError) {
        for (i, p) in peers.enumerated() {
            try prefixed("\(key)[\(i)]") { () throws(ModelError) in try p.validate() }
        }
        for (i, p) in ports.enumerated() {
            try prefixed("ports[\(i)]") { () throws(ModelError) in try p.validate() }
        }
    }
}

/// One `from`/`to` element. A pod selector alone picks pods of the policy's namespace, a
/// namespace selector alone all pods of the namespaces it picks, both in one element the
/// pods matching the first in those namespaces; an `ipBlock` stands alone.
public enum NetworkPolicyPeer: Sendable, Hashable {
    /// `{podSelector}`: pods of the policy's own namespace.
    case pods(LabelSelector)
    /// `{namespaceSelector}`: every pod of the selected namespaces.
    case namespaces(LabelSelector)
    /// `{podSelector, namespaceSelector}` in one element: the selected pods of the selected namespaces.
    case podsInNamespaces(pods: LabelSelector, namespaces: LabelSelector)
    /// `{ipBlock}`: addresses, pod or not.
    case ipBlock(IPBlock)

    /// The pod selector, when the peer has one.
    public var podSelector: LabelSelector? {
        switch self {
        case .pods(let s), .podsInNamespaces(let s, _): return s
        default: return nil
        }
    }

    /// The namespace selector, when the peer has one.
    public var namespaceSelector: LabelSelector? {
        switch self {
        case .namespaces(let s), .podsInNamespaces(_, let s): return s
        default: return nil
        }
    }

    /// Checks the selectors or the block.
    public func validate() throws(ModelError) {
        switch self {
        case .pods(let s): try prefixed("podSelector") { () throws(ModelError) in try s.validate() }
        case .namespaces(let s): try prefixed("namespaceSelector") { () throws(ModelError) in try s.validate() }
        case .podsInNamespaces(let p, let n):
            try prefixed("podSelector") { () throws(ModelError) in try p.validate() }
            try prefixed("namespaceSelector") { () throws(ModelError) in try n.validate() }
        case .ipBlock(let b): try prefixed("ipBlock") { () throws(ModelError) in try b.validate() }
        }
    }
}

/// `ipBlock`: the addresses of `cidr` outside every `except` prefix.
public struct IPBlock: Sendable, Hashable {
    /// The block (host bits zero).
    public var cidr: IPPrefix
    /// Each strictly inside `cidr` (k8s `ValidateIPBlock`: "must be a strict subset of cidr").
    public var except: [IPPrefix]

    public init(cidr: IPPrefix, except: [IPPrefix] = []) {
        self.cidr = cidr
        self.except = except
    }

    /// Every `except` prefix lies strictly inside `cidr` (same family, longer).
    public func validate() throws(ModelError) {
        for (i, e) in except.enumerated() where !(cidr.contains(e) && e.length > cidr.length) {
            throw ModelError(field: "except[\(i)]", "\(e) is not a strict subset of cidr \(cidr)",
                             hint: "except lists parts of cidr to leave out")
        }
    }

    /// Whether `address` is in the block.
    public func contains(_ address: IPAddress) -> Bool {
        cidr.contains(address: address) && !except.contains { $0.contains(address: address) }
    }
}

/// One `ports` element: a protocol and, optionally, a port or port range or named port.
public struct NetworkPolicyPort: Sendable, Hashable {
    /// A numeric port or a container port's name.
    public enum Port: Sendable, Hashable {
        /// A port number, 1-65535.
        case number(UInt16)
        /// Resolved against the destination pod's `containerPorts[].name`.
        case named(String)
    }

    /// `TCP` when not written.
    public var transport: TransportProtocol
    /// nil: every port of the protocol.
    public var port: Port?
    /// The inclusive end of the range `port...endPort` (numeric `port` only).
    public var endPort: UInt16?

    public init(transport: TransportProtocol = .tcp, port: Port? = nil, endPort: UInt16? = nil) {
        self.transport = transport
        self.port = port
        self.endPort = endPort
    }

    /// `endPort` needs a numeric `port` not above it (k8s validation of endPort, GA 1.25);
    /// a named port is an IANA service name (RFC 6335 §5.1).
    public func validate() throws(ModelError) {
        if case .named(let n)? = port, let p = NetworkPolicyPort.serviceNameProblem(n) {
            throw ModelError(field: "port", "\"\(n)\" is not a valid port name: \(p)",
                             hint: "a named port is a container port's name, e.g. http; or give the number")
        }
        guard let endPort else { return }
        switch port {
        case nil:
            throw ModelError(field: "endPort", "endPort needs a port", hint: "give the range's first port in port")
        case .named:
            throw ModelError(field: "endPort", "endPort cannot be used with a named port", hint: "give port as a number")
        case .number(let start):
            if endPort < start {
                throw ModelError(field: "endPort", "endPort \(endPort) is below port \(start)",
                                 hint: "endPort is the last port of the range port...endPort")
            }
        }
    }

    /// Why `name` is not an IANA service name (1-15 lowercase letters, digits and '-', at
    /// least one letter, no '-' at either end or twice in a row); nil when it is one.
    public static func serviceNameProblem(_ name: String) -> String? {
        let bytes = Array(name.utf8)
        if bytes.isEmpty { return "it is empty" }
        if bytes.count > 15 { return "it has more than 15 characters" }
        let lower: (UInt8) -> Bool = { $0 >= UInt8(ascii: "a") && $0 <= UInt8(ascii: "z") }
        let digit: (UInt8) -> Bool = { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }
        let dash = UInt8(ascii: "-")
        if bytes.contains(where: { !lower($0) && !digit($0) && $0 != dash }) {
            return "only lowercase letters, digits and '-' are allowed"
        }
        if !bytes.contains(where: lower) { return "it must contain a letter" }
        if bytes.first == dash || bytes.last == dash { return "it must not begin or end with '-'" }
        if name.contains("--") { return "it must not contain \"--\"" }
        return nil
    }
}
