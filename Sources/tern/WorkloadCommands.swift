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
        @Option(name: [.customShort("n"), .long], help: "The pod's namespace (default: default).") var namespace: String?
        @Option(name: .long, help: "A pod label key=value (repeatable); none given: the datastore Pod's labels.") var label: [String] = []
        @Option(name: .long, help: "A named container port NAME=PORT[/TCP|UDP|SCTP] (repeatable), for NetworkPolicy named ports.") var port: [String] = []
        @OptionGroup var datastore: DatastoreOptions

        func run() throws {
            let ports = try port.map(PodWriter.namedPort)
            if !label.isEmpty || !ports.isEmpty {
                // The datastore's Pod carries what policy selects by (kubectl label pod's object).
                try PodWriter.write(name: name, namespace: namespace ?? "default",
                                    labels: label.isEmpty ? nil : try PodWriter.labels(label),
                                    ports: ports.isEmpty ? nil : ports, datastore: datastore)
            }
            var labels: [String: String] = [:]
            for l in label {
                guard let eq = l.firstIndex(of: "="), eq != l.startIndex else {
                    throw ValidationError("--label \(l): write key=value")
                }
                labels[String(l[..<eq])] = String(l[l.index(after: eq)...])
            }
            let w = ControlProtocol.Workload(name: name, namespace: namespace, interface: interface, ipNetworks: ip, mac: mac,
                                             labels: label.isEmpty ? nil : labels)
            let r = try options.send(.init(.workloadAdd, workload: w))
            if options.json { try options.printJSON(r.workloads ?? []) } else { print("workload \(w.qualifiedName) added") }
        }
    }

    struct Delete: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "del", abstract: "Delete a workload added with `workload add`.")
        @OptionGroup var options: SocketOptions
        @Option(name: .long, help: "The workload's name (or namespace/name).") var name: String
        @Option(name: [.customShort("n"), .long], help: "The pod's namespace (default: default).") var namespace: String?

        func run() throws {
            let w = ControlProtocol.Workload(name: name, namespace: namespace, interface: "", ipNetworks: [])
            let r = try options.send(.init(.workloadDelete, workload: w))
            if options.json { try options.printJSON(r.workloads ?? []) } else { print("workload \(w.qualifiedName) deleted") }
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List workloads.")
        @OptionGroup var options: SocketOptions

        func run() throws {
            let list = try options.send(.init(.workloadList)).workloads ?? []
            if options.json { try options.printJSON(list); return }
            var t = TextTable(["NAME", "INTERFACE", "ADDRESSES", "MAC", "FROM"])
            for w in list { t.add([w.qualifiedName, w.interface, w.ipNetworks.joined(separator: " "), w.mac ?? "-", w.origin ?? "-"]) }
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
