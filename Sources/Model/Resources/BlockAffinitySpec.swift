import IPCore

/// Calico's `BlockAffinity`: a node's claim on one IPAM block.
public struct BlockAffinitySpec: Sendable, Hashable {
    public enum State: String, Sendable, Hashable, CaseIterable {
        case pending
        case confirmed
        case pendingDeletion
    }
    public var state: State
    public var node: String
    public var cidr: IPPrefix
    public var deleted: Bool

    public init(state: State, node: String, cidr: IPPrefix, deleted: Bool = false) {
        self.state = state
        self.node = node
        self.cidr = cidr
        self.deleted = deleted
    }
}
