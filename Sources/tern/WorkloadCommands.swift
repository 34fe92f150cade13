import ArgumentParser
import TernAPI
import Foundation

/// `tern workload add|del|list`: local workloads (pods) of the running daemon.
struct WorkloadCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "workload",
        abstract: "Add, delete or list local workloads (pods): a /32 route to the workload's interface.",
        subcommands: [Add.self, Delete.self, List.self]
    )

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "add", abstract: "Add a workload (kept across daemon restarts).")
        @OptionGroup var options: SocketOptions
        @Option(name: .long, help: "Unique workload name.") var name: String
        @Option(name: .long, help: "Host-side interface, e.g. cali1a2b3c.") var interface: String
        @Option(name: .long, help: "Workload address (/32 or /128); repeatable.") var ip: [String]
        @Option(name: .long, help: "Workload MAC, for a permanent neighbour entry.") var mac: String?

        func run() throws {
            let w = ControlProtocol.Workload(name: name, interface: interface, ipNetworks: ip, mac: mac)
            let r = try options.send(.init(.workloadAdd, workload: w))
            if options.json { try options.printJSON(r.workloads ?? []) } else { print("workload \(name) added") }
        }
    }

    struct Delete: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "del", abstract: "Delete a workload added with `workload add`.")
        @OptionGroup var options: SocketOptions
        @Option(name: .long, help: "The workload's name.") var name: String

        func run() throws {
            let r = try options.send(.init(.workloadDelete, workload: .init(name: name, interface: "", ipNetworks: [])))
            if options.json { try options.printJSON(r.workloads ?? []) } else { print("workload \(name) deleted") }
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List workloads.")
        @OptionGroup var options: SocketOptions

        func run() throws {
            let list = try options.send(.init(.workloadList)).workloads ?? []
            if options.json { try options.printJSON(list); return }
            var t = TextTable(["NAME", "INTERFACE", "ADDRESSES", "MAC", "FROM"])
            for w in list { t.add([w.name, w.interface, w.ipNetworks.joined(separator: " "), w.mac ?? "-", w.origin ?? "-"]) }
            print(list.isEmpty ? "No workloads." : t.rendered)
        }
    }
}

/// `tern fib`: what the dataplane wants in the kernel, what is there, and each route's state.
struct FIBCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fib", abstract: "Show desired vs kernel routes with their state (installed, pending, error, conflict, stale).")
    @OptionGroup var options: SocketOptions

    func run() throws {
        let rows = try options.send(.init(.fib)).fib ?? []
        if options.json { try options.printJSON(rows); return }
        var t = TextTable(["PREFIX", "STATE", "SOURCE", "DESIRED", "KERNEL", "DETAIL"])
        for r in rows {
            t.add([r.prefix, r.state.rawValue, r.source ?? "-", r.desired ?? "-", r.kernel.isEmpty ? "-" : r.kernel.joined(separator: "; "), r.detail ?? ""])
        }
        print(rows.isEmpty ? "No routes." : t.rendered)
    }
}
