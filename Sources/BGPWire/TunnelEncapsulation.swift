import IPCore
// A typed view of the Tunnel Encapsulation attribute (RFC 9012, path attribute 23).
//
// The UPDATE codec keeps attribute 23 opaque: it arrives as a `RawAttribute` in
// `PathAttributes.unknown`, and the RFC 7606 handling of the attribute *header* (flags,
// length against the attribute area) stays where it is. This file only interprets the
// value bytes of that raw attribute, for the daemon and for `tern decode`.

// MARK: - Tunnel types

/// A tunnel type from IANA's "BGP Tunnel Encapsulation Attribute Tunnel Types" registry
/// (the Tunnel Type field of RFC 9012 §2). Any 16-bit value is kept; the named ones are those
/// RFC 9012 itself discusses.
public struct TunnelType: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: UInt16
    public init(rawValue: UInt16) { self.rawValue = rawValue }

    /// L2TPv3 over IP (type 1, RFC 9012 §3.2).
    public static let l2tpv3 = TunnelType(rawValue: 1)
    /// GRE (type 2, RFC 9012 §3.2.4).
    public static let gre = TunnelType(rawValue: 2)
    /// IP in IP (type 7): RFC 9012 defines no Encapsulation sub-TLV for it.
    public static let ipInIP = TunnelType(rawValue: 7)
    /// VXLAN (type 8, RFC 9012 §3.2.1).
    public static let vxlan = TunnelType(rawValue: 8)
    /// NVGRE (type 9, RFC 9012 §3.2.2).
    public static let nvgre = TunnelType(rawValue: 9)
    /// MPLS (type 10).
    public static let mpls = TunnelType(rawValue: 10)
    /// MPLS in GRE (type 11, RFC 9012 §3.2.5).
    public static let mplsInGRE = TunnelType(rawValue: 11)
    /// VXLAN GPE (type 12, RFC 9012 §3.2).
    public static let vxlanGPE = TunnelType(rawValue: 12)
    /// MPLS in UDP (type 13, RFC 9012 §3.2).
    public static let mplsInUDP = TunnelType(rawValue: 13)

    /// "VXLAN", "IP-in-IP", ... or nil for a type Tern has no name for.
    public var name: String? {
        switch rawValue {
        case 1: "L2TPv3"
        case 2: "GRE"
        case 7: "IP-in-IP"
        case 8: "VXLAN"
        case 9: "NVGRE"
        case 10: "MPLS"
        case 11: "MPLS-in-GRE"
        case 12: "VXLAN-GPE"
        case 13: "MPLS-in-UDP"
        default: nil
        }
    }

    /// The name, or "type N".
    public var description: String { name ?? "type \(rawValue)" }
}

// MARK: - Sub-TLVs

/// Sub-TLV type codes of RFC 9012 §3 (IANA "BGP Tunnel Encapsulation Attribute Sub-TLVs").
public enum TunnelSubTLVCode {
    /// Encapsulation sub-TLV (§3.2); its layout depends on the tunnel type.
    public static let encapsulation: UInt8 = 1
    /// Protocol Type sub-TLV (§3.4.1).
    public static let protocolType: UInt8 = 2
    /// Color sub-TLV (§3.4.2).
    public static let color: UInt8 = 4
    /// Load-Balancing Block sub-TLV (RFC 5640, as updated by RFC 9012).
    public static let loadBalancingBlock: UInt8 = 5
    /// Tunnel Egress Endpoint sub-TLV (§3.1).
    public static let tunnelEgressEndpoint: UInt8 = 6
    /// DS Field sub-TLV (§3.3.1).
    public static let dsField: UInt8 = 7
    /// UDP Destination Port sub-TLV (§3.3.2).
    public static let udpDestinationPort: UInt8 = 8
    /// Embedded Label Handling sub-TLV (§3.5).
    public static let embeddedLabelHandling: UInt8 = 9
    /// MPLS Label Stack sub-TLV (§3.6).
    public static let mplsLabelStack: UInt8 = 10
    /// Prefix-SID sub-TLV (§3.7).
    public static let prefixSID: UInt8 = 11

    /// The RFC 9012 name of a sub-TLV type, or nil.
    public static func name(_ type: UInt8) -> String? {
        switch type {
        case 1: "Encapsulation"
        case 2: "Protocol Type"
        case 4: "Color"
        case 5: "Load-Balancing Block"
        case 6: "Tunnel Egress Endpoint"
        case 7: "DS Field"
        case 8: "UDP Destination Port"
        case 9: "Embedded Label Handling"
        case 10: "MPLS Label Stack"
        case 11: "Prefix-SID"
        default: nil
        }
    }

