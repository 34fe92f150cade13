/// One ingress or egress rule of a Calico policy (Calico "Rule" reference): the packets it
/// matches (protocol, IP version, source, destination) and what is done with them.
public struct CalicoRule: Sendable, Hashable {
    /// Required.
    public var action: CalicoAction
    /// The packet's protocol is this one.
    public var `protocol`: CalicoProtocol?
    /// The packet's protocol is not this one.
    public var notProtocol: CalicoProtocol?
    /// 4 or 6: only packets of that IP version (nil: both).
    public var ipVersion: Int?
    /// Where the packet comes from.
    public var source: CalicoEntityRule
    /// Where the packet goes.
    public var destination: CalicoEntityRule

    public init(action: CalicoAction, protocol: CalicoProtocol? = nil, notProtocol: CalicoProtocol? = nil,
                ipVersion: Int? = nil, source: CalicoEntityRule = CalicoEntityRule(),
                destination: CalicoEntityRule = CalicoEntityRule()) {
        self.action = action
        self.protocol = `protocol`
        self.notProtocol = notProtocol
        self.ipVersion = ipVersion
        self.source = source
        self.destination = destination
    }

    /// Calico's rule validation (libcalico-go `validateRule`): ipVersion 4 or 6; ports only
    /// with a `protocol` that has them ("ports are only valid for TCP/UDP/SCTP/UDPLite");
    /// ICMP with ipVersion 4 and ICMPv6 with 6; nets of the rule's ipVersion. Fields:
    /// `ipVersion`, `protocol`, `source.ports`, `destination.nets[0]`, ...
    public func validate() throws(ModelError) {
        if let v = ipVersion, v != 4, v != 6 {
            throw ModelError(field: "ipVersion", "ipVersion \(v) is neither 4 nor 6", hint: "write 4 or 6, or remove it for both")
        }
        if let p = `protocol`, let v = ipVersion {
            if p.ianaNumber == 1, v == 6 {
                throw ModelError(field: "protocol", "ICMP is an IPv4 protocol but the rule has ipVersion 6", hint: "use ICMPv6 for IPv6")
            }
            if p.ianaNumber == 58, v == 4 {
                throw ModelError(field: "protocol", "ICMPv6 is an IPv6 protocol but the rule has ipVersion 4", hint: "use ICMP for IPv4")
            }
        }
        for (key, entity) in [("source", source), ("destination", destination)] {
            if entity.hasPorts, !(`protocol`?.hasPorts ?? false) {
                let field = entity.ports.isEmpty ? "notPorts" : "ports"
                let why = `protocol`.map { "protocol \($0) has no ports" } ?? "the rule has no protocol"
                throw ModelError(field: "\(key).\(field)", "ports are only valid for TCP/UDP/SCTP/UDPLite; \(why)",
                                 hint: "add \"protocol: TCP\" (or UDP, SCTP, UDPLite) to the rule")
            }
            try prefixed(key) { () throws(ModelError) in try entity.validate(ipVersion: ipVersion) }
        }
    }
}
