import IPCore
import Model
import Yams

// Calico's projectcalico.org/v3 GlobalNetworkPolicy and NetworkPolicy (Calico reference pages
// "Global network policy", "Network policy", and their "Rule", "EntityRule", "Ports"
// sections; validation as libcalico-go's `validateRule`). What Tern does not enforce is
// rejected with "not supported by Tern" rather than read and ignored: a policy that
// silently did less than written would let traffic through.

extension ResourceCodec {
    /// The spec keys both policy kinds have.
    static let policyCommonFields: [Field<CalicoPolicySpec>] = [
        Field("order", into: \.order) { r, v, p in r.number(v, p, example: "100") },
        // Calico's tiers: only the default one (where every untiered policy lives).
        Field("tier") { r, v, p, _ in
            guard let t = r.nonEmptyText(v, p, what: "a tier name") else { return false }
            if t == "default" { return true }
            r.fail(v, p, "tier \"\(t)\" is not supported by Tern; only the default tier is",
                   hint: "remove tier (or write \"tier: default\"), and order the policy with order")
            return false
        },
        Field("selector", into: \.selector) { r, v, p in
            Reader.isNull(v) ? .all : r.parsedSelector(v, p)
        },
        Field("namespaceSelector", into: \.namespaceSelector) { r, v, p in r.parsedSelector(v, p) },
        Field("types") { r, v, p, s in
            if Reader.isNull(v) { return true }  // absent: inferred from the rules
            guard let types = r.scalars(v, p, example: "Ingress, Egress", { n, path in r.choice(n, path, PolicyType.self, what: "policy type") })
            else { return false }
            s.types = types
            return true
        },
        Field("ingress", into: \.ingress) { r, v, p in r.orEmpty(v) { r.calicoRules(v, p) } },
        Field("egress", into: \.egress) { r, v, p in r.orEmpty(v) { r.calicoRules(v, p) } },
        unsupported("serviceAccountSelector", hint: "select the endpoints by their labels with selector"),
    ]

    /// `GlobalNetworkPolicy.spec`; `performanceHints` (an optimisation hint) is accepted and ignored.
    static let globalNetworkPolicyFields = FieldTable<CalicoPolicySpec>(
        "a GlobalNetworkPolicy spec", ignoring: ["performanceHints"], policyCommonFields + [
            untracked("doNotTrack", hint: "remove it; Tern applies policy to tracked workload traffic only"),
            untracked("preDNAT", hint: "remove it; Tern applies policy after DNAT, to workload traffic"),
            untracked("applyOnForward", hint: "remove it; Tern applies policy to workload endpoints, not to forwarded host traffic"),
        ])

    /// `NetworkPolicy.spec` (projectcalico.org/v3).
    static let calicoNetworkPolicyFields = FieldTable<CalicoPolicySpec>(
        "a projectcalico.org/v3 NetworkPolicy spec", ignoring: ["performanceHints"], policyCommonFields)

    /// One rule.
    static let calicoRuleFields = FieldTable<CalicoRule>("a rule", ignoring: ["metadata"], [
        Field("action", required: "add \"action: Allow\" (or Deny, Log, Pass)", into: \.action) { r, v, p in
            r.choice(v, p, CalicoAction.self, what: "rule action")
        },
        Field("protocol", into: \.protocol) { r, v, p in r.calicoProtocol(v, p) },
        Field("notProtocol", into: \.notProtocol) { r, v, p in r.calicoProtocol(v, p) },
        Field("ipVersion", into: \.ipVersion) { r, v, p in
            guard let n = r.integer(v, p) else { return nil }
            guard n == 4 || n == 6 else {
                r.fail(v, p, "ipVersion \(n) is neither 4 nor 6", hint: "write 4 or 6, or remove it for both")
                return nil
            }
            return n
        },
        Field("source", into: \.source) { r, v, p in Reader.isNull(v) ? CalicoEntityRule() : r.object(v, p, entityRuleFields, start: CalicoEntityRule()) },
        Field("destination", into: \.destination) { r, v, p in
            Reader.isNull(v) ? CalicoEntityRule() : r.object(v, p, entityRuleFields, start: CalicoEntityRule())
        },
        unsupported("icmp", hint: "match all ICMP with \"protocol: ICMP\" (or ICMPv6); types and codes are not matched yet"),
        unsupported("notICMP", hint: "match by protocol only; ICMP types and codes are not matched yet"),
        unsupported("http", hint: "Tern matches layer 3 and 4 only"),
    ])