    /// Octets of the Sub-TLV Length field for `type` (RFC 9012 §2): one for types 0-127,
    /// two for types 128-255.
    public static func lengthFieldSize(_ type: UInt8) -> Int { type < 128 ? 1 : 2 }
}

/// The VXLAN Encapsulation sub-TLV (type 1 inside a VXLAN Tunnel TLV), RFC 9012 §3.2.1.
///
/// ```
///  0                   1                   2                   3
///  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |V|M|R|R|R|R|R|R|          VN-ID (3 Octets)                     |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |                   MAC Address (4 Octets)                      |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |  MAC Address (2 Octets)       |        Reserved               |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// ```
/// Exactly 12 octets. V: the VN-ID field is valid; M: the MAC Address field is valid. The R
/// bits and the Reserved octets MUST be zero on transmission, ignored on receipt and passed on
/// unchanged (§3.2.1), so they are kept here as received: re-encoding is byte-identical.
public struct VXLANEncapsulation: Hashable, Sendable {
    /// The value length RFC 9012 §3.2.1 requires.
    public static let length = 12
    /// V bit of ``flags``: ``vnidField`` holds the VN-ID.
    public static let vFlag: UInt8 = 0x80
    /// M bit of ``flags``: ``macField`` holds the MAC address.
    public static let mFlag: UInt8 = 0x40

    /// The whole flags octet as received: V, M and the six reserved R bits.
    public var flags: UInt8
    /// The 24-bit VN-ID field, meaningful only with the V bit (zero otherwise, §3.2.1).
    public var vnidField: UInt32
    /// The 6-octet MAC Address field, meaningful only with the M bit (zero otherwise, §3.2.1).
    public var macField: [UInt8]
    /// The 2 Reserved octets after the MAC address, as received.
    public var reserved: UInt16

    /// Every field as it goes on the wire. `vnidField` must fit 24 bits, `macField` must be 6 octets.
    public init(flags: UInt8, vnidField: UInt32, macField: [UInt8], reserved: UInt16 = 0) {
        precondition(vnidField <= 0xFF_FFFF, "VN-ID \(vnidField) does not fit 24 bits")
        precondition(macField.count == 6, "a MAC address is 6 octets, not \(macField.count)")
        self.flags = flags
        self.vnidField = vnidField
        self.macField = macField
        self.reserved = reserved
    }

    /// What an originator sends (§3.2.1): V set with a VN-ID, M set with a MAC, every other bit
    /// and octet zero. `vni` must fit 24 bits, `mac` must be 6 octets.
    public init(vni: UInt32?, mac: [UInt8]?) {
        self.init(flags: (vni == nil ? 0 : Self.vFlag) | (mac == nil ? 0 : Self.mFlag),
                  vnidField: vni ?? 0, macField: mac ?? [0, 0, 0, 0, 0, 0])
    }

    /// The VN-ID when the V bit is set (otherwise the field is disregarded, §3.2.1).
    public var vni: UInt32? { flags & Self.vFlag != 0 ? vnidField : nil }
    /// The MAC address when the M bit is set (otherwise the field is disregarded, §3.2.1).
    public var mac: [UInt8]? { flags & Self.mFlag != 0 ? macField : nil }

    /// Decodes a 12-octet value; nil for any other length.
    init?(value v: ArraySlice<UInt8>) {
        guard v.count == Self.length else { return nil }
        let b = v.startIndex
        self.init(flags: v[b],
                  vnidField: UInt32(v[b + 1]) << 16 | UInt32(v[b + 2]) << 8 | UInt32(v[b + 3]),
                  macField: Array(v[b + 4..<b + 10]),
                  reserved: UInt16(v[b + 10]) << 8 | UInt16(v[b + 11]))
    }

    func encodeValue(into w: inout ByteWriter) {
        w.writeUInt8(flags)
        w.writeUInt8(UInt8(truncatingIfNeeded: vnidField >> 16))
        w.writeUInt16(UInt16(truncatingIfNeeded: vnidField))
        w.writeBytes(macField)
        w.writeUInt16(reserved)
    }
}

