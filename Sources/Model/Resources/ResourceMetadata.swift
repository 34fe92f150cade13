/// A resource's `metadata`: its identity and labels, as Kubernetes and Calico write them.
public struct ResourceMetadata: Sendable, Hashable {
    /// `metadata.name`: a DNS-1123 subdomain (lowercase letters, digits, '-', '.'; at most 253).
    public var name: String
    /// `metadata.namespace` for namespaced kinds (default `default`), nil for the others.
    public var namespace: String?
    public var labels: [String: String]
    public var annotations: [String: String]
    /// The datastore revision the resource was read at (set by the store, ignored on apply
    /// unless `tern replace` is asked to check it).
    public var resourceVersion: String?
    /// Set by the store when the resource is first created (RFC 3339).
    public var creationTimestamp: String?
    /// Set by the store when the resource is first created.
    public var uid: String?

    public init(name: String, namespace: String? = nil, labels: [String: String] = [:],
                annotations: [String: String] = [:], resourceVersion: String? = nil,
                creationTimestamp: String? = nil, uid: String? = nil) {
        self.name = name
        self.namespace = namespace
        self.labels = labels
        self.annotations = annotations
        self.resourceVersion = resourceVersion
        self.creationTimestamp = creationTimestamp
        self.uid = uid
    }
}
