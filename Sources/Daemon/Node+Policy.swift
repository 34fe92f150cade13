import Cluster
import Config
import Dataplane
import Foundation
import IPCore
import Model
import Policy
import TernAPI

// MARK: - NetworkPolicy (docs/POLICY.md)

extension Node {
    /// Starts the policy manager when policies are enforced (a datastore, `policy.enabled`
    /// not false); removes Tern's table when they are turned off.
    func startPolicy() {
        guard config.dataplaneEnabled else { return }
        guard config.policyEnabled else {
            if config.policy.enabled == false { PolicyManager.removeTable(logger: logger) }
            return
        }
        guard policy == nil else { return }
        let s = config.policy
        let m = PolicyManager(settings: .init(cutDeniedConnections: s.cutDeniedConnections, resyncInterval: Double(s.resyncInterval),
                                              workloadPrefix: s.workloadInterfacePrefix), logger: logger)
        m.start()
        policy = m
    }

    /// Posts the current inputs to the policy manager: only once the datastore's view is
    /// known (before that, the table of the previous run stays in force, unchanged).
    func updatePolicy() {
        guard let policy, let state = clusterState else { return }
        policy.update(policyInputs(state.view))
    }

    /// Every pod of the cluster (this node's workloads with their interfaces, the other
    /// nodes' WorkloadEndpoints), namespace labels and policies, from `view`. A pod's labels
    /// and named ports are its datastore `Pod`'s when there is one (`tern label pod`
    /// changes them live), else the workload's own.
    func policyInputs(_ view: ClusterView) -> PolicyInputs {
        var endpoints: [String: PolicyEndpoint] = [:]
        for r in view.all(.workloadEndpoint) {
            guard case .workloadEndpoint(let s) = r.spec, s.node != config.nodeName else { continue }
            let ns = r.metadata.namespace ?? Model.Workload.defaultNamespace
            let pod = view.resource(.pod, namespace: ns, name: s.pod)
            endpoints["\(ns)/\(s.pod)"] = PolicyEndpoint(namespace: ns, name: s.pod, addresses: s.ipNetworks.map(\.address),
                                                         labels: pod?.metadata.labels ?? r.metadata.labels,
                                                         namedPorts: Node.namedPorts(pod))
        }
        // Unsorted (allWorkloads sorts): the inputs are sorted once below.
        for w in config.workloads + dynamicWorkloads.values.map(\.workload) {
            let pod = view.resource(.pod, namespace: w.namespace, name: w.name)
            endpoints[w.qualifiedName] = PolicyEndpoint(namespace: w.namespace, name: w.name, addresses: w.ipNetworks.map(\.address),
                                                        labels: pod?.metadata.labels ?? w.labels, namedPorts: Node.namedPorts(pod),
                                                        interface: w.interface.description)
        }
        // By the dictionary's keys (`namespace/name`, already built): sorting by a computed
        // name built it twice per comparison.
        var inputs = PolicyInputs(endpoints: endpoints.keys.sorted().map { endpoints[$0]! })
        for r in view.all(.namespace) { inputs.namespaces[r.metadata.name] = r.metadata.labels }
        for r in view.all(.networkPolicy) {
            if case .networkPolicy(let spec) = r.spec {
                inputs.kubernetesPolicies.append(KubernetesPolicy(namespace: r.metadata.namespace ?? "default", name: r.metadata.name, spec: spec))
            }
        }
        for r in view.all(.globalNetworkPolicy) {
            if case .globalNetworkPolicy(let spec) = r.spec { inputs.calicoPolicies.append(CalicoPolicy(namespace: nil, name: r.metadata.name, spec: spec)) }
        }
        for r in view.all(.calicoNetworkPolicy) {
            if case .calicoNetworkPolicy(let spec) = r.spec {
                inputs.calicoPolicies.append(CalicoPolicy(namespace: r.metadata.namespace ?? "default", name: r.metadata.name, spec: spec))
            }
        }
        return inputs
    }

    static func namedPorts(_ pod: Resource?) -> [NamedPort] {
        if case .pod(let spec)? = pod?.spec { return spec.ports }
        return []
    }

    // MARK: Control API (answered on the policy queue, sent on the loop)

    /// `policy-list`, `policy-explain`, `policy-dataplane`.
    func policyCommand(_ command: ControlProtocol.Command, _ request: ControlProtocol.Request,
                       reply: @escaping (ControlProtocol.Response) -> Void) {
        guard let policy else {
            reply(.failure(.unavailable, config.policyEnabled
                ? "policies are not enforced: the dataplane is disabled"
                : "policies are not enforced on this node (no datastore, or policy.enabled: false)"))
            return
        }
        let loopQueue = loop.queue
        let send = UncheckedSendable(reply)
        let explain = request.explain
        policy.snapshot(kernel: command != .policyExplain) { snap in
            let response = Node.policyResponse(command, explain, snap)
            loopQueue.async { send.value(response) }
        }
    }

    static func policyResponse(_ command: ControlProtocol.Command, _ explain: ControlProtocol.PolicyExplainRequest?,
                               _ snap: PolicyManager.Snapshot) -> ControlProtocol.Response {
        guard let model = snap.model else {
            return .failure(.unavailable, "no policy state yet: waiting for the datastore")
        }
        var r = ControlProtocol.Response(ok: true)
        switch command {
        case .policyList:
            r.policies = policyRows(model, counters: snap.kernel?.counters ?? [:])
        case .policyExplain:
            guard let explain else { return .failure(.badRequest, "policy-explain needs from, to and port") }
            switch explanation(model, explain) {
            case .success(let e): r.explanation = e
            case .failure(let e): return .failure(e)
            }
        default:
            r.policyDataplane = dataplaneView(snap)
        }
        return r
    }

