import Datastore
import Foundation
import IPCore
import Model

/// Claims IPAM blocks for one node, as calico-ipam does (../shared/reference/DATASTORE.md
/// C3): optimistic concurrency only, no locks.
///
/// For each pool that selects the node (not `disabled`, `nodeSelector` matching the node's
/// labels) the node needs one block. It keeps a block it already holds (a confirmed
/// `BlockAffinity`); otherwise it writes a *pending* affinity, then creates the block key
/// with a create-if-absent transaction, then confirms the affinity. Two nodes racing for one
/// block both write pending affinities, but only one block create succeeds: the loser
/// deletes its pending affinity and tries the next free block. A pending affinity left by a
/// crash is confirmed when the block is ours, deleted otherwise.
///
/// Blocks are released only by ``release(node:)`` (`tern delete node X`), never when a
/// node's lease lapses: a rebooting node keeps its addresses.
public struct BlockClaimer: Sendable {
    public let client: ResourceClient
    public let node: String

    public init(client: ResourceClient, node: String) {
        self.client = client
        self.node = node
    }

    /// The blocks the node holds after making sure it has one in every pool that selects
    /// it. `pools` and `labels` are the cluster's pools and the node's labels.
    public func claim(pools: [(name: String, spec: IPPoolSpec)], labels: [String: String]) throws(ResourceClient.Failure) -> [IPPrefix] {
        var held: [IPPrefix] = []
        let mine = try client.list(.blockAffinity).resources.compactMap { r -> (Resource, BlockAffinitySpec)? in
            guard case .blockAffinity(let s) = r.spec, s.node == node, !s.deleted else { return nil }
            return (r, s)
        }
        // Settle what an earlier run left pending.
        for (r, s) in mine {
            switch s.state {
            case .confirmed: held.append(s.cidr)
            case .pending:
                var ours = try blockOwner(s.cidr) == node
                if !ours { ours = try createBlock(s.cidr) }
                if ours {
                    try confirm(r, s)
                    held.append(s.cidr)
                } else {
                    try? client.delete(.blockAffinity, name: r.metadata.name)
                }
            case .pendingDeletion: break
            }
        }
        for (name, spec) in pools where !spec.disabled {
            guard let pool = try? spec.pool() else { continue }
            if let sel = spec.nodeSelector, !sel.isEmpty {
                guard let s = try? CalicoSelector(parsing: sel), s.matches(labels) else { continue }
            }
            if held.contains(where: { pool.cidr.contains($0) }) { continue }
            if let block = try claimOne(in: pool) { held.append(block) } else {
                throw .store(.invalid("IPPool \(name) (\(pool.cidr)) has no free /\(pool.blockSize) block left"))
            }
        }
        return held.sorted()
    }

    /// Claims the first free block of `pool`; nil when every block is taken.
    func claimOne(in pool: IPPool) throws(ResourceClient.Failure) -> IPPrefix? {
        let taken = Set(try client.wrap { () throws(DatastoreError) in try client.store.list(prefix: client.keys.blocks(pool.cidr.ipFamily)) }
            .values.map(\.key))
        for candidate in Self.blocks(of: pool, startingAt: Self.start(for: node)) where !taken.contains(client.keys.block(candidate)) {
            if try claimBlock(candidate) { return candidate }   // else lost the race: try the next one
        }
        return nil
    }

    /// Claims the one block `cidr` (pending affinity, create-if-absent, confirm); false when
    /// another node holds it (our pending affinity is deleted again). True when we already do.
    func claimBlock(_ cidr: IPPrefix) throws(ResourceClient.Failure) -> Bool {
        let name = ResourceKeys.affinityName(node: node, cidr: cidr)
        let pending = Resource(metadata: ResourceMetadata(name: name),
                               spec: .blockAffinity(BlockAffinitySpec(state: .pending, node: node, cidr: cidr)))
        let written = try client.apply(pending)
        if try createBlock(cidr), case .blockAffinity(let s) = written.spec {
            try confirm(written, s)
            return true
        }
        try? client.delete(.blockAffinity, name: name)
        return false
    }