/// The Tunnel Egress Endpoint sub-TLV (type 6), RFC 9012 §3.1.
///
/// ```
///  0                   1                   2                   3
///  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |                     Reserved (4 octets)                       |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |       Address Family          |     Address                   ~
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+    (variable)                 ~
/// ~                                                               ~
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// ```
/// The sub-TLV length MUST be 6 for address family 0 (no address: the egress endpoint is the
/// route's next hop), 10 for IPv4 (AFI 1) and 22 for IPv6 (AFI 2); anything else is a malformed
/// Tunnel Egress Endpoint (§3.1, §13). Other address families are outside RFC 9012's scope
/// (§3.1): they are kept as received, not an error, and give no usable ``ipAddress``.
/// Semantic checks (link-local or martian addresses, §3.1) are left to the consumer.
public struct TunnelEgressEndpoint: Hashable, Sendable {
    /// The address subfield, by address family.
    public enum Address: Hashable, Sendable {
        /// Address family 0: no address; the tunnel ends at the route's next hop (§3.1).
        case nextHop
        /// Address family 1 (IPv4) or 2 (IPv6).
        case ip(IPAddress)
        /// Another address family, kept as received.
        case otherFamily(afi: UInt16, bytes: [UInt8])
    }

    /// The 4 Reserved octets as received: disregarded on receipt and passed on unchanged (§3.1).
    public var reserved: UInt32
    /// The address family and address.
    public var address: Address

    public init(_ address: Address, reserved: UInt32 = 0) {
        self.reserved = reserved
        self.address = address
    }

    /// `.ip(a)` for an address, `.nextHop` (address family 0) for nil.
    public init(_ ip: IPAddress?) {
        self.init(ip.map(Address.ip) ?? .nextHop)
    }

    /// The IPv4 or IPv6 endpoint; nil for address family 0 (use the next hop) or another family.
    public var ipAddress: IPAddress? {
        if case .ip(let a) = address { return a }
        return nil
    }

    /// The Address Family subfield.
    public var afi: UInt16 {
        switch address {
        case .nextHop: 0
        case .ip(.v4): 1
        case .ip(.v6): 2
        case .otherFamily(let afi, _): afi
        }
    }

    /// "192.0.2.1", "next-hop" (family 0), or "afi N 0x..." for another family.
    public var addressDescription: String {
        switch address {
        case .nextHop: "next-hop"
        case .ip(let a): a.description
        case .otherFamily(let afi, let bytes): "afi \(afi) 0x\(bytes.hexString)"
        }
    }

    /// Decodes the value; nil when its length does not match its address family (§3.1).
    static func decode(_ v: ArraySlice<UInt8>) -> TunnelEgressEndpoint? {
        guard v.count >= 6 else { return nil }
        let b = v.startIndex
        let reserved = UInt32(v[b]) << 24 | UInt32(v[b + 1]) << 16 | UInt32(v[b + 2]) << 8 | UInt32(v[b + 3])
        let afi = UInt16(v[b + 4]) << 8 | UInt16(v[b + 5])
        let addr = v[(b + 6)...]
        let address: Address
        switch afi {
        case 0:
            guard addr.isEmpty else { return nil }
            address = .nextHop
        case 1:
            guard addr.count == 4 else { return nil }
            let a = addr.startIndex
            address = .ip(.v4(IPv4Address(UInt32(addr[a]) << 24 | UInt32(addr[a + 1]) << 16
                                            | UInt32(addr[a + 2]) << 8 | UInt32(addr[a + 3]))))
        case 2:
            guard addr.count == 16, let a = IPv6Address(octets: Array(addr)) else { return nil }
            address = .ip(.v6(a))
        default:
            address = .otherFamily(afi: afi, bytes: Array(addr))
        }
        return TunnelEgressEndpoint(address, reserved: reserved)
    }

    func encodeValue(into w: inout ByteWriter) {
        w.writeUInt32(reserved)
        w.writeUInt16(afi)
        switch address {
        case .nextHop: break
        case .ip(let a): a.encode(into: &w)
        case .otherFamily(_, let bytes): w.writeBytes(bytes)
        }
    }
}

/// The Color sub-TLV (type 4), RFC 9012 §3.4.2: its value is a Color Extended Community
/// (§4.3), 8 octets starting 0x03 0x0B.
///
/// ```
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |  Type (0x03)  | Sub-Type(0x0b)|           Flags               |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |                          Color Value                          |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// ```
/// A type 4 sub-TLV of another length or with other leading octets MUST be treated as an
/// unrecognized sub-TLV (§3.4.2), so it decodes as ``TunnelSubTLV/opaque(type:value:)``, not
/// as an error.
public struct TunnelColor: Hashable, Sendable {
    /// The Flags field as received.
    public var flags: UInt16
    /// The 32-bit color.
    public var color: UInt32

    public init(_ color: UInt32, flags: UInt16 = 0) {
        self.color = color
        self.flags = flags
    }

