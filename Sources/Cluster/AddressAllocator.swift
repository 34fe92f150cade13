import Datastore
import Foundation
import IPCore
import Model

/// Hands out workload addresses from IPAM blocks, as calico-ipam does
/// (../shared/reference/DATASTORE.md C3, CNI.md B3): optimistic concurrency only, every
/// write a compare-and-swap on the revision just read, retried on a conflict, so that many
/// nodes, and one node's concurrent CNI ADDs on several threads or store connections, never
/// hand out one address twice.
///
/// ``allocate(handle:family:pools:node:labels:config:requested:)`` takes, in this order:
/// 1. the address `handle` already holds in that family (a runtime retrying its ADD);
/// 2. the lowest free address of the node's own blocks (blocks whose ``AllocationBlock``
///    affinity is `host:<node>`, in the pools that select the node), lowest block first;
/// 3. a newly claimed block (``BlockClaimer``'s pending → create → confirm), unless the node
///    holds `maxBlocksPerHost` blocks of the family already (0 = no limit);
/// 4. with `strictAffinity` off, a free address of another node's block (``AddressAllocation/borrowed``),
///    the blocks visited from a place that depends on the node's name so that borrowers spread.
///
/// Each address is recorded twice: in its block (ordinal → handle and node) and in the
/// handle's ``IPAMHandle`` record (handle → blocks), the record first, so that
/// ``release(handle:)`` visits exactly the blocks the handle holds addresses in.
///
/// Block claims are serialized within the process (one lock for every allocator), so that
/// a node's concurrent ADDs finding its blocks full claim one new block between them, not
/// one each; two processes allocating for one node (not the design: the daemon is the
/// node's single writer) could each claim one.
public final class AddressAllocator: Sendable {
    public let client: ResourceClient

    /// Serializes block claims of every allocator in the process.
    private static let claimLock = NSLock()
    /// CAS attempts on one key before giving up (each conflict means another writer won,
    /// so 50 concurrent writers need at most about 50).
    static let maxAttempts = 500

    public init(client: ResourceClient) {
        self.client = client
    }

    /// Why an allocation or a release failed.
    public enum Failure: Error, CustomStringConvertible, Equatable {
        /// The store failed (down, or a key changing faster than we could retry).
        case store(DatastoreError)
        /// A handle that cannot be a key (empty, or with a '/').
        case invalidHandle(String)
        /// No enabled pool of the family selects the node.
        case noPool(family: IPFamily, node: String)
        /// A requested address of the other family.
        case wrongFamily(IPAddress, IPFamily)
        /// A requested address outside every enabled pool of its family.
        case notInPool(IPAddress)
        /// A requested address someone holds.
        case inUse(IPAddress, handle: String)
        /// The handle holds another address of the family (a retried ADD asking for another).
        case handleHolds(handle: String, IPPrefix)
        /// A requested address in another node's block while `strictAffinity` is on.
        case notAffine(IPAddress, block: IPPrefix, node: String?)
        /// No address left for the node; `reason` says why.
        case exhausted(family: IPFamily, node: String, reason: String)
        /// A stored block or handle that does not decode.
        case corrupt(key: String, String)

        public var description: String {
            switch self {
            case .store(let e): return "\(e)"
            case .invalidHandle(let h): return "IPAM handle '\(h)' is not valid (empty or containing '/')"
            case .noPool(let f, let node): return "no enabled \(f) IPPool selects node \(node)"
            case .wrongFamily(let a, let f): return "requested address \(a) is not \(f)"
            case .notInPool(let a): return "requested address \(a) is in no enabled IPPool"
            case .inUse(let a, let h): return "requested address \(a) is already in use (handle \(h))"
            case .handleHolds(let h, let p): return "IPAM handle \(h) already holds \(p)"
            case .notAffine(let a, let b, let n):
                return "requested address \(a) is in block \(b) of \(n.map { "node \($0)" } ?? "no node"), and strictAffinity forbids borrowing"
            case .exhausted(let f, let node, let reason): return "no \(f) address left for node \(node): \(reason)"
            case .corrupt(let key, let why): return "the stored value of \(key) is not valid: \(why)"
            }
        }
    }

