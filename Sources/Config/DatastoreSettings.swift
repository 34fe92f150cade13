/// Where the cluster datastore is (`datastore:` in the node's configuration): a directory
/// of resource files (the default kind, for one host or a lab whose nodes share a
/// directory) or an etcd v3 cluster.
public struct DatastoreSettings: Hashable, Sendable {
    public enum Kind: String, Hashable, Sendable, CaseIterable {
        case file, etcd
    }
    public var type: Kind = .file
    /// The file store's directory.
    public var path: String = DatastoreSettings.defaultPath
    /// etcd client URLs (`http://10.0.0.1:2379`, `https://…`); at least one for `etcd`.
    public var endpoints: [String] = []
    /// The key prefix everything is stored under (etcd and file store alike).
    public var prefix: String = DatastoreSettings.defaultPrefix
    /// TLS for `https://` endpoints: the CA that signed the server certificates, and our
    /// client certificate and key (PEM files).
    public var caFile: String?
    public var certFile: String?
    public var keyFile: String?

    public static let defaultPath = "/var/lib/tern/datastore"
    public static let defaultPrefix = "/tern"

    public init(type: Kind = .file, path: String = DatastoreSettings.defaultPath, endpoints: [String] = [],
                prefix: String = DatastoreSettings.defaultPrefix) {
        self.type = type
        self.path = path
        self.endpoints = endpoints
        self.prefix = prefix
    }
}
