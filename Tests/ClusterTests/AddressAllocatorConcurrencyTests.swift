import Cluster
import Datastore
import EtcdTestSupport
import Foundation
import IPCore
import Model
import Testing

/// Concurrent ADDs and DELs on one node, through several store instances (as several
/// processes or connections would): never one address twice, nothing leaked.
@Suite(.serialized) struct AddressAllocatorConcurrencyTests {
    typealias Pools = [(name: String, spec: IPPoolSpec)]
    /// Four /26 blocks.
    static let pool: Pools = [(name: "p", spec: IPPoolSpec(cidr: IPPrefix("10.250.0.0/24")!, blockSize: 26))]
    /// Sixteen /28 blocks: churn with 50 live addresses needs at least four of them.
    static let small: Pools = [(name: "s", spec: IPPoolSpec(cidr: IPPrefix("10.251.0.0/24")!, blockSize: 28))]

    /// 50 ADDs at once on 50 threads (five store instances): 50 distinct addresses, all in one block
    /// claimed once, each recorded with its handle.
    func fiftyAtOnce(_ b: IPAMBackend) throws {
        let allocators = try (0..<5).map { _ in try b.allocator() }
        let held = HeldAddresses()
        let parallel = Parallel()
        parallel.run(50) { i in
            do throws(AddressAllocator.Failure) {
                let a = try allocators[i % 5].allocate(handle: "tern.p\(i)", family: .v4, pools: Self.pool, node: "n1")
                held.take(a.address, by: "tern.p\(i)")
            } catch {
                held.fail("tern.p\(i): \(error)")
            }
        }
        #expect(parallel.maxInFlight >= 25, "only \(parallel.maxInFlight) ADDs at once")
        #expect(held.errors.isEmpty, "\(held.errors)")
        #expect(held.duplicates.isEmpty, "\(held.duplicates)")
        #expect(Set(held.all).count == 50)
        let blocks = try allocators[0].blocks(.v4)
        #expect(blocks.count == 1, "\(blocks.map(\.block.cidr))")
        let byHandle = Dictionary(uniqueKeysWithValues: blocks.flatMap { b in
            b.block.allocations.map { ($0.value.handle, IPPrefix.host(b.block.address($0.key)!)) }
        })
        #expect(byHandle == held.current.reduce(into: [:]) { $0[$1.value] = $1.key })
    }

    /// 500 ADD/DEL cycles, 50 worker threads at once (five store instances, /28 blocks so that
    /// blocks are claimed under load): no address held by two handles at any moment, and at
    /// the end the blocks' allocations and the handle records are exactly the live handles.
    func churn(_ b: IPAMBackend) throws {
        let allocators = try (0..<5).map { _ in try b.allocator() }
        let held = HeldAddresses()
        let cycles = 10
        let parallel = Parallel()
        parallel.run(50) { w in
            let ipam = allocators[w % 5]
            for c in 0..<cycles {
                let handle = "tern.w\(w).\(c)"
                do throws(AddressAllocator.Failure) {
                    let a = try ipam.allocate(handle: handle, family: .v4, pools: Self.small, node: "n1")
                    held.take(a.address, by: handle)
                    if c < cycles - 1 {
                        held.drop(a.address)
                        #expect(try ipam.release(handle: handle) == [a.address])
                    }
                } catch {
                    held.fail("\(handle): \(error)")
                }
            }
        }
        #expect(parallel.maxInFlight >= 25, "only \(parallel.maxInFlight) workers at once")
        #expect(held.errors.isEmpty, "\(held.errors.prefix(5))")
        #expect(held.duplicates.isEmpty, "\(held.duplicates.prefix(5))")
        #expect(held.all.count == 500)
        let live = Set((0..<50).map { "tern.w\($0).\(cycles - 1)" })
        let blocks = try allocators[0].blocks(.v4)
        let allocated = blocks.flatMap { b in b.block.allocations.map { ($0.value.handle, IPPrefix.host(b.block.address($0.key)!)) } }
        #expect(allocated.count == 50 && Set(allocated.map(\.0)) == live)
        #expect(Dictionary(uniqueKeysWithValues: allocated) == held.current.reduce(into: [:]) { $0[$1.value] = $1.key })
        #expect(blocks.allSatisfy { $0.block.node == "n1" })
        let client = try b.client()
        let records = try client.store.list(prefix: client.keys.handles).values.compactMap { IPAMHandle(decoding: $0.value)?.id }
        #expect(Set(records) == live && records.count == 50)
    }

    /// Two nodes whose block search starts at the same block (BlockClaimerTests' racers),
    /// 25 ADDs each at once on their own store instances: distinct addresses, each from a
    /// block of its own node (nobody borrows while free blocks are left), no block shared.
    func twoNodesAtOnce(_ b: IPAMBackend) throws {
        let nodes = ["x", "d"]
        let allocators = try (0..<2).map { _ in try b.allocator() }
        let held = HeldAddresses()
        let results = Results2()
        Parallel().run(50) { i in
            let node = nodes[i % 2]
            do throws(AddressAllocator.Failure) {
                let a = try allocators[i % 2].allocate(handle: "tern.\(node)\(i)", family: .v4, pools: Self.small, node: node)
                held.take(a.address, by: "tern.\(node)\(i)")
                results.add(node, a)
            } catch {
                held.fail("\(node) \(i): \(error)")
            }
        }
        #expect(held.errors.isEmpty, "\(held.errors.prefix(5))")
        #expect(held.duplicates.isEmpty && Set(held.all).count == 50)
        let blocks = try allocators[0].blocks(.v4)
        let owner = Dictionary(uniqueKeysWithValues: blocks.map { ($0.block.cidr, $0.block.node) })
        for node in nodes {
            let got = results.get(node)
            #expect(got.count == 25 && got.allSatisfy { !$0.borrowed && owner[$0.block] == node }, "\(node): \(got)")
        }
        #expect(blocks.allSatisfy { b in b.block.allocations.values.allSatisfy { $0.node == b.block.node } })
    }

    @Test func fileFiftyAtOnce() throws { try IPAMBackend.with(IPAMBackend.file, fiftyAtOnce) }
    @Test func fileChurn() throws { try IPAMBackend.with(IPAMBackend.file, churn) }
    @Test func fileTwoNodesAtOnce() throws { try IPAMBackend.with(IPAMBackend.file, twoNodesAtOnce) }

    static let etcdNote: Comment = "etcd is not installed (make deps installs etcd-server)"
    @Test(.enabled(if: EtcdServer.available, etcdNote)) func etcdFiftyAtOnce() throws { try IPAMBackend.with(IPAMBackend.etcd, fiftyAtOnce) }
    @Test(.enabled(if: EtcdServer.available, etcdNote)) func etcdChurn() throws { try IPAMBackend.with(IPAMBackend.etcd, churn) }
    @Test(.enabled(if: EtcdServer.available, etcdNote)) func etcdTwoNodesAtOnce() throws { try IPAMBackend.with(IPAMBackend.etcd, twoNodesAtOnce) }
}

/// Allocations per node, collected by concurrent workers.
final class Results2: @unchecked Sendable {
    private let lock = NSLock()
    private var byNode: [String: [AddressAllocation]] = [:]
    func add(_ node: String, _ a: AddressAllocation) { lock.withLock { byNode[node, default: []].append(a) } }
    func get(_ node: String) -> [AddressAllocation] { lock.withLock { byNode[node] ?? [] } }
}
