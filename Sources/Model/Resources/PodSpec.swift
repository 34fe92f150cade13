/// What Tern keeps of a Kubernetes `Pod`: its metadata (name, namespace, labels) and the
/// named ports its containers declare (for NetworkPolicy's named ports).
public struct PodSpec: Sendable, Hashable {
    public var ports: [NamedPort]

    public init(ports: [NamedPort] = []) { self.ports = ports }
}

/// A container port with a name (`spec.containers[].ports[]`).
public struct NamedPort: Sendable, Hashable {
    public var name: String
    public var port: UInt16
    /// `TCP` (default), `UDP` or `SCTP`.
    public var transport: TransportProtocol

    public init(name: String, port: UInt16, transport: TransportProtocol = .tcp) {
        self.name = name
        self.port = port
        self.transport = transport
    }
}

/// The transport protocols NetworkPolicy ports name.
public enum TransportProtocol: String, Sendable, Hashable, CaseIterable {
    case tcp = "TCP"
    case udp = "UDP"
    case sctp = "SCTP"
}
