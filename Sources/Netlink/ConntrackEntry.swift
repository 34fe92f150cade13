import IPCore

/// One conntrack entry as its original-direction tuple (`struct nf_conntrack_tuple`,
/// include/net/netfilter/nf_conntrack_tuple.h) and zone: what identifies it for a delete.
public struct ConntrackEntry: Sendable, Hashable, CustomStringConvertible {
    /// IPv4 or IPv6 (the tuple's l3 protocol).
    public var family: IPFamily
    /// The IP protocol number (6 TCP, 17 UDP, 1 ICMP, 58 ICMPv6, 132 SCTP, ...).
    public var proto: UInt8
    /// The original direction's source address.
    public var source: IPAddress
    /// The original direction's destination address.
    public var destination: IPAddress
    /// The original direction's source port; 0 for port-less protocols.
    public var sourcePort: UInt16
    /// The original direction's destination port; 0 for port-less protocols.
    public var destinationPort: UInt16
    /// The conntrack zone (CTA_ZONE; 0 is the default zone).
    public var zone: UInt16
    /// ICMP/ICMPv6 only: the tuple's echo identifier (CTA_PROTO_ICMP_ID / CTA_PROTO_ICMPV6_ID);
    /// ctnetlink needs it, the type and the code to find an ICMP entry. 0 otherwise.
    public var icmpID: UInt16
    /// ICMP/ICMPv6 only: the tuple's type (CTA_PROTO_ICMP_TYPE, e.g. 8 echo request). 0 otherwise.
    public var icmpType: UInt8
    /// ICMP/ICMPv6 only: the tuple's code (CTA_PROTO_ICMP_CODE). 0 otherwise.
    public var icmpCode: UInt8

    /// An entry from its tuple; the family is the source address's (both addresses of a
    /// tuple have the same family).
    public init(proto: UInt8, source: IPAddress, destination: IPAddress, sourcePort: UInt16 = 0,
                destinationPort: UInt16 = 0, zone: UInt16 = 0, icmpID: UInt16 = 0, icmpType: UInt8 = 0, icmpCode: UInt8 = 0) {
        family = source.family
        self.proto = proto
        self.source = source
        self.destination = destination
        self.sourcePort = sourcePort
        self.destinationPort = destinationPort
        self.zone = zone
        self.icmpID = icmpID
        self.icmpType = icmpType
        self.icmpCode = icmpCode
    }

    /// Whether the protocol has ports in its tuple (TCP, UDP, DCCP, SCTP, UDP-Lite).
    public var hasPorts: Bool { [6, 17, 33, 132, 136].contains(proto) }

    /// Whether the tuple is ICMP (1) or ICMPv6 (58).
    public var isICMP: Bool { proto == 1 || proto == 58 }

    public var description: String {
        var s = "proto \(proto) \(source)"
        if hasPorts { s += ":\(sourcePort)" }
        s += " -> \(destination)"
        if hasPorts { s += ":\(destinationPort)" }
        if isICMP { s += " icmp type \(icmpType) code \(icmpCode) id \(icmpID)" }
        if zone != 0 { s += " zone \(zone)" }
        return s
    }
}
