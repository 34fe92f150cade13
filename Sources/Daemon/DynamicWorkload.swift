import Model

/// A workload added at run time (`tern workload add` or the CNI plugin) and kept in the
/// workload state file: the validated workload and who added it.
struct DynamicWorkload: Sendable, Equatable {
    var workload: Model.Workload
    /// "cli" or "cni".
    var origin: String
    /// The runtime's container ID for a CNI attachment (DEL and GC match on it).
    var containerID: String?
}