    // MARK: Allocate

    /// One address of `family` for `handle` on `node` (see the type's documentation for the
    /// order). `pools` are the cluster's pools (the disabled ones, those of the other family
    /// and those whose `nodeSelector` does not match `labels` are skipped); `config` nil is
    /// Calico's defaults as ``IPAMConfigurationSpec/init(strictAffinity:maxBlocksPerHost:)``
    /// has them. `requested` asks for one static address: it must lie in an enabled pool of
    /// the family and be free; its block is claimed for the node when nobody has it, and
    /// borrowed when another node has it (an error with `strictAffinity`).
    public func allocate(handle: String, family: IPFamily, pools: [(name: String, spec: IPPoolSpec)], node: String,
                         labels: [String: String] = [:], config: IPAMConfigurationSpec? = nil,
                         requested: IPAddress? = nil) throws(Failure) -> AddressAllocation {
        try Self.check(handle)
        let config = config ?? IPAMConfigurationSpec()
        if let held = try existing(handle: handle, family: family, node: node) {
            if let requested, held.address.address != requested { throw .handleHolds(handle: handle, held.address) }
            return held
        }
        if let requested { return try allocateStatic(requested, handle: handle, family: family, pools: pools, node: node, config: config) }
        let selected = Self.usable(pools, family: family, labels: labels)
        guard !selected.isEmpty else { throw .noPool(family: family, node: node) }
        if let a = try fromOwnBlocks(handle: handle, family: family, pools: selected, node: node) { return a }

        var reason: String
        Self.claimLock.lock()
        do {
            defer { Self.claimLock.unlock() }
            // Another thread may have claimed a block while we waited.
            if let a = try fromOwnBlocks(handle: handle, family: family, pools: selected, node: node) { return a }
            reason = "its blocks are full and no pool has a free block (\(selected.map { "\($0.cidr)" }.joined(separator: ", ")))"
            let claimer = BlockClaimer(client: client, node: node)
            claiming: for pool in selected {
                while true {
                    let held = try blocks(family).filter { $0.block.node == node }.count
                    if config.maxBlocksPerHost > 0, held >= config.maxBlocksPerHost {
                        reason = "its \(held) blocks are full and maxBlocksPerHost is \(config.maxBlocksPerHost)"
                        break claiming
                    }
                    guard let cidr = try Self.mapped({ () throws(ResourceClient.Failure) in try claimer.claimOne(in: pool) }) else { break }
                    // Nil when borrowers filled the new block first: claim another.
                    if let a = try assign(handle: handle, node: node, block: cidr) { return a }
                }
            }
        }
        if config.strictAffinity {
            throw .exhausted(family: family, node: node, reason: reason + "; strictAffinity forbids borrowing from other nodes' blocks")
        }
        let others = try blocks(family).filter { b in
            b.block.node != node && !b.block.isFull && selected.contains { $0.cidr.contains(b.block.cidr) }
        }
        let start = others.isEmpty ? 0 : Int(BlockClaimer.start(for: node) % UInt64(others.count))
        for i in 0..<others.count {
            let b = others[(start + i) % others.count]
            if let a = try assign(handle: handle, node: node, block: b.block.cidr, current: b.value) { return a }
        }
        throw .exhausted(family: family, node: node, reason: reason + "; no other node's block has a free address")
    }

    /// The address `handle` holds in `family`, nil when none.
    public func existing(handle: String, family: IPFamily, node: String) throws(Failure) -> AddressAllocation? {
        guard let record = try handleRecord(handle) else { return nil }
        for cidr in record.handle.blocks where cidr.ipFamily == family {
            guard let (_, block) = try readBlock(cidr), let o = block.ordinals(of: handle).first,
                  let address = block.address(o) else { continue }
            return AddressAllocation(address: .host(address), block: cidr, borrowed: block.node != node)
        }
        return nil
    }

