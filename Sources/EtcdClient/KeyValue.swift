import Foundation

/// One key as etcd stores it (etcd's `mvccpb.KeyValue`).
///
/// The key is a `String` and the value `Data`: every key Tern writes is a Calico-style path
/// (`/calico/resources/v3/...`), built, prefixed and compared as text, while values are JSON
/// documents (or opaque bytes) that go straight to `JSONDecoder`, which takes `Data`. Values are
/// binary-safe; a key that is not valid UTF-8 (written by some other client) is reported as a
/// malformed response rather than silently altered.
public struct KeyValue: Sendable, Hashable, CustomStringConvertible {
    /// The key (etcd: `key`, base64 on the wire).
    public var key: String
    /// The value bytes (etcd: `value`); empty in a delete event.
    public var value: Data
    /// Revision of the last creation of this key (etcd: `create_revision`).
    public var createRevision: Int64
    /// Revision of the last modification (etcd: `mod_revision`); Tern's resource revision.
    public var modRevision: Int64
    /// Number of modifications since creation; 0 means deleted (etcd: `version`).
    public var version: Int64
    /// The lease attached to the key, 0 for none (etcd: `lease`).
    public var lease: Int64

    public init(key: String, value: Data, createRevision: Int64 = 0, modRevision: Int64 = 0, version: Int64 = 0, lease: Int64 = 0) {
        self.key = key
        self.value = value
        self.createRevision = createRevision
        self.modRevision = modRevision
        self.version = version
        self.lease = lease
    }

    /// The value as UTF-8 text, nil when it is not valid UTF-8.
    public var string: String? { String(data: value, encoding: .utf8) }

    public var description: String {
        "\(key) (\(value.count) bytes, create \(createRevision), mod \(modRevision), version \(version)\(lease != 0 ? ", lease \(lease)" : ""))"
    }
}
