import ArgumentParser
import Foundation
import TernAPI

/// `tern policy list|explain|dataplane`: NetworkPolicy as the running daemon enforces it.
struct PolicyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "policy",
        abstract: "NetworkPolicy: the policies and the pods they select, why a connection is allowed or denied, the nft table.",
        subcommands: [List.self, Explain.self, Dataplane.self]
    )

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list",
            abstract: "Policies in evaluation order, the pods each selects, and its rules' kernel counters.")
        @OptionGroup var options: SocketOptions

        func run() throws {
            let rows = try options.send(.init(.policyList)).policies ?? []
            if options.json { try options.printJSON(rows); return }
            if rows.isEmpty { print("No policies."); return }
            var t = TextTable(["KIND", "POLICY", "ORDER", "TYPES", "SELECTS (HERE)", "RULES: PACKETS", "DENIED"])
            for r in rows {
                let name = r.namespace.map { "\($0)/\(r.name)" } ?? r.name
                let order = r.order.map { $0 == $0.rounded() ? String(Int($0)) : String($0) } ?? "-"
                let selects = r.selectsHere.isEmpty ? "\(r.selects.count) (0)" : "\(r.selects.count) (\(r.selectsHere.joined(separator: " ")))"
                let rules = r.rules.isEmpty ? "none: deny all" : r.rules.map { "\($0.rule) \($0.action) \($0.packets)" }.joined(separator: ", ")
                t.add([r.kind, name, order, r.types.joined(separator: ","), selects, rules, r.deniedPackets.map(String.init) ?? "-"])
            }
            print(t.rendered)
        }
    }

    struct Explain: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "explain",
            abstract: "Whether FROM may connect to TO on a port, and which policy and rule decide on each side.")
        @OptionGroup var options: SocketOptions
        @Option(name: .long, help: "The source: namespace/pod or an address.") var from: String
        @Option(name: .long, help: "The destination: namespace/pod or an address.") var to: String
        @Option(name: .long, help: "The destination port, with an optional protocol: 80, 80/TCP, 53/UDP.") var port: String

        func run() throws {
            let parts = port.split(separator: "/", maxSplits: 1).map(String.init)
            guard let first = parts.first, let number = UInt16(first), number > 0 else {
                throw ValidationError("--port \(port): write a port 1-65535, optionally with /TCP, /UDP or /SCTP")
            }
            let q = ControlProtocol.PolicyExplainRequest(from: from, to: to, port: number, protocol: parts.count > 1 ? parts[1] : nil)
            guard let e = try options.send(.init(.policyExplain, explain: q)).explanation else { throw ExitCode(1) }
            if options.json { try options.printJSON(e); return }
            print("\(e.from) -> \(e.to) \(e.port): \(e.allowed ? "ALLOWED" : "DENIED")")
            for (word, side) in [("egress of the source", e.egress), ("ingress of the destination", e.ingress)] {
                guard let side else { print("  \(word): not a pod, nothing to check"); continue }
                print("  \(word): \(side.allowed ? "allowed" : "denied") — \(side.reason)\(side.enforcedHere ? "" : " (enforced on the pod's node)")")
            }
        }
    }

    struct Dataplane: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "dataplane",
            abstract: "Tern's nft table: each chain's rules and set's elements, desired vs in the kernel.")
        @OptionGroup var options: SocketOptions

        func run() throws {
            guard let d = try options.send(.init(.policyDataplane)).policyDataplane else { throw ExitCode(1) }
            if options.json { try options.printJSON(d); return }
            print("table \(d.table): \(d.inSync ? "in sync" : "NOT in sync")\(d.lastError.map { " (\($0))" } ?? "")")
            print("transactions \(d.transactions) (whole-table \(d.replacements)), repairs \(d.repairs), last apply \(d.lastApplyMilliseconds.map { String(format: "%.2f ms", $0) } ?? "-"), connections cut \(d.connectionsCut), unknown-workload drops \(d.unknownWorkloadDrops)")
            var t = TextTable(["OBJECT", "NAME", "DESIRED", "KERNEL", "STATE"])
            for (kind, rows) in [("chain", d.chains), ("set", d.sets)] {
                for r in rows {
                    t.add([kind, r.name, r.desired.map(String.init) ?? "-", r.kernel.map(String.init) ?? "-",
                           r.desired == r.kernel ? "ok" : r.kernel == nil ? "missing" : r.desired == nil ? "extra" : "differs"])
                }
            }
            print(t.rendered)
        }
    }
}