    /// Step 2: the lowest free address of the node's blocks in `pools`.
    private func fromOwnBlocks(handle: String, family: IPFamily, pools: [IPPool], node: String) throws(Failure) -> AddressAllocation? {
        let mine = try blocks(family).filter { b in b.block.node == node && pools.contains { $0.cidr.contains(b.block.cidr) } }
        for b in mine where !b.block.isFull {
            if let a = try assign(handle: handle, node: node, block: b.block.cidr, current: b.value) { return a }
        }
        return nil
    }

    private func allocateStatic(_ requested: IPAddress, handle: String, family: IPFamily, pools: [(name: String, spec: IPPoolSpec)],
                                node: String, config: IPAMConfigurationSpec) throws(Failure) -> AddressAllocation {
        guard requested.family == family else { throw .wrongFamily(requested, family) }
        let enabled = pools.compactMap { p -> IPPool? in p.spec.disabled ? nil : try? p.spec.pool() }
        guard let pool = enabled.first(where: { $0.cidr.contains(address: requested) }),
              let cidr = IPPrefix(address: requested, length: pool.blockSize) else { throw .notInPool(requested) }
        for _ in 0..<Self.maxAttempts {
            guard let (_, block) = try readBlock(cidr) else {
                // Nobody has the block: claim it for the node (whatever maxBlocksPerHost says:
                // the address must come from this block).
                let claimer = BlockClaimer(client: client, node: node)
                Self.claimLock.lock()
                defer { Self.claimLock.unlock() }
                _ = try Self.mapped { () throws(ResourceClient.Failure) in try claimer.claimBlock(cidr) }
                continue
            }
            if block.node != node, config.strictAffinity { throw .notAffine(requested, block: cidr, node: block.node) }
            if let o = block.ordinal(of: requested), let h = block.allocations[o] { throw .inUse(requested, handle: h.handle) }
            if let a = try assign(handle: handle, node: node, block: cidr, address: requested) { return a }
        }
        throw .store(.conflict(key: client.keys.block(cidr), current: nil))
    }

    /// Writes one allocation into block `cidr` (the lowest free ordinal, or `address`):
    /// records the block on the handle, then read @rev → set the ordinal → update(@rev),
    /// again on a conflict. Nil when the block is full or gone (the handle record is put
    /// back). `current` is a value of the block just read, to save one read.
    private func assign(handle: String, node: String, block cidr: IPPrefix, address: IPAddress? = nil,
                        current: StoredValue? = nil) throws(Failure) -> AddressAllocation? {
        let key = client.keys.block(cidr)
        var value = current
        if value == nil { value = try readBlock(cidr)?.value }
        try addToHandle(handle, node: node, block: cidr)
        for _ in 0..<Self.maxAttempts {
            guard let v = value else { break }
            var block = try decodeBlock(v)
            let ordinal: Int
            if let address {
                guard let o = block.ordinal(of: address) else { break }
                if let h = block.allocations[o] {
                    if h.handle == handle { return AddressAllocation(address: .host(address), block: cidr, borrowed: block.node != node) }
                    try removeFromHandle(handle, block: cidr)
                    throw .inUse(address, handle: h.handle)
                }
                ordinal = o
            } else {
                guard let o = block.lowestFree else { break }
                ordinal = o
            }
            block.allocations[ordinal] = AllocationBlock.Holder(handle: handle, node: node)
            do {
                _ = try client.store.update(key, block.encoded(), ifRevision: v.revision, lease: v.lease)
                guard let a = block.address(ordinal) else { break }
                return AddressAllocation(address: .host(a), block: cidr, borrowed: block.node != node)
            } catch .conflict(_, let now) {
                value = now
            } catch {
                throw .store(error)
            }
        }
        try removeFromHandle(handle, block: cidr)
        return nil
    }

    // MARK: Release

