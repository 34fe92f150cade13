import IPCore
import Model

// Model → the Calico/Kubernetes JSON shape. Keys are in a fixed order (apiVersion, kind,
// metadata, spec; inside each as the kind's documentation lists them); map keys sorted;
// values equal to their defaults are left out, as kubectl and calicoctl print them.

extension ResourceCodec {
    /// The whole resource as an ordered JSON tree.
    static func tree(_ r: Resource) -> JSONValue {
        var top: [(String, JSONValue)] = [
            ("apiVersion", .string(r.kind.apiVersion)),
            ("kind", .string(r.kind.kindName)),
            ("metadata", metadata(r.metadata)),
        ]
        if let spec = spec(r.spec) { top.append(("spec", spec)) }
        return .object(top)
    }

    static func metadata(_ m: ResourceMetadata) -> JSONValue {
        var o: [(String, JSONValue)] = [("name", .string(m.name))]
        if let ns = m.namespace { o.append(("namespace", .string(ns))) }
        if !m.labels.isEmpty { o.append(("labels", .sorted(m.labels))) }
        if !m.annotations.isEmpty { o.append(("annotations", .sorted(m.annotations))) }
        if let v = m.resourceVersion { o.append(("resourceVersion", .string(v))) }
        if let v = m.uid { o.append(("uid", .string(v))) }
        if let v = m.creationTimestamp { o.append(("creationTimestamp", .string(v))) }
        return .object(o)
    }

    /// The `spec`; nil for a Namespace (which has none of Tern's interest).
    static func spec(_ s: ResourceSpec) -> JSONValue? {
        switch s {
        case .ipPool(let p): return ipPool(p)
        case .bgpPeer(let p): return bgpPeer(p)
        case .bgpConfiguration(let c): return bgpConfiguration(c)
        case .node(let n): return node(n)
        case .ipamConfiguration(let c):
            var o: [(String, JSONValue)] = []
            if c.strictAffinity { o.append(("strictAffinity", .bool(true))) }
            if c.maxBlocksPerHost != 0 { o.append(("maxBlocksPerHost", .number(c.maxBlocksPerHost))) }
            return .object(o)
        case .workloadEndpoint(let w): return workloadEndpoint(w)
        case .blockAffinity(let b):
            var o: [(String, JSONValue)] = [("state", .string(b.state.rawValue)), ("node", .string(b.node)),
                                            ("cidr", .string(b.cidr.description))]
            // Calico writes `deleted` as the string "false"/"true"; so does Tern, so Calico reads it back.
            o.append(("deleted", .string(b.deleted ? "true" : "false")))
            return .object(o)
        case .namespace: return nil
        case .pod(let p): return pod(p)
        case .networkPolicy(let n): return networkPolicy(n)
        case .globalNetworkPolicy(let p), .calicoNetworkPolicy(let p): return calicoPolicy(p)
        }
    }

    static func ipPool(_ p: IPPoolSpec) -> JSONValue {
        var o: [(String, JSONValue)] = [("cidr", .string(p.cidr.description))]
        if let b = p.blockSize { o.append(("blockSize", .number(Int(b)))) }
        if p.ipipMode != .Never { o.append(("ipipMode", .string(p.ipipMode.rawValue))) }
        if p.vxlanMode != .Never { o.append(("vxlanMode", .string(p.vxlanMode.rawValue))) }
        if p.natOutgoing { o.append(("natOutgoing", .bool(true))) }
        if p.disabled { o.append(("disabled", .bool(true))) }
        if let s = p.nodeSelector { o.append(("nodeSelector", .string(s))) }
        return .object(o)
    }

    static func bgpPeer(_ p: BGPPeerSpec) -> JSONValue {
        var o: [(String, JSONValue)] = []
        if let n = p.node { o.append(("node", .string(n))) }
        if let s = p.nodeSelector { o.append(("nodeSelector", .string(s))) }
        if let ip = p.peerIP {
            let text: String
            switch (ip, p.peerPort) {
            case (_, nil): text = ip.description
            case (.v6, let port?): text = "[\(ip)]:\(port)"
            case (.v4, let port?): text = "\(ip):\(port)"
            }
            o.append(("peerIP", .string(text)))
        }
        if let a = p.asNumber { o.append(("asNumber", .number(Int(a)))) }
        if let s = p.peerSelector { o.append(("peerSelector", .string(s))) }
        switch p.password {
        case .secretKeyRef(let name, let key)?:
            o.append(("password", .object([("secretKeyRef", .object([("name", .string(name)), ("key", .string(key))]))])))
        case .file(let path)?:
            o.append(("password", .object([("file", .string(path))])))
        case nil: break
        }
        if p.keepOriginalNextHop { o.append(("keepOriginalNextHop", .bool(true))) }
        if let t = p.ttlSecurity { o.append(("ttlSecurity", .number(Int(t)))) }
        return .object(o)
    }

