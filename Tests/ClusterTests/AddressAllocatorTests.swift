import Cluster
import Datastore
import EtcdTestSupport
import Foundation
import IPCore
import Model
import Testing

/// AddressAllocator against the real stores (a FileDatastore directory and a real etcd):
/// order, block claims, borrowing, strict affinity, static requests, release, GC, IPv6.
@Suite(.serialized) struct AddressAllocatorTests {
    typealias Pools = [(name: String, spec: IPPoolSpec)]
    /// One /26 block.
    static let one: Pools = [(name: "one", spec: IPPoolSpec(cidr: IPPrefix("10.250.0.0/26")!, blockSize: 26))]
    /// Two /28 blocks of 16 addresses.
    static let small: Pools = [(name: "small", spec: IPPoolSpec(cidr: IPPrefix("10.251.0.0/27")!, blockSize: 28))]
    /// Four /122 blocks.
    static let v6: Pools = [(name: "six", spec: IPPoolSpec(cidr: IPPrefix("fd00:250::/120")!, blockSize: 122))]

    static func p(_ s: String) -> IPPrefix { IPPrefix(s)! }

    // MARK: Scenarios

    /// Addresses come in order from the lowest free ordinal (.0 included), a retried ADD gets
    /// its address again, a released address is the next one handed out, the block is a
    /// BlockClaimer block (confirmed affinity, kept by a later claim).
    func sequential(_ b: IPAMBackend) throws {
        let ipam = try b.allocator()
        var got: [AddressAllocation] = []
        for i in 0..<5 { got.append(try ipam.allocate(handle: "tern.c\(i)", family: .v4, pools: Self.one, node: "n1")) }
        #expect(got.map(\.address) == (0..<5).map { Self.p("10.250.0.\($0)/32") })
        #expect(got.allSatisfy { $0.block == Self.p("10.250.0.0/26") && !$0.borrowed })
        #expect(try ipam.allocate(handle: "tern.c3", family: .v4, pools: Self.one, node: "n1") == got[3])
        #expect(try ipam.release(handle: "tern.c1") == [Self.p("10.250.0.1/32")])
        #expect(try ipam.allocate(handle: "tern.c5", family: .v4, pools: Self.one, node: "n1").address == Self.p("10.250.0.1/32"))
        #expect(try ipam.allocate(handle: "tern.c6", family: .v4, pools: Self.one, node: "n1").address == Self.p("10.250.0.5/32"))

        let blocks = try ipam.blocks(.v4)
        #expect(blocks.count == 1 && blocks[0].block.node == "n1")
        #expect(Set(blocks[0].block.allocations.values.map(\.handle)) == ["tern.c0", "tern.c2", "tern.c3", "tern.c4", "tern.c5", "tern.c6"])
        let client = try b.client()
        let record = try #require(try client.store.get(client.keys.handle("tern.c0")))
        #expect(IPAMHandle(decoding: record.value) == IPAMHandle(id: "tern.c0", node: "n1", blocks: [Self.p("10.250.0.0/26")]))
        let affinities = try client.list(.blockAffinity).resources.compactMap { r -> BlockAffinitySpec? in
            if case .blockAffinity(let s) = r.spec { return s } else { return nil }
        }
        #expect(affinities == [BlockAffinitySpec(state: .confirmed, node: "n1", cidr: Self.p("10.250.0.0/26"))])
        #expect(try BlockClaimer(client: client, node: "n1").claim(pools: Self.one, labels: [:]) == [Self.p("10.250.0.0/26")])
    }

    /// The 17th address of a node whose /28 is full comes from a second block it claims.
    func fullBlockClaimsAnother(_ b: IPAMBackend) throws {
        let ipam = try b.allocator()
        let got = try (0..<17).map { try ipam.allocate(handle: "tern.f\($0)", family: .v4, pools: Self.small, node: "n1") }
        let first = got[0].block
        #expect(got[..<16].allSatisfy { $0.block == first })
        #expect(got[16].block != first && !got[16].borrowed && got[16].address == .host(got[16].block.address))
        #expect(Set(got.map(\.address)).count == 17)
        #expect(try ipam.blocks(.v4).filter { $0.block.node == "n1" }.map(\.block.cidr) == [Self.p("10.251.0.0/28"), Self.p("10.251.0.16/28")])
    }