    /// Frees every address `handle` holds and deletes its record; returns the addresses
    /// freed (none for a handle that is unknown or already released: DEL is idempotent).
    @discardableResult
    public func release(handle: String) throws(Failure) -> [IPPrefix] {
        try Self.check(handle)
        var freed: [IPPrefix] = []
        for _ in 0..<Self.maxAttempts {
            guard let record = try handleRecord(handle) else { return freed.sorted() }
            for cidr in record.handle.blocks {
                freed += try free(in: cidr) { $0.handle == handle }.map(\.address)
            }
            do {
                try client.store.delete(client.keys.handle(handle), ifRevision: record.value.revision)
                return freed.sorted()
            } catch .conflict {
                continue   // the record changed meanwhile: free what it names now
            } catch {
                throw .store(error)
            }
        }
        throw .store(.conflict(key: client.keys.handle(handle), current: nil))
    }

    /// Frees every allocation made by `node` (in its own blocks and in the blocks it
    /// borrowed from) whose handle is not in `liveHandles`, and deletes the node's handle
    /// records that are not live (CNI GC with the runtime's valid attachments). Addresses
    /// other nodes borrowed from this node's blocks are theirs to collect. Returns the
    /// addresses freed by handle.
    @discardableResult
    /// With `handlePrefix` only handles starting with it are candidates (one CNI network's
    /// `<network>.`): others (another network, `tern ipam allocate`) are left alone.
    public func garbageCollect(liveHandles: Set<String>, node: String, handlePrefix: String = "") throws(Failure) -> [String: [IPPrefix]] {
        var freed: [String: [IPPrefix]] = [:]
        let dead: (AllocationBlock.Holder) -> Bool = {
            $0.node == node && $0.handle.hasPrefix(handlePrefix) && !liveHandles.contains($0.handle)
        }
        for family in [IPFamily.v4, .v6] {
            for b in try blocks(family) where b.block.allocations.values.contains(where: dead) {
                for (handle, address) in try free(in: b.block.cidr, where: dead) { freed[handle, default: []].append(address) }
            }
        }
        let snap = try Self.stored { () throws(DatastoreError) in try client.store.list(prefix: client.keys.handles) }
        for v in snap.values {
            guard let h = IPAMHandle(decoding: v.value), h.node == node, h.id.hasPrefix(handlePrefix),
                  !liveHandles.contains(h.id) else { continue }
            let more = try release(handle: h.id)
            if !more.isEmpty { freed[h.id, default: []] += more }
        }
        return freed.mapValues { $0.sorted() }
    }

    /// Frees the allocations of block `cidr` that `match`, CAS-retried; returns the addresses freed.
    private func free(in cidr: IPPrefix, where match: (AllocationBlock.Holder) -> Bool) throws(Failure) -> [(handle: String, address: IPPrefix)] {
        let key = client.keys.block(cidr)
        for _ in 0..<Self.maxAttempts {
            guard let (v, block) = try readBlock(cidr) else { return [] }
            var kept = block
            let gone = block.allocations.filter { match($0.value) }
            if gone.isEmpty { return [] }
            for o in gone.keys { kept.allocations[o] = nil }
            do {
                _ = try client.store.update(key, kept.encoded(), ifRevision: v.revision, lease: v.lease)
                return gone.compactMap { o, h in block.address(o).map { (h.handle, IPPrefix.host($0)) } }
            } catch .conflict {
                continue
            } catch {
                throw .store(error)
            }
        }
        throw .store(.conflict(key: key, current: nil))
    }

    // MARK: Handle records

    private func handleRecord(_ id: String) throws(Failure) -> (value: StoredValue, handle: IPAMHandle)? {
        let key = client.keys.handle(id)
        guard let v = try Self.stored({ () throws(DatastoreError) in try client.store.get(key) }) else { return nil }
        guard let h = IPAMHandle(decoding: v.value) else { throw .corrupt(key: key, "not an IPAM handle record") }
        return (v, h)
    }

