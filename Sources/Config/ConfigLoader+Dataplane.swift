import IPCore
import BGPWire
import Yams

// MARK: - workloads and dataplane

extension Reader {
    /// `workloads`: a list of {name, interface, ipNetworks, mac}.
    ///
    /// Accepted: `name` any non-empty text, unique; `interface` a Linux interface name
    /// (1-15 bytes, not "." or "..", no '/', ':' or whitespace), unique; `ipNetworks` a
    /// non-empty list of host prefixes, IPv4 `/32` or IPv6 `/128` (a bare address means
    /// the host prefix), each IP on one workload only; `mac` optional, six hex octets
    /// separated by ':' (unicast, not all zero).
    func workloads(_ v: Node) -> [WorkloadSpec] {
        guard let items = list(v, "workloads", example: "{name: pod-a, interface: cali1, ipNetworks: [10.244.1.5/32]}") else { return [] }
        var out: [WorkloadSpec] = []
        var names: [String: Int] = [:]
        var interfaces: [String: Int] = [:]
        var ips: [IPPrefix: Int] = [:]
        for (i, item) in items.enumerated() {
            guard let f = fields(item, "workloads[\(i)]", known: ConfigLoader.workloadKeys, what: "a workload") else { continue }
            let nameNode = required(f, "name", hint: "add \"name: <workload name>\"")
            var name = nameNode.flatMap { nonEmptyText($0, f.path("name"), what: "the workload's name") }
            if let n = name, let nameNode, let first = names[n] {
                fail(nameNode, f.path("name"), "duplicate workload name \"\(n)\" (also workloads[\(first)])",
                     hint: "workload names are unique; rename or remove one")
                name = nil
            }
            let ifNode = required(f, "interface", hint: "add \"interface: <host-side interface>\", e.g. cali1a2b3c4d5e6")
            var interface = ifNode.flatMap { interfaceName($0, f.path("interface")) }
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
                        guard let p = hostPrefix(n, path) else { ok = false; continue }
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
            var mac: [UInt8]?
            var macOK = true
            if let m = f["mac"] {
                mac = self.mac(m, f.path("mac"))
                macOK = mac != nil
            }
            guard let name, let interface, let networks, macOK else { continue }
            names[name] = i
            interfaces[interface] = i
            out.append(WorkloadSpec(name: name, interface: interface, ipNetworks: networks, mac: mac))
        }
        return out
    }

    /// A Linux interface name as `dev_valid_name` (net/core/dev.c) accepts it.
    func interfaceName(_ v: Node, _ path: String) -> String? {
        guard let t = nonEmptyText(v, path, what: "an interface name") else { return nil }
        if t.utf8.count > 15 {
            fail(v, path, "interface name \"\(t)\" is \(t.utf8.count) bytes; Linux allows at most 15",
                 hint: "Calico names them cali + 11 hex characters")
            return nil
        }
        if t == "." || t == ".." || t.contains(where: { $0 == "/" || $0 == ":" || $0.isWhitespace }) {
            fail(v, path, "\"\(t)\" is not a valid Linux interface name",
                 hint: "no '/', ':' or spaces, and not \".\" or \"..\"")
            return nil
        }
        return t
    }

    /// A host prefix: IPv4 /32 or IPv6 /128; a bare address is taken as its host prefix.
    func hostPrefix(_ v: Node, _ path: String) -> IPPrefix? {
        guard let t = nonEmptyText(v, path, what: "a host address") else { return nil }
        let text: String
        if t.contains("/") {
            text = t
        } else if IPv4Address(t) != nil {
            text = t + "/32"
        } else {
            text = t + "/128"
        }
        guard let p = IPPrefix(text, strict: false) else {
            fail(v, path, "\"\(t)\" is not an IP address or host prefix", hint: "write <pod IP>/32 (IPv4) or <pod IP>/128 (IPv6)")
            return nil
        }
        let full: UInt8
        switch p { case .v4: full = 32; case .v6: full = 128 }
        let length: UInt8
        switch p { case .v4(let q): length = q.length; case .v6(let q): length = q.length }
        guard length == full else {
            fail(v, path, "\(t) is not a host route; workload addresses are /\(full)",
                 hint: "give each workload IP as <ip>/\(full); a whole block goes under blocks")
            return nil
        }
        return p
    }

    /// "aa:bb:cc:dd:ee:ff": six hex octets, unicast, not all zero.
    func mac(_ v: Node, _ path: String) -> [UInt8]? {
        let hint = "write six hex octets separated by ':', e.g. \"ee:ee:ee:ee:ee:01\" (quote it)"
        guard let t = nonEmptyText(v, path, what: "a MAC address") else { return nil }
        let parts = t.split(separator: ":", omittingEmptySubsequences: false)
        let octets = parts.compactMap { p -> UInt8? in
            guard (1...2).contains(p.count), p.allSatisfy(\.isHexDigit) else { return nil }
            return UInt8(p, radix: 16)
        }
        guard parts.count == 6, octets.count == 6 else {
            fail(v, path, "\"\(t)\" is not a MAC address", hint: hint)
            return nil
        }
        if octets.allSatisfy({ $0 == 0 }) {
            fail(v, path, "\(t) is the all-zero MAC address", hint: "use the workload's real MAC")
            return nil
        }
        if octets[0] & 1 != 0 {
            fail(v, path, "\(t) is a multicast MAC address (lowest bit of the first octet set)",
                 hint: "a workload's MAC is unicast")
            return nil
        }
        return octets
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

    func rpFilter(_ v: Node, _ path: String) -> RPFilterSetting? {
        guard let t = nonEmptyText(v, path, what: "copy, 0, 1 or 2") else { return nil }
        switch t {
        case "copy": return .copy
        case "0": return .value(0)
        case "1": return .value(1)
        case "2": return .value(2)
        default:
            let hint = suggestion(for: t, among: ["copy"]).map { "did you mean \"\($0)\"?" }
                ?? "copy (net.ipv4.conf.default.rp_filter), 0 (off), 1 (strict) or 2 (loose)"
            fail(v, path, "\"\(t)\" is not an rp_filter setting (copy|0|1|2)", hint: hint)
            return nil
        }
    }
}