    /// maxBlocksPerHost reached: with strictAffinity off the address is borrowed from another
    /// node's block (flagged, recorded with the borrower); with it on, a clear error.
    func borrowAndStrictAffinity(_ b: IPAMBackend) throws {
        let ipam = try b.allocator()
        let a = try ipam.allocate(handle: "tern.a", family: .v4, pools: Self.small, node: "n1")
        let limit = IPAMConfigurationSpec(strictAffinity: false, maxBlocksPerHost: 1)
        let own = try (0..<16).map { try ipam.allocate(handle: "tern.b\($0)", family: .v4, pools: Self.small, node: "n2", config: limit) }
        #expect(own.allSatisfy { !$0.borrowed && $0.block != a.block })
        let borrowed = try ipam.allocate(handle: "tern.b16", family: .v4, pools: Self.small, node: "n2", config: limit)
        #expect(borrowed.borrowed && borrowed.block == a.block && borrowed.address == Self.p("10.251.0.1/32"))
        let owner = try #require(try ipam.blocks(.v4).first { $0.block.cidr == a.block })
        #expect(owner.block.node == "n1" && owner.block.allocations[1] == .init(handle: "tern.b16", node: "n2"))
        // A retried ADD of the borrowed address says it is borrowed again.
        #expect(try ipam.allocate(handle: "tern.b16", family: .v4, pools: Self.small, node: "n2", config: limit) == borrowed)

        let strict = IPAMConfigurationSpec(strictAffinity: true, maxBlocksPerHost: 1)
        let e = #expect(throws: AddressAllocator.Failure.self) {
            try ipam.allocate(handle: "tern.b17", family: .v4, pools: Self.small, node: "n2", config: strict)
        }
        #expect(e?.description == "no IPv4 address left for node n2: its 1 blocks are full and maxBlocksPerHost is 1; strictAffinity forbids borrowing from other nodes' blocks")
        // n3 finds no free block at all: borrows without the strict flag, an error with it.
        #expect(try ipam.allocate(handle: "tern.c", family: .v4, pools: Self.small, node: "n3").borrowed)
        let e3 = #expect(throws: AddressAllocator.Failure.self) {
            try ipam.allocate(handle: "tern.d", family: .v4, pools: Self.small, node: "n3", config: IPAMConfigurationSpec(strictAffinity: true))
        }
        #expect(e3?.description.contains("no pool has a free block (10.251.0.0/27); strictAffinity forbids borrowing") == true)
        // The failed attempts left no handle record behind.
        let client = try b.client()
        #expect(try client.store.get(client.keys.handle("tern.b17")) == nil && client.store.get(client.keys.handle("tern.d")) == nil)
    }

    /// A static address: honoured when free (its block claimed), an error when in use,
    /// outside the pools, of the other family, or in another node's block under strictAffinity.
    func staticRequests(_ b: IPAMBackend) throws {
        let ipam = try b.allocator()
        let ten = IPAddress("10.250.0.10")!
        let s = try ipam.allocate(handle: "tern.s1", family: .v4, pools: Self.one, node: "n1", requested: ten)
        #expect(s == AddressAllocation(address: .host(ten), block: Self.p("10.250.0.0/26"), borrowed: false))
        #expect(try ipam.allocate(handle: "tern.s1", family: .v4, pools: Self.one, node: "n1", requested: ten) == s)
        #expect(throws: AddressAllocator.Failure.inUse(ten, handle: "tern.s1")) {
            try ipam.allocate(handle: "tern.s2", family: .v4, pools: Self.one, node: "n1", requested: ten)
        }
        #expect(throws: AddressAllocator.Failure.handleHolds(handle: "tern.s1", .host(ten))) {
            try ipam.allocate(handle: "tern.s1", family: .v4, pools: Self.one, node: "n1", requested: IPAddress("10.250.0.12")!)
        }
        #expect(throws: AddressAllocator.Failure.notInPool(IPAddress("10.99.0.1")!)) {
            try ipam.allocate(handle: "tern.s3", family: .v4, pools: Self.one, node: "n1", requested: IPAddress("10.99.0.1")!)
        }
        #expect(throws: AddressAllocator.Failure.wrongFamily(IPAddress("fd00::1")!, .v4)) {
            try ipam.allocate(handle: "tern.s4", family: .v4, pools: Self.one, node: "n1", requested: IPAddress("fd00::1")!)
        }
        let eleven = IPAddress("10.250.0.11")!
        #expect(throws: AddressAllocator.Failure.notAffine(eleven, block: Self.p("10.250.0.0/26"), node: "n1")) {
            try ipam.allocate(handle: "tern.s5", family: .v4, pools: Self.one, node: "n2",
                              config: IPAMConfigurationSpec(strictAffinity: true), requested: eleven)
        }
        #expect(try ipam.allocate(handle: "tern.s5", family: .v4, pools: Self.one, node: "n2", requested: eleven).borrowed)
        // Automatic allocations go around the static ones.
        let auto = try (0..<12).map { try ipam.allocate(handle: "tern.x\($0)", family: .v4, pools: Self.one, node: "n1").address }
        #expect(auto == ((0..<10).map { Self.p("10.250.0.\($0)/32") } + [Self.p("10.250.0.12/32"), Self.p("10.250.0.13/32")]))
        let client = try b.client()
        for h in ["tern.s2", "tern.s3", "tern.s4"] { #expect(try client.store.get(client.keys.handle(h)) == nil) }
    }

    /// Releasing twice, or a handle never seen, is fine; the address is free again; what a
    /// crash half-way through an ADD leaves is settled by the retried ADD or the DEL.
    func releaseIsIdempotent(_ b: IPAMBackend) throws {
        let ipam = try b.allocator()
        #expect(try ipam.release(handle: "tern.never") == [])
        let a = try ipam.allocate(handle: "tern.r", family: .v4, pools: Self.one, node: "n1")
        #expect(try ipam.release(handle: "tern.r") == [a.address])
        #expect(try ipam.release(handle: "tern.r") == [])
        let client = try b.client()
        #expect(try client.store.get(client.keys.handle("tern.r")) == nil)
        #expect(try ipam.blocks(.v4).allSatisfy { $0.block.allocations.isEmpty })
        #expect(try ipam.allocate(handle: "tern.r2", family: .v4, pools: Self.one, node: "n1").address == a.address)
        #expect(throws: AddressAllocator.Failure.invalidHandle("a/b")) { try ipam.release(handle: "a/b") }
        // A crash between the handle record and the block write left a record naming a block
        // the handle holds nothing in: an ADD retried gets an address, a DEL clears both.
        let block = Self.p("10.250.0.0/26")
        try client.store.create(client.keys.handle("tern.crash"), IPAMHandle(id: "tern.crash", node: "n1", blocks: [block]).encoded(), lease: nil)
        let retried = try ipam.allocate(handle: "tern.crash", family: .v4, pools: Self.one, node: "n1")
        #expect(retried.address == Self.p("10.250.0.1/32"))
        let record = try #require(try client.store.get(client.keys.handle("tern.crash")))
        #expect(IPAMHandle(decoding: record.value)?.blocks == [block])
        #expect(try ipam.release(handle: "tern.crash") == [retried.address])
        try client.store.create(client.keys.handle("tern.crash2"), IPAMHandle(id: "tern.crash2", node: "n1", blocks: [block]).encoded(), lease: nil)
        #expect(try ipam.release(handle: "tern.crash2") == [])
        #expect(try client.store.get(client.keys.handle("tern.crash2")) == nil)
    }

    /// GC frees exactly the node's allocations whose handles are not live (one without a
    /// handle record too, as a crash could leave), and leaves another node's borrowed one.
    func garbageCollection(_ b: IPAMBackend) throws {
        let ipam = try b.allocator()
        let got = try (0..<6).map { try ipam.allocate(handle: "tern.g\($0)", family: .v4, pools: Self.one, node: "n1") }
        let borrowed = try ipam.allocate(handle: "tern.other", family: .v4, pools: Self.one, node: "n2", requested: IPAddress("10.250.0.40")!)
        #expect(borrowed.borrowed)
        // An allocation written into the block without its handle record.
        let client = try b.client()
        let key = client.keys.block(Self.p("10.250.0.0/26"))
        let v = try #require(try client.store.get(key))
        var block = try AllocationBlock(decoding: v.value)
        block.allocations[50] = .init(handle: "tern.orphan", node: "n1")
        try client.store.update(key, block.encoded(), ifRevision: v.revision, lease: nil)

        let live: Set<String> = ["tern.g0", "tern.g2", "tern.g4"]
        let freed = try ipam.garbageCollect(liveHandles: live, node: "n1")
        #expect(freed == ["tern.g1": [got[1].address], "tern.g3": [got[3].address], "tern.g5": [got[5].address],
                          "tern.orphan": [Self.p("10.250.0.50/32")]])
        let after = try ipam.blocks(.v4)
        #expect(Set(after.flatMap { $0.block.allocations.values.map(\.handle) }) == live.union(["tern.other"]))
        let records = try client.store.list(prefix: client.keys.handles).values.compactMap { IPAMHandle(decoding: $0.value)?.id }
        #expect(Set(records) == live.union(["tern.other"]))
        #expect(try ipam.garbageCollect(liveHandles: live, node: "n1") == [:])
    }

    /// IPv6 pools: /128s in order from a /122, and a dual-stack handle holds one of each
    /// family (two blocks on its record), both freed by one release.
    func ipv6(_ b: IPAMBackend) throws {
        let ipam = try b.allocator()
        let pools = Self.one + Self.v6
        let four = try ipam.allocate(handle: "tern.ds", family: .v4, pools: pools, node: "n1")
        let six = try ipam.allocate(handle: "tern.ds", family: .v6, pools: pools, node: "n1")
        #expect(four.address == Self.p("10.250.0.0/32"))
        #expect(six.address.length == 128 && six.block.length == 122 && Self.p("fd00:250::/120").contains(six.block))
        #expect(six.address == .host(six.block.address))
        let next = try ipam.allocate(handle: "tern.ds2", family: .v6, pools: pools, node: "n1")
        #expect(next.block == six.block && next.address == .host(AllocationBlock(cidr: six.block, node: nil).address(1)!))
        #expect(try ipam.allocate(handle: "tern.ds", family: .v6, pools: pools, node: "n1") == six)
        let client = try b.client()
        let record = try #require(try client.store.get(client.keys.handle("tern.ds")))
        #expect(IPAMHandle(decoding: record.value)?.blocks == [four.block, six.block])
        #expect(try ipam.release(handle: "tern.ds") == [four.address, six.address])
        #expect(throws: AddressAllocator.Failure.noPool(family: .v6, node: "n1")) {
            try ipam.allocate(handle: "tern.none", family: .v6, pools: Self.one, node: "n1")
        }
    }

    // MARK: File store

    @Test func fileSequential() throws { try IPAMBackend.with(IPAMBackend.file, sequential) }
    @Test func fileFullBlockClaimsAnother() throws { try IPAMBackend.with(IPAMBackend.file, fullBlockClaimsAnother) }
    @Test func fileBorrowAndStrictAffinity() throws { try IPAMBackend.with(IPAMBackend.file, borrowAndStrictAffinity) }
    @Test func fileStaticRequests() throws { try IPAMBackend.with(IPAMBackend.file, staticRequests) }
    @Test func fileReleaseIsIdempotent() throws { try IPAMBackend.with(IPAMBackend.file, releaseIsIdempotent) }
    @Test func fileGarbageCollection() throws { try IPAMBackend.with(IPAMBackend.file, garbageCollection) }
    @Test func fileIPv6() throws { try IPAMBackend.with(IPAMBackend.file, ipv6) }

    // MARK: etcd

    static let etcdNote: Comment = "etcd is not installed (make deps installs etcd-server)"
    @Test(.enabled(if: EtcdServer.available, etcdNote)) func etcdSequential() throws { try IPAMBackend.with(IPAMBackend.etcd, sequential) }
    @Test(.enabled(if: EtcdServer.available, etcdNote)) func etcdFullBlockClaimsAnother() throws { try IPAMBackend.with(IPAMBackend.etcd, fullBlockClaimsAnother) }
    @Test(.enabled(if: EtcdServer.available, etcdNote)) func etcdBorrowAndStrictAffinity() throws { try IPAMBackend.with(IPAMBackend.etcd, borrowAndStrictAffinity) }
    @Test(.enabled(if: EtcdServer.available, etcdNote)) func etcdStaticRequests() throws { try IPAMBackend.with(IPAMBackend.etcd, staticRequests) }
    @Test(.enabled(if: EtcdServer.available, etcdNote)) func etcdReleaseIsIdempotent() throws { try IPAMBackend.with(IPAMBackend.etcd, releaseIsIdempotent) }
    @Test(.enabled(if: EtcdServer.available, etcdNote)) func etcdGarbageCollection() throws { try IPAMBackend.with(IPAMBackend.etcd, garbageCollection) }
    @Test(.enabled(if: EtcdServer.available, etcdNote)) func etcdIPv6() throws { try IPAMBackend.with(IPAMBackend.etcd, ipv6) }
}