    static func policyRows(_ model: PolicyModel, counters: [String: (packets: UInt64, bytes: UInt64)]) -> [ControlProtocol.PolicyRow] {
        model.policies.enumerated().map { i, p in
            let selected = model.selected(by: i)
            var rules: [ControlProtocol.PolicyRuleCounter] = []
            for d in [PolicyType.ingress, .egress] where p.types.contains(d) {
                var seen: Set<Int> = []
                for rule in p.rules(d) where seen.insert(rule.origin).inserted {
                    let c = counters[NFTRenderer.counter(p.id, d, rule.origin)]
                    rules.append(.init(rule: "\(d == .ingress ? "ingress" : "egress")[\(rule.origin)]", action: rule.action.rawValue,
                                       packets: c?.packets ?? 0, bytes: c?.bytes ?? 0))
                }
            }
            var row = ControlProtocol.PolicyRow(kind: p.kindLabel, namespace: p.namespace, name: p.name, order: p.order,
                                                types: p.types.map(\.rawValue).sorted(), selects: selected.map(\.qualifiedName),
                                                selectsHere: selected.filter(\.isLocal).map(\.qualifiedName), rules: rules)
            var packets: UInt64 = 0, bytes: UInt64 = 0
            for e in selected {
                guard let ifname = e.interface else { continue }
                for d in p.types {
                    let c = counters[NFTRenderer.dropCounter(d, ifname)]
                    packets += c?.packets ?? 0
                    bytes += c?.bytes ?? 0
                }
            }
            row.deniedPackets = packets
            row.deniedBytes = bytes
            return row
        }
    }

    /// `from`/`to` as pods (`ns/name`) or addresses; the packet between them.
    static func explanation(_ model: PolicyModel, _ q: ControlProtocol.PolicyExplainRequest) -> Result<ControlProtocol.PolicyExplanation, APIError> {
        let transport: UInt8
        switch (q.protocol ?? "TCP").uppercased() {
        case "TCP": transport = 6
        case "UDP": transport = 17
        case "SCTP": transport = 132
        case let other:
            guard let n = UInt8(other) else { return .failure(APIError(.invalid, "protocol \"\(other)\" is not TCP, UDP, SCTP or a number")) }
            transport = n
        }
        func resolve(_ text: String, family: IPFamily?) -> Result<IPAddress, APIError> {
            if let a = IPAddress(text) { return .success(a) }
            guard text.contains("/") else {
                return .failure(APIError(.invalid, "\"\(text)\" is neither an address nor namespace/pod"))
            }
            guard let e = model.endpoints[text] else { return .failure(APIError(.notFound, "no pod \(text) is known (tern workload list; WorkloadEndpoints in the datastore)")) }
            guard let a = e.addresses.first(where: { family == nil || $0.family == family }) ?? e.addresses.first else {
                return .failure(APIError(.invalid, "pod \(text) has no address"))
            }
            return .success(a)
        }
        let fromIP = IPAddress(q.from), toIP = IPAddress(q.to)
        let source: IPAddress, destination: IPAddress
        switch resolve(q.from, family: toIP?.family) {
        case .success(let a): source = a
        case .failure(let e): return .failure(e)
        }
        switch resolve(q.to, family: fromIP?.family ?? source.family) {
        case .success(let a): destination = a
        case .failure(let e): return .failure(e)
        }
        guard source.family == destination.family else {
            return .failure(APIError(.invalid, "\(q.from) and \(q.to) have no addresses of one family"))
        }
        let e = model.explain(PacketTuple(source: source, destination: destination, transport: transport, destinationPort: q.port),
                              from: q.from, to: q.to)
        func side(_ v: PolicyVerdict?, _ here: Bool) -> ControlProtocol.PolicySide? {
            v.map { ControlProtocol.PolicySide(allowed: $0.allowed, policy: $0.policy, rule: $0.rule, reason: $0.reason, enforcedHere: here) }
        }
        return .success(ControlProtocol.PolicyExplanation(from: e.from, to: e.to, port: e.port, allowed: e.allowed,
                                                          egress: side(e.egress, e.egressEnforcedHere),
                                                          ingress: side(e.ingress, e.ingressEnforcedHere)))
    }

    static func dataplaneView(_ snap: PolicyManager.Snapshot) -> ControlProtocol.PolicyDataplane {
        let d = snap.desired, k = snap.kernel
        var chains: [ControlProtocol.PolicyObject] = []
        for name in Set((d?.chains.keys).map(Array.init) ?? []).union(k?.chains.keys.map { $0 } ?? []).sorted() {
            chains.append(.init(name: name, desired: d?.chains[name]?.count, kernel: k?.chains[name]))
        }
        var sets: [ControlProtocol.PolicyObject] = []
        let desiredSets = (d?.sets.mapValues(\.elements.count) ?? [:]).merging(d?.maps.mapValues(\.elements.count) ?? [:]) { a, _ in a }
        for name in Set(desiredSets.keys).union(k?.sets.keys.map { $0 } ?? []).sorted() {
            sets.append(.init(name: name, desired: desiredSets[name], kernel: k?.sets[name]?.count))
        }
        let inSync = k?.exists == true && chains.allSatisfy { $0.desired == $0.kernel } && sets.allSatisfy { $0.desired == $0.kernel }
        let s = snap.stats
        return ControlProtocol.PolicyDataplane(table: snap.table, inSync: inSync, transactions: s.transactions, replacements: s.replacements,
                                               repairs: s.repairs, lastApplyMilliseconds: s.lastApplyMilliseconds,
                                               lastError: s.lastError ?? snap.kernelError, connectionsCut: s.connectionsCut,
                                               unknownWorkloadDrops: k?.counters["unknown-workload"]?.packets ?? 0,
                                               chains: chains, sets: sets)
    }
}
