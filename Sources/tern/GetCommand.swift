import ArgumentParser
import Cluster
import Config
import Datastore
import Foundation
import Model

/// `tern get KIND [NAME] [-n NS | -A] [-o yaml|json|wide]`, as calicoctl and kubectl print.
struct GetCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "get",
        abstract: "Show resources: a table, or -o yaml / json (one object for a name, else a List).")
    @OptionGroup var datastore: DatastoreOptions
    @Option(name: .short, help: "The namespace (namespaced kinds; default: default).") var namespace: String?
    @Flag(name: [.customShort("A"), .long], help: "All namespaces.") var allNamespaces = false
    @Option(name: .short, help: "Output: table (default), wide, yaml or json.") var output: String = "table"
    @Argument(help: "KIND [NAME]") var words: [String]

    func validate() throws {
        guard (1...2).contains(words.count) else { throw ValidationError("give KIND and optionally NAME") }
        guard ["table", "wide", "yaml", "json"].contains(output) else { throw ValidationError("-o must be wide, yaml or json") }
    }

    func run() throws {
        try failing {
            let kind = try Kinds.named(words[0])
            let client = try datastore.client()
            let ns: String? = kind.isNamespaced ? (allNamespaces ? nil : (namespace ?? "default")) : nil
            var resources: [Resource]
            do {
                if words.count == 2 {
                    guard let r = try client.get(kind, name: words[1], namespace: ns ?? "default") else {
                        throw CLIFailure("\(kind) \(words[1]) not found", code: 1)
                    }
                    resources = [r]
                } else {
                    let listed = try client.list(kind, namespace: ns)
                    for bad in listed.corrupt { FileHandle.standardError.write(Data("warning: \(bad)\n".utf8)) }
                    resources = listed.resources
                }
            } catch let e as ResourceClient.Failure {
                throw CLIFailure("\(e)", code: 1)
            }
            switch output {
            case "yaml": print(ResourceCodec.encodeYAML(resources), terminator: "")
            case "json": print(try json(resources, single: words.count == 2))
            default: print(table(kind, resources, wide: output == "wide", client: client))
            }
        }
    }

    /// One object for a named resource, else `{"apiVersion": "v1", "kind": "List", "items": [...]}`.
    func json(_ resources: [Resource], single: Bool) throws -> String {
        let objects = resources.map { try? JSONSerialization.jsonObject(with: Data(ResourceCodec.encodeJSON($0).utf8)) }
        let value: Any = single ? (objects.first.flatMap { $0 } ?? [:]) :
            ["apiVersion": "v1", "kind": "List", "items": objects.compactMap { $0 }] as [String: Any]
        let data = try JSONSerialization.data(withJSONObject: value, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
        return String(decoding: data, as: UTF8.self)
    }

    func table(_ kind: ResourceKind, _ resources: [Resource], wide: Bool, client: ResourceClient) -> String {
        if resources.isEmpty { return "No \(kind.plural) found." }
        var t: TextTable
        switch kind {
        case .node:
            let alive = Set((try? client.store.list(prefix: client.keys.liveness))?.values.map { String($0.key.dropFirst(client.keys.liveness.count)) } ?? [])
            t = TextTable(wide ? ["NAME", "ALIVE", "ASN", "IPV4", "IPV6", "RR CLUSTER ID", "LABELS"] : ["NAME", "ALIVE", "ASN", "IPV4"])
            for r in resources {
                guard case .node(let s) = r.spec else { continue }
                let row = [r.metadata.name, alive.contains(r.metadata.name) ? "yes" : "no",
                           s.bgp?.asNumber.map(String.init) ?? "(64512)", s.bgp?.ipv4Address?.description ?? "-"]
                t.add(wide ? row + [s.bgp?.ipv6Address?.description ?? "-", s.bgp?.routeReflectorClusterID ?? "-", labels(r)] : row)
            }
        case .ipPool:
            t = TextTable(wide ? ["NAME", "CIDR", "SELECTOR", "BLOCKSIZE", "IPIP", "VXLAN", "NAT", "DISABLED"] : ["NAME", "CIDR", "SELECTOR"])
            for r in resources {
                guard case .ipPool(let s) = r.spec else { continue }
                let row = [r.metadata.name, s.cidr.description, s.nodeSelector ?? "all()"]
                t.add(wide ? row + [s.blockSize.map(String.init) ?? "(default)", s.ipipMode.rawValue, s.vxlanMode.rawValue,
                                    String(s.natOutgoing), String(s.disabled)] : row)
            }
        case .bgpPeer:
            t = TextTable(["NAME", "PEERIP", "NODE", "ASN"])
            for r in resources {
                guard case .bgpPeer(let s) = r.spec else { continue }
                let ip = s.peerIP.map { a in s.peerPort.map { p in "\(a):\(p)" } ?? "\(a)" } ?? s.peerSelector.map { "(selector) \($0)" } ?? "-"
                t.add([r.metadata.name, ip, s.node ?? s.nodeSelector ?? "(global)", s.asNumber.map(String.init) ?? "-"])
            }
        case .blockAffinity:
            t = TextTable(["NAME", "NODE", "CIDR", "STATE"])
            for r in resources {
                guard case .blockAffinity(let s) = r.spec else { continue }
                t.add([r.metadata.name, s.node, s.cidr.description, s.state.rawValue])
            }
        case .globalNetworkPolicy, .calicoNetworkPolicy:
            // As calicoctl prints policies: name, order, selector (types and rule counts with -o wide).
            let head = (kind.isNamespaced ? ["NAMESPACE"] : []) + ["NAME", "ORDER", "SELECTOR"]
            t = TextTable(wide ? head + ["TYPES", "INGRESS", "EGRESS"] : head)
            for r in resources {
                let s: CalicoPolicySpec
                switch r.spec {
                case .globalNetworkPolicy(let p), .calicoNetworkPolicy(let p): s = p
                default: continue
                }
                let row = (kind.isNamespaced ? [r.metadata.namespace ?? "default"] : [])
                    + [r.metadata.name, s.order.map { $0 == $0.rounded() && abs($0) < 1e15 ? String(Int($0)) : String($0) } ?? "-", s.selector.text.isEmpty ? "all()" : s.selector.text]
                t.add(wide ? row + [s.effectiveTypes.map(\.rawValue).joined(separator: ","), String(s.ingress.count), String(s.egress.count)] : row)
            }
        default:
            t = TextTable(kind.isNamespaced ? ["NAMESPACE", "NAME", "LABELS"] : ["NAME", "LABELS"])
            for r in resources {
                t.add((kind.isNamespaced ? [r.metadata.namespace ?? "default"] : []) + [r.metadata.name, labels(r)])
            }
        }
        return t.rendered
    }

    func labels(_ r: Resource) -> String {
        r.metadata.labels.isEmpty ? "-" : r.metadata.labels.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",")
    }
}
