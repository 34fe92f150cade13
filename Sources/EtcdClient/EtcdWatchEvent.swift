/// What an `EtcdWatch` reports to its `onEvent` closure, in order: `.started`, any number of
/// `.events`, and — unless the watch was canceled by its owner — exactly one final `.compacted`
/// or `.dropped`, after which the watch has ended.
public enum EtcdWatchEvent: Sendable, Hashable {
    /// The stream is established (etcd: `created`); `revision` is the store revision then.
    case started(revision: Int64)
    /// The events of one WatchResponse, in revision order.
    case events(EtcdWatchBatch)
    /// The start revision is older than the last compaction (etcd: `canceled` with
    /// `compact_revision`): history is lost, so list again (full resync) and watch from the
    /// list's revision + 1. `compactRevision` is the oldest revision still available.
    case compacted(compactRevision: Int64)
    /// The stream ended (the member went away, the connection broke, no endpoint reachable, or
    /// etcd canceled the watch): start a new watch from `resumeFrom` — the last delivered
    /// event's mod revision + 1 — to continue without gaps.
    case dropped(EtcdError, resumeFrom: Int64)
}

/// One WatchResponse: its events and its header revision.
public struct EtcdWatchBatch: Sendable, Hashable {
    /// The store revision in the response header; may exceed the last event's mod revision.
    public var headerRevision: Int64
    /// The events, oldest first; events of one transaction share a mod revision.
    public var events: [EtcdEvent]

    public init(headerRevision: Int64, events: [EtcdEvent]) {
        self.headerRevision = headerRevision
        self.events = events
    }
}

/// One change to one key (etcd's `mvccpb.Event`).
public struct EtcdEvent: Sendable, Hashable, CustomStringConvertible {
    /// etcd's event `type`: PUT (absent on the wire: proto3's default) or DELETE.
    public enum Kind: String, Sendable, Hashable {
        case put = "PUT"
        case delete = "DELETE"
    }

    public var kind: Kind
    /// The key after the change; for a delete only `key` and `modRevision` (the deletion's revision) are set.
    public var kv: KeyValue
    /// The key before the change, when the watch asked for `prevKV` and there was one.
    public var prevKV: KeyValue?

    public init(kind: Kind, kv: KeyValue, prevKV: KeyValue? = nil) {
        self.kind = kind
        self.kv = kv
        self.prevKV = prevKV
    }

    /// The revision of the change.
    public var modRevision: Int64 { kv.modRevision }

    public var description: String { "\(kind.rawValue) \(kv.key)@\(kv.modRevision)" }
}
