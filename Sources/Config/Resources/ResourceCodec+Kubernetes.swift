import IPCore
import Model
import Yams

// Kubernetes v1 Pod (its containers' named ports) and networking.k8s.io/v1 NetworkPolicy
// (API reference "NetworkPolicy v1", "LabelSelector"; validation as the apiserver's
// `ValidateNetworkPolicy`, with its messages where a user would search for them). A null
// value (`ingress:` with nothing after it) is read as the apiserver reads it: absent.

extension ResourceCodec {
    /// `Pod.spec`: only `containers[].ports[]` are read; every other key is accepted and ignored.
    static let podFields = FieldTable<PodSpec>("a Pod spec", acceptsOtherKeys: true, [
        Field("containers", into: \.ports) { r, v, p in
            r.objects(v, p, containerFields, start: [NamedPort](), example: "{name: web, image: nginx}").map { $0.flatMap { $0 } }
        },
    ])

    /// One container: its `ports` with a name (the others cannot be named by a policy).
    static let containerFields = FieldTable<[NamedPort]>("a container", acceptsOtherKeys: true, [
        Field("ports") { r, v, p, out in
            guard let ports = r.objects(v, p, containerPortFields, start: ContainerPort(), example: "{name: http, containerPort: 80}")
            else { return false }
            out = ports.compactMap { c in c.name.map { NamedPort(name: $0, port: c.port, transport: c.transport) } }
            return true
        },
    ])

    static let containerPortFields = FieldTable<ContainerPort>("a container port", [
        Field("name", into: \.name) { r, v, p in
            guard let t = r.nonEmptyText(v, p, what: "a port name") else { return nil }
            if let problem = NetworkPolicyPort.serviceNameProblem(t) {
                r.fail(v, p, "\"\(t)\" is not a valid port name: \(problem)", hint: "port names are IANA service names, e.g. http")
                return nil
            }
            return t
        },
        Field("containerPort", required: "add \"containerPort: <port number>\"", into: \.port) { r, v, p in r.l4Port(v, p) },
        Field("protocol", into: \.transport) { r, v, p in r.choice(v, p, TransportProtocol.self, what: "protocol") },
        Field("hostPort") { r, v, p, _ in r.l4Port(v, p) != nil },
        Field("hostIP") { r, v, p, _ in r.address(v, p, what: "a host IP", allowUnspecified: true) != nil },
    ])

    /// `NetworkPolicy.spec`.
    static let networkPolicyFields = FieldTable<NetworkPolicySpec>("a NetworkPolicy spec", [
        Field("podSelector", required: "add \"podSelector: {}\" to select every pod of the namespace", into: \.podSelector) { r, v, p in
            Reader.isNull(v) ? LabelSelector() : r.labelSelector(v, p)
        },
        Field("policyTypes") { r, v, p, s in
            if Reader.isNull(v) { return true }  // null is absent: the default types
            guard let types = r.scalars(v, p, example: "Ingress, Egress", { n, path in r.choice(n, path, PolicyType.self, what: "policy type") })
            else { return false }
            s.policyTypes = types
            return true
        },
        Field("ingress", into: \.ingress) { r, v, p in
            r.orEmpty(v) { r.objects(v, p, ingressRuleFields, start: NetworkPolicyRule(), example: "{from: [{podSelector: {}}], ports: [{port: 80}]}") }
        },
        Field("egress", into: \.egress) { r, v, p in
            r.orEmpty(v) { r.objects(v, p, egressRuleFields, start: NetworkPolicyRule(), example: "{to: [{podSelector: {}}], ports: [{port: 80}]}") }
        },
    ])

    static let ingressRuleFields = FieldTable<NetworkPolicyRule>("an ingress rule", [
        Field("from", into: \.peers) { r, v, p in r.orEmpty(v) { r.peers(v, p) } },
        Field("ports", into: \.ports) { r, v, p in r.orEmpty(v) { r.policyPorts(v, p) } },
    ])

    static let egressRuleFields = FieldTable<NetworkPolicyRule>("an egress rule", [
        Field("to", into: \.peers) { r, v, p in r.orEmpty(v) { r.peers(v, p) } },
        Field("ports", into: \.ports) { r, v, p in r.orEmpty(v) { r.policyPorts(v, p) } },
    ])

    static let peerFields = FieldTable<PolicyPeerEntry>("a peer", [
        Field("podSelector", into: \.pods) { r, v, p in r.labelSelector(v, p) },
        Field("namespaceSelector", into: \.namespaces) { r, v, p in r.labelSelector(v, p) },
        Field("ipBlock", into: \.ipBlock) { r, v, p in
            r.object(v, p, ipBlockFields, start: IPBlock(cidr: placeholderPrefix)) { m in
                let b = m.value
                return r.model(m, m.node, { () throws(ModelError) in try b.validate() }).map { b }
            }
        },
    ])

    static let ipBlockFields = FieldTable<IPBlock>("an IP block", [
        Field("cidr", required: "add \"cidr: <prefix>\", e.g. 10.244.0.0/16", into: \.cidr) { r, v, p in r.prefix(v, p) },
        Field("except", into: \.except) { r, v, p in
            r.orEmpty(v) { r.scalars(v, p, example: "10.244.3.0/24") { n, path in r.prefix(n, path) } }
        },
    ])

    static let policyPortFields = FieldTable<NetworkPolicyPort>("a port", [
        Field("protocol", into: \.transport) { r, v, p in r.choice(v, p, TransportProtocol.self, what: "protocol") },
        Field("port", into: \.port) { r, v, p in r.policyPort(v, p) },
        Field("endPort", into: \.endPort) { r, v, p in r.l4Port(v, p) },
    ])

