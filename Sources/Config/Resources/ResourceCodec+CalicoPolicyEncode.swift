import Model

// CalicoPolicySpec → the projectcalico.org/v3 JSON shape, keys in the order of Calico's
// reference pages; empty lists and entity rules left out; `selector` always written (as
// calicoctl prints it), as written by the user.

extension ResourceCodec {
    static func calicoPolicy(_ s: CalicoPolicySpec) -> JSONValue {
        var o: [(String, JSONValue)] = []
        if let order = s.order { o.append(("order", .real(order))) }
        o.append(("selector", .string(s.selector.text)))
        if let n = s.namespaceSelector { o.append(("namespaceSelector", .string(n.text))) }
        if let t = s.types { o.append(("types", .array(t.map { .string($0.rawValue) }))) }
        if !s.ingress.isEmpty { o.append(("ingress", .array(s.ingress.map(calicoRule)))) }
        if !s.egress.isEmpty { o.append(("egress", .array(s.egress.map(calicoRule)))) }
        return .object(o)
    }

    static func calicoRule(_ r: CalicoRule) -> JSONValue {
        var o: [(String, JSONValue)] = [("action", .string(r.action.rawValue))]
        if let p = r.protocol { o.append(("protocol", calicoProtocol(p))) }
        if let p = r.notProtocol { o.append(("notProtocol", calicoProtocol(p))) }
        if let v = r.ipVersion { o.append(("ipVersion", .number(v))) }
        if !r.source.isEmpty { o.append(("source", entityRule(r.source))) }
        if !r.destination.isEmpty { o.append(("destination", entityRule(r.destination))) }
        return .object(o)
    }

    static func calicoProtocol(_ p: CalicoProtocol) -> JSONValue {
        if case .number(let n) = p { return .number(Int(n)) }
        return .string(p.description)
    }

    static func entityRule(_ e: CalicoEntityRule) -> JSONValue {
        var o: [(String, JSONValue)] = []
        if !e.nets.isEmpty { o.append(("nets", .array(e.nets.map { .string($0.description) }))) }
        if !e.notNets.isEmpty { o.append(("notNets", .array(e.notNets.map { .string($0.description) }))) }
        if let s = e.selector { o.append(("selector", .string(s.text))) }
        if let s = e.notSelector { o.append(("notSelector", .string(s.text))) }
        if let s = e.namespaceSelector { o.append(("namespaceSelector", .string(s.text))) }
        if !e.ports.isEmpty { o.append(("ports", .array(e.ports.map(calicoPort)))) }
        if !e.notPorts.isEmpty { o.append(("notPorts", .array(e.notPorts.map(calicoPort)))) }
        return .object(o)
    }

    static func calicoPort(_ p: CalicoPort) -> JSONValue {
        if case .range(let a, let b) = p, a == b { return .number(Int(a)) }
        return .string(p.description)
    }
}
