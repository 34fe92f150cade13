import Model

/// A workload added at run time (`tern workload add` or the CNI plugin) and kept in the
/// workload state file: the validated workload and who added it.
struct DynamicWorkload: Sendable, Equatable {
    var workload: Model.Workload
    /// "cli" or "cni".
    var origin: String
    /// A CNI attachment's `<network>.<CNI_CONTAINERID>` (DEL and GC match on it).
    var attachment: String?
}