    static func bgpConfiguration(_ c: BGPConfigurationSpec) -> JSONValue {
        var o: [(String, JSONValue)] = []
        if let l = c.logSeverityScreen { o.append(("logSeverityScreen", .string(l))) }
        if let m = c.nodeToNodeMeshEnabled { o.append(("nodeToNodeMeshEnabled", .bool(m))) }
        if let a = c.asNumber { o.append(("asNumber", .number(Int(a)))) }
        if !c.serviceClusterIPs.isEmpty {
            o.append(("serviceClusterIPs", .array(c.serviceClusterIPs.map { .object([("cidr", .string($0.description))]) })))
        }
        if let p = c.listenPort { o.append(("listenPort", .number(Int(p)))) }
        return .object(o)
    }

    static func node(_ n: NodeResourceSpec) -> JSONValue {
        guard let b = n.bgp else { return .object([]) }
        var o: [(String, JSONValue)] = []
        if let a = b.ipv4Address { o.append(("ipv4Address", .string(a.description))) }
        if let a = b.ipv6Address { o.append(("ipv6Address", .string(a.description))) }
        if let a = b.asNumber { o.append(("asNumber", .number(Int(a)))) }
        if let c = b.routeReflectorClusterID { o.append(("routeReflectorClusterID", .string(c))) }
        return .object([("bgp", .object(o))])
    }

    static func workloadEndpoint(_ w: WorkloadEndpointSpec) -> JSONValue {
        var o: [(String, JSONValue)] = []
        if let v = w.orchestrator { o.append(("orchestrator", .string(v))) }
        o.append(("node", .string(w.node)))
        o.append(("pod", .string(w.pod)))
        if let v = w.containerID { o.append(("containerID", .string(v))) }
        if let v = w.endpoint { o.append(("endpoint", .string(v))) }
        o.append(("interfaceName", .string(w.interfaceName)))
        if let m = w.mac { o.append(("mac", .string(m.description))) }
        o.append(("ipNetworks", .array(w.ipNetworks.map { .string($0.description) })))
        return .object(o)
    }

    static func pod(_ p: PodSpec) -> JSONValue {
        // One container per port keeps the ports' shape; Tern keeps no container names.
        guard !p.ports.isEmpty else { return .object([]) }
        let ports: [JSONValue] = p.ports.map { np in
            .object([("name", .string(np.name)), ("containerPort", .number(Int(np.port))), ("protocol", .string(np.transport.rawValue))])
        }
        return .object([("containers", .array([.object([("name", .string("main")), ("ports", .array(ports))])]))])
    }

    static func networkPolicy(_ n: NetworkPolicySpec) -> JSONValue {
        var o: [(String, JSONValue)] = [("podSelector", selector(n.podSelector))]
        if let t = n.policyTypes { o.append(("policyTypes", .array(t.map { .string($0.rawValue) }))) }
        if !n.ingress.isEmpty { o.append(("ingress", .array(n.ingress.map { rule($0, peers: "from") }))) }
        if !n.egress.isEmpty { o.append(("egress", .array(n.egress.map { rule($0, peers: "to") }))) }
        return .object(o)
    }

    static func rule(_ r: NetworkPolicyRule, peers key: String) -> JSONValue {
        var o: [(String, JSONValue)] = []
        if !r.peers.isEmpty { o.append((key, .array(r.peers.map(peer)))) }
        if !r.ports.isEmpty { o.append(("ports", .array(r.ports.map(port)))) }
        return .object(o)
    }

    static func peer(_ p: NetworkPolicyPeer) -> JSONValue {
        if case .ipBlock(let b) = p {
            var o: [(String, JSONValue)] = [("cidr", .string(b.cidr.description))]
            if !b.except.isEmpty { o.append(("except", .array(b.except.map { .string($0.description) }))) }
            return .object([("ipBlock", .object(o))])
        }
        var o: [(String, JSONValue)] = []
        if let s = p.podSelector { o.append(("podSelector", selector(s))) }
        if let s = p.namespaceSelector { o.append(("namespaceSelector", selector(s))) }
        return .object(o)
    }

    static func port(_ p: NetworkPolicyPort) -> JSONValue {
        var o: [(String, JSONValue)] = [("protocol", .string(p.transport.rawValue))]
        switch p.port {
        case .number(let n)?: o.append(("port", .number(Int(n))))
        case .named(let s)?: o.append(("port", .string(s)))
        case nil: break
        }
        if let e = p.endPort { o.append(("endPort", .number(Int(e)))) }
        return .object(o)
    }

    static func selector(_ s: LabelSelector) -> JSONValue {
        var o: [(String, JSONValue)] = []
        if !s.matchLabels.isEmpty { o.append(("matchLabels", .sorted(s.matchLabels))) }
        if !s.matchExpressions.isEmpty {
            o.append(("matchExpressions", .array(s.matchExpressions.map { r in
                var e: [(String, JSONValue)] = [("key", .string(r.key)), ("operator", .string(r.operator.rawValue))]
                if !r.values.isEmpty { e.append(("values", .array(r.values.map { .string($0) }))) }
                return .object(e)
            })))
        }
        return .object(o)
    }
}
