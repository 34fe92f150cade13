import Datastore
import Model

/// What the node knows of the cluster's resources: a snapshot of the datastore's
/// resources kept current by its watch events. Pure value; the merge into the node's
/// effective configuration is ``ClusterConfig``.
public struct ClusterView: Sendable, Hashable {
    /// Every resource by its datastore key.
    public private(set) var resources: [String: Resource] = [:]
    /// The store revision this view is at.
    public private(set) var revision: Int64 = 0
    /// Keys whose values did not decode (written by something else), with why.
    public private(set) var corrupt: [String: String] = [:]

    public init() {}

    /// Replaces everything with `snapshot` (the first list, or a watch's resync).
    public mutating func reset(_ snapshot: DatastoreSnapshot, client: ResourceClient) {
        resources = [:]
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
            return resources.removeValue(forKey: key) != nil
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
        resources[key] = resource
    }

    private mutating func put(_ v: StoredValue, client: ResourceClient) {
        do {
            var r = try client.decode(v)
            r.metadata.resourceVersion = nil   // a revision alone is no change of the view
            resources[v.key] = r
            corrupt[v.key] = nil
        } catch {
            resources[v.key] = nil
            corrupt[v.key] = "\(error)"
        }
    }

    // MARK: Reading

    /// The resources of `kind`, sorted by namespace and name.
    public func all(_ kind: ResourceKind) -> [Resource] {
        resources.values.filter { $0.kind == kind }.sorted { $0.qualifiedName < $1.qualifiedName }
    }

    /// Every `Node` with its BGP spec, by name.
    public var nodes: [(name: String, labels: [String: String], bgp: NodeBGPSpec?)] {
        all(.node).map { r in
            guard case .node(let spec) = r.spec else { return (r.metadata.name, r.metadata.labels, nil) }
            return (r.metadata.name, r.metadata.labels, spec.bgp)
        }
    }

    /// The `Node` named `name`.
    public func node(_ name: String) -> Resource? { all(.node).first { $0.metadata.name == name } }

    /// `BGPConfiguration` `default`.
    public var bgpConfiguration: BGPConfigurationSpec? {
        for r in all(.bgpConfiguration) where r.metadata.name == "default" {
            if case .bgpConfiguration(let s) = r.spec { return s }
        }
        return nil
    }

    /// `IPAMConfiguration` `default`.
    public var ipamConfiguration: IPAMConfigurationSpec? {
        for r in all(.ipamConfiguration) where r.metadata.name == "default" {
            if case .ipamConfiguration(let s) = r.spec { return s }
        }
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
