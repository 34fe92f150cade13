import Datastore
import EtcdClient
import Foundation

/// The cluster ``Datastore``: etcd v3 through ``EtcdClient`` (its JSON gateway over libcurl).
///
/// Revisions are etcd's (a value's ``StoredValue/revision`` is its `mod_revision`), CAS is one
/// etcd transaction, leases are etcd leases. Errors are mapped by ``EtcdDatastore/map(_:)``:
/// an unreachable cluster, a timeout or a connection lost mid-request is
/// ``DatastoreError/unavailable(_:)`` with the client's message (endpoint and cause).
/// Watches heal themselves (see ``EtcdDatastoreWatch``).
public final class EtcdDatastore: Datastore, @unchecked Sendable {
    /// "etcd".
    public let kind = "etcd"
    /// The client every call goes through.
    public let client: EtcdClient

    /// A store over an existing client.
    public init(client: EtcdClient) {
        self.client = client
    }

    /// A store over a new client of `endpoints` (`http://host:2379`, or bare `host:port`).
    /// - Throws: ``DatastoreError/invalid(_:)`` for an empty list or an endpoint that is not a URL.
    public convenience init(endpoints: [String], tls: EtcdTLS?) throws(DatastoreError) {
        do throws(EtcdError) {
            self.init(client: try EtcdClient(endpoints: endpoints, tls: tls))
        } catch {
            throw Self.map(error)
        }
    }

    public func get(_ key: String) throws(DatastoreError) -> StoredValue? {
        try checked(key)
        return try run { () throws(EtcdError) in try client.get(key).map(Self.stored) }
    }

    public func list(prefix: String) throws(DatastoreError) -> DatastoreSnapshot {
        try run { () throws(EtcdError) in
            let r = try client.list(prefix: prefix)
            return DatastoreSnapshot(values: r.items.map(Self.stored), revision: r.revision)
        }
    }

    @discardableResult
    public func create(_ key: String, _ value: [UInt8], lease: Int64?) throws(DatastoreError) -> StoredValue {
        try checked(key)
        // A failed compare whose read finds no key (deleted in between) is retried: create
        // either writes or reports the value that is there.
        for _ in 0..<5 {
            let result = try run(lease: lease) { () throws(EtcdError) in try client.create(key, Data(value), lease: lease ?? 0) }
            switch result {
            case .ok(let revision):
                return StoredValue(key: key, value: value, revision: revision, lease: lease)
            case .conflict(let current?, _):
                throw .alreadyExists(key: key, current: Self.stored(current))
            case .conflict(nil, _):
                continue
            }
        }
        throw .conflict(key: key, current: nil)
    }

    @discardableResult
    public func update(_ key: String, _ value: [UInt8], ifRevision: Int64, lease: Int64?) throws(DatastoreError) -> StoredValue {
        try checked(key)
        guard ifRevision > 0 else { throw .conflict(key: key, current: try get(key)) }
        let result = try run(lease: lease) { () throws(EtcdError) in
            try client.update(key, Data(value), ifModRevision: ifRevision, lease: lease ?? 0)
        }
        switch result {
        case .ok(let revision): return StoredValue(key: key, value: value, revision: revision, lease: lease)
        case .conflict(let current, _): throw .conflict(key: key, current: current.map(Self.stored))
        }
    }

    @discardableResult
    public func put(_ key: String, _ value: [UInt8], lease: Int64?) throws(DatastoreError) -> StoredValue {
        try checked(key)
        let revision = try run(lease: lease) { () throws(EtcdError) in try client.put(key, Data(value), lease: lease ?? 0) }
        return StoredValue(key: key, value: value, revision: revision, lease: lease)
    }

    /// With `ifRevision`, an absent key is a ``DatastoreError/conflict(key:current:)`` with `current` nil.
    @discardableResult
    public func delete(_ key: String, ifRevision: Int64?) throws(DatastoreError) -> Bool {
        try checked(key)
        guard let ifRevision else { return try run { () throws(EtcdError) in try client.delete(key) } }
        guard ifRevision > 0 else { throw .conflict(key: key, current: try get(key)) }
        switch try run({ () throws(EtcdError) in try client.delete(key, ifModRevision: ifRevision) }) {
        case .ok: return true
        case .conflict(let current, _): throw .conflict(key: key, current: current.map(Self.stored))
        }
    }

    public func grantLease(ttl: Int) throws(DatastoreError) -> Int64 {
        guard ttl > 0 else { throw .invalid("lease TTL must be positive, not \(ttl)") }
        return try run { () throws(EtcdError) in try client.grantLease(ttl: Int64(ttl)) }
    }

    public func keepAlive(_ lease: Int64) throws(DatastoreError) {
        _ = try run { () throws(EtcdError) in try client.keepAlive(lease) }
    }

    public func revoke(_ lease: Int64) throws(DatastoreError) {
        do throws(DatastoreError) {
            try run { () throws(EtcdError) in try client.revoke(lease) }
        } catch .leaseNotFound {
            return        // revoking an unknown lease is not an error
        }
    }

    public func watch(prefix: String, afterRevision: Int64,
                      handler: @escaping @Sendable (DatastoreWatchEvent) -> Void) -> DatastoreWatch {
        EtcdDatastoreWatch(store: self, prefix: prefix, afterRevision: afterRevision, handler: handler)
    }

    // MARK: Errors

    /// EtcdError → DatastoreError: transport failures (unreachable, timeout, connection lost, a
    /// dropped stream, a malformed answer, gRPC Unavailable) are `.unavailable` with the client's
    /// message; an unknown lease is `.leaseNotFound`; what etcd refuses (gRPC InvalidArgument,
    /// too large, a bad endpoint) is `.invalid`.
    public static func map(_ error: EtcdError) -> DatastoreError {
        switch error {
        case .leaseNotFound(let id):
            return .leaseNotFound(id)
        case .invalidArgument(let message):
            return .invalid(message)
        case .http(_, _, _, let code, _) where code == 3 || code == 11:
            return .invalid(error.description)
        case .unreachable, .timeout, .connectionLost, .streamDropped, .malformedResponse, .http, .compacted, .watchCanceled:
            return .unavailable(error.description)
        }
    }

    /// Runs one client call, mapping its error; with a lease, etcd's "requested lease not found"
    /// becomes ``DatastoreError/leaseNotFound(_:)``.
    private func run<T>(lease: Int64? = nil, _ body: () throws(EtcdError) -> T) throws(DatastoreError) -> T {
        do throws(EtcdError) {
            return try body()
        } catch {
            if let lease, case .http(_, _, _, _, let message) = error, message.contains("lease not found") {
                throw .leaseNotFound(lease)
            }
            throw Self.map(error)
        }
    }

    private func checked(_ key: String) throws(DatastoreError) {
        if key.isEmpty { throw .invalid("empty key") }
    }

    static func stored(_ kv: KeyValue) -> StoredValue {
        StoredValue(key: kv.key, value: [UInt8](kv.value), revision: kv.modRevision, lease: kv.lease == 0 ? nil : kv.lease)
    }
}
