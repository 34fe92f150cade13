import Config
import IPCore
import Model
import Testing
@testable import Policy

/// The upstream e2e model as a pure fixture: namespaces x, y, z with pods a, b, c (label
/// `pod=<name>`), each declaring serve-80-tcp, serve-81-tcp, serve-80-udp, serve-81-udp;
/// pod `<ns>/<pod>` is 10.0.<1|2|3>.<1|2|3>, all on this node.
final class PolicyWorld {
    var inputs = PolicyInputs()
    var compiler = PolicyCompiler()

    static let namespaces = ["x", "y", "z"]
    static let pods = ["a", "b", "c"]

    init(policies yaml: String = "") {
        for (i, ns) in PolicyWorld.namespaces.enumerated() {
            inputs.namespaces[ns] = [:]
            for (j, pod) in PolicyWorld.pods.enumerated() {
                inputs.endpoints.append(PolicyWorld.endpoint(ns, pod, "10.0.\(i + 1).\(j + 1)"))
            }
        }
        if !yaml.isEmpty { apply(yaml) }
    }

    static func endpoint(_ ns: String, _ pod: String, _ ip: String, labels: [String: String]? = nil) -> PolicyEndpoint {
        let ports = [80, 81].flatMap { p in
            [NamedPort(name: "serve-\(p)-tcp", port: UInt16(p), transport: .tcp), NamedPort(name: "serve-\(p)-udp", port: UInt16(p), transport: .udp)]
        }
        return PolicyEndpoint(namespace: ns, name: pod, addresses: [IPAddress(ip)!], labels: labels ?? ["pod": pod],
                              namedPorts: ports, interface: "cali\(ns)\(pod)")
    }

    /// Adds the NetworkPolicies of a YAML stream (decoded by the datastore's codec).
    func apply(_ yaml: String) {
        let resources = try! ResourceCodec.decode(yaml, file: "test.yaml")
        for r in resources {
            switch r.spec {
            case .networkPolicy(let s):
                inputs.kubernetesPolicies.append(KubernetesPolicy(namespace: r.metadata.namespace ?? "default", name: r.metadata.name, spec: s))
            case .globalNetworkPolicy(let s):
                inputs.calicoPolicies.append(CalicoPolicy(namespace: nil, name: r.metadata.name, spec: s))
            case .calicoNetworkPolicy(let s):
                inputs.calicoPolicies.append(CalicoPolicy(namespace: r.metadata.namespace ?? "default", name: r.metadata.name, spec: s))
            case .namespace:
                inputs.namespaces[r.metadata.name] = r.metadata.labels
            default: Issue.record("unexpected \(r.kind)")
            }
        }
    }

    func model() -> PolicyModel { compiler.compile(inputs) }

    func relabel(_ qualified: String, _ labels: [String: String]) {
        let i = inputs.endpoints.firstIndex { $0.qualifiedName == qualified }!
        inputs.endpoints[i].labels = labels
    }

    /// Whether `from` may open `port` on `to` (both sides: egress of from, ingress of to).
    func allowed(_ from: String, _ to: String, _ port: UInt16, _ t: TransportProtocol = .tcp) -> Bool {
        let m = model()
        let s = m.endpoints[from]!, d = m.endpoints[to]!
        let packet = PacketTuple(source: s.addresses[0], destination: d.addresses[0], transport: t.number, sourcePort: 40000, destinationPort: port)
        return m.verdict(.egress, for: s, packet).allowed && m.verdict(.ingress, for: d, packet).allowed
    }

    /// Every ordered pair (loopback ignored) on 80/81 TCP and UDP: the pairs denied.
    func denied() -> Set<String> {
        let m = model()
        var out: Set<String> = []
        for s in m.endpoints.values {
            for d in m.endpoints.values where s.qualifiedName != d.qualifiedName {
                for (port, t) in [(UInt16(80), TransportProtocol.tcp), (81, .tcp), (80, .udp), (81, .udp)] {
                    let packet = PacketTuple(source: s.addresses[0], destination: d.addresses[0], transport: t.number, destinationPort: port)
                    if !(m.verdict(.egress, for: s, packet).allowed && m.verdict(.ingress, for: d, packet).allowed) {
                        out.insert("\(s.qualifiedName)>\(d.qualifiedName):\(port)/\(t.rawValue)")
                    }
                }
            }
        }
        return out
    }

    /// All pods, qualified.
    static var all: [String] { namespaces.flatMap { ns in pods.map { "\(ns)/\($0)" } } }

    /// Every probe into `to` from every other pod on the given ports.
    static func into(_ to: String, ports: [(UInt16, TransportProtocol)] = allPorts, from: [String] = all) -> Set<String> {
        Set(from.filter { $0 != to }.flatMap { f in ports.map { "\(f)>\(to):\($0.0)/\($0.1.rawValue)" } })
    }

    /// Every probe out of `from`.
    static func outOf(_ from: String, ports: [(UInt16, TransportProtocol)] = allPorts, to: [String] = all) -> Set<String> {
        Set(to.filter { $0 != from }.flatMap { t in ports.map { "\(from)>\(t):\($0.0)/\($0.1.rawValue)" } })
    }

    static let allPorts: [(UInt16, TransportProtocol)] = [(80, .tcp), (81, .tcp), (80, .udp), (81, .udp)]
}
