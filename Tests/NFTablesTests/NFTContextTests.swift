import Foundation
import NFTables
import Testing

@Suite(.enabled(if: runningAsRoot, "\(needsRoot)"))
struct NFTContextTests {
    @Test func runCreatesATableTheCLISees() throws {
        let t = TestTable()
        defer { t.remove() }
        let nft = try NFTContext()
        try nft.run("""
            add table \(t.ref)
            add chain \(t.ref) input { type filter hook input priority 0; policy accept; }
            add rule \(t.ref) input ip saddr 192.0.2.1 drop
            """)
        let cli = try shell("nft", "list", "table", "inet", t.name)
        #expect(cli.status == 0)
        #expect(cli.output.contains("ip saddr 192.0.2.1 drop"))
    }

    /// A batch whose last line is a syntax error sends nothing (parsing precedes the batch).
    @Test func aSyntaxErrorOnTheLastLineLeavesNothing() throws {
        let t = TestTable()
        defer { t.remove() }
        let nft = try NFTContext()
        let commands = """
            add table \(t.ref)
            add chain \(t.ref) c
            add rule \(t.ref) c ip saddr 1.2.3.4 acept
            """
        let error = #expect(throws: NFTError.self) { try nft.run(commands) }
        #expect(error?.message.contains("syntax error") == true)
        #expect(error?.commands == commands)
        #expect(try shell("nft", "list", "table", "inet", t.name).status != 0)
    }

    /// A batch the kernel rejects on its last message (EEXIST from `create element`) is
    /// aborted as a whole: the table made by its first line is not there either.
    @Test func aKernelErrorOnTheLastLineLeavesNothing() throws {
        let t = TestTable()
        defer { t.remove() }
        let nft = try NFTContext()
        let error = #expect(throws: NFTError.self) {
            try nft.run("""
                add table \(t.ref)
                add set \(t.ref) a { type ipv4_addr; }
                add element \(t.ref) a { 10.0.0.1 }
                create element \(t.ref) a { 10.0.0.1 }
                """)
        }
        #expect(error?.message.contains("File exists") == true)
        #expect(try shell("nft", "list", "table", "inet", t.name).status != 0)
        // The context stays usable after an error.
        try nft.run("add table \(t.ref)")
        #expect(try shell("nft", "list", "table", "inet", t.name).status == 0)
    }

    @Test func theErrorTextIsLibnftablesOwnTrimmed() throws {
        let t = TestTable()
        let nft = try NFTContext()
        let error = #expect(throws: NFTError.self) { try nft.run("delete table \(t.ref)") }
        let message = try #require(error?.message)
        #expect(message.hasPrefix("Error: "))
        #expect(message.contains("No such file or directory"))
        #expect(message == message.trimmingCharacters(in: .whitespacesAndNewlines))
        #expect(error?.commands == "delete table \(t.ref)")
        #expect(String(describing: error!).contains("No such file or directory"))
    }

    @Test func listJSONIsJSONAndRunStaysText() throws {
        let t = TestTable()
        defer { t.remove() }
        let nft = try NFTContext()
        try nft.run("add table \(t.ref)")
        let json = try nft.listJSON("list table \(t.ref)")
        #expect(json.hasPrefix("{\"nftables\""))
        #expect(json.contains("\"handle\""))
        // After a JSON listing, text commands still parse as nft syntax.
        try nft.run("add chain \(t.ref) c")
        let listing = try NFTTableListing(json: try nft.listJSON("list table \(t.ref)"), table: t.name, family: "inet")
        #expect(listing.exists)
        #expect(listing.chains == ["c": 0])
    }
}