    init?(value v: ArraySlice<UInt8>) {
        let b = v.startIndex
        guard v.count == 8, v[b] == 0x03, v[b + 1] == 0x0B else { return nil }
        flags = UInt16(v[b + 2]) << 8 | UInt16(v[b + 3])
        color = UInt32(v[b + 4]) << 24 | UInt32(v[b + 5]) << 16 | UInt32(v[b + 6]) << 8 | UInt32(v[b + 7])
    }

    func encodeValue(into w: inout ByteWriter) {
        w.writeUInt8(0x03)
        w.writeUInt8(0x0B)
        w.writeUInt16(flags)
        w.writeUInt32(color)
    }
}

/// One sub-TLV of a Tunnel TLV (RFC 9012 §2).
///
/// ```
/// +-----------------------------------+
/// |      Sub-TLV Type (1 octet)       |
/// +-----------------------------------+
/// |     Sub-TLV Length (1 or 2 octets)|   1 octet for types 0-127, 2 for 128-255
/// +-----------------------------------+
/// |     Sub-TLV Value (variable)      |
/// +-----------------------------------+
/// ```
/// Sub-TLVs Tern does not interpret are kept as type and value: since the width of the length
/// field follows from the type, re-encoding them is byte-identical.
public enum TunnelSubTLV: Hashable, Sendable {
    /// Encapsulation sub-TLV (type 1) of a VXLAN Tunnel TLV (§3.2.1). An Encapsulation sub-TLV
    /// of any other tunnel type is ``opaque(type:value:)``.
    case vxlanEncapsulation(VXLANEncapsulation)
    /// Color sub-TLV (type 4, §3.4.2).
    case color(TunnelColor)
    /// Tunnel Egress Endpoint sub-TLV (type 6, §3.1).
    case egressEndpoint(TunnelEgressEndpoint)
    /// Any other sub-TLV, as received.
    case opaque(type: UInt8, value: [UInt8])

    /// The Sub-TLV Type.
    public var type: UInt8 {
        switch self {
        case .vxlanEncapsulation: TunnelSubTLVCode.encapsulation
        case .color: TunnelSubTLVCode.color
        case .egressEndpoint: TunnelSubTLVCode.tunnelEgressEndpoint
        case .opaque(let t, _): t
        }
    }

    /// Appends type, length and value. Traps if the value does not fit the length field
    /// (over 255 octets for types 0-127, over 65535 for 128-255).
    func encode(into w: inout ByteWriter) {
        let t = type
        w.writeUInt8(t)
        let at = t < 128 ? w.reserveLength8() : w.reserveLength16()
        switch self {
        case .vxlanEncapsulation(let e): e.encodeValue(into: &w)
        case .color(let c): c.encodeValue(into: &w)
        case .egressEndpoint(let e): e.encodeValue(into: &w)
        case .opaque(_, let v): w.writeBytes(v)
        }
        if t < 128 { w.patchLength8(at: at) } else { w.patchLength16(at: at) }
    }
}

/// One Tunnel TLV of the attribute (RFC 9012 §2).
///
/// ```
/// +-----------------------------------+
/// |    Tunnel Type (2 octets)         |
/// +-----------------------------------+
/// |    Length (2 octets)              |   octets of sub-TLVs that follow
/// +-----------------------------------+
/// |    Value (variable): sub-TLVs     |
/// +-----------------------------------+
/// ```
public struct TunnelTLV: Hashable, Sendable {
    public var type: TunnelType
    /// The sub-TLVs in the order received.
    public var subTLVs: [TunnelSubTLV]

    public init(type: TunnelType, subTLVs: [TunnelSubTLV]) {
        self.type = type
        self.subTLVs = subTLVs
    }

    /// The first VXLAN Encapsulation sub-TLV. RFC 9012 §13: when an Encapsulation sub-TLV
    /// appears more than once, all but the first are disregarded.
    public var vxlanEncapsulation: VXLANEncapsulation? {
        for s in subTLVs { if case .vxlanEncapsulation(let e) = s { return e } }
        return nil
    }

    /// The first Tunnel Egress Endpoint sub-TLV. In an UPDATE of one of the AFI/SAFIs of §6
    /// (IPv4/IPv6 unicast, labeled unicast, VPN, EVPN) a TLV without exactly one is treated as
    /// having a malformed one, i.e. removed (§13); that check depends on the UPDATE and is left
    /// to the consumer.
    public var egressEndpoint: TunnelEgressEndpoint? {
        for s in subTLVs { if case .egressEndpoint(let e) = s { return e } }
        return nil
    }

