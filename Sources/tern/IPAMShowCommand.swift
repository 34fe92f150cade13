import ArgumentParser
import Cluster
import Foundation
import IPCore

/// `tern ipam show`: every IPAM block in the datastore with its node, how many addresses
/// are in use and by which handles (`calicoctl ipam show --show-blocks`). Reads the
/// datastore directly, like `tern get`; no daemon needed.
struct IPAMShowCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "show",
        abstract: "List the datastore's IPAM blocks, their nodes and their allocations.")
    @OptionGroup var datastore: DatastoreOptions
    @Option(name: .shortAndLong, help: "table (default), wide (one line per allocation) or json.") var output = "table"

    /// One block as `-o json` prints it.
    struct Row: Codable {
        var block: String
        var node: String?
        var size: Int
        var inUse: Int
        /// address -> holder (handle, node), borrowed ones included.
        var allocations: [String: String]
        var borrowedBy: [String]
    }

    func run() throws {
        try failing {
            let client = try datastore.client()
            var rows: [Row] = []
            do {
                let allocator = AddressAllocator(client: client)
                for family in [IPFamily.v4, .v6] {
                    for (_, b) in try allocator.blocks(family) {
                        var allocations: [String: String] = [:]
                        var borrowers: Set<String> = []
                        for (ordinal, holder) in b.allocations {
                            guard let a = b.address(ordinal) else { continue }
                            allocations[a.description] = "\(holder.handle) (\(holder.node))"
                            if holder.node != b.node { borrowers.insert(holder.node) }
                        }
                        rows.append(Row(block: b.cidr.description, node: b.node, size: b.size, inUse: b.allocations.count,
                                        allocations: allocations, borrowedBy: borrowers.sorted()))
                    }
                }
            } catch {
                throw CLIFailure("cannot read the IPAM blocks: \(error)", code: 1)
            }
            rows.sort { $0.block < $1.block }
            switch output {
            case "json":
                let data = try JSONEncoder.sorted.encode(rows)
                print(String(decoding: data, as: UTF8.self))
            case "wide":
                var t = TextTable(["BLOCK", "NODE", "ADDRESS", "HANDLE"])
                for r in rows {
                    for (a, h) in r.allocations.sorted(by: { $0.key < $1.key }) { t.add([r.block, r.node ?? "-", a, h]) }
                }
                print(rows.isEmpty ? "No IPAM blocks." : t.rendered)
            default:
                var t = TextTable(["BLOCK", "NODE", "IN USE", "BORROWED BY"])
                for r in rows {
                    t.add([r.block, r.node ?? "-", "\(r.inUse)/\(r.size)", r.borrowedBy.isEmpty ? "-" : r.borrowedBy.joined(separator: ",")])
                }
                print(rows.isEmpty ? "No IPAM blocks." : t.rendered)
            }
        }
    }
}

extension JSONEncoder {
    /// Pretty, with sorted keys (stable output for scripts and tests).
    static var sorted: JSONEncoder {
        let e = JSONEncoder()
        e.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return e
    }
}
