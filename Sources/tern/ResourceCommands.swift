import ArgumentParser
import Cluster
import Config
import Datastore
import Foundation
import Model

/// Reads `-f FILE` (or `-` for stdin) and decodes every resource in it; every error is
/// printed and nothing is stored when one document is wrong (exit 1).
func readResources(_ file: String) throws -> [Resource] {
    let text: String
    if file == "-" {
        text = String(decoding: FileHandle.standardInput.readDataToEndOfFile(), as: UTF8.self)
    } else {
        guard let data = FileManager.default.contents(atPath: file) else {
            throw CLIFailure("\(file): cannot read the file", code: 1)
        }
        text = String(decoding: data, as: UTF8.self)
    }
    do {
        let resources = try ResourceCodec.decode(text, file: file == "-" ? "<stdin>" : file)
        if resources.isEmpty { throw CLIFailure("\(file): no resources in the file", code: 1) }
        return resources
    } catch let errors as ConfigErrors {
        throw CLIFailure("\(errors)\n\(file): rejected, nothing stored", code: 1)
    }
}

/// `-f FILE` and the datastore: what apply, create and replace share.
struct ResourceFileOptions: ParsableArguments {
    @OptionGroup var datastore: DatastoreOptions
    @Option(name: .short, help: "The file (- for stdin).") var filename: String

    /// Reads the file (nothing is written when one document is wrong), then writes each
    /// resource with `op`, printing what failed.
    func write(verb: String, _ op: @escaping (ResourceClient) -> (Resource) throws(ResourceClient.Failure) -> Resource) throws {
        let resources = try readResources(filename)
        let client = try datastore.client()
        let write = op(client)
        try ResourceWrite.each(resources, verb: verb) { r throws(ResourceClient.Failure) in try write(r) }
    }
}

/// `tern apply -f FILE`: create or replace each resource whole (`calicoctl apply`).
struct ApplyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "apply",
        abstract: "Create or replace resources from a file (YAML or JSON; - for stdin), as calicoctl apply does.")
    @OptionGroup var options: ResourceFileOptions

    func run() throws { try failing { try options.write(verb: "applied") { c in { r throws(ResourceClient.Failure) in try c.apply(r) } } } }
}

/// `tern create -f FILE`: create each resource; an existing one is an error.
struct CreateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "create", abstract: "Create resources from a file; existing ones are errors.")
    @OptionGroup var options: ResourceFileOptions

    func run() throws { try failing { try options.write(verb: "created") { c in { r throws(ResourceClient.Failure) in try c.create(r) } } } }
}

/// `tern replace -f FILE`: replace existing resources (at their `resourceVersion` when given).
struct ReplaceCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "replace",
        abstract: "Replace existing resources from a file (checked against metadata.resourceVersion when set).")
    @OptionGroup var options: ResourceFileOptions

    func run() throws { try failing { try options.write(verb: "replaced") { c in { r throws(ResourceClient.Failure) in try c.replace(r) } } } }
}

enum ResourceWrite {
    /// Writes each resource, printing what failed; exit 1 when any did.
    static func each(_ resources: [Resource], verb: String, _ write: (Resource) throws(ResourceClient.Failure) -> Resource) throws {
        var failed: [String] = []
        for r in resources {
            do { _ = try write(r) } catch { failed.append("\(r.kind) \(r.qualifiedName): \(error)") }
        }
        let done = resources.count - failed.count
        if done > 0 { print("Successfully \(verb) \(done) resource\(done == 1 ? "" : "s")") }
        if !failed.isEmpty { throw CLIFailure(failed.joined(separator: "\n"), code: 1) }
    }
}