    /// The first Color sub-TLV.
    public var color: TunnelColor? {
        for s in subTLVs { if case .color(let c) = s { return c } }
        return nil
    }

    /// Appends the TLV. Traps if its sub-TLVs exceed 65535 octets.
    func encode(into w: inout ByteWriter) {
        w.writeUInt16(type.rawValue)
        let at = w.reserveLength16()
        for s in subTLVs { s.encode(into: &w) }
        w.patchLength16(at: at)
    }
}

// MARK: - Errors

/// Why a Tunnel Encapsulation attribute value could not be read, and where.
///
/// ``description`` says it in one line, e.g.
/// `tunnel TLV 0 (VXLAN): length 20 runs past the attribute (14 bytes left)`.
/// ``handling`` is what RFC 9012 §13 prescribes for it. None of them is a session reset.
public struct TunnelEncapsulationError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What is wrong.
    public enum Problem: Hashable, Sendable {
        /// Fewer than the 4 octets of a Tunnel TLV header (type, length) are left (§2).
        case truncatedTunnelHeader(available: Int)
        /// The Tunnel TLV's length is more than the octets left in the attribute after its header.
        case tunnelPastEnd(length: Int, available: Int)
        /// A sub-TLV header (type and a 1- or 2-octet length, §2) does not fit in the TLV.
        case truncatedSubTLVHeader(needed: Int, available: Int)
        /// The sub-TLV's length is more than the octets left in its Tunnel TLV (§13: the final
        /// octet of a TLV must be the final octet of its final sub-TLV).
        case subTLVPastEnd(length: Int, available: Int)
        /// A Tunnel Egress Endpoint sub-TLV whose length does not match its address family
        /// (§3.1: 6 for family 0, 10 for IPv4, 22 for IPv6), or shorter than 6 (family nil).
        case badEgressEndpoint(addressFamily: UInt16?, length: Int)
        /// A VXLAN Encapsulation sub-TLV that is not 12 octets (§3.2.1).
        case badVXLANEncapsulationLength(Int)
    }

    /// What RFC 9012 §13 says to do about a problem.
    public enum Handling: String, Hashable, Sendable {
        /// The TLVs or sub-TLVs cannot be delimited: the TLV is malformed and the UPDATE is
        /// handled by RFC 7606 "treat-as-withdraw" (§13).
        case treatAsWithdraw = "treat-as-withdraw"
        /// A malformed Tunnel Egress Endpoint: the whole Tunnel TLV is ignored and removed from
        /// the attribute before the route is passed on (§13).
        case removeTunnel = "remove-tunnel"
        /// Any other malformed sub-TLV is treated as an unrecognized one: disregarded, but kept (§13).
        case treatAsUnrecognizedSubTLV = "treat-as-unrecognized-sub-tlv"
    }

    public var problem: Problem
    /// Index of the Tunnel TLV (0-based, in attribute order).
    public var tunnelIndex: Int
    /// Its tunnel type, when the TLV header could be read.
    public var tunnelType: TunnelType?
    /// Index of the sub-TLV inside the Tunnel TLV, for sub-TLV problems.
    public var subTLVIndex: Int?
    /// Its type, when it could be read.
    public var subTLVType: UInt8?

    public init(_ problem: Problem, tunnelIndex: Int, tunnelType: TunnelType? = nil,
                subTLVIndex: Int? = nil, subTLVType: UInt8? = nil) {
        self.problem = problem
        self.tunnelIndex = tunnelIndex
        self.tunnelType = tunnelType
        self.subTLVIndex = subTLVIndex
        self.subTLVType = subTLVType
    }

    /// RFC 9012 §13's handling of ``problem``.
    public var handling: Handling {
        switch problem {
        case .truncatedTunnelHeader, .tunnelPastEnd, .truncatedSubTLVHeader, .subTLVPastEnd: .treatAsWithdraw
        case .badEgressEndpoint: .removeTunnel
        case .badVXLANEncapsulationLength: .treatAsUnrecognizedSubTLV
        }
    }

    public var description: String {
        var place = "tunnel TLV \(tunnelIndex)"
        if let t = tunnelType { place += " (\(t))" }
        if let s = subTLVIndex {
            place += " sub-TLV \(s)"
            if let st = subTLVType { place += " (\(TunnelSubTLVCode.name(st) ?? "type \(st)"))" }
        }
        func bytes(_ n: Int) -> String { n == 1 ? "1 byte" : "\(n) bytes" }
        switch problem {
        case .truncatedTunnelHeader(let available):
            return "\(place): \(bytes(available)) left, a tunnel TLV header needs 4 (type, length)"
        case .tunnelPastEnd(let length, let available):
            return "\(place): length \(length) runs past the attribute (\(bytes(available)) left)"
        case .truncatedSubTLVHeader(let needed, let available):
            return "\(place): \(bytes(available)) left in the tunnel TLV, a sub-TLV header needs \(needed)"
        case .subTLVPastEnd(let length, let available):
            return "\(place): length \(length) runs past the end of the tunnel TLV (\(bytes(available)) left)"
        case .badEgressEndpoint(let afi, let length):
            guard let afi else {
                return "\(place): length \(length), RFC 9012 §3.1 needs at least 6 (reserved 4, address family 2)"
            }
            let want: String = switch afi {
            case 0: "6 for address family 0 (no address)"
            case 1: "10 for address family 1 (IPv4)"
            default: "22 for address family 2 (IPv6)"
            }
            return "\(place): length \(length), RFC 9012 §3.1 needs \(want)"
        case .badVXLANEncapsulationLength(let length):
            return "\(place): length \(length), RFC 9012 §3.2.1 needs 12 (flags 1, VN-ID 3, MAC 6, reserved 2)"
        }
    }
}

