import Cluster
import Foundation
import IPCore
import Testing

/// The stored block value: JSON both ways, what BlockClaimer writes still decodes, ordinals.
struct AllocationBlockTests {
    @Test func jsonRoundTripAndShape() throws {
        let cidr = IPPrefix("10.244.0.0/26")!
        let b = AllocationBlock(cidr: cidr, node: "node-a",
                                allocations: [0: .init(handle: "tern.c0", node: "node-a"), 63: .init(handle: "tern.c63", node: "node-b")])
        let text = String(decoding: b.encoded(), as: UTF8.self)
        #expect(text == #"{"affinity":"host:node-a","allocations":{"0":{"handle":"tern.c0","node":"node-a"},"# +
                        #""63":{"handle":"tern.c63","node":"node-b"}},"cidr":"10.244.0.0/26"}"#)
        let back = try AllocationBlock(decoding: b.encoded())
        #expect(back == b)
        #expect(back.node == "node-a")
        #expect(back.ordinals(of: "tern.c63") == [63])
    }

    @Test func blockClaimersValueIsAnEmptyBlock() throws {
        let b = try AllocationBlock(decoding: Array(#"{"affinity":"host:n1","cidr":"10.244.0.64/26"}"#.utf8))
        #expect(b.node == "n1" && b.allocations.isEmpty && b.size == 64 && b.lowestFree == 0)
        #expect(String(decoding: b.encoded(), as: UTF8.self) == #"{"affinity":"host:n1","cidr":"10.244.0.64/26"}"#)
    }

    @Test func badValuesAreRefused() {
        #expect(throws: AllocationBlock.DecodeError.self) { try AllocationBlock(decoding: Array("nope".utf8)) }
        #expect(throws: AllocationBlock.DecodeError.self) { try AllocationBlock(decoding: Array(#"{"cidr":"10.0.0.1/26"}"#.utf8)) }
        #expect(throws: AllocationBlock.DecodeError.self) {
            try AllocationBlock(decoding: Array(#"{"cidr":"10.0.0.0/26","allocations":{"64":{"handle":"h","node":"n"}}}"#.utf8))
        }
    }

    /// Every address is an ordinal, the network and the broadcast address included.
    @Test func ordinalsCoverTheWholeBlock() {
        let b = AllocationBlock(cidr: IPPrefix("10.244.0.64/26")!, node: nil)
        #expect(b.address(0) == IPAddress("10.244.0.64"))
        #expect(b.address(63) == IPAddress("10.244.0.127"))
        #expect(b.address(64) == nil && b.address(-1) == nil)
        #expect(b.ordinal(of: IPAddress("10.244.0.100")!) == 36)
        #expect(b.ordinal(of: IPAddress("10.244.0.128")!) == nil)
        let v6 = AllocationBlock(cidr: IPPrefix("fd00:10:244::1:0/122")!, node: nil)
        #expect(v6.size == 64)
        #expect(v6.address(0) == IPAddress("fd00:10:244::1:0"))
        #expect(v6.address(63) == IPAddress("fd00:10:244::1:3f"))
        #expect(v6.ordinal(of: IPAddress("fd00:10:244::1:2a")!) == 42)
        #expect(v6.ordinal(of: IPAddress("10.244.0.1")!) == nil)
    }

    @Test func lowestFreeAndFull() {
        var b = AllocationBlock(cidr: IPPrefix("10.0.0.0/30")!, node: "n")
        for o in [0, 1, 3] { b.allocations[o] = .init(handle: "h\(o)", node: "n") }
        #expect(b.lowestFree == 2 && !b.isFull)
        b.allocations[2] = .init(handle: "h2", node: "n")
        #expect(b.lowestFree == nil && b.isFull)
    }

    @Test func handleRecordRoundTrip() {
        let h = IPAMHandle(id: "tern.abc", node: "n1", blocks: [IPPrefix("fd00::/122")!, IPPrefix("10.0.0.0/26")!, IPPrefix("10.0.0.0/26")!])
        #expect(h.blocks == [IPPrefix("10.0.0.0/26")!, IPPrefix("fd00::/122")!])
        #expect(String(decoding: h.encoded(), as: UTF8.self) == #"{"blocks":["10.0.0.0/26","fd00::/122"],"handleID":"tern.abc","node":"n1"}"#)
        #expect(IPAMHandle(decoding: h.encoded()) == h)
        #expect(IPAMHandle(decoding: Array("{}".utf8)) == nil)
    }
}