    /// Creates the block key for us; false when another node has it.
    func createBlock(_ cidr: IPPrefix) throws(ResourceClient.Failure) -> Bool {
        let key = client.keys.block(cidr)
        do {
            try client.store.create(key, Self.blockValue(cidr: cidr, node: node), lease: nil)
            return true
        } catch .alreadyExists(_, let current) {
            return Self.owner(current.value) == node
        } catch {
            throw .store(error)
        }
    }

    /// The node holding block `cidr`, nil when nobody does.
    func blockOwner(_ cidr: IPPrefix) throws(ResourceClient.Failure) -> String? {
        let key = client.keys.block(cidr)
        guard let v = try client.wrap({ () throws(DatastoreError) in try client.store.get(key) }) else { return nil }
        return Self.owner(v.value)
    }

    func confirm(_ r: Resource, _ s: BlockAffinitySpec) throws(ResourceClient.Failure) {
        var s = s
        s.state = .confirmed
        var confirmed = r
        confirmed.spec = .blockAffinity(s)
        try client.apply(confirmed)
    }

    /// Releases every block of `node` and its affinities (the node was deleted). Returns
    /// the blocks released.
    @discardableResult
    public static func release(node: String, client: ResourceClient) throws(ResourceClient.Failure) -> [IPPrefix] {
        var released: [IPPrefix] = []
        for r in try client.list(.blockAffinity).resources {
            guard case .blockAffinity(let s) = r.spec, s.node == node else { continue }
            let key = client.keys.block(s.cidr)
            if let v = try client.wrap({ () throws(DatastoreError) in try client.store.get(key) }), owner(v.value) == node {
                _ = try client.wrap { () throws(DatastoreError) in try client.store.delete(key, ifRevision: v.revision) }
                released.append(s.cidr)
            }
            try? client.delete(.blockAffinity, name: r.metadata.name)
        }
        return released.sorted()
    }

    // MARK: Blocks

    /// The blocks of `pool` in address order from the `start`-th (modulo their number),
    /// wrapping around (lazily: a /8 of /26 blocks is 262144 of them).
    static func blocks(of pool: IPPool, startingAt start: UInt64 = 0) -> some Sequence<IPPrefix> {
        let count = 1 << min(Int(pool.blockSize) - Int(pool.cidr.length), 24)
        let first = Int(start % UInt64(count))
        return (0..<count).lazy.compactMap { i in pool.cidr.subprefix(index: (first + i) % count, length: pool.blockSize) }
    }

    /// Where a node starts looking for a free block: a hash of its name (FNV-1a), so that
    /// nodes starting together try different blocks instead of all racing for the first
    /// free one (each loser would retry the next, N² attempts for N nodes), and a node
    /// looks in the same place every time.
    public static func start(for node: String) -> UInt64 {
        node.utf8.reduce(0xcbf2_9ce4_8422_2325 as UInt64) { ($0 ^ UInt64($1)) &* 0x100_0000_01b3 }
    }

    /// The block's stored value: `{"cidr": "...", "affinity": "host:<node>"}` (Calico's
    /// `AllocationBlock` fields; the CNI plugin adds the allocations).
    static func blockValue(cidr: IPPrefix, node: String) -> [UInt8] {
        let object: [String: Any] = ["cidr": cidr.description, "affinity": "host:\(node)"]
        return Array((try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data())
    }

    /// The node in a block value's `affinity`.
    static func owner(_ value: [UInt8]) -> String? {
        guard let o = try? JSONSerialization.jsonObject(with: Data(value)) as? [String: Any],
              let a = o["affinity"] as? String, a.hasPrefix("host:") else { return nil }
        return String(a.dropFirst(5))
    }
}
