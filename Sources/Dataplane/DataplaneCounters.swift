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
    /// Routes wanted in the kernel after the last pass (workloads, blocks, BGP), and how
    /// many of them failed to install (`tern_dataplane_routes{state}`).
    public var routesDesired = 0
    public var routesFailed = 0
    /// Passes run since start.
    public var passes = 0
    /// The last pass left no work behind (no dump or retry due) and the inbox was empty:
    /// the kernel matches what the agent was told (readiness).
    public var inSync = false
}
