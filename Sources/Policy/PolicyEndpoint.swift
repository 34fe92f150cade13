import IPCore
import Model

/// A pod as policy sees it: its identity (namespace, name, labels), its addresses, the named
/// ports its containers declare, and — for pods of this node — the host-side interface the
/// dataplane polices it on.
public struct PolicyEndpoint: Sendable, Hashable {
    /// The pod's namespace.
    public var namespace: String
    /// The pod's name.
    public var name: String
    /// Its addresses (pod IPs).
    public var addresses: [IPAddress]
    /// Kubernetes labels (the datastore `Pod`'s, else the workload's).
    public var labels: [String: String]
    /// `containers[].ports[]` with a name, for named ports (resolved per destination pod).
    public var namedPorts: [NamedPort]
    /// The host-side interface when the pod lives on this node (its rules are enforced here).
    public var interface: String?

    public init(namespace: String, name: String, addresses: [IPAddress], labels: [String: String] = [:],
                namedPorts: [NamedPort] = [], interface: String? = nil) {
        self.namespace = namespace
        self.name = name
        self.addresses = addresses
        self.labels = labels
        self.namedPorts = namedPorts
        self.interface = interface
    }

    /// `namespace/name`.
    public var qualifiedName: String { "\(namespace)/\(name)" }

    /// Whether the pod lives on this node.
    public var isLocal: Bool { interface != nil }

    /// The port `name` resolves to on this pod for `transport` (Kubernetes: a named port is
    /// resolved against the destination pod's container ports, name and protocol).
    public func port(named name: String, transport: TransportProtocol) -> UInt16? {
        namedPorts.first { $0.name == name && $0.transport == transport }?.port
    }
}
