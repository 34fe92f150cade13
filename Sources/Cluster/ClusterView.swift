import Datastore
import Model

/// What the node knows of the cluster's resources: a snapshot of the datastore's
/// resources kept current by its watch events. Pure value; the merge into the node's
/// effective configuration is ``ClusterConfig``.
public struct ClusterView: Sendable, Hashable {
    /// Every resource by its datastore key.
    public private(set) var resources: [String: Resource] = [:]
    /// The same resources by kind and qualified name (`name` or `namespace/name`), so that
    /// lookups on every watch event cost O(1), not a sort of the whole view.
    private var byKind: [ResourceKind: [String: Resource]] = [:]
    /// The store revision this view is at.
    public private(set) var revision: Int64 = 0
    /// Keys whose values did not decode (written by something else), with why.
    public private(set) var corrupt: [String: String] = [:]

    public init() {}

    /// Replaces everything with `snapshot` (the first list, or a watch's resync).
    public mutating func reset(_ snapshot: DatastoreSnapshot, client: ResourceClient) {
        resources = [:]
        byKind = [:]
        corrupt = [:]
        for v in snapshot.values { put(v, client: client) }
        revision = snapshot.revision
    }

    /// Applies one watch event; true when the view changed.
    @discardableResult
    public mutating func apply(_ event: DatastoreWatchEvent, client: ResourceClient) -> Bool {
        switch event {
        case .put(let v):
            let before = resources[v.key]
            put(v, client: client)
            revision = max(revision, v.revision)
            return resources[v.key] != before || corrupt[v.key] != nil
        case .deleted(let key, let rev):
            revision = max(revision, rev)
            corrupt[key] = nil
            return store(key, nil)
        case .resync(let snapshot):
            let before = resources
            reset(snapshot, client: client)
            return before != resources
        case .down:
            return false
        }
    }

    /// Sets (or with nil removes) the resource at `key` directly (tests, benchmarks).
    public mutating func set(_ key: String, _ resource: Resource?) {
        store(key, resource)
    }

    /// Sets or removes the resource at `key` in both indexes; true when something changed.
    @discardableResult
    private mutating func store(_ key: String, _ resource: Resource?) -> Bool {
        let old = resources[key]
        if let old { byKind[old.kind]?[old.qualifiedName] = nil }
        resources[key] = resource
        if let resource { byKind[resource.kind, default: [:]][resource.qualifiedName] = resource }
        return old != resource
    }

    private mutating func put(_ v: StoredValue, client: ResourceClient) {
        do {
            var r = try client.decode(v)
            r.metadata.resourceVersion = nil   // a revision alone is no change of the view
            store(v.key, r)
            corrupt[v.key] = nil
        } catch {
            store(v.key, nil)
            corrupt[v.key] = "\(error)"
        }
    }

    // MARK: Reading

    /// The resources of `kind`, sorted by namespace and name.
    public func all(_ kind: ResourceKind) -> [Resource] {
        (byKind[kind] ?? [:]).sorted { $0.key < $1.key }.map(\.value)
    }

    /// Every `Node` with its BGP spec, by name.
    public var nodes: [(name: String, labels: [String: String], bgp: NodeBGPSpec?)] {
        all(.node).map { r in
            guard case .node(let spec) = r.spec else { return (r.metadata.name, r.metadata.labels, nil) }
            return (r.metadata.name, r.metadata.labels, spec.bgp)
        }
    }

    /// The `Node` named `name`.
    public func node(_ name: String) -> Resource? { byKind[.node]?[name] }

    /// The namespaced resource `namespace/name` of `kind` (a `Pod`, a `WorkloadEndpoint`, ...).
    public func resource(_ kind: ResourceKind, namespace: String, name: String) -> Resource? {
        byKind[kind]?["\(namespace)/\(name)"]
    }

    /// The number of resources of `kind`.
    public func count(_ kind: ResourceKind) -> Int { byKind[kind]?.count ?? 0 }

    /// `BGPConfiguration` `default`.
    public var bgpConfiguration: BGPConfigurationSpec? {
        if case .bgpConfiguration(let s)? = byKind[.bgpConfiguration]?["default"]?.spec { return s }
        return nil
    }

    /// `IPAMConfiguration` `default`.
    public var ipamConfiguration: IPAMConfigurationSpec? {
        if case .ipamConfiguration(let s)? = byKind[.ipamConfiguration]?["default"]?.spec { return s }
        return nil
    }

    /// Every `IPPool`, by name.
    public var pools: [(name: String, spec: IPPoolSpec)] {
        all(.ipPool).compactMap { r in
            if case .ipPool(let s) = r.spec { return (r.metadata.name, s) }
            return nil
        }
    }

    /// Every `BGPPeer`, by name.
    public var bgpPeers: [(name: String, spec: BGPPeerSpec)] {
        all(.bgpPeer).compactMap { r in
            if case .bgpPeer(let s) = r.spec { return (r.metadata.name, s) }
            return nil
        }
    }

    /// Every `BlockAffinity`.
    public var affinities: [(name: String, spec: BlockAffinitySpec)] {
        all(.blockAffinity).compactMap { r in
            if case .blockAffinity(let s) = r.spec { return (r.metadata.name, s) }
            return nil
        }
    }
}
