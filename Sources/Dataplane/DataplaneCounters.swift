/// Counters for tests and `tern status`.
public struct DataplaneCounters: Hashable, Sendable {
    /// Successful `replace` operations (installs and changes).
    public var replaced = 0
    /// Successful deletes of our routes.
    public var deleted = 0
    /// Failed route operations.
    public var failed = 0
    /// Full resyncs (kernel dumps).
    public var resyncs = 0
    /// Monitor overruns (ENOBUFS).
    public var overruns = 0
}
