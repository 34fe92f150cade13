import IPCore
import Model

/// Renders a ``PolicyModel`` as Tern's nftables table (docs/POLICY.md "The nft table"):
///
/// - base chain `forward` (hook forward): established/related accepted, invalid dropped
///   (to and from workloads only: other forwarded traffic is not Tern's to judge),
///   packets from or to a workload-prefixed interface Tern does not know dropped (a pod is
///   isolated before its rules exist), then `iifname vmap @from-workload` (the source
///   pod's egress) and `oifname vmap @to-workload` (the destination pod's ingress);
/// - per local pod and direction with ≥ 1 applying policy a chain `to-<if>` / `from-<if>`:
///   clear the decision bit, jump to each applying policy's chain in order, return as soon
///   as one set the bit, else count and drop (end of tier, as Calico's endpoint chains);
/// - per applying policy and direction a chain `pi-<id>` / `po-<id>` with its rules: Allow
///   and Pass set the bit and return, Deny drops, Log logs;
/// - a set per selector a rule names (`pods-<hash>-v4`/`-v6`: the members' addresses) and
///   per named port (`port-<name>-v4`: address . protocol . port of every pod declaring it),
///   so that pods coming, going or relabelled change set elements, not rules;
/// - a named counter per rule (`c-<id>-i<n>` / `-e<n>`) and per end-of-tier drop.
///
/// Host → local pod traffic takes the output hook and is not policed (the node-local
/// exemption of the NetworkPolicy API); pod → host is not policed either (Calico's default
/// endpoint-to-host action is Accept in most installs).
public struct NFTRenderer: Sendable {
    /// Interfaces with this prefix are workloads: unknown ones are dropped.
    public var workloadPrefix: String
    /// The decision bit in the packet mark (Calico's accept bit).
    public static let decisionMark: UInt32 = 0x0001_0000

    /// What the previous renders made, reused while its inputs are equal (one renderer per
    /// manager queue): a policy's chains depend on the policy only, a set's elements on its
    /// members only, so a relabel re-renders what it touched, not the table.
    private let cache = RenderCache()

    /// The table's name (family `inet`).
    public var table: String

    public init(workloadPrefix: String = "cali", table: String = "tern") {
        self.workloadPrefix = workloadPrefix
        self.table = table
    }