// MARK: - The attribute

/// The Tunnel Encapsulation attribute (RFC 9012, optional transitive, type code 23): a list
/// of Tunnel TLVs, each a tunnel type and its sub-TLVs (§2).
///
/// ```
/// attribute value:  Tunnel TLV | Tunnel TLV | ...
/// Tunnel TLV:       Tunnel Type (2) | Length (2) | sub-TLV | sub-TLV | ...
/// sub-TLV:          Type (1) | Length (1 for types 0-127, 2 for 128-255) | Value
/// ```
/// Unknown tunnel types and unknown sub-TLVs are not errors (§13): they are kept as received,
/// and ``encode()`` of a decoded value gives back the same bytes.
public struct TunnelEncapsulation: Hashable, Sendable, CustomStringConvertible {
    /// The Tunnel TLVs in attribute order.
    public var tunnels: [TunnelTLV]

    public init(tunnels: [TunnelTLV]) {
        self.tunnels = tunnels
    }

    /// Reads an attribute value strictly: any malformation throws.
    ///
    /// Error handling, RFC 9012 §13 — a malformed Tunnel Encapsulation attribute never resets
    /// the session. What §13 prescribes depends on the problem (``TunnelEncapsulationError/handling``):
    /// - TLVs or sub-TLVs that cannot be delimited (a header cut short, a length running past the
    ///   attribute or past its TLV): the TLV is malformed and the UPDATE gets RFC 7606
    ///   "treat-as-withdraw". §13 says so for a TLV whose last sub-TLV does not end exactly where
    ///   the TLV ends; a TLV running past the attribute is handled the same way here. (Not
    ///   "attribute discard": §13 names treat-as-withdraw.)
    /// - a malformed Tunnel Egress Endpoint sub-TLV (§3.1 lengths): that Tunnel TLV is ignored and
    ///   removed before the route is passed on; the other TLVs stand.
    /// - any other malformed sub-TLV (of those decoded here: a VXLAN Encapsulation sub-TLV that
    ///   is not 12 octets): treated as an unrecognized sub-TLV, disregarded but kept.
    /// - unknown tunnel types and unknown sub-TLVs are not errors at all.
    ///
    /// The UPDATE codec does not apply any of this: it carries attribute 23 opaque, so a corrupt
    /// value costs nothing until someone reads it. ``init(value:issues:)`` applies the
    /// TLV-level rules and throws only for the treat-as-withdraw cases. When a value has
    /// several problems, this initializer throws a treat-as-withdraw one if there is one, else
    /// the first.
    public init(value: [UInt8]) throws(TunnelEncapsulationError) {
        var issues: [TunnelEncapsulationError] = []
        try self.init(value: value, issues: &issues)
        if let first = issues.first { throw first }
    }

