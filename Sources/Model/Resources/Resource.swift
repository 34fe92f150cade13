/// One datastore resource: metadata and a kind-specific spec, in the shapes `calicoctl` and
/// `kubectl` users write. Decoded (with file:line:column errors) and encoded by Config's
/// resource reader; stored as JSON by the datastore.
public struct Resource: Sendable, Hashable {
    public var metadata: ResourceMetadata
    public var spec: ResourceSpec

    public init(metadata: ResourceMetadata, spec: ResourceSpec) {
        self.metadata = metadata
        self.spec = spec
    }

    /// The kind, from the spec.
    public var kind: ResourceKind { spec.kind }

    /// `name` or `namespace/name`, as `tern get` prints and errors name it.
    public var qualifiedName: String {
        metadata.namespace.map { "\($0)/\(metadata.name)" } ?? metadata.name
    }
}

/// The kind-specific part of a ``Resource``.
public enum ResourceSpec: Sendable, Hashable {
    case ipPool(IPPoolSpec)
    case bgpPeer(BGPPeerSpec)
    case bgpConfiguration(BGPConfigurationSpec)
    case node(NodeResourceSpec)
    case ipamConfiguration(IPAMConfigurationSpec)
    case workloadEndpoint(WorkloadEndpointSpec)
    case blockAffinity(BlockAffinitySpec)
    case namespace
    case pod(PodSpec)
    case networkPolicy(NetworkPolicySpec)
    /// Calico's `projectcalico.org/v3` GlobalNetworkPolicy.
    case globalNetworkPolicy(CalicoPolicySpec)
    /// Calico's `projectcalico.org/v3` NetworkPolicy.
    case calicoNetworkPolicy(CalicoPolicySpec)

    public var kind: ResourceKind {
        switch self {
        case .ipPool: return .ipPool
        case .bgpPeer: return .bgpPeer
        case .bgpConfiguration: return .bgpConfiguration
        case .node: return .node
        case .ipamConfiguration: return .ipamConfiguration
        case .workloadEndpoint: return .workloadEndpoint
        case .blockAffinity: return .blockAffinity
        case .namespace: return .namespace
        case .pod: return .pod
        case .networkPolicy: return .networkPolicy
        case .globalNetworkPolicy: return .globalNetworkPolicy
        case .calicoNetworkPolicy: return .calicoNetworkPolicy
        }
    }
}
