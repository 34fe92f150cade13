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
    /// Calico's `projectcalico.org/v3` GlobalNetworkPolicy (cluster-scoped).
    case globalNetworkPolicy = "GlobalNetworkPolicy"
    /// Calico's `projectcalico.org/v3` NetworkPolicy (namespaced): `kind: NetworkPolicy`, told
    /// from ``networkPolicy`` by its apiVersion (see ``kind(named:apiVersion:)``). The raw
    /// value only keeps the cases apart; documents carry ``kindName``.
    case calicoNetworkPolicy = "CalicoNetworkPolicy"

    /// The `apiVersion` documents of this kind carry.
    public var apiVersion: String {
        switch self {
        case .namespace, .pod: return "v1"
        case .networkPolicy: return "networking.k8s.io/v1"
        default: return "projectcalico.org/v3"
        }
    }

    /// The `kind:` value (`NetworkPolicy` for both NetworkPolicy kinds).
    public var kindName: String { self == .calicoNetworkPolicy ? "NetworkPolicy" : rawValue }

    /// The kind of a document with `kind: name` and `apiVersion` (nil when not written): of
    /// the kinds named so, the one of that apiVersion, else the first (whose apiVersion the
    /// reader then reports as wrong). `NetworkPolicy` is ``networkPolicy`` unless the
    /// apiVersion is `projectcalico.org/v3`.
    public static func kind(named name: String, apiVersion: String?) -> ResourceKind? {
        let named = allCases.filter { $0.kindName == name }
        return named.first { $0.apiVersion == apiVersion } ?? named.first
    }

    /// The kind names, each once, in case order (for hints).
    public static var kindNames: [String] {
        var seen = Set<String>()
        return allCases.map(\.kindName).filter { seen.insert($0).inserted }
    }

    /// Lowercase plural, as in Calico's etcd keys and `tern get` (`ippools`, `bgppeers`);
    /// `networkpolicies` for both NetworkPolicy kinds (see ``cliName``).
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
        case .globalNetworkPolicy: return "globalnetworkpolicies"
        // Calico's etcd key word (`/calico/resources/v3/projectcalico.org/networkpolicies/<ns>/<name>`);
        // the apiVersion in the key keeps it apart from the Kubernetes kind's.
        case .calicoNetworkPolicy: return "networkpolicies"
        }
    }

    /// Whether resources of this kind live in a namespace (`metadata.namespace`, default `default`).
    public var isNamespaced: Bool {
        switch self {
        case .workloadEndpoint, .pod, .networkPolicy, .calicoNetworkPolicy: return true
        default: return false
        }
    }

    /// The word `tern get` lists the kind by: its plural, except Calico's NetworkPolicy,
    /// `networkpolicies.projectcalico.org` (as kubectl names it through Calico's API server).
    public var cliName: String {
        self == .calicoNetworkPolicy ? "networkpolicies.projectcalico.org" : plural
    }

    /// The kind `tern get` means by `word`: the kind name, its plural or singular in any case
    /// (`ippool`, `IPPools`, `bgpPeer`), or a short name kubectl or calicoctl users type (`ns`,
    /// `netpol`, `po`, `gnp`). `networkpolicy`/`networkpolicies` are the Kubernetes kind;
    /// Calico's is `cnp`, `caliconetworkpolicy`, `networkpolicies.projectcalico.org` or
    /// `networkpolicy.projectcalico.org` (`networkpolicies.networking.k8s.io` is the Kubernetes one).
    public static func named(_ word: String) -> ResourceKind? {
        let w = word.lowercased()
        let short: [String: ResourceKind] = [
            "ns": .namespace, "po": .pod, "netpol": .networkPolicy, "wep": .workloadEndpoint, "weps": .workloadEndpoint,
            "gnp": .globalNetworkPolicy, "gnps": .globalNetworkPolicy, "cnp": .calicoNetworkPolicy, "cnps": .calicoNetworkPolicy,
            "networkpolicies.projectcalico.org": .calicoNetworkPolicy, "networkpolicy.projectcalico.org": .calicoNetworkPolicy,
            "networkpolicies.networking.k8s.io": .networkPolicy, "networkpolicy.networking.k8s.io": .networkPolicy,
            "caliconetworkpolicies": .calicoNetworkPolicy,
        ]
        if let k = short[w] { return k }
        return allCases.first { $0.rawValue.lowercased() == w || $0.plural == w }
    }

    /// The kind name; `projectcalico.org/v3 NetworkPolicy` for Calico's, so errors tell the two apart.
    public var description: String { self == .calicoNetworkPolicy ? "projectcalico.org/v3 NetworkPolicy" : rawValue }
}
