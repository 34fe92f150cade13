import IPCore
import Model
import Yams

// The spec of each kind: the dispatch, and the helpers that read nested mappings and lists
// of them with their tables.

extension Reader {
    /// The spec of a `kind` document from `node` (nil: not written; a kind whose spec is
    /// optional then has its default spec). Nil when it was rejected (reported).
    func spec(of kind: ResourceKind, _ node: Node?, at path: String) -> ResourceSpec? {
        switch kind {
        case .namespace:
            return .namespace
        case .ipPool:
            return node.flatMap { ipPoolSpec($0, path) }.map(ResourceSpec.ipPool)
        case .bgpPeer:
            return node.flatMap { bgpPeerSpec($0, path) }.map(ResourceSpec.bgpPeer)
        case .bgpConfiguration:
            guard let node else { return .bgpConfiguration(BGPConfigurationSpec()) }
            return object(node, path, ResourceCodec.bgpConfigurationFields, start: BGPConfigurationSpec()).map(ResourceSpec.bgpConfiguration)
        case .node:
            guard let node else { return .node(NodeResourceSpec()) }
            return object(node, path, ResourceCodec.nodeFields, start: NodeResourceSpec()).map(ResourceSpec.node)
        case .ipamConfiguration:
            guard let node else { return .ipamConfiguration(IPAMConfigurationSpec()) }
            return object(node, path, ResourceCodec.ipamFields, start: IPAMConfigurationSpec()).map(ResourceSpec.ipamConfiguration)
        case .workloadEndpoint:
            return node.flatMap {
                object($0, path, ResourceCodec.workloadEndpointFields,
                       start: WorkloadEndpointSpec(node: "", pod: "", interfaceName: "", ipNetworks: []))
            }.map(ResourceSpec.workloadEndpoint)
        case .blockAffinity:
            return node.flatMap {
                object($0, path, ResourceCodec.blockAffinityFields,
                       start: BlockAffinitySpec(state: .pending, node: "", cidr: ResourceCodec.placeholderPrefix))
            }.map(ResourceSpec.blockAffinity)
        case .pod:
            guard let node else { return .pod(PodSpec()) }
            return object(node, path, ResourceCodec.podFields, start: PodSpec()).map(ResourceSpec.pod)
        case .networkPolicy:
            return node.flatMap { object($0, path, ResourceCodec.networkPolicyFields, start: NetworkPolicySpec()) { m in
                networkPolicyChecks(m)
            } }.map(ResourceSpec.networkPolicy)
        case .globalNetworkPolicy:
            return calicoPolicySpec(node, path, namespaced: false).map(ResourceSpec.globalNetworkPolicy)
        case .calicoNetworkPolicy:
            return calicoPolicySpec(node, path, namespaced: true).map(ResourceSpec.calicoNetworkPolicy)
        }
    }

    /// The mapping `v` read with `table` from `start`, then `finish`ed (the checks across
    /// its fields); nil when anything was missing or rejected (reported).
    func object<T, U>(_ v: Node, _ path: String, _ table: FieldTable<T>, start: T,
                      finish: (ReadMapping<T>) -> U?) -> U? {
        guard let m = table.read(v, at: path, into: start, self), m.isComplete else { return nil }
        return finish(m)
    }

    /// The mapping `v` read with `table` from `start`; nil when anything was missing or rejected.
    func object<T>(_ v: Node, _ path: String, _ table: FieldTable<T>, start: T) -> T? {
        object(v, path, table, start: start) { $0.value }
    }

    /// The list `v` of mappings, each read as ``object(_:_:_:start:finish:)``; nil when one
    /// was rejected (every entry is read, so all their errors are reported).
    func objects<T, U>(_ v: Node, _ path: String, _ table: FieldTable<T>, start: T, example: String,
                       finish: (ReadMapping<T>) -> U?) -> [U]? {
        guard let items = list(v, path, example: example) else { return nil }
        var out: [U] = []
        var ok = true
        for (i, item) in items.enumerated() {
            guard let m = table.read(item, at: "\(path)[\(i)]", into: start, self, index: i), m.isComplete,
                  let t = finish(m) else {
                ok = false
                continue
            }
            out.append(t)
        }
        return ok ? out : nil
    }

    /// The list `v` of mappings, each read with `table` from `start`.
    func objects<T>(_ v: Node, _ path: String, _ table: FieldTable<T>, start: T, example: String) -> [T]? {
        objects(v, path, table, start: start, example: example) { $0.value }
    }

    /// A list of scalars each read by `item`; nil when one was rejected.
    func scalars<T>(_ v: Node, _ path: String, example: String, _ item: (Node, String) -> T?) -> [T]? {
        guard let items = list(v, path, example: example) else { return nil }
        var out: [T] = []
        var ok = true
        for (i, n) in items.enumerated() {
            if let t = item(n, "\(path)[\(i)]") { out.append(t) } else { ok = false }
        }
        return ok ? out : nil
    }

    /// Reports a missing key that is required only with another one (`asNumber` with `peerIP`).
    func missing<T>(_ m: ReadMapping<T>, _ key: String, _ hint: String) {
        fail(m.node, m.path(key), "missing required key \"\(key)\" in \(m.prefix)", hint: hint)
    }

    /// Reports `key` of `m` as not allowed together with `other`.
    func conflict<T>(_ m: ReadMapping<T>, _ key: String, _ other: String, hint: String) {
        fail(m.entries[key]?.key ?? m.node, m.path(key), "\(other) and \(key) cannot both be set", hint: hint)
    }
}

extension ResourceCodec {
    /// A start value for a required prefix (replaced when read; the table reports it missing).
    static let placeholderPrefix = IPPrefix("0.0.0.0/0")!
}
