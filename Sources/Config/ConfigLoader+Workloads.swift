import IPCore
import Model
import Yams

// MARK: - workloads

/// One `workloads` entry as written (nil: not written, or rejected).
struct WorkloadEntry: Sendable {
    var name: String?
    var namespace: String?
    var interface: InterfaceName?
    /// The addresses that were read, with their index in the list (kept when another
    /// one was rejected, for the check that each address belongs to one workload).
    var ipNetworks: [(index: Int, prefix: IPPrefix)]?
    var mac: MACAddress?
    var labels: [String: String]?
}

extension ConfigLoader {
    /// One `workloads` entry: {name, namespace, interface, ipNetworks, mac, labels}.
    ///
    /// Each field is checked by ``Workload``'s own rules (the same words as `tern workload
    /// add` and the workload state file): `name` non-empty, unique in its namespace;
    /// `namespace` an RFC 1123 label, default `default`; `interface` a Linux interface name
    /// (`dev_valid_name`), unique; `ipNetworks` a non-empty list of host prefixes, IPv4 `/32`
    /// or IPv6 `/128` (a bare address means the host prefix), each IP on one workload only;
    /// `mac` optional, six two-digit hex octets (unicast, not all zero); `labels` optional,
    /// Kubernetes label syntax.
    static let workloadFields = FieldTable<WorkloadEntry>("a workload", [
        Field("name", required: "add \"name: <workload name>\"", into: \.name) { r, v, path in
            r.nonEmptyText(v, path, what: "the workload's name").flatMap { t in
                r.rule(v, path) { () throws(ModelError) in try Workload.check(name: t); return t }
            }
        },
        Field("namespace", into: \.namespace) { r, v, path in r.nonEmptyText(v, path, what: "a namespace") },
        Field("interface", required: "add \"interface: <host-side interface>\", e.g. cali1a2b3c4d5e6", into: \.interface) { r, v, path in
            r.nonEmptyText(v, path, what: "an interface name").flatMap { t in
                r.rule(v, path) { () throws(ModelError) in try Workload.interfaceName(t) }
            }
        },
        Field("ipNetworks", required: "add \"ipNetworks: [<pod IP>/32]\"") { r, v, path, w in
            r.hostPrefixes(v, path, into: &w.ipNetworks)
        },
        Field("mac", into: \.mac) { r, v, path in
            r.nonEmptyText(v, path, what: "a MAC address").flatMap { t in
                r.rule(v, path) { () throws(ModelError) in try Workload.mac(t) }
            }
        },
        Field("labels", into: \.labels) { r, v, path in r.stringMap(v, path, what: "labels") },
    ])
}

extension Reader {
    /// The complete `workloads` entries as ``Workload``s: names unique per namespace,
    /// interfaces unique, each address on one workload only.
    func workloads(_ entries: [ReadMapping<WorkloadEntry>]) -> [Workload] {
        var out: [Workload] = []
        var names: [String: Int] = [:]
        var interfaces: [InterfaceName: Int] = [:]
        var ips: [IPPrefix: Int] = [:]
        for e in entries {
            guard let i = e.index else { continue }
            let d = e.value
            let namespace = d.namespace ?? Workload.defaultNamespace
            var name = d.name
            if let n = name, let nameNode = e["name"], let first = names["\(namespace)/\(n)"] {
                fail(nameNode, e.path("name"), "duplicate workload name \"\(n)\" (also workloads[\(first)])",
                     hint: "workload names are unique; rename or remove one")
                name = nil
            }
            var interface = d.interface
            if let n = interface, let ifNode = e["interface"], let first = interfaces[n] {
                fail(ifNode, e.path("interface"), "interface \(n) is already used by workloads[\(first)]",
                     hint: "each workload has its own host-side interface")
                interface = nil
            }
            var networksOK = true
            for (j, p) in d.ipNetworks ?? [] {
                if let first = ips[p] {
                    fail(node(of: "ipNetworks[\(j)]", in: e), e.path("ipNetworks[\(j)]"),
                         "\(p) is already an address of workloads[\(first)]", hint: "a workload IP belongs to one workload")
                    networksOK = false
                    continue
                }
                ips[p] = i
            }
            guard e.isComplete, networksOK, let name, let interface, let networks = d.ipNetworks?.map(\.prefix) else { continue }
            guard let w = model(e, e.node, { () throws(ModelError) in
                try Workload(name: name, namespace: namespace, interface: interface, ipNetworks: networks, mac: d.mac,
                             labels: d.labels ?? [:])
            }) else { continue }
            names["\(namespace)/\(name)"] = i
            interfaces[interface] = i
            out.append(w)
        }
        return out
    }

    /// `ipNetworks`: a non-empty list of host prefixes. Each one read goes to `networks`
    /// with its index; false when the list or one of them was rejected.
    func hostPrefixes(_ v: Node, _ path: String, into networks: inout [(index: Int, prefix: IPPrefix)]?) -> Bool {
        guard let items = list(v, path, example: "10.244.1.5/32") else { return false }
        if items.isEmpty {
            fail(v, path, "needs at least one address", hint: "write [<pod IP>/32]")
            return false
        }
        var read: [(index: Int, prefix: IPPrefix)] = []
        var ok = true
        for (j, n) in items.enumerated() {
            let field = "ipNetworks[\(j)]"
            guard let t = nonEmptyText(n, "\(path)[\(j)]", what: "a host address"),
                  let p = rule(n, "\(path)[\(j)]", { () throws(ModelError) in try Workload.hostPrefix(t, field: field) })
            else { ok = false; continue }
            read.append((j, p))
        }
        networks = read
        return ok
    }

    /// A mapping of text keys to text values (labels); values are taken as written, so
    /// `version: 2` is the text "2".
    func stringMap(_ v: Node, _ path: String, what: String) -> [String: String]? {
        guard notNull(v, path, what) else { return nil }
        guard case .mapping(let m) = v else {
            fail(v, path, "expected \(what) (a mapping of text to text), got \(Reader.describe(v))", hint: "write {app: web, tier: frontend}")
            return nil
        }
        var out: [String: String] = [:]
        var ok = true
        for (k, value) in m {
            guard let key = text(k, path, what: "a label key"), let t = text(value, "\(path).\(key)", what: "a label value") else {
                ok = false
                continue
            }
            out[key] = t
        }
        return ok ? out : nil
    }
}
