import Config
import Datastore
import Foundation
import Model

/// Typed resources over a ``Datastore``: what `tern apply/get/delete` and the node use.
///
/// Values are the resources' JSON (``ResourceCodec``); `metadata.resourceVersion` is the
/// store's revision of the key (never stored: it is filled in on every read), and
/// `creationTimestamp` and `uid` are set when a resource is first created and kept by
/// every later apply, as the Kubernetes API server and calicoctl do.
public final class ResourceClient: Sendable {
    public let store: any Datastore
    public let keys: ResourceKeys

    public init(store: any Datastore, prefix: String) {
        self.store = store
        self.keys = ResourceKeys(prefix: prefix)
    }

    /// Why a resource operation failed.
    public enum Failure: Error, CustomStringConvertible {
        /// The store failed (down, conflict, ...).
        case store(DatastoreError)
        /// `create` of a resource that exists.
        case alreadyExists(String)
        /// `replace`, `delete` or `get` of a resource that does not exist.
        case notFound(String)
        /// A stored value that is not a valid resource (written by something else).
        case corrupt(key: String, ConfigErrors)

        public var description: String {
            switch self {
            case .store(let e): return "\(e)"
            case .alreadyExists(let what): return "\(what) already exists (use tern apply or tern replace)"
            case .notFound(let what): return "\(what) not found"
            case .corrupt(let key, let errors): return "the stored value of \(key) is not a valid resource: \(errors)"
            }
        }
    }

    // MARK: Reads

    /// The resource stored at `value`, with `resourceVersion` set to its revision.
    public func decode(_ value: StoredValue) throws(Failure) -> Resource {
        do {
            var r = try ResourceCodec.decodeStored(value.value, key: value.key)
            r.metadata.resourceVersion = String(value.revision)
            return r
        } catch {
            throw .corrupt(key: value.key, error)
        }
    }

    /// One resource, nil when absent.
    public func get(_ kind: ResourceKind, name: String, namespace: String? = nil) throws(Failure) -> Resource? {
        let key = keys.key(kind, name: name, namespace: namespace)
        guard let v = try wrap({ () throws(DatastoreError) in try store.get(key) }) else { return nil }
        return try decode(v)
    }

    /// Every resource of `kind` (in `namespace`, or in all namespaces when nil), sorted by
    /// namespace and name. Values that do not decode are returned in `corrupt`.
    public func list(_ kind: ResourceKind, namespace: String? = nil) throws(Failure) -> (resources: [Resource], corrupt: [Failure]) {
        let prefix = keys.list(kind, namespace: namespace)
        let snap = try wrap { () throws(DatastoreError) in try store.list(prefix: prefix) }
        var out: [Resource] = []
        var bad: [Failure] = []
        for v in snap.values {
            do throws(Failure) { out.append(try decode(v)) } catch { bad.append(error) }
        }
        return (out, bad)
    }

    // MARK: Writes

    /// Creates or replaces `resource` whole (`calicoctl apply`): what the new document
    /// leaves out is gone; `creationTimestamp` and `uid` of an existing one are kept.
    /// Read-modify-write with a revision check, retried on a concurrent change.
    @discardableResult
    public func apply(_ resource: Resource) throws(Failure) -> Resource {
        let key = keys.key(resource)
        for _ in 0..<16 {
            let current = try wrap { () throws(DatastoreError) in try store.get(key) }
            var r = resource
            do {
                if let current {
                    let old = try? decode(current)
                    r.metadata.creationTimestamp = old?.metadata.creationTimestamp ?? r.metadata.creationTimestamp
                    r.metadata.uid = old?.metadata.uid ?? r.metadata.uid
                    return try write(r, key: key) { bytes throws(DatastoreError) in
                        try store.update(key, bytes, ifRevision: current.revision, lease: nil)
                    }
                }
                stamp(&r)
                return try write(r, key: key) { bytes throws(DatastoreError) in try store.create(key, bytes, lease: nil) }
            } catch .store(.conflict), .store(.alreadyExists) {
                continue
            }
        }
        throw .store(.conflict(key: key, current: nil))
    }

    /// Creates `resource`; ``Failure/alreadyExists(_:)`` when it exists.
    @discardableResult
    public func create(_ resource: Resource) throws(Failure) -> Resource {
        let key = keys.key(resource)
        var r = resource
        stamp(&r)
        do {
            return try write(r, key: key) { bytes throws(DatastoreError) in try store.create(key, bytes, lease: nil) }
        } catch .store(.alreadyExists) {
            throw .alreadyExists("\(resource.kind) \(resource.qualifiedName)")
        }
    }

    /// Replaces an existing resource; with `resourceVersion` set, only when it is still
    /// that revision (else a conflict). ``Failure/notFound(_:)`` when it does not exist.
    @discardableResult
    public func replace(_ resource: Resource) throws(Failure) -> Resource {
        let key = keys.key(resource)
        guard let current = try wrap({ () throws(DatastoreError) in try store.get(key) }) else {
            throw .notFound("\(resource.kind) \(resource.qualifiedName)")
        }
        let revision = resource.metadata.resourceVersion.flatMap { Int64($0) } ?? current.revision
        var r = resource
        let old = try? decode(current)
        r.metadata.creationTimestamp = old?.metadata.creationTimestamp
        r.metadata.uid = old?.metadata.uid
        return try write(r, key: key) { bytes throws(DatastoreError) in
            try store.update(key, bytes, ifRevision: revision, lease: nil)
        }
    }

    /// Deletes one resource; ``Failure/notFound(_:)`` when it does not exist.
    public func delete(_ kind: ResourceKind, name: String, namespace: String? = nil) throws(Failure) {
        let key = keys.key(kind, name: name, namespace: namespace)
        let gone = try wrap { () throws(DatastoreError) in try store.delete(key, ifRevision: nil) }
        if !gone { throw .notFound("\(kind) \(namespace.map { "\($0)/" } ?? "")\(name)") }
    }

    // MARK: Helpers

    private func stamp(_ r: inout Resource) {
        if r.metadata.creationTimestamp == nil {
            r.metadata.creationTimestamp = Date().formatted(.iso8601)
        }
        if r.metadata.uid == nil { r.metadata.uid = UUID().uuidString.lowercased() }
    }

    private func write(_ resource: Resource, key: String,
                       _ op: ([UInt8]) throws(DatastoreError) -> StoredValue) throws(Failure) -> Resource {
        var stored = resource
        stored.metadata.resourceVersion = nil
        let bytes = Array(ResourceCodec.encodeJSON(stored).utf8)
        let v = try wrap { () throws(DatastoreError) in try op(bytes) }
        stored.metadata.resourceVersion = String(v.revision)
        return stored
    }

    func wrap<T>(_ body: () throws(DatastoreError) -> T) throws(Failure) -> T {
        do { return try body() } catch { throw .store(error) }
    }
}