    /// Reads an attribute value the way RFC 9012 §13 asks a receiver to: throws only when the
    /// TLVs or sub-TLVs cannot be delimited (treat-as-withdraw); otherwise returns what is
    /// usable and appends each lesser problem to `issues`:
    /// - a Tunnel TLV with a malformed Tunnel Egress Endpoint is left out (``Handling/removeTunnel``);
    /// - a malformed VXLAN Encapsulation sub-TLV is kept as ``TunnelSubTLV/opaque(type:value:)``
    ///   (``Handling/treatAsUnrecognizedSubTLV``).
    ///
    /// Without issues the result re-encodes to `value` byte for byte.
    public init(value: [UInt8], issues: inout [TunnelEncapsulationError]) throws(TunnelEncapsulationError) {
        var tunnels: [TunnelTLV] = []
        var p = 0
        var index = 0
        while p < value.count {
            let left = value.count - p
            guard left >= 4 else {
                throw TunnelEncapsulationError(.truncatedTunnelHeader(available: left), tunnelIndex: index)
            }
            let type = TunnelType(rawValue: UInt16(value[p]) << 8 | UInt16(value[p + 1]))
            let length = Int(value[p + 2]) << 8 | Int(value[p + 3])
            p += 4
            guard length <= value.count - p else {
                throw TunnelEncapsulationError(.tunnelPastEnd(length: length, available: value.count - p),
                                               tunnelIndex: index, tunnelType: type)
            }
            let (tlv, keep) = try Self.decodeTunnel(value, p..<p + length, type: type, index: index, issues: &issues)
            if keep { tunnels.append(tlv) }
            p += length
            index += 1
        }
        self.tunnels = tunnels
    }

    /// The sub-TLVs of one Tunnel TLV in `value[range]`; `keep` is false when §13 says to
    /// remove the TLV (malformed Tunnel Egress Endpoint).
    private static func decodeTunnel(_ value: [UInt8], _ range: Range<Int>, type: TunnelType, index: Int,
                                     issues: inout [TunnelEncapsulationError])
        throws(TunnelEncapsulationError) -> (TunnelTLV, keep: Bool) {
        var subs: [TunnelSubTLV] = []
        var keep = true
        var q = range.lowerBound
        let end = range.upperBound
        var sub = 0
        while q < end {
            let t = value[q]
            let header = 1 + TunnelSubTLVCode.lengthFieldSize(t)
            guard end - q >= header else {
                throw TunnelEncapsulationError(.truncatedSubTLVHeader(needed: header, available: end - q),
                                               tunnelIndex: index, tunnelType: type, subTLVIndex: sub, subTLVType: t)
            }
            let length = t < 128 ? Int(value[q + 1]) : Int(value[q + 1]) << 8 | Int(value[q + 2])
            q += header
            guard length <= end - q else {
                throw TunnelEncapsulationError(.subTLVPastEnd(length: length, available: end - q),
                                               tunnelIndex: index, tunnelType: type, subTLVIndex: sub, subTLVType: t)
            }
            let v = value[q..<q + length]
            q += length
            func problem(_ p: TunnelEncapsulationError.Problem) {
                issues.append(TunnelEncapsulationError(p, tunnelIndex: index, tunnelType: type, subTLVIndex: sub, subTLVType: t))
            }
            switch t {
            case TunnelSubTLVCode.encapsulation where type == .vxlan:
                if let e = VXLANEncapsulation(value: v) {
                    subs.append(.vxlanEncapsulation(e))
                } else {
                    problem(.badVXLANEncapsulationLength(length))
                    subs.append(.opaque(type: t, value: Array(v)))
                }
            case TunnelSubTLVCode.tunnelEgressEndpoint:
                if let e = TunnelEgressEndpoint.decode(v) {
                    subs.append(.egressEndpoint(e))
                } else {
                    let afi = v.count >= 6 ? UInt16(v[v.startIndex + 4]) << 8 | UInt16(v[v.startIndex + 5]) : nil
                    problem(.badEgressEndpoint(addressFamily: afi, length: length))
                    keep = false
                    subs.append(.opaque(type: t, value: Array(v)))
                }
            case TunnelSubTLVCode.color:
                subs.append(TunnelColor(value: v).map(TunnelSubTLV.color) ?? .opaque(type: t, value: Array(v)))
            default:
                subs.append(.opaque(type: t, value: Array(v)))
            }
            sub += 1
        }
        return (TunnelTLV(type: type, subTLVs: subs), keep)
    }

    /// The attribute value. Traps if a sub-TLV value or a TLV outgrows its length field.
    public func encode() -> [UInt8] {
        var w = ByteWriter(capacity: 32 * max(1, tunnels.count))
        for t in tunnels { t.encode(into: &w) }
        return w.bytes
    }

    /// The attribute as Tern originates it: optional transitive (flags 0xC0), type code 23.
    /// (When carried in ``PathAttributes/unknown`` the UPDATE encoder sets the Partial bit,
    /// as it does for every attribute it passes on without recognising it.)
    public var rawAttribute: RawAttribute {
        RawAttribute(flags: AttributeFlags.optionalTransitive, code: AttributeCode.tunnelEncapsulation, value: encode())
    }