    /// The table for `model`.
    public func render(_ model: PolicyModel) -> NFTRuleset {
        var t = NFTRuleset(table: table)
        t.sets["workloads"] = .init(type: "ifname", flags: nil, elements: [])
        t.maps["from-workload"] = .init(type: "ifname : verdict", elements: [:])
        t.maps["to-workload"] = .init(type: "ifname : verdict", elements: [:])
        let mark = NFTRenderer.hex(NFTRenderer.decisionMark)
        let clear = NFTRenderer.hex(~NFTRenderer.decisionMark)
        var usedPolicies: [Int: Set<PolicyType>] = [:]
        var nextWorkloads: [RenderCache.WorkloadKey: [String]] = [:]
        for name in model.applicable.keys.sorted() {
            guard let e = model.endpoints[name], let ifname = e.interface else { continue }
            for (direction, list) in model.applicable[name]!.sorted(by: { $0.key.rawValue < $1.key.rawValue }) where !list.isEmpty {
                let (chain, dropCounter) = workloadNames(direction, ifname)
                let ids = list.map { model.policies[$0].id }
                for i in list { usedPolicies[i, default: []].insert(direction) }
                let key = RenderCache.WorkloadKey(interface: ifname, direction: direction, policies: ids)
                let rules: [String]
                if let r = cache.workloads[key] {
                    rules = r
                } else {
                    var r = ["meta mark set meta mark & \(clear)"]
                    for id in ids {
                        r.append("jump \(NFTRenderer.policyChain(direction, id))")
                        r.append("meta mark & \(mark) == \(mark) return")
                    }
                    r.append("counter name \"\(dropCounter)\" drop")
                    rules = r
                }
                nextWorkloads[key] = rules
                t.counters.insert(dropCounter)
                t.chains[chain] = rules
                t.maps[direction == .ingress ? "to-workload" : "from-workload"]!.elements["\"\(ifname)\""] = "jump \(chain)"
            }
        }
        cache.workloads = nextWorkloads
        for e in model.endpoints.values { if let i = e.interface { t.sets["workloads"]!.elements.insert("\"\(i)\"") } }

        var selectors: Set<EndpointSelector> = []
        var namedPorts: Set<String> = []
        var nextPolicies: [RenderCache.PolicyKey: RenderCache.PolicyChain] = [:]
        for (i, directions) in usedPolicies {
            let p = model.policies[i]
            for d in directions {
                let key = RenderCache.PolicyKey(id: p.id, direction: d)
                let chain: RenderCache.PolicyChain
                if let c = cache.policies[key], c.policy == p {
                    chain = c
                } else {
                    var c = RenderCache.PolicyChain(policy: p)
                    for r in p.rules(d) {
                        let counter = NFTRenderer.counter(p.id, d, r.origin)
                        c.counters.insert(counter)
                        c.rules += ruleTexts(r, counter: counter, policy: p, mark: mark)
                        c.selectors.formUnion(r.selectors)
                        c.namedPorts.formUnion(r.namedPorts)
                    }
                    chain = c
                }
                nextPolicies[key] = chain
                t.counters.formUnion(chain.counters)
                selectors.formUnion(chain.selectors)
                namedPorts.formUnion(chain.namedPorts)
                t.chains[NFTRenderer.policyChain(d, p.id)] = chain.rules
            }
        }
        cache.policies = nextPolicies
        var nextSets: [EndpointSelector: RenderCache.Members] = [:]
        for s in selectors {
            let members = model.members[s] ?? []
            let rendered: RenderCache.Members
            if let c = cache.sets[s], c.members == members, c.endpoints == members.map({ model.endpoints[$0]?.addresses ?? [] }) {
                rendered = c
            } else {
                let addresses = members.sorted().map { model.endpoints[$0]?.addresses ?? [] }
                let all = addresses.joined()
                rendered = RenderCache.Members(stem: cache.sets[s]?.stem ?? s.setStem,
                                               members: members, endpoints: members.map { model.endpoints[$0]?.addresses ?? [] },
                                               v4: Set(all.filter { $0.family == .v4 }.map(\.description)),
                                               v6: Set(all.filter { $0.family == .v6 }.map(\.description)))
            }
            nextSets[s] = rendered
            t.sets[rendered.stem + "-v4"] = .init(type: "ipv4_addr", flags: nil, elements: rendered.v4)
            t.sets[rendered.stem + "-v6"] = .init(type: "ipv6_addr", flags: nil, elements: rendered.v6)
        }
        cache.sets = nextSets
        // Named ports: every pod declaring one, as (address, protocol, port) per family; the
        // text is rebuilt only when some pod's ports or addresses changed.
        var declared: [String: [(IPAddress, NamedPort)]] = [:]
        for e in model.endpoints.values where !e.namedPorts.isEmpty {
            for np in e.namedPorts where namedPorts.contains(np.name) {
                for a in e.addresses { declared[np.name, default: []].append((a, np)) }
            }
        }
        var nextPorts: [String: RenderCache.PortSet] = [:]
        for n in namedPorts {
            let pairs = (declared[n] ?? []).map { RenderCache.PortPair(address: $0.0, port: $0.1) }
            let fingerprint = Set(pairs)
            let rendered: RenderCache.PortSet
            if let c = cache.ports[n], c.pairs == fingerprint {
                rendered = c
            } else {
                var v4: Set<String> = [], v6: Set<String> = []
                for p in fingerprint {
                    let text = "\(p.address) . \(p.port.transport.rawValue.lowercased()) . \(p.port.port)"
                    if p.address.family == .v4 { v4.insert(text) } else { v6.insert(text) }
                }
                rendered = RenderCache.PortSet(pairs: fingerprint, v4: v4, v6: v6)
            }
            nextPorts[n] = rendered
            t.sets[NFTRenderer.portSetName(n, .v4)] = .init(type: "ipv4_addr . inet_proto . inet_service", flags: nil, elements: rendered.v4)
            t.sets[NFTRenderer.portSetName(n, .v6)] = .init(type: "ipv6_addr . inet_proto . inet_service", flags: nil, elements: rendered.v6)
        }
        cache.ports = nextPorts
        let p = workloadPrefix + "*"
        t.baseChains["forward"] = "type filter hook forward priority filter; policy accept;"
        t.chains["forward"] = [
            "ct state established,related accept",
            "iifname \"\(p)\" ct state invalid drop",
            "oifname \"\(p)\" ct state invalid drop",
            "iifname \"\(p)\" iifname != @workloads counter name \"unknown-workload\" drop",
            "oifname \"\(p)\" oifname != @workloads counter name \"unknown-workload\" drop",
            "iifname vmap @from-workload",
            "oifname vmap @to-workload",
        ]
        t.counters.insert("unknown-workload")
        return t
    }

