/// The kinds of resource the datastore holds: Calico's `projectcalico.org/v3` kinds that Tern
/// uses, and the Kubernetes kinds the CNI plugin and NetworkPolicy need.
public enum ResourceKind: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    case ipPool = "IPPool"
    case bgpPeer = "BGPPeer"
    case bgpConfiguration = "BGPConfiguration"
    case node = "Node"
    case ipamConfiguration = "IPAMConfiguration"
    case workloadEndpoint = "WorkloadEndpoint"
    case blockAffinity = "BlockAffinity"
    case namespace = "Namespace"
    case pod = "Pod"
    /// `networking.k8s.io/v1` NetworkPolicy.
    case networkPolicy = "NetworkPolicy"

    /// The `apiVersion` documents of this kind carry.
    public var apiVersion: String {
        switch self {
        case .namespace, .pod: return "v1"
        case .networkPolicy: return "networking.k8s.io/v1"
        default: return "projectcalico.org/v3"
        }
    }

    /// The `kind:` value.
    public var kindName: String { rawValue }

    /// Lowercase plural, as in Calico's etcd keys and `tern get` (`ippools`, `bgppeers`).
    public var plural: String {
        switch self {
        case .ipPool: return "ippools"
        case .bgpPeer: return "bgppeers"
        case .bgpConfiguration: return "bgpconfigurations"
        case .node: return "nodes"
        case .ipamConfiguration: return "ipamconfigurations"
        case .workloadEndpoint: return "workloadendpoints"
        case .blockAffinity: return "blockaffinities"
        case .namespace: return "namespaces"
        case .pod: return "pods"
        case .networkPolicy: return "networkpolicies"
        }
    }

    /// Whether resources of this kind live in a namespace (`metadata.namespace`, default `default`).
    public var isNamespaced: Bool {
        switch self {
        case .workloadEndpoint, .pod, .networkPolicy: return true
        default: return false
        }
    }

    /// The kind `tern get` means by `word`: the kind name, its plural or singular in any case
    /// (`ippool`, `IPPools`, `bgpPeer`), or a short name kubectl users type (`ns`, `netpol`, `po`).
    public static func named(_ word: String) -> ResourceKind? {
        let w = word.lowercased()
        let short: [String: ResourceKind] = ["ns": .namespace, "po": .pod, "netpol": .networkPolicy,
                                             "wep": .workloadEndpoint, "weps": .workloadEndpoint]
        if let k = short[w] { return k }
        return allCases.first { $0.rawValue.lowercased() == w || $0.plural == w }
    }

    public var description: String { rawValue }
}
