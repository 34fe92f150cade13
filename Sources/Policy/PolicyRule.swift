import IPCore
import Model

/// What a rule does with the traffic it matches (Calico's actions; a Kubernetes rule allows).
public enum PolicyAction: String, Sendable, Hashable {
    /// Allowed: the policies after it are not consulted.
    case allow = "Allow"
    /// Denied at once.
    case deny = "Deny"
    /// Logged to the kernel log; evaluation goes on with the next rule.
    case log = "Log"
    /// The rest of the tier is skipped; with one tier, the profile's allow applies (Calico).
    case pass = "Pass"
}

/// One side of a rule (the peer, or in Calico rules also the policed pod itself): addresses
/// in `nets` (any when empty) outside `notNets`, and pods of `pods`, not of `notPods`.
public struct AddressMatch: Sendable, Hashable {
    public var nets: [IPPrefix]
    public var notNets: [IPPrefix]
    public var pods: EndpointSelector?
    public var notPods: EndpointSelector?

    public init(nets: [IPPrefix] = [], notNets: [IPPrefix] = [], pods: EndpointSelector? = nil, notPods: EndpointSelector? = nil) {
        self.nets = nets
        self.notNets = notNets
        self.pods = pods
        self.notPods = notPods
    }

    /// Matches every address.
    public static let any = AddressMatch()

    /// True when nothing is required.
    public var isAny: Bool { nets.isEmpty && notNets.isEmpty && pods == nil && notPods == nil }

    /// The families an address matching this can have.
    var families: Set<IPFamily> {
        nets.isEmpty ? [.v4, .v6] : Set(nets.map(\.ipFamily))
    }
}

/// A destination (or source) port condition: port ranges, or one named port.
public enum PortMatch: Sendable, Hashable {
    /// Inclusive ranges (a single port is `p...p`).
    case ranges([ClosedRange<UInt16>])
    /// A named container port of the destination pod.
    case named(String)
}

/// One compiled rule: Kubernetes rules are split into one per peer and port group
/// (peers OR, ports OR, both must match), Calico rules map one to one (all fields AND).
public struct PolicyRule: Sendable, Hashable {
    public var action: PolicyAction
    /// An IANA protocol number; nil: any.
    public var transport: UInt8?
    /// A protocol number the packet must not have.
    public var notTransport: UInt8?
    /// 4 or 6; nil: both.
    public var ipVersion: Int?
    /// The packet's source.
    public var source: AddressMatch
    /// The packet's destination.
    public var destination: AddressMatch
    /// Destination ports (nil: any).
    public var destinationPorts: PortMatch?
    /// Destination ports the packet must not have.
    public var notDestinationPorts: [ClosedRange<UInt16>]
    /// Named destination ports the packet must not be for (Calico `destination.notPorts` names).
    public var notNamedPorts: [String] = []
    /// Source ports (Calico `source.ports`; nil: any).
    public var sourcePorts: [ClosedRange<UInt16>]?
    /// Which rule of the resource it comes from (`ingress[1]`), for counters and explanations.
    public var origin: Int

    public init(action: PolicyAction, transport: UInt8? = nil, notTransport: UInt8? = nil, ipVersion: Int? = nil,
                source: AddressMatch = .any, destination: AddressMatch = .any, destinationPorts: PortMatch? = nil,
                notDestinationPorts: [ClosedRange<UInt16>] = [], sourcePorts: [ClosedRange<UInt16>]? = nil, origin: Int) {
        self.action = action
        self.transport = transport
        self.notTransport = notTransport
        self.ipVersion = ipVersion
        self.source = source
        self.destination = destination
        self.destinationPorts = destinationPorts
        self.notDestinationPorts = notDestinationPorts
        self.sourcePorts = sourcePorts
        self.origin = origin
    }

    /// The pod selectors the rule names (the kernel sets it matches against).
    var selectors: [EndpointSelector] {
        [source.pods, source.notPods, destination.pods, destination.notPods].compactMap { $0 }
    }

    /// The named ports the rule names, as a port to match or one to exclude.
    var namedPorts: [String] {
        if case .named(let n)? = destinationPorts { return [n] + notNamedPorts }
        return notNamedPorts
    }

    /// The families packets matching the rule can have.
    var families: Set<IPFamily> {
        var f = source.families.intersection(destination.families)
        if ipVersion == 4 { f.remove(.v6) }
        if ipVersion == 6 { f.remove(.v4) }
        if transport == 1 { f.remove(.v6) }      // ICMP
        if transport == 58 { f.remove(.v4) }     // ICMPv6
        return f
    }
}

extension TransportProtocol {
    /// The IANA protocol number (TCP 6, UDP 17, SCTP 132).
    public var number: UInt8 {
        switch self {
        case .tcp: 6
        case .udp: 17
        case .sctp: 132
        }
    }

    /// The protocol a number names, when it is one of the three.
    public init?(number: UInt8) {
        switch number {
        case 6: self = .tcp
        case 17: self = .udp
        case 132: self = .sctp
        default: return nil
        }
    }
}