    /// A rule's `source` or `destination`.
    static let entityRuleFields = FieldTable<CalicoEntityRule>("an entity rule", [
        Field("nets") { r, v, p, e in r.policyNets(v, p).map { e.nets += $0 } != nil },
        Field("net") { r, v, p, e in r.policyNet(v, p).map { e.nets.append($0) } != nil },
        Field("notNets") { r, v, p, e in r.policyNets(v, p).map { e.notNets += $0 } != nil },
        Field("notNet") { r, v, p, e in r.policyNet(v, p).map { e.notNets.append($0) } != nil },
        Field("selector", into: \.selector) { r, v, p in r.parsedSelector(v, p) },
        Field("notSelector", into: \.notSelector) { r, v, p in r.parsedSelector(v, p) },
        Field("namespaceSelector", into: \.namespaceSelector) { r, v, p in r.parsedSelector(v, p) },
        Field("ports", into: \.ports) { r, v, p in r.orEmpty(v) { r.scalars(v, p, example: "80, \"1000:2000\", http") { n, q in r.calicoPort(n, q) } } },
        Field("notPorts", into: \.notPorts) { r, v, p in
            r.orEmpty(v) { r.scalars(v, p, example: "80, \"1000:2000\", http") { n, q in r.calicoPort(n, q) } }
        },
        unsupported("serviceAccounts", hint: "match the endpoints by their labels with selector"),
        unsupported("services", hint: "match the service's endpoints with selector, or its addresses with nets"),
    ])

    /// A key Calico has and Tern rejects: "`key` is not supported by Tern", with `hint`.
    static func unsupported<T>(_ key: String, hint: String) -> Field<T> {
        Field(key) { r, v, p, _ in
            r.fail(v, p, "\(key) is not supported by Tern", hint: hint)
            return false
        }
    }

    /// A GlobalNetworkPolicy flag Tern does not implement: `false` is accepted (the default), `true` rejected.
    static func untracked(_ key: String, hint: String) -> Field<CalicoPolicySpec> {
        Field(key) { r, v, p, _ in
            guard let b = r.bool(v, p) else { return false }
            if !b { return true }
            r.fail(v, p, "\(key) is not supported by Tern", hint: hint)
            return false
        }
    }
}

extension Reader {
    /// The spec of a Calico policy: read with the kind's table, then the checks across its
    /// fields (``CalicoPolicySpec/validateFields(namespaced:)``; each rule was checked as read).
    func calicoPolicySpec(_ node: Node?, _ path: String, namespaced: Bool) -> CalicoPolicySpec? {
        guard let node else { return CalicoPolicySpec() }
        if Reader.isNull(node) { return CalicoPolicySpec() }
        let table = namespaced ? ResourceCodec.calicoNetworkPolicyFields : ResourceCodec.globalNetworkPolicyFields
        return object(node, path, table, start: CalicoPolicySpec()) { m in
            let s = m.value
            return model(m, m.node, { () throws(ModelError) in try s.validateFields(namespaced: namespaced) }).map { s }
        }
    }

    /// `ingress` / `egress`: each rule read and checked (``CalicoRule/validate()``).
    func calicoRules(_ v: Node, _ path: String) -> [CalicoRule]? {
        objects(v, path, ResourceCodec.calicoRuleFields, start: CalicoRule(action: .allow),
                example: "{action: Allow, protocol: TCP, destination: {ports: [80]}}") { m in
            let rule = m.value
            return model(m, m.node, { () throws(ModelError) in try rule.validate() }).map { rule }
        }
    }