    /// Reads `raw`'s value strictly (``init(value:)``); `raw` should be attribute 23.
    public init(_ raw: RawAttribute) throws(TunnelEncapsulationError) {
        try self.init(value: raw.value)
    }

    // MARK: Convenience

    /// One VXLAN Tunnel TLV: an Encapsulation sub-TLV with the V and M bits set (§3.2.1) and a
    /// Tunnel Egress Endpoint sub-TLV (§3.1; address family 0, "the next hop", when `endpoint`
    /// is nil). `vni` must fit 24 bits and `mac` must be 6 octets.
    public static func vxlan(vni: UInt32, mac: [UInt8], endpoint: IPAddress?) -> TunnelEncapsulation {
        TunnelEncapsulation(tunnels: [TunnelTLV(type: .vxlan, subTLVs: [
            .vxlanEncapsulation(VXLANEncapsulation(vni: vni, mac: mac)),
            .egressEndpoint(TunnelEgressEndpoint(endpoint)),
        ])])
    }

    /// One IP-in-IP Tunnel TLV with a Tunnel Egress Endpoint sub-TLV (address family 0, "the
    /// next hop", when `endpoint` is nil). RFC 9012 defines no Encapsulation
    /// sub-TLV for IP-in-IP.
    public static func ipInIP(endpoint: IPAddress?) -> TunnelEncapsulation {
        TunnelEncapsulation(tunnels: [TunnelTLV(type: .ipInIP, subTLVs: [
            .egressEndpoint(TunnelEgressEndpoint(endpoint)),
        ])])
    }

    /// The first Tunnel TLV of type VXLAN.
    public var firstVXLAN: TunnelTLV? { tunnels.first { $0.type == .vxlan } }
    /// The first VXLAN TLV's VN-ID, if its Encapsulation sub-TLV has the V bit.
    public var vxlanVNI: UInt32? { firstVXLAN?.vxlanEncapsulation?.vni }
    /// The first VXLAN TLV's MAC address, if its Encapsulation sub-TLV has the M bit.
    public var vxlanMAC: [UInt8]? { firstVXLAN?.vxlanEncapsulation?.mac }
    /// The first VXLAN TLV's egress endpoint address (nil for "the next hop" or none).
    public var vxlanEndpoint: IPAddress? { firstVXLAN?.egressEndpoint?.ipAddress }

    /// One line: `VXLAN [vni 4096 mac 02:74:0a:00:00:02 endpoint 192.0.2.1], IP-in-IP [endpoint next-hop]`.
    public var description: String {
        tunnels.map { t in
            "\(t.type) [" + t.subTLVs.map(Self.describe).joined(separator: ", ") + "]"
        }.joined(separator: ", ")
    }

    /// `aa:bb:cc:dd:ee:ff`.
    public static func macString(_ mac: [UInt8]) -> String {
        mac.map { [$0].hexString }.joined(separator: ":")
    }

    static func describe(_ s: TunnelSubTLV) -> String {
        switch s {
        case .vxlanEncapsulation(let e):
            var parts: [String] = []
            if let v = e.vni { parts.append("vni \(v)") }
            if let m = e.mac { parts.append("mac \(macString(m))") }
            return parts.isEmpty ? "encapsulation (no VN-ID, no MAC)" : parts.joined(separator: " ")
        case .color(let c): return "color \(c.color)"
        case .egressEndpoint(let e): return "endpoint \(e.addressDescription)"
        case .opaque(let t, let v):
            return "sub-TLV \(t)" + (TunnelSubTLVCode.name(t).map { " (\($0))" } ?? "") + " 0x\(v.hexString)"
        }
    }
}

// MARK: - PathAttributes

extension PathAttributes {
    /// Attribute 23 from ``unknown`` read strictly (``TunnelEncapsulation/init(value:)``); nil
    /// when the UPDATE has none.
    public var tunnelEncapsulation: Result<TunnelEncapsulation, TunnelEncapsulationError>? {
        guard let raw = unknown.first(where: { $0.code == AttributeCode.tunnelEncapsulation }) else { return nil }
        return Result(catching: { () throws(TunnelEncapsulationError) in try TunnelEncapsulation(value: raw.value) })
    }

    /// Replaces attribute 23 in ``unknown`` with `te` (optional transitive), or removes it for nil.
    public mutating func setTunnelEncapsulation(_ te: TunnelEncapsulation?) {
        unknown.removeAll { $0.code == AttributeCode.tunnelEncapsulation }
        if let te { unknown.append(te.rawAttribute) }
    }
}
