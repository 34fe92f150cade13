import IPCore
import Model

/// Where things live in the datastore, under one prefix (default `/tern`), in the layout
/// of Calico's etcdv3 backend (../shared/reference/DATASTORE.md C1):
///
/// - resources: `<prefix>/resources/<apiVersion>/<plural>/[<namespace>/]<name>`, e.g.
///   `/tern/resources/projectcalico.org/v3/ippools/default-ipv4`,
///   `/tern/resources/networking.k8s.io/v1/networkpolicies/web/deny-all`;
/// - IPAM blocks: `<prefix>/ipam/v2/assignment/ipv4/block/10.244.1.0-26` ('/' of the CIDR as '-');
///   a node's claim on a block is its `BlockAffinity` resource, named `<node>-10-244-1-0-26`;
/// - IPAM handles: `<prefix>/ipam/v2/handle/<handle>` (``IPAMHandle``);
/// - node liveness: `<prefix>/liveness/<node>`, attached to the node's lease.
public struct ResourceKeys: Sendable, Hashable {
    public let prefix: String

    public init(prefix: String) {
        var p = prefix
        while p.hasSuffix("/") { p.removeLast() }
        self.prefix = p
    }

    /// Everything that is a resource (what the node watches).
    public var resources: String { "\(prefix)/resources/" }

    /// Every resource of `kind`, or of `kind` in `namespace`.
    public func list(_ kind: ResourceKind, namespace: String? = nil) -> String {
        let base = "\(resources)\(kind.apiVersion)/\(kind.plural)/"
        guard kind.isNamespaced, let namespace else { return base }
        return "\(base)\(namespace)/"
    }

    /// The key of one resource.
    public func key(_ kind: ResourceKind, name: String, namespace: String? = nil) -> String {
        if kind.isNamespaced { return "\(list(kind, namespace: namespace ?? "default"))\(name)" }
        return "\(list(kind))\(name)"
    }

    /// The key of `resource`.
    public func key(_ resource: Resource) -> String {
        key(resource.kind, name: resource.metadata.name, namespace: resource.metadata.namespace)
    }

    /// The kind, namespace and name a resource key names; nil for other keys.
    public func parse(_ key: String) -> (kind: ResourceKind, namespace: String?, name: String)? {
        guard key.hasPrefix(resources) else { return nil }
        let rest = key.dropFirst(resources.count)
        for kind in ResourceKind.allCases {
            let head = "\(kind.apiVersion)/\(kind.plural)/"
            guard rest.hasPrefix(head) else { continue }
            let parts = rest.dropFirst(head.count).split(separator: "/", omittingEmptySubsequences: false)
            if kind.isNamespaced, parts.count == 2 { return (kind, String(parts[0]), String(parts[1])) }
            if !kind.isNamespaced, parts.count == 1 { return (kind, nil, String(parts[0])) }
            return nil
        }
        return nil
    }

    /// All IPAM blocks of one family.
    public func blocks(_ family: IPFamily) -> String {
        "\(prefix)/ipam/v2/assignment/\(family == .v4 ? "ipv4" : "ipv6")/block/"
    }

    /// The key of the IPAM block `cidr`.
    public func block(_ cidr: IPPrefix) -> String {
        blocks(cidr.ipFamily) + cidr.description.replacingSlash(with: "-")
    }

    /// The name of `node`'s `BlockAffinity` for `cidr` (a DNS-1123 name: '.', ':' and '/' as '-').
    public static func affinityName(node: String, cidr: IPPrefix) -> String {
        "\(node)-" + String(cidr.description.map { $0 == "." || $0 == ":" || $0 == "/" ? "-" : $0 })
    }

    /// Every IPAM handle record (``IPAMHandle``).
    public var handles: String { "\(prefix)/ipam/v2/handle/" }

    /// The key of the IPAM handle `id` (`<prefix>/ipam/v2/handle/tern.<containerID>`).
    public func handle(_ id: String) -> String { handles + id }

    /// Every node's liveness key.
    public var liveness: String { "\(prefix)/liveness/" }

    /// `node`'s liveness key (present while its lease lives).
    public func liveness(_ node: String) -> String { liveness + node }
}

extension String {
    func replacingSlash(with s: Character) -> String { String(map { $0 == "/" ? s : $0 }) }
}
