import IPCore

/// A rule's `source` or `destination` (Calico "EntityRule" reference): the addresses,
/// endpoints and ports it matches; every field given must match (an empty one matches all).
public struct CalicoEntityRule: Sendable, Hashable {
    /// `nets` (and the deprecated `net`): the address is in one of them.
    public var nets: [IPPrefix]
    /// `notNets` (and `notNet`): the address is in none of them.
    public var notNets: [IPPrefix]
    /// The endpoint's labels match (for a NetworkPolicy: endpoints of the policy's namespace,
    /// unless `namespaceSelector` is given).
    public var selector: CalicoSelector?
    /// The endpoint's labels do not match.
    public var notSelector: CalicoSelector?
    /// The endpoint's namespace's labels match.
    public var namespaceSelector: CalicoSelector?
    /// The port is one of them (needs a protocol with ports).
    public var ports: [CalicoPort]
    /// The port is none of them.
    public var notPorts: [CalicoPort]

    public init(nets: [IPPrefix] = [], notNets: [IPPrefix] = [], selector: CalicoSelector? = nil,
                notSelector: CalicoSelector? = nil, namespaceSelector: CalicoSelector? = nil,
                ports: [CalicoPort] = [], notPorts: [CalicoPort] = []) {
        self.nets = nets
        self.notNets = notNets
        self.selector = selector
        self.notSelector = notSelector
        self.namespaceSelector = namespaceSelector
        self.ports = ports
        self.notPorts = notPorts
    }

    /// Nothing given: matches every packet.
    public var isEmpty: Bool {
        nets.isEmpty && notNets.isEmpty && selector == nil && notSelector == nil && namespaceSelector == nil
            && ports.isEmpty && notPorts.isEmpty
    }

    /// Whether ports or notPorts are given.
    public var hasPorts: Bool { !ports.isEmpty || !notPorts.isEmpty }

    /// Each port valid; with `ipVersion`, every net of that family (Calico: "rule IP version
    /// mismatch"). Fields: `ports[i]`, `notPorts[i]`, `nets[i]`, `notNets[i]`.
    public func validate(ipVersion: Int?) throws(ModelError) {
        for (key, list) in [("ports", ports), ("notPorts", notPorts)] {
            for (i, p) in list.enumerated() {
                try prefixed("\(key)[\(i)]") { () throws(ModelError) in try p.validate() }
            }
        }
        guard let ipVersion else { return }
        let family: IPFamily = ipVersion == 6 ? .v6 : .v4
        for (key, list) in [("nets", nets), ("notNets", notNets)] {
            for (i, n) in list.enumerated() where n.ipFamily != family {
                throw ModelError(field: "\(key)[\(i)]", "\(n) is not an IPv\(ipVersion) prefix but the rule has ipVersion \(ipVersion)",
                                 hint: "remove ipVersion, or put the IPv\(ipVersion == 4 ? 6 : 4) nets in a rule of their own")
            }
        }
    }
}
