/// What a Calico policy rule does with the traffic it matches (Calico "Rule" reference, `action`).
public enum CalicoAction: String, Sendable, Hashable, CaseIterable {
    /// Accept the packet; no later policy is consulted.
    case allow = "Allow"
    /// Drop the packet.
    case deny = "Deny"
    /// Log the packet and go on to the next rule.
    case log = "Log"
    /// Skip the rest of the tier's policies and go to the next tier (or the profiles).
    case pass = "Pass"
}
