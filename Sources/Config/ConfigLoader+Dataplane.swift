import IPCore
import Model
import Yams

// MARK: - workloads and dataplane

extension Reader {
    /// `workloads`: a list of {name, namespace, interface, ipNetworks, mac, labels}.
    ///
    /// Each field is checked by ``Workload``'s own rules (the same words as `tern workload
    /// add` and the workload state file): `name` non-empty, unique in its namespace;
    /// `namespace` an RFC 1123 label, default `default`; `interface` a Linux interface name
    /// (`dev_valid_name`), unique; `ipNetworks` a non-empty list of host prefixes, IPv4 `/32`
    /// or IPv6 `/128` (a bare address means the host prefix), each IP on one workload only;
    /// `mac` optional, six two-digit hex octets (unicast, not all zero); `labels` optional,
    /// Kubernetes label syntax.
    func workloads(_ v: Node) -> [Workload] {
        guard let items = list(v, "workloads", example: "{name: pod-a, interface: cali1, ipNetworks: [10.244.1.5/32]}") else { return [] }
        var out: [Workload] = []
        var names: [String: Int] = [:]
        var interfaces: [InterfaceName: Int] = [:]
        var ips: [IPPrefix: Int] = [:]
        for (i, item) in items.enumerated() {
            guard let f = fields(item, "workloads[\(i)]", known: ConfigLoader.workloadKeys, what: "a workload") else { continue }
            let nameNode = required(f, "name", hint: "add \"name: <workload name>\"")
            var name = nameNode.flatMap { n in nonEmptyText(n, f.path("name"), what: "the workload's name").flatMap { t in
                model(f, n) { () throws(ModelError) in try Workload.check(name: t); return t } } }
            var namespace = Workload.defaultNamespace
            var namespaceOK = true
            if let n = f["namespace"] {
                if let t = nonEmptyText(n, f.path("namespace"), what: "a namespace") { namespace = t } else { namespaceOK = false }
            }
            if let n = name, let nameNode, let first = names["\(namespace)/\(n)"] {
                fail(nameNode, f.path("name"), "duplicate workload name \"\(n)\" (also workloads[\(first)])",
                     hint: "workload names are unique; rename or remove one")
                name = nil
            }
            let ifNode = required(f, "interface", hint: "add \"interface: <host-side interface>\", e.g. cali1a2b3c4d5e6")
            var interface = ifNode.flatMap { n in nonEmptyText(n, f.path("interface"), what: "an interface name").flatMap { t in
                model(f, n) { () throws(ModelError) in try Workload.interfaceName(t) } } }
            if let n = interface, let ifNode, let first = interfaces[n] {
                fail(ifNode, f.path("interface"), "interface \(n) is already used by workloads[\(first)]",
                     hint: "each workload has its own host-side interface")
                interface = nil
            }
            var networks: [IPPrefix]?
            if let netNode = required(f, "ipNetworks", hint: "add \"ipNetworks: [<pod IP>/32]\""),
               let list = list(netNode, f.path("ipNetworks"), example: "10.244.1.5/32") {
                if list.isEmpty {
                    fail(netNode, f.path("ipNetworks"), "needs at least one address", hint: "write [<pod IP>/32]")
                } else {
                    var nets: [IPPrefix] = []
                    var ok = true
                    for (j, n) in list.enumerated() {
                        let path = f.path("ipNetworks[\(j)]")
                        guard let t = nonEmptyText(n, path, what: "a host address"),
                              let p = model(f, n, { () throws(ModelError) in try Workload.hostPrefix(t, field: "ipNetworks[\(j)]") })
                        else { ok = false; continue }
                        if let first = ips[p] {
                            fail(n, path, "\(p) is already an address of workloads[\(first)]",
                                 hint: "a workload IP belongs to one workload")
                            ok = false
                            continue
                        }
                        ips[p] = i
                        nets.append(p)
                    }
                    if ok { networks = nets }
                }
            }
            var mac: MACAddress?
            var macOK = true
            if let m = f["mac"] {
                mac = nonEmptyText(m, f.path("mac"), what: "a MAC address").flatMap { t in
                    model(f, m) { () throws(ModelError) in try Workload.mac(t) } }
                macOK = mac != nil
            }
            var labels: [String: String] = [:]
            var labelsOK = true
            if let l = f["labels"] {
                if let map = stringMap(l, f.path("labels"), what: "labels") { labels = map } else { labelsOK = false }
            }
            guard let name, let interface, let networks, macOK, namespaceOK, labelsOK else { continue }
            guard let w = model(f, item, { () throws(ModelError) in
                try Workload(name: name, namespace: namespace, interface: interface, ipNetworks: networks, mac: mac, labels: labels)
            }) else { continue }
            names["\(namespace)/\(name)"] = i
            interfaces[interface] = i
            out.append(w)
        }
        return out
    }