    /// Adds `block` to the handle's record (creating it), CAS-retried.
    private func addToHandle(_ id: String, node: String, block: IPPrefix) throws(Failure) {
        let key = client.keys.handle(id)
        for _ in 0..<Self.maxAttempts {
            let record = try handleRecord(id)
            do throws(DatastoreError) {
                if let (v, h) = record {
                    if h.blocks.contains(block) { return }
                    _ = try client.store.update(key, IPAMHandle(id: id, node: h.node, blocks: h.blocks + [block]).encoded(),
                                                ifRevision: v.revision, lease: nil)
                } else {
                    _ = try client.store.create(key, IPAMHandle(id: id, node: node, blocks: [block]).encoded(), lease: nil)
                }
                return
            } catch .conflict, .alreadyExists {
                continue
            } catch {
                throw .store(error)
            }
        }
        throw .store(.conflict(key: key, current: nil))
    }

    /// Takes `block` off the handle's record (deleting a record left empty), CAS-retried.
    private func removeFromHandle(_ id: String, block: IPPrefix) throws(Failure) {
        let key = client.keys.handle(id)
        for _ in 0..<Self.maxAttempts {
            guard let (v, h) = try handleRecord(id), h.blocks.contains(block) else { return }
            let rest = h.blocks.filter { $0 != block }
            do {
                if rest.isEmpty {
                    try client.store.delete(key, ifRevision: v.revision)
                } else {
                    try client.store.update(key, IPAMHandle(id: id, node: h.node, blocks: rest).encoded(), ifRevision: v.revision, lease: nil)
                }
                return
            } catch .conflict {
                continue
            } catch {
                throw .store(error)
            }
        }
        throw .store(.conflict(key: key, current: nil))
    }

    // MARK: Blocks

    /// Every block of `family` with its stored value, in address order.
    public func blocks(_ family: IPFamily) throws(Failure) -> [(value: StoredValue, block: AllocationBlock)] {
        let snap = try Self.stored { () throws(DatastoreError) in try client.store.list(prefix: client.keys.blocks(family)) }
        var out: [(value: StoredValue, block: AllocationBlock)] = []
        for v in snap.values { out.append((v, try decodeBlock(v))) }
        return out.sorted { $0.block.cidr < $1.block.cidr }
    }

    private func readBlock(_ cidr: IPPrefix) throws(Failure) -> (value: StoredValue, block: AllocationBlock)? {
        let key = client.keys.block(cidr)
        guard let v = try Self.stored({ () throws(DatastoreError) in try client.store.get(key) }) else { return nil }
        return (v, try decodeBlock(v))
    }

    private func decodeBlock(_ v: StoredValue) throws(Failure) -> AllocationBlock {
        do { return try AllocationBlock(decoding: v.value) } catch { throw .corrupt(key: v.key, error.description) }
    }

    // MARK: Helpers

    /// The enabled pools of `family` whose selector matches `labels`, in the given order.
    static func usable(_ pools: [(name: String, spec: IPPoolSpec)], family: IPFamily, labels: [String: String]) -> [IPPool] {
        pools.compactMap { p -> IPPool? in
            guard !p.spec.disabled, p.spec.cidr.ipFamily == family, let pool = try? p.spec.pool() else { return nil }
            if let sel = p.spec.nodeSelector, !sel.isEmpty {
                guard let s = try? CalicoSelector(parsing: sel), s.matches(labels) else { return nil }
            }
            return pool
        }
    }

    static func check(_ handle: String) throws(Failure) {
        if handle.isEmpty || handle.contains("/") { throw .invalidHandle(handle) }
    }

    static func stored<T>(_ body: () throws(DatastoreError) -> T) throws(Failure) -> T {
        do { return try body() } catch { throw .store(error) }
    }

    static func mapped<T>(_ body: () throws(ResourceClient.Failure) -> T) throws(Failure) -> T {
        do { return try body() } catch {
            if case .store(let e) = error { throw .store(e) }
            throw .store(.invalid("\(error)"))
        }
    }
}
