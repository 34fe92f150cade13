import Foundation
import NFTables
import Testing

/// The policy manager's transaction sizes: one table with a 10,000-element ipv4 set and 500
/// chains of 5 rules (~450 KB of nft text), then one element added and deleted.
@Suite(.enabled(if: runningAsRoot, "\(needsRoot)"))
struct NFTThroughputTests {
    @Test func bigTransactionAndOneElementChanges() throws {
        let t = TestTable()
        defer { t.remove() }
        let nft = try NFTContext()
        var text = "add table \(t.ref)\nadd set \(t.ref) ips { type ipv4_addr; }\n"
        for i in 0..<10_000 {
            text += "add element \(t.ref) ips { 10.\(i >> 16).\((i >> 8) & 255).\(i & 255) }\n"
        }
        for c in 0..<500 {
            text += "add chain \(t.ref) pol\(c)\n"
            for r in 0..<5 {
                text += "add rule \(t.ref) pol\(c) ip saddr @ips tcp dport \(1000 + r) counter accept\n"
            }
        }
        let clock = ContinuousClock()
        let create = try clock.measure { try nft.run(text) }
        let add = try clock.measure { try nft.run("add element \(t.ref) ips { 10.200.0.1 }") }
        let delete = try clock.measure { try nft.run("delete element \(t.ref) ips { 10.200.0.1 }") }
        let list = try clock.measure { _ = try nft.listJSON("list table \(t.ref)") }
        let fresh = try NFTContext()
        let addFresh = try clock.measure { try fresh.run("add element \(t.ref) ips { 10.200.0.2 }") }
        let json = try nft.listJSON("list table \(t.ref)")
        var listing = try NFTTableListing(json: json, table: t.name, family: "inet")
        let parse = try clock.measure { listing = try NFTTableListing(json: json, table: t.name, family: "inet") }
        // A ~100 KB transaction (the manager's size): 2,000 elements into a second set.
        var medium = "add set \(t.ref) ips2 { type ipv4_addr; }\n"
        for i in 0..<2_000 { medium += "add element \(t.ref) ips2 { 10.1.\(i >> 8).\(i & 255) }\n" }
        let hundred = try clock.measure { try nft.run(medium) }
        #expect(listing.sets["ips"]?.count == 10_001)
        #expect(listing.chains.count == 500)
        #expect(listing.chains.values.allSatisfy { $0 == 5 })
        print("NFT throughput: create \(text.utf8.count / 1024) KB (10000 elements, 500 chains x 5 rules) \(create); "
              + "add 1 element \(add); delete 1 element \(delete); add 1 element on a fresh context \(addFresh); "
              + "list table JSON \(list); NFTTableListing of it (\(json.utf8.count / 1024) KB) \(parse); "
              + "\(medium.utf8.count / 1024) KB transaction of 2000 add element lines \(hundred)")
    }
}
