/// Outcome of a conditional write through `/v3/kv/txn` (`create`, `update`, `delete(_:ifModRevision:)`):
/// either the write happened, or the compare failed and nothing was written.
public enum EtcdWriteResult: Sendable, Hashable {
    /// The compare held and the write was applied at `revision` (the txn's header revision).
    case ok(revision: Int64)
    /// The compare failed: `current` is the key as it is now (nil when absent), read in the same
    /// transaction at store revision `revision`. Calico's ErrorResourceUpdateConflict.
    case conflict(current: KeyValue?, revision: Int64)

    /// True for `.ok`.
    public var succeeded: Bool {
        if case .ok = self { return true }
        return false
    }
}
