import IPCore

/// A block of a pool: the unit of address affinity to a node (Calico's IPAM block).
/// A node advertises its blocks as routes and assigns workload addresses from them.
public struct Block: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The block's prefix, exactly `pool.blockSize` long.
    public let cidr: IPPrefix

    /// A block of one of `pools`: the pool containing `cidr`, and exactly its `blockSize`
    /// long. Without pools any prefix is a block (a static lab's hand-written blocks).
    public init(cidr: IPPrefix, pools: [IPPool]) throws(ModelError) {
        if !pools.isEmpty {
            guard let pool = pools.pool(containing: cidr) else {
                throw ModelError(field: "cidr", "\(cidr) is in none of the ipPools (\(pools.map(\.cidr.description).joined(separator: ", ")))",
                                 hint: "add its pool to ipPools, or correct the block")
            }
            guard cidr.length == pool.blockSize else {
                throw ModelError(field: "cidr", "\(cidr) is not a /\(pool.blockSize) block of pool \(pool.cidr) (blockSize \(pool.blockSize))",
                                 hint: "blocks are exactly blockSize long")
            }
        }
        self.cidr = cidr
    }

    /// The block's first address as a host prefix: the address a tunnel device gets when the
    /// block is this node's first in an encapsulated pool (docs/ENCAPSULATION.md).
    public var firstHost: IPPrefix { .host(cidr.address) }

    /// True when `prefix` lies inside the block.
    public func contains(_ prefix: IPPrefix) -> Bool { cidr.contains(prefix) }

    public var description: String { cidr.description }

    public static func < (a: Block, b: Block) -> Bool { a.cidr < b.cidr }
}
