/// The operation a runtime asks a plugin for, from `CNI_COMMAND` (SPEC.md §Parameters, §CNI operations).
public enum CNICommand: String, Sendable, CaseIterable {
    /// Add the container to the network, or apply modifications (SPEC.md §ADD).
    case add = "ADD"
    /// Remove the container from the network, or undo modifications (SPEC.md §DEL).
    case del = "DEL"
    /// Check that the container's networking is as expected (SPEC.md §CHECK, since 0.4.0).
    case check = "CHECK"
    /// Report the spec versions the plugin supports (SPEC.md §VERSION).
    case version = "VERSION"
    /// Report whether the plugin is ready to service ADD requests (SPEC.md §STATUS, since 1.1.0).
    case status = "STATUS"
    /// Remove stale resources not in `cni.dev/valid-attachments` (SPEC.md §GC, since 1.1.0).
    case gc = "GC"
}