/// `tern delete -f FILE` or `tern delete KIND NAME [-n NS]`.
struct DeleteCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "delete",
        abstract: "Delete resources named in a file, or one resource by kind and name.",
        discussion: "Deleting a Node also releases its IPAM blocks and its liveness key (as calicoctl delete node does).")
    @OptionGroup var datastore: DatastoreOptions
    @Option(name: .short, help: "A file naming the resources (- for stdin).") var filename: String?
    @Option(name: .short, help: "The namespace (namespaced kinds; default: default).") var namespace: String?
    @Argument(help: "KIND NAME") var words: [String] = []

    func validate() throws {
        if filename == nil && words.count != 2 { throw ValidationError("give -f FILE or KIND NAME") }
        if filename != nil && !words.isEmpty { throw ValidationError("give -f FILE or KIND NAME, not both") }
    }

    func run() throws {
        try failing {
            var targets: [(ResourceKind, String, String?)] = []
            if let filename {
                targets = try readResources(filename).map { ($0.kind, $0.metadata.name, $0.metadata.namespace) }
            } else {
                let kind = try Kinds.named(words[0])
                targets = [(kind, words[1], kind.isNamespaced ? (namespace ?? "default") : nil)]
            }
            let client = try datastore.client()
            var failed: [String] = []
            for (kind, name, ns) in targets {
                do throws(ResourceClient.Failure) {
                    try client.delete(kind, name: name, namespace: ns)
                    if kind == .node {
                        let released = try BlockClaimer.release(node: name, client: client)
                        _ = try? client.store.delete(client.keys.liveness(name), ifRevision: nil)
                        if !released.isEmpty { print("Released blocks of \(name): \(released.map(\.description).joined(separator: ", "))") }
                    }
                } catch {
                    failed.append("\(kind) \(ns.map { "\($0)/" } ?? "")\(name): \(error)")
                }
            }
            let done = targets.count - failed.count
            if done > 0 { print("Successfully deleted \(done) resource\(done == 1 ? "" : "s")") }
            if !failed.isEmpty { throw CLIFailure(failed.joined(separator: "\n"), code: 1) }
        }
    }
}

/// `tern label KIND NAME [-n NS] key=value key-`: change labels in place.
struct LabelCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "label",
        abstract: "Set (key=value) or remove (key-) labels of one resource; other labels stay.")
    @OptionGroup var datastore: DatastoreOptions
    @Option(name: .short, help: "The namespace (namespaced kinds; default: default).") var namespace: String?
    @Argument(help: "KIND NAME key=value... key-...") var words: [String]

    func validate() throws {
        if words.count < 3 { throw ValidationError("give KIND NAME and at least one key=value or key-") }
    }

    func run() throws {
        try failing {
            let kind = try Kinds.named(words[0])
            let name = words[1]
            var set: [String: String] = [:]
            var remove: [String] = []
            for w in words.dropFirst(2) {
                if w.hasSuffix("-"), !w.contains("=") { remove.append(String(w.dropLast())); continue }
                do {
                    let (k, v) = try Labels.parse(w)
                    set[k] = v
                } catch { throw CLIFailure("\(w): \(error)", code: 2) }
            }
            let client = try datastore.client()
            let ns = kind.isNamespaced ? (namespace ?? "default") : nil
            for _ in 0..<16 {
                guard var r = try wrap({ () throws(ResourceClient.Failure) in try client.get(kind, name: name, namespace: ns) }) else {
                    throw CLIFailure("\(kind) \(ns.map { "\($0)/" } ?? "")\(name) not found", code: 1)
                }
                for k in remove { r.metadata.labels[k] = nil }
                r.metadata.labels.merge(set) { _, new in new }
                if try replaced(r, client) {
                    print("\(kind) \(r.qualifiedName) labeled")
                    return
                }
            }
            throw CLIFailure("\(kind) \(name) kept changing; try again", code: 1)
        }
    }

    /// Replaces `r` at the revision it was read at; false on a concurrent change (retry).
    func replaced(_ r: Resource, _ client: ResourceClient) throws -> Bool {
        do throws(ResourceClient.Failure) {
            try client.replace(r)
            return true
        } catch .store(.conflict) {
            return false
        } catch {
            throw CLIFailure("\(error)", code: 1)
        }
    }

    func wrap<T>(_ body: () throws(ResourceClient.Failure) -> T) throws -> T {
        do { return try body() } catch { throw CLIFailure("\(error)", code: 1) }
    }
}

enum Kinds {
    /// The kind a CLI word names, or a usage error listing them.
    static func named(_ word: String) throws -> ResourceKind {
        if let k = ResourceKind.named(word) { return k }
        throw CLIFailure("unknown resource kind \"\(word)\"; kinds: \(ResourceKind.allCases.map(\.cliName).joined(separator: ", "))", code: 2)
    }
}