    /// A Calico selector, parsed; its error names the field.
    func parsedSelector(_ v: Node, _ path: String) -> CalicoSelector? {
        guard let t = text(v, path, what: "a selector") else { return nil }
        return rule(v, path) { () throws(ModelError) in try CalicoSelector(parsing: t) }
    }

    /// A finite number, whole or not (`order: 100`, `order: 10.5`).
    func number(_ v: Node, _ path: String, example: String) -> Double? {
        guard notNull(v, path, "a number") else { return nil }
        if case .scalar(let s) = v, !Reader.isQuoted(v), Reader.tagName(v) == .int || Reader.tagName(v) == .float,
           let d = v.int.map(Double.init) ?? v.float ?? Double(s.string), d.isFinite {
            return d
        }
        fail(v, path, "expected a number, got \(Reader.describe(v))",
             hint: Reader.isQuoted(v) ? "remove the quotes" : "write a number, e.g. \(example)")
        return nil
    }

    /// `protocol` / `notProtocol`: a name (TCP, UDP, ICMP, ICMPv6, SCTP, UDPLite, or lowercase) or a number 1-255.
    func calicoProtocol(_ v: Node, _ path: String) -> CalicoProtocol? {
        let names = CalicoProtocol.names.map(\.0)
        let hint = "use one of \(names.joined(separator: ", ")) or a protocol number 1-255"
        if !Reader.isQuoted(v), Reader.tagName(v) == .int {
            guard let n = integer(v, path) else { return nil }
            guard let b = UInt8(exactly: n), b > 0 else {
                fail(v, path, "protocol number \(n) is out of range 1-255", hint: hint)
                return nil
            }
            return .number(b)
        }
        guard let t = nonEmptyText(v, path, what: "a protocol") else { return nil }
        if let p = CalicoProtocol(name: t) { return p }
        let guess = suggestion(for: t, among: names).map { "did you mean \"\($0)\"?" }
        fail(v, path, "\"\(t)\" is not a protocol", hint: guess ?? hint)
        return nil
    }

    /// A `ports` entry: a number, a `"first:last"` range, or a port name (a quoted number
    /// is the number, as Calico reads it).
    func calicoPort(_ v: Node, _ path: String) -> CalicoPort? {
        guard let t = nonEmptyText(v, path, what: "a port, port range or port name") else { return nil }
        let digits: (Substring) -> Bool = { !$0.isEmpty && $0.allSatisfy { $0.isASCII && $0.isNumber } }
        let parts = t.split(separator: ":", omittingEmptySubsequences: false)
        let port: CalicoPort
        if parts.count == 1, digits(parts[0]) {
            guard let n = UInt16(parts[0]) else {
                fail(v, path, "port \(t) is out of range 1-65535", hint: "give a port number from 1 to 65535")
                return nil
            }
            port = .range(n, n)
        } else if parts.count == 2, digits(parts[0]), digits(parts[1]) {
            guard let a = UInt16(parts[0]), let b = UInt16(parts[1]) else {
                fail(v, path, "port range \(t) is out of range 1-65535", hint: "give ports from 1 to 65535, e.g. 1000:2000")
                return nil
            }
            port = .range(a, b)
        } else if parts.count > 1 {
            fail(v, path, "\"\(t)\" is not a port range", hint: "write first:last with port numbers, e.g. \"1000:2000\"")
            return nil
        } else {
            port = .named(t)
        }
        return rule(v, path) { () throws(ModelError) in try port.validate(); return port }
    }

    /// `nets` / `notNets`: CIDRs, or bare addresses (host prefixes).
    func policyNets(_ v: Node, _ path: String) -> [IPPrefix]? {
        orEmpty(v) { scalars(v, path, example: "10.0.0.0/8, 192.0.2.1") { n, p in policyNet(n, p) } }
    }

    /// One CIDR, or a bare address as its host prefix (as Calico accepts).
    func policyNet(_ v: Node, _ path: String) -> IPPrefix? {
        guard let t = nonEmptyText(v, path, what: "a CIDR prefix") else { return nil }
        if !t.contains("/"), let a = IPAddress(parsing: t) { return IPPrefix.host(a) }
        return prefix(v, path)
    }
}
