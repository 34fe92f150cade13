import Foundation
import NFTables
import Testing

@Suite(.enabled(if: runningAsRoot, "\(needsRoot)"))
struct NFTTableListingKernelTests {
    /// Every kind of set the policy manager uses, a verdict map, named counters and rules,
    /// made in the kernel and read back from libnftables' JSON.
    @Test func aRealTableReadsBack() throws {
        let t = TestTable()
        defer { t.remove() }
        let nft = try NFTContext()
        try nft.run("""
            add table \(t.ref)
            add set \(t.ref) addrs { type ipv4_addr; }
            add set \(t.ref) ifaces { type ifname; }
            add set \(t.ref) nets { type ipv4_addr; flags interval; }
            add set \(t.ref) ports { type ipv4_addr . inet_proto . inet_service; counter; }
            add map \(t.ref) dispatch { type ifname : verdict; }
            add counter \(t.ref) allowed
            add counter \(t.ref) denied
            add chain \(t.ref) pol-a
            add chain \(t.ref) pol-b
            add chain \(t.ref) empty
            add rule \(t.ref) pol-a ip saddr @addrs counter name allowed accept
            add rule \(t.ref) pol-a ip saddr . meta l4proto . th dport @ports accept
            add rule \(t.ref) pol-a counter name denied drop
            add rule \(t.ref) pol-b iifname @ifaces ip daddr @nets accept
            add element \(t.ref) addrs { 10.0.0.1, 10.0.0.2 }
            add element \(t.ref) ifaces { "cali12", "cali34" }
            add element \(t.ref) nets { 10.1.0.0/16, 10.2.0.1-10.2.0.9, 10.3.0.1 }
            add element \(t.ref) ports { 10.0.0.1 . tcp . 80, 10.0.0.2 . udp . 53 }
            add element \(t.ref) dispatch { "cali12" : jump pol-a, "cali34" : goto pol-b }
            """)
        let json = try nft.listJSON("list table \(t.ref)")
        let l = try NFTTableListing(json: json, table: t.name, family: "inet")
        #expect(l.exists)
        #expect(l.chains == ["pol-a": 3, "pol-b": 1, "empty": 0])
        #expect(Set(l.sets["addrs"] ?? []) == ["10.0.0.1", "10.0.0.2"])
        #expect(Set(l.sets["ifaces"] ?? []) == ["\"cali12\"", "\"cali34\""])
        #expect(Set(l.sets["nets"] ?? []) == ["10.1.0.0/16", "10.2.0.1-10.2.0.9", "10.3.0.1"])
        #expect(Set(l.sets["ports"] ?? []) == ["10.0.0.1 . tcp . 80", "10.0.0.2 . udp . 53"])
        #expect(Set(l.sets["dispatch"] ?? []) == ["\"cali12\"", "\"cali34\""])
        #expect(l.counters.keys.sorted() == ["allowed", "denied"])
        #expect(l.counters["allowed"]?.packets == 0)

        // The rendered elements are valid nft text: deleting them by that text works.
        try nft.run("delete element \(t.ref) ports { \(l.sets["ports"]![0]) }\ndelete element \(t.ref) ifaces { \(l.sets["ifaces"]![0]) }")
        let after = try NFTTableListing(json: try nft.listJSON("list table \(t.ref)"), table: t.name, family: "inet")
        #expect(after.sets["ports"]?.count == 1)
        #expect(after.sets["ifaces"]?.count == 1)

        // `list counters table` lists the counter objects alone.
        let counters = try NFTTableListing(json: try nft.listJSON("list counters table \(t.ref)"), table: t.name, family: "inet")
        #expect(counters.counters.keys.sorted() == ["allowed", "denied"])
    }

    /// Named counters count: loopback pings through an output-hook chain.
    @Test func namedCountersCount() throws {
        let t = TestTable()
        defer { t.remove() }
        let nft = try NFTContext()
        try nft.run("""
            add table \(t.ref)
            add counter \(t.ref) pings
            add chain \(t.ref) out { type filter hook output priority 0; policy accept; }
            add rule \(t.ref) out ip daddr 127.0.0.77 icmp type echo-request counter name pings
            """)
        _ = try shell("ping", "-c", "3", "-i", "0.2", "-W", "1", "127.0.0.77")
        let l = try NFTTableListing(json: try nft.listJSON("list counters table \(t.ref)"), table: t.name, family: "inet")
        #expect(l.counters["pings"]?.packets == 3)
        #expect(l.counters["pings"]?.bytes == 3 * 84)
    }
}

struct NFTTableListingParseTests {
    @Test func otherTablesAndFamiliesAreIgnored() throws {
        let json = """
            {"nftables": [{"metainfo": {"json_schema_version": 1}},
             {"table": {"family": "ip", "name": "t", "handle": 1}},
             {"chain": {"family": "ip", "table": "t", "name": "x", "handle": 2}},
             {"table": {"family": "inet", "name": "u", "handle": 3}},
             {"set": {"family": "inet", "table": "t", "name": "s", "type": "ipv4_addr", "elem": ["1.2.3.4"]}}]}
            """
        let l = try NFTTableListing(json: json, table: "t", family: "inet")
        #expect(!l.exists)
        #expect(l.chains.isEmpty)
        #expect(l.sets == ["s": ["1.2.3.4"]])
    }

    @Test func notJSONThrows() {
        #expect(throws: NFTError.self) { try NFTTableListing(json: "Error: x", table: "t", family: "inet") }
        #expect(throws: NFTError.self) { try NFTTableListing(json: "[1]", table: "t", family: "inet") }
    }

    @Test func anonymousSetsAndElementOptionsRender() throws {
        let json = """
            {"nftables": [{"set": {"family": "inet", "table": "t", "name": "s", "type": ["ifname", "inet_service"],
              "elem": [{"elem": {"val": {"concat": ["cali1", {"range": [1000, 2000]}]}, "timeout": 30}}]}}]}
            """
        let l = try NFTTableListing(json: json, table: "t", family: "inet")
        #expect(l.sets["s"] == ["\"cali1\" . 1000-2000"])
    }
}
