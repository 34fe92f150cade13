import IPCore

/// One address handed out by ``AddressAllocator``.
public struct AddressAllocation: Sendable, Hashable, CustomStringConvertible {
    /// The workload's address as a host prefix (/32 or /128).
    public var address: IPPrefix
    /// The block it came from.
    public var block: IPPrefix
    /// True when the block is another node's (borrowed with `strictAffinity` off): the
    /// allocating node advertises the /32 (or /128) itself, the block's node keeps its
    /// aggregate.
    public var borrowed: Bool

    public init(address: IPPrefix, block: IPPrefix, borrowed: Bool) {
        self.address = address
        self.block = block
        self.borrowed = borrowed
    }

    public var description: String { "\(address) from \(block)\(borrowed ? " (borrowed)" : "")" }
}