    /// `0x00010000`.
    static func hex(_ v: UInt32) -> String {
        let s = String(v, radix: 16)
        return "0x" + String(repeating: "0", count: 8 - s.count) + s
    }

    // MARK: Names (stable across restarts: derived from policy ids, selectors and interfaces)

    static func workloadChain(_ d: PolicyType, _ ifname: String) -> String {
        (d == .ingress ? "to-" : "from-") + sanitized(ifname)
    }

    /// `workloadChain` and `dropCounter` of a local pod, memoized per interface (a
    /// thousand pods' names are not rebuilt on every pass).
    func workloadNames(_ d: PolicyType, _ ifname: String) -> (chain: String, counter: String) {
        if let n = cache.names[RenderCache.NameKey(interface: ifname, direction: d)] { return n }
        let chain = NFTRenderer.workloadChain(d, ifname)
        let n = (chain, "drop-" + chain)
        cache.names[RenderCache.NameKey(interface: ifname, direction: d)] = n
        return n
    }

    static func policyChain(_ d: PolicyType, _ id: String) -> String { (d == .ingress ? "pi-" : "po-") + id }

    /// The counter of rule `origin` of policy `id` in direction `d`.
    public static func counter(_ id: String, _ d: PolicyType, _ origin: Int) -> String {
        "c-\(id)-\(d == .ingress ? "i" : "e")\(origin)"
    }

    /// The counter of the end-of-tier drop of a local pod's direction.
    public static func dropCounter(_ d: PolicyType, _ ifname: String) -> String { "drop-" + workloadChain(d, ifname) }

    static func setName(_ s: EndpointSelector, _ f: IPFamily) -> String { s.setStem + (f == .v4 ? "-v4" : "-v6") }

    static func portSetName(_ name: String, _ f: IPFamily) -> String { "port-\(name)" + (f == .v4 ? "-v4" : "-v6") }