    /// Runs a model validator; a ``ModelError`` is reported at the node of the field it
    /// names (`ipNetworks[1]`, `labels.app`, `mac`), else at `fallback`.
    func model<T>(_ f: Fields, _ fallback: Node, _ make: () throws(ModelError) -> T) -> T? {
        do {
            return try make()
        } catch {
            fail(node(of: error.field, in: f) ?? fallback, f.path(error.field), error.message, hint: error.hint)
            return nil
        }
    }

    /// The node a model field path (`key`, `key[3]`, `key.sub`) points at inside `f`.
    func node(of field: String, in f: Fields) -> Node? {
        let key = String(field.prefix { $0 != "[" && $0 != "." })
        guard let v = f[key] else { return nil }
        let rest = field.dropFirst(key.count)
        if rest.hasPrefix("["), let close = rest.firstIndex(of: "]"), let i = Int(rest[rest.index(after: rest.startIndex)..<close]),
           case .sequence(let seq) = v, i < seq.count {
            return Array(seq)[i]
        }
        if rest.hasPrefix("."), case .mapping(let m) = v {
            let sub = String(rest.dropFirst())
            if let pair = m.first(where: { $0.key.string == sub }) { return pair.key }
        }
        return v
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

    /// A Linux interface name as `dev_valid_name` (net/core/dev.c) accepts it.
    func interfaceName(_ v: Node, _ path: String) -> String? {
        guard let t = nonEmptyText(v, path, what: "an interface name") else { return nil }
        do {
            return try Workload.interfaceName(t).rawValue
        } catch {
            fail(v, path, error.message, hint: error.hint)
            return nil
        }
    }

    /// The `dataplane` mapping.
    func dataplane(_ v: Node) -> DataplaneSettings {
        var d = DataplaneSettings()
        guard let f = fields(v, "dataplane", known: ConfigLoader.dataplaneKeys, what: "the dataplane settings") else { return d }
        if let v = f["enabled"], let b = bool(v, f.path("enabled")) { d.enabled = b }
        if let v = f["routeProtocol"], let p = routeProtocol(v, f.path("routeProtocol")) { d.routeProtocol = p }
        if let v = f["routeTable"], let t = routeTable(v, f.path("routeTable")) { d.routeTable = t }
        if let v = f["resyncInterval"], let s = seconds(v, f.path("resyncInterval"), range: 1...86_400, usual: 90) {
            d.resyncInterval = s
        }
        if let v = f["staleRouteTimeout"], let s = seconds(v, f.path("staleRouteTimeout"), range: 0...86_400, usual: 120) {
            d.staleRouteTimeout = s
        }
        if let v = f["rpFilter"], let r = rpFilter(v, f.path("rpFilter")) { d.rpFilter = r }
        overlay(f, into: &d)
        return d
    }

    func routeProtocol(_ v: Node, _ path: String) -> UInt8? {
        guard let n = integer(v, path) else { return nil }
        guard (1...255).contains(n) else {
            fail(v, path, "route protocol \(n) is out of range 1-255", hint: "the default, 199, is free")
            return nil
        }
        if let owner = DataplaneSettings.reservedProtocols[UInt8(n)] {
            let why = n <= 4 ? "the kernel's" : n == 80 ? "used by" : "named in iproute2's rt_protos as"
            fail(v, path, "route protocol \(n) is reserved (\(why) \(owner)); Tern would touch routes it does not own",
                 hint: "use a number of Tern's own, e.g. the default 199")
            return nil
        }
        return UInt8(n)
    }

    func routeTable(_ v: Node, _ path: String) -> UInt32? {
        guard let n = integer(v, path) else { return nil }
        guard n >= 1, n <= Int(UInt32.max) else {
            fail(v, path, "routing table \(n) is out of range 1-4294967295", hint: "254 is the main table")
            return nil
        }
        if n == 253 || n == 255 {
            fail(v, path, "routing table \(n) is the kernel's \(n == 255 ? "local" : "default") table",
                 hint: "use 254 (main) or a table of your own")
            return nil
        }
        return UInt32(n)
    }

    func seconds(_ v: Node, _ path: String, range: ClosedRange<Int>, usual: Int) -> UInt32? {
        guard let n = integer(v, path) else { return nil }
        guard range.contains(n) else {
            fail(v, path, "\(n) seconds is out of range \(range.lowerBound)-\(range.upperBound)", hint: "\(usual) is usual")
            return nil
        }
        return UInt32(n)
    }

    func rpFilter(_ v: Node, _ path: String) -> RPFilter? {
        guard let t = nonEmptyText(v, path, what: "copy, 0, 1 or 2") else { return nil }
        do {
            return try RPFilter(t)
        } catch {
            let hint = suggestion(for: t, among: ["copy"]).map { "did you mean \"\($0)\"?" } ?? error.hint
            fail(v, path, error.message, hint: hint)
            return nil
        }
    }
}
