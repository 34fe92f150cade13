import IPCore

/// Calico's `WorkloadEndpoint` spec, written by Tern for each workload it attaches.
public struct WorkloadEndpointSpec: Sendable, Hashable {
    public var orchestrator: String?
    public var node: String
    /// The pod (workload) name.
    public var pod: String
    public var containerID: String?
    public var endpoint: String?
    public var interfaceName: String
    public var mac: MACAddress?
    public var ipNetworks: [IPPrefix]

    public init(orchestrator: String? = nil, node: String, pod: String, containerID: String? = nil,
                endpoint: String? = nil, interfaceName: String, mac: MACAddress? = nil, ipNetworks: [IPPrefix]) {
        self.orchestrator = orchestrator
        self.node = node
        self.pod = pod
        self.containerID = containerID
        self.endpoint = endpoint
        self.interfaceName = interfaceName
        self.mac = mac
        self.ipNetworks = ipNetworks
    }
}
