/// A key-value store with revisions, compare-and-swap, leases and watches: what Tern's
/// cluster datastore needs from etcd v3, and what the file store gives a single host.
///
/// Keys are `/`-separated paths (`/tern/resources/v3/projectcalico.org/ippools/default`);
/// values are opaque bytes (resources as JSON). Every write gets a new store-wide revision,
/// greater than every earlier one; a value's ``StoredValue/revision`` is the revision of the
/// write that made it (etcd's `mod_revision`). Read-modify-write goes through ``create(_:_:lease:)``
/// and ``update(_:_:ifRevision:lease:)``, never a blind put, so two writers racing for a key never
/// both win (Calico's etcdv3 backend and calico-ipam do the same).
///
/// Threading: every call blocks until the store answers (or fails); implementations are safe to
/// call from any thread, and belong on a datastore queue of their own, never on the BGP loop.
public protocol Datastore: AnyObject, Sendable {
    /// "file" or "etcd": what `tern status --json` shows as `datastore.type`.
    var kind: String { get }

    /// The key's current value, nil when absent.
    func get(_ key: String) throws(DatastoreError) -> StoredValue?

    /// Every value whose key starts with `prefix`, in key order, and the revision they were read at.
    func list(prefix: String) throws(DatastoreError) -> DatastoreSnapshot

    /// Writes `key` only when it does not exist. Throws ``DatastoreError/alreadyExists(key:current:)``
    /// with the current value otherwise.
    @discardableResult
    func create(_ key: String, _ value: [UInt8], lease: Int64?) throws(DatastoreError) -> StoredValue

    /// Writes `key` only when its current revision is `ifRevision`. Throws ``DatastoreError/conflict(key:current:)``
    /// with the current value (nil when the key is gone) otherwise.
    @discardableResult
    func update(_ key: String, _ value: [UInt8], ifRevision: Int64, lease: Int64?) throws(DatastoreError) -> StoredValue

    /// Writes `key` whatever it holds (`calicoctl apply`'s plain put).
    @discardableResult
    func put(_ key: String, _ value: [UInt8], lease: Int64?) throws(DatastoreError) -> StoredValue

    /// Deletes `key`; with `ifRevision`, only when its current revision is that (else
    /// ``DatastoreError/conflict(key:current:)``). Returns false when the key was already absent.
    @discardableResult
    func delete(_ key: String, ifRevision: Int64?) throws(DatastoreError) -> Bool

    /// A lease of `ttl` seconds: keys written with it disappear (and watches see them deleted)
    /// when it is neither renewed nor revoked in time.
    func grantLease(ttl: Int) throws(DatastoreError) -> Int64

    /// Renews the lease for its full TTL. Throws ``DatastoreError/leaseNotFound(_:)`` when it has expired.
    func keepAlive(_ lease: Int64) throws(DatastoreError)

    /// Ends the lease now; its keys are deleted. Revoking an unknown lease is not an error.
    func revoke(_ lease: Int64) throws(DatastoreError)

    /// Watches every key under `prefix` for writes made after revision `afterRevision`
    /// (usually the revision of the snapshot the caller just read). `handler` is called on the
    /// store's own thread, one event at a time and in revision order.
    ///
    /// The watch keeps itself going: when the store becomes unreachable it reports
    /// ``DatastoreWatchEvent/down(_:)`` and retries with back-off; when it is back it resumes
    /// from the last revision delivered, or — when the store can no longer replay from there
    /// (etcd compacted it, the file store trimmed its log) — delivers a fresh
    /// ``DatastoreWatchEvent/resync(_:)`` snapshot of the prefix instead.
    func watch(prefix: String, afterRevision: Int64,
               handler: @escaping @Sendable (DatastoreWatchEvent) -> Void) -> DatastoreWatch
}

/// One running watch; ``cancel()`` stops it (no handler call starts after cancel returns).
public protocol DatastoreWatch: AnyObject, Sendable {
    func cancel()
}

/// One key's value and the revision of the write that made it.
public struct StoredValue: Sendable, Hashable {
    public var key: String
    public var value: [UInt8]
    /// The revision of the write that made this value (etcd `mod_revision`).
    public var revision: Int64
    /// The lease the key is attached to, nil for none.
    public var lease: Int64?

    public init(key: String, value: [UInt8], revision: Int64, lease: Int64? = nil) {
        self.key = key
        self.value = value
        self.revision = revision
        self.lease = lease
    }
}

/// The values under a prefix at one revision.
public struct DatastoreSnapshot: Sendable, Hashable {
    public var values: [StoredValue]
    /// The store's revision when the list was read: watch from here.
    public var revision: Int64

    public init(values: [StoredValue], revision: Int64) {
        self.values = values
        self.revision = revision
    }
}

/// What a watch reports.
public enum DatastoreWatchEvent: Sendable, Hashable {
    /// A key was written.
    case put(StoredValue)
    /// A key was deleted (or its lease expired) at `revision`.
    case deleted(key: String, revision: Int64)
    /// The watch could not replay from its revision: this is the whole prefix now. Replace
    /// what you hold with it (keys absent from it are gone).
    case resync(DatastoreSnapshot)
    /// The store cannot be reached; the watch retries and reports ``resync(_:)`` or resumes.
    case down(DatastoreError)
}

/// Why a datastore call failed.
public enum DatastoreError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The store cannot be reached or read (etcd down, directory unreadable): retry later.
    case unavailable(String)
    /// `create` found the key already there.
    case alreadyExists(key: String, current: StoredValue)
    /// A conditional write or delete found another revision (or no key: `current` nil).
    case conflict(key: String, current: StoredValue?)
    /// The lease has expired or never existed.
    case leaseNotFound(Int64)
    /// A request the store refuses (an empty key, a value too large).
    case invalid(String)

    public var description: String {
        switch self {
        case .unavailable(let message): return "datastore unavailable: \(message)"
        case .alreadyExists(let key, let current): return "\(key) already exists (revision \(current.revision))"
        case .conflict(let key, let current):
            if let current { return "\(key) was changed meanwhile (now at revision \(current.revision)); read it again and retry" }
            return "\(key) was deleted meanwhile"
        case .leaseNotFound(let id): return "lease \(id) has expired or does not exist"
        case .invalid(let message): return "invalid datastore request: \(message)"
        }
    }
}
