import IPCore
import Model
import Yams

// MARK: - nodes

/// One `nodes` entry as written (nil: not written, or rejected).
struct NodeEntry: Sendable {
    var name: String?
    var address: IPAddress?
    var port: UInt16?
}

extension ConfigLoader {
    /// One `nodes` entry: {name, address, port}; `port` defaults to 179.
    static let nodeFields = FieldTable<NodeEntry>("a node", [
        Field("name", required: "add \"name: <node name>\"", into: \.name) { r, v, path in
            r.nonEmptyText(v, path, what: "the node's name")
        },
        Field("address", required: "add \"address: <node IP>\"", into: \.address) { r, v, path in
            r.address(v, path, what: "a node address", allowUnspecified: false)
        },
        Field("port", into: \.port) { r, v, path in r.port(v, path) },
    ])
}

extension Reader {
    /// The complete `nodes` entries as ``NodeSpec``s in `c.nodes`: each name once, each
    /// address and port once. With this node's name and router ID known (`selfKnown`), a
    /// node at our own place under another name is reported: most likely a wrong nodeName.
    func nodes(_ entries: [ReadMapping<NodeEntry>], into c: inout TernConfig, selfKnown: Bool) {
        var names: [String: Int] = [:]
        var places: [PeerEndpoint: Int] = [:]
        var addressNodes: [(index: Int, node: Node)] = []
        for e in entries {
            guard e.isComplete, let i = e.index, let name = e.value.name, let addr = e.value.address,
                  let nameNode = e["name"], let addrNode = e["address"] else { continue }
            let port = e.value.port ?? 179
            if let first = names[name] {
                fail(nameNode, e.path("name"), "duplicate node name \"\(name)\" (also nodes[\(first)])",
                     hint: "list each node once; remove or rename one")
                continue
            }
            names[name] = i
            let id = PeerEndpoint(address: addr, port: port)
            if let first = places[id] {
                fail(addrNode, e.path("address"), "\(id) is already nodes[\(first)]",
                     hint: "two nodes cannot share an address and port; give one a different port")
                continue
            }
            guard let spec = model(e, e.node, { () throws(ModelError) in try NodeSpec(name: name, address: addr, port: port) })
            else { continue }
            places[id] = i
            c.nodes.append(spec)
            addressNodes.append((i, addrNode))
        }
        guard selfKnown else { return }
        for (node, place) in zip(c.nodes, addressNodes) where node.name != c.nodeName {
            let id = PeerEndpoint(address: node.address, port: node.port)
            guard c.isSelf(id) else { continue }
            fail(place.node, "nodes[\(place.index)].address",
                 "\(id) is this node, but listed as \"\(node.name)\", not nodeName \"\(c.nodeName)\"",
                 hint: "set nodeName to \"\(node.name)\", or correct the address")
        }
    }
}