    static let selectorFields = FieldTable<LabelSelector>("a label selector",
                                                          shapeHint: "write {} for everything, or {matchLabels: {app: web}}", [
        Field("matchLabels", into: \.matchLabels) { r, v, p in Reader.isNull(v) ? [:] : r.stringMap(v, p, what: "labels") },
        Field("matchExpressions", into: \.matchExpressions) { r, v, p in
            r.orEmpty(v) { r.objects(v, p, requirementFields, start: LabelSelectorRequirement(key: "", operator: .exists),
                      example: "{key: app, operator: In, values: [web]}") { m in
                let req = m.value
                return r.model(m, m.node, { () throws(ModelError) in try req.validate() }).map { req }
            } }
        },
    ])

    static let requirementFields = FieldTable<LabelSelectorRequirement>("a selector requirement", [
        Field("key", required: "add \"key: <label key>\"", into: \.key) { r, v, p in r.nonEmptyText(v, p, what: "a label key") },
        Field("operator", required: "add \"operator: In\" (or NotIn, Exists, DoesNotExist)", into: \.operator) { r, v, p in
            r.choice(v, p, LabelSelectorRequirement.Operator.self, what: "selector operator")
        },
        Field("values", into: \.values) { r, v, p in
            r.orEmpty(v) { r.scalars(v, p, example: "web, api") { n, path in r.text(n, path, what: "a label value") } }
        },
    ])
}

/// One container port as written.
struct ContainerPort: Sendable {
    var name: String?
    var port: UInt16 = 0
    var transport: TransportProtocol = .tcp
}

/// One `from`/`to` element as written.
struct PolicyPeerEntry: Sendable {
    var pods: LabelSelector?
    var namespaces: LabelSelector?
    var ipBlock: IPBlock?
}

extension Reader {
    /// The empty list when `v` is null (`ingress:` with nothing after it), as the apiserver
    /// reads a null list: absent. Else what `read` makes of it.
    func orEmpty<T>(_ v: Node, _ read: () -> [T]?) -> [T]? { Reader.isNull(v) ? [] : read() }

    /// A label selector, its labels and requirements checked.
    func labelSelector(_ v: Node, _ path: String) -> LabelSelector? {
        object(v, path, ResourceCodec.selectorFields, start: LabelSelector()) { m in
            let s = m.value
            return model(m, m.node, { () throws(ModelError) in try s.validate() }).map { s }
        }
    }

    /// `from`/`to`: each element one peer (k8s `ValidateNetworkPolicyPeer`: "must specify a
    /// peer"; "may not specify both ipBlock and another peer").
    func peers(_ v: Node, _ path: String) -> [NetworkPolicyPeer]? {
        objects(v, path, ResourceCodec.peerFields, start: PolicyPeerEntry(),
                example: "{podSelector: {matchLabels: {app: web}}}") { (m: ReadMapping<PolicyPeerEntry>) -> NetworkPolicyPeer? in
            let e = m.value
            switch (e.pods, e.namespaces, e.ipBlock) {
            case (nil, nil, nil):
                // An element with only a mistyped key has that key's error already.
                if m.unknown.isEmpty {
                    fail(m.node, m.prefix, "must specify a peer", hint: "give podSelector, namespaceSelector (or both), or ipBlock")
                }
                return nil
            case (let p?, nil, nil): return .pods(p)
            case (nil, let n?, nil): return .namespaces(n)
            case (let p?, let n?, nil): return .podsInNamespaces(pods: p, namespaces: n)
            case (nil, nil, let b?): return .ipBlock(b)
            default:
                fail(m.entries["ipBlock"]?.key ?? m.node, m.path("ipBlock"), "may not specify both ipBlock and another peer",
                     hint: "put the ipBlock in an element of its own")
                return nil
            }
        }
    }

    /// `ports`: each checked (endPort with a numeric port not below it, port names).
    func policyPorts(_ v: Node, _ path: String) -> [NetworkPolicyPort]? {
        objects(v, path, ResourceCodec.policyPortFields, start: NetworkPolicyPort(), example: "{protocol: TCP, port: 80}") { m in
            let port = m.value
            return model(m, m.node, { () throws(ModelError) in try port.validate() }).map { port }
        }
    }

    /// `port`: a number (1-65535) or a named port (text; a quoted number is a name, as the
    /// apiserver's IntOrString reads it, and is then rejected as one).
    func policyPort(_ v: Node, _ path: String) -> NetworkPolicyPort.Port? {
        if !Reader.isQuoted(v), Reader.tagName(v) == .int || Reader.tagName(v) == .float {
            return l4Port(v, path).map(NetworkPolicyPort.Port.number)
        }
        return nonEmptyText(v, path, what: "a port number or name").map(NetworkPolicyPort.Port.named)
    }

    /// A TCP/UDP/SCTP port number: 1-65535.
    func l4Port(_ v: Node, _ path: String) -> UInt16? {
        guard let n = integer(v, path) else { return nil }
        guard (1...65535).contains(n) else {
            fail(v, path, "port \(n) is out of range 1-65535", hint: "give a port number from 1 to 65535")
            return nil
        }
        return UInt16(n)
    }

    /// The checks across the spec's fields: each policy type once.
    func networkPolicyChecks(_ m: ReadMapping<NetworkPolicySpec>) -> NetworkPolicySpec? {
        let s = m.value
        if let types = s.policyTypes, Set(types).count != types.count {
            fail(m["policyTypes"] ?? m.node, m.path("policyTypes"), "lists a policy type twice",
                 hint: "write each of Ingress and Egress at most once")
            return nil
        }
        return s
    }
}
