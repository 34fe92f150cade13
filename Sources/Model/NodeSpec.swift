import IPCore

/// A cluster member for the node-to-node mesh: a name and where its BGP speaker listens
/// (Calico's `Node` resource, `spec.bgp.ipv4Address`/`ipv6Address`).
public struct NodeSpec: Hashable, Sendable {
    /// The node's name (its hostname in Calico), non-empty.
    public let name: String
    /// The address its speaker is reached at.
    public let address: IPAddress
    /// Its BGP port (179; differs only when several speakers share an address, as in tests).
    public let port: UInt16

    /// A validated node: a non-empty name, a unicast address (loopback is allowed: several
    /// speakers on one host in tests), a non-zero port.
    public init(name: String, address: IPAddress, port: UInt16 = 179) throws(ModelError) {
        guard !name.isEmpty else { throw ModelError(field: "name", "a node's name cannot be empty") }
        if address.isUnspecified || address.isMulticast {
            throw ModelError(field: "address", "\(address) cannot be a node's address (it is not a unicast host address)",
                             hint: "give the address its BGP speaker is reached at")
        }
        guard port != 0 else { throw ModelError(field: "port", "port 0 is not a BGP port", hint: "179 is BGP's") }
        self.name = name
        self.address = address
        self.port = port
    }
}
