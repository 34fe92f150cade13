import Datastore
import IPCore
import Model

/// Writes this node's `Node` resource (Calico's `calico-node` does the same at start):
/// its BGP addresses, keeping whatever an operator set on it — labels, annotations, the
/// AS number, the route-reflector cluster ID. Read-modify-write with a revision check.
public enum NodeRegistrar {
    /// The node's `Node` resource after registering (created, updated or already right).
    @discardableResult
    public static func register(client: ResourceClient, name: String, ipv4: InterfaceAddress?,
                                ipv6: InterfaceAddress?) throws(ResourceClient.Failure) -> Resource {
        for _ in 0..<16 {
            if var existing = try client.get(.node, name: name) {
                guard case .node(var spec) = existing.spec else { break }
                var bgp = spec.bgp ?? NodeBGPSpec()
                if bgp.ipv4Address == ipv4 && bgp.ipv6Address == ipv6 { return existing }
                bgp.ipv4Address = ipv4
                bgp.ipv6Address = ipv6
                spec.bgp = bgp
                existing.spec = .node(spec)
                do { return try client.replace(existing) } catch .store(.conflict) { continue }
            }
            let fresh = Resource(metadata: ResourceMetadata(name: name),
                                 spec: .node(NodeResourceSpec(bgp: NodeBGPSpec(ipv4Address: ipv4, ipv6Address: ipv6))))
            do { return try client.create(fresh) } catch .alreadyExists { continue }
        }
        throw .store(.conflict(key: client.keys.key(.node, name: name), current: nil))
    }
}
