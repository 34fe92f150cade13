import Yams

// MARK: - datastore

extension ConfigLoader {
    /// The `datastore` mapping, read into ``DatastoreSettings``.
    static let datastoreFields = FieldTable<DatastoreSettings>("the datastore settings", [
        Field("type", into: \.type) { r, v, path in r.choice(v, path, DatastoreSettings.Kind.self, what: "datastore type") },
        Field("path", into: \.path) { r, v, path in r.absolutePath(v, path) },
        Field("endpoints", into: \.endpoints) { r, v, path in r.endpoints(v, path) },
        Field("prefix", into: \.prefix) { r, v, path in r.keyPrefix(v, path) },
        Field("caFile", into: \.caFile) { r, v, path in r.absolutePath(v, path) },
        Field("certFile", into: \.certFile) { r, v, path in r.absolutePath(v, path) },
        Field("keyFile", into: \.keyFile) { r, v, path in r.absolutePath(v, path) },
    ])
}

extension Reader {
    /// An absolute file or directory path.
    func absolutePath(_ v: Node, _ path: String) -> String? {
        guard let t = nonEmptyText(v, path, what: "a path") else { return nil }
        guard t.hasPrefix("/") else {
            fail(v, path, "\"\(t)\" is not an absolute path", hint: "write the full path, e.g. /var/lib/tern/datastore")
            return nil
        }
        return t
    }

    /// etcd endpoints: a list of (an empty one is reported by `checkDatastore` for etcd) http(s)://host:port URLs (a bare host:port is http).
    func endpoints(_ v: Node, _ path: String) -> [String]? {
        guard let items = list(v, path, example: "http://10.0.0.1:2379") else { return nil }
        var out: [String] = []
        var ok = true
        for (i, item) in items.enumerated() {
            guard let t = nonEmptyText(item, "\(path)[\(i)]", what: "an etcd URL") else { ok = false; continue }
            let rest = t.hasPrefix("http://") ? t.dropFirst(7) : t.hasPrefix("https://") ? t.dropFirst(8) : t[...]
            if t.contains("://") && !(t.hasPrefix("http://") || t.hasPrefix("https://")) || rest.isEmpty || rest.contains("/") && !rest.hasSuffix("/") {
                fail(item, "\(path)[\(i)]", "\"\(t)\" is not an etcd client URL", hint: "write http://host:2379 or https://host:2379")
                ok = false
                continue
            }
            out.append(t)
        }
        return ok ? out : nil
    }

    /// A key prefix: starts with '/', no trailing '/', no empty segment.
    func keyPrefix(_ v: Node, _ path: String) -> String? {
        guard let t = nonEmptyText(v, path, what: "a key prefix") else { return nil }
        guard t.hasPrefix("/"), !t.hasSuffix("/"), !t.contains("//") else {
            fail(v, path, "\"\(t)\" is not a key prefix", hint: "write it like /tern (a leading '/', none at the end)")
            return nil
        }
        return t
    }
}
