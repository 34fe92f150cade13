import IPCore
import Model

/// One packet's identifying fields, as the rules see them.
public struct PacketTuple: Sendable, Hashable {
    public var source: IPAddress
    public var destination: IPAddress
    /// IANA protocol number.
    public var transport: UInt8
    public var sourcePort: UInt16
    public var destinationPort: UInt16

    public init(source: IPAddress, destination: IPAddress, transport: UInt8, sourcePort: UInt16 = 0, destinationPort: UInt16) {
        self.source = source
        self.destination = destination
        self.transport = transport
        self.sourcePort = sourcePort
        self.destinationPort = destinationPort
    }
}

extension PolicyModel {
    /// The indexes of the policies that apply to `endpoint` in `direction`, in order.
    public func applying(to endpoint: PolicyEndpoint, _ direction: PolicyType) -> [Int] {
        if endpoint.isLocal, let a = applicable[endpoint.qualifiedName] { return a[direction] ?? [] }
        if endpoint.isLocal { return [] }
        return policies.indices.filter { policies[$0].types.contains(direction) && isMember(endpoint, of: policies[$0].selector) }
    }

    /// What `endpoint`'s policies of `direction` say about `packet` (to it for ingress, from
    /// it for egress). Calico's evaluation, which Kubernetes' union of allows is a case of:
    /// policies in order, the first matching rule of each decides (Log goes on), Allow and
    /// Pass allow (one tier: Pass reaches the namespace profile, which allows), Deny denies;
    /// when no rule decides, the pod is denied if any policy applied, else allowed.
    public func verdict(_ direction: PolicyType, for endpoint: PolicyEndpoint, _ packet: PacketTuple) -> PolicyVerdict {
        let applying = applying(to: endpoint, direction)
        let word = direction == .ingress ? "ingress" : "egress"
        if applying.isEmpty {
            return PolicyVerdict(allowed: true, reason: "no policy selects \(endpoint.qualifiedName) for \(word): allowed (Kubernetes default)")
        }
        for i in applying {
            let p = policies[i]
            for r in p.rules(direction) where matches(r, direction, endpoint, packet) {
                let name = "\(p.kindLabel) \(p.displayName)"
                let rule = "\(word)[\(r.origin)]"
                switch r.action {
                case .log: continue
                case .allow: return PolicyVerdict(allowed: true, policy: name, rule: rule, reason: "allowed by \(name) \(rule)")
                case .pass: return PolicyVerdict(allowed: true, policy: name, rule: rule, reason: "passed by \(name) \(rule) to the namespace profile, which allows")
                case .deny: return PolicyVerdict(allowed: false, policy: name, rule: rule, reason: "denied by \(name) \(rule)")
                }
            }
        }
        let names = applying.map { "\(policies[$0].kindLabel) \(policies[$0].displayName)" }.joined(separator: ", ")
        return PolicyVerdict(allowed: false, reason: "denied: \(endpoint.qualifiedName) is isolated for \(word) by \(names) and no rule of them allows it")
    }

    /// Whether this node lets `packet` through: the source pod's egress when it is local,
    /// the destination pod's ingress when it is local (a packet from this node's own
    /// addresses to a local pod is not policed: `isNodeAddress`).
    public func allowedHere(_ packet: PacketTuple, isNodeAddress: (IPAddress) -> Bool) -> Bool {
        if let s = endpoint(at: packet.source), s.isLocal, !verdict(.egress, for: s, packet).allowed { return false }
        if let d = endpoint(at: packet.destination), d.isLocal, !isNodeAddress(packet.source),
           !verdict(.ingress, for: d, packet).allowed { return false }
        return true
    }

    /// Both sides of `packet`, for `tern policy explain`.
    public func explain(_ packet: PacketTuple, from: String, to: String) -> PolicyExplanation {
        let source = endpoint(at: packet.source), destination = endpoint(at: packet.destination)
        let port = "\(packet.destinationPort)/\(TransportProtocol(number: packet.transport)?.rawValue ?? "\(packet.transport)")"
        return PolicyExplanation(from: from, to: to, port: port,
                                 egress: source.map { verdict(.egress, for: $0, packet) },
                                 ingress: destination.map { verdict(.ingress, for: $0, packet) },
                                 egressEnforcedHere: source?.isLocal ?? false, ingressEnforcedHere: destination?.isLocal ?? false)
    }

    /// Whether `rule` (of a policy applied to `endpoint` in `direction`) matches `packet`.
    func matches(_ rule: PolicyRule, _ direction: PolicyType, _ endpoint: PolicyEndpoint, _ packet: PacketTuple) -> Bool {
        if let v = rule.ipVersion, v != (packet.source.family == .v4 ? 4 : 6) { return false }
        if let t = rule.transport, t != packet.transport { return false }
        if let t = rule.notTransport, t == packet.transport { return false }
        let hasPorts = [6, 17, 132, 136].contains(packet.transport)
        switch rule.destinationPorts {
        case nil: break
        case .ranges(let r)?:
            guard hasPorts, r.contains(where: { $0.contains(packet.destinationPort) }) else { return false }
        case .named(let name)?:
            let dst = direction == .ingress ? endpoint : self.endpoint(at: packet.destination)
            guard hasPorts, let t = TransportProtocol(number: packet.transport), let dst,
                  dst.addresses.contains(packet.destination), dst.port(named: name, transport: t) == packet.destinationPort
            else { return false }
        }
        if !rule.notDestinationPorts.isEmpty {
            guard hasPorts, !rule.notDestinationPorts.contains(where: { $0.contains(packet.destinationPort) }) else { return false }
        }
        if !rule.notNamedPorts.isEmpty {
            let dst = direction == .ingress ? endpoint : self.endpoint(at: packet.destination)
            if hasPorts, let t = TransportProtocol(number: packet.transport), let dst, dst.addresses.contains(packet.destination),
               rule.notNamedPorts.contains(where: { dst.port(named: $0, transport: t) == packet.destinationPort }) { return false }
        }
        if let s = rule.sourcePorts {
            guard hasPorts, s.contains(where: { $0.contains(packet.sourcePort) }) else { return false }
        }
        return matches(rule.source, packet.source) && matches(rule.destination, packet.destination)
    }

    func matches(_ m: AddressMatch, _ address: IPAddress) -> Bool {
        if !m.nets.isEmpty, !m.nets.contains(where: { $0.contains(address: address) }) { return false }
        if m.notNets.contains(where: { $0.contains(address: address) }) { return false }
        if let s = m.pods, !isMember(endpoint(at: address), of: s) { return false }
        if let s = m.notPods, isMember(endpoint(at: address), of: s) { return false }
        return true
    }
}