    /// An nft identifier from an interface name: letters, digits, `_ - .` kept, others `_`.
    static func sanitized(_ s: String) -> String {
        String(s.map { $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" || $0 == "." ? $0 : "_" })
    }

    // MARK: Rules

    /// One compiled rule as nft rules: one for both families when it names no address,
    /// else one per family it can match.
    func ruleTexts(_ r: PolicyRule, counter: String, policy: CompiledPolicy, mark: String) -> [String] {
        let verdict: String
        switch r.action {
        case .allow, .pass: verdict = "meta mark set meta mark | \(mark) return"
        case .deny: verdict = "drop"
        case .log: verdict = "log prefix \"tern \(policy.kindLabel) \(NFTRenderer.sanitized(policy.displayName)) \" level info"
        }
        var common: [String] = []
        if let t = r.transport { common.append("meta l4proto \(t)") }
        if let t = r.notTransport { common.append("meta l4proto != \(t)") }
        if case .ranges(let ranges)? = r.destinationPorts { common.append("th dport \(NFTRenderer.portSet(ranges))") }
        if !r.notDestinationPorts.isEmpty { common.append("th dport != \(NFTRenderer.portSet(r.notDestinationPorts))") }
        if let s = r.sourcePorts { common.append("th sport \(NFTRenderer.portSet(s))") }
        let tail = "counter name \"\(counter)\" \(verdict)"
        var named: String?
        if case .named(let n)? = r.destinationPorts { named = n }
        let needsFamily = named != nil || !r.notNamedPorts.isEmpty || !r.source.isAny || !r.destination.isAny || r.ipVersion != nil
        if !needsFamily { return [(common + [tail]).joined(separator: " ")] }
        var out: [String] = []
        for f in [IPFamily.v4, .v6] where r.families.contains(f) {
            let ip = f == .v4 ? "ip" : "ip6"
            var parts = common
            var family: [String] = []
            if let n = named { family.append("\(ip) daddr . meta l4proto . th dport @\(NFTRenderer.portSetName(n, f))") }
            for n in r.notNamedPorts { family.append("\(ip) daddr . meta l4proto . th dport != @\(NFTRenderer.portSetName(n, f))") }
            family += addressTexts(r.source, "saddr", ip, f)
            family += addressTexts(r.destination, "daddr", ip, f)
            if family.isEmpty { family.append("meta nfproto \(f == .v4 ? "ipv4" : "ipv6")") }
            parts += family
            out.append((parts + [tail]).joined(separator: " "))
        }
        return out
    }

    func addressTexts(_ m: AddressMatch, _ field: String, _ ip: String, _ f: IPFamily) -> [String] {
        var parts: [String] = []
        let nets = m.nets.filter { $0.ipFamily == f }
        if !nets.isEmpty { parts.append("\(ip) \(field) { \(nets.map(\.description).sorted().joined(separator: ", ")) }") }
        let notNets = m.notNets.filter { $0.ipFamily == f }
        if !notNets.isEmpty { parts.append("\(ip) \(field) != { \(notNets.map(\.description).sorted().joined(separator: ", ")) }") }
        if let s = m.pods { parts.append("\(ip) \(field) @\(NFTRenderer.setName(s, f))") }
        if let s = m.notPods { parts.append("\(ip) \(field) != @\(NFTRenderer.setName(s, f))") }
        return parts
    }

    /// `{ 80, 90-99 }` with overlapping and adjacent ranges merged (nft rejects overlaps).
    static func portSet(_ ranges: [ClosedRange<UInt16>]) -> String {
        var merged: [ClosedRange<UInt16>] = []
        for r in ranges.sorted(by: { $0.lowerBound < $1.lowerBound }) {
            if let last = merged.last, Int(r.lowerBound) <= Int(last.upperBound) + 1 {
                merged[merged.count - 1] = last.lowerBound...max(last.upperBound, r.upperBound)
            } else {
                merged.append(r)
            }
        }
        let items = merged.map { $0.lowerBound == $0.upperBound ? "\($0.lowerBound)" : "\($0.lowerBound)-\($0.upperBound)" }
        return "{ \(items.joined(separator: ", ")) }"
    }
}

/// ``NFTRenderer``'s memo: the rendered chains of each policy and direction, and each
/// selector's set elements with the members (and their addresses) they were made from.
final class RenderCache: @unchecked Sendable {
    /// A policy's chain by its id (hashing the id, not the whole policy; the entry keeps
    /// the policy it was made from, compared on use).
    struct PolicyKey: Hashable {
        var id: String
        var direction: PolicyType
    }

    struct PolicyChain {
        var policy: CompiledPolicy
        var rules: [String] = []
        var counters: Set<String> = []
        var selectors: Set<EndpointSelector> = []
        var namedPorts: Set<String> = []
    }

    struct Members {
        /// The set's name stem (``EndpointSelector/setStem``).
        var stem: String
        var members: Set<String>
        /// The members' addresses, in the set's iteration order (a pod's address change shows).
        var endpoints: [[IPAddress]]
        var v4: Set<String>
        var v6: Set<String>
    }

    /// A local pod's dispatch chain: its interface, the direction, the applying policies' ids.
    struct WorkloadKey: Hashable {
        var interface: String
        var direction: PolicyType
        var policies: [String]
    }

    /// One pod address declaring one named port.
    struct PortPair: Hashable {
        var address: IPAddress
        var port: NamedPort
    }

    struct PortSet {
        var pairs: Set<PortPair>
        var v4: Set<String>
        var v6: Set<String>
    }

    struct NameKey: Hashable {
        var interface: String
        var direction: PolicyType
    }

    var policies: [PolicyKey: PolicyChain] = [:]
    var workloads: [WorkloadKey: [String]] = [:]
    var names: [NameKey: (chain: String, counter: String)] = [:]
    var ports: [String: PortSet] = [:]
    var sets: [EndpointSelector: Members] = [:]
}
