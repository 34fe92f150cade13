import IPCore

/// Address Family Identifier (IANA "Address Family Numbers"), RFC 4760 §3.
public struct AFI: RawRepresentable, Hashable, Comparable, Sendable, CustomStringConvertible {
    public var rawValue: UInt16
    public init(rawValue: UInt16) { self.rawValue = rawValue }
    public static let ipv4 = AFI(rawValue: 1)
    public static let ipv6 = AFI(rawValue: 2)
    public var description: String {
        switch self {
        case .ipv4: "ipv4"
        case .ipv6: "ipv6"
        default: "afi-\(rawValue)"
        }
    }
    public static func < (a: AFI, b: AFI) -> Bool { a.rawValue < b.rawValue }
}

/// Subsequent Address Family Identifier, RFC 4760 §6.
public struct SAFI: RawRepresentable, Hashable, Comparable, Sendable, CustomStringConvertible {
    public var rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }
    public static let unicast = SAFI(rawValue: 1)
    public static let multicast = SAFI(rawValue: 2)
    public var description: String {
        switch self {
        case .unicast: "unicast"
        case .multicast: "multicast"
        default: "safi-\(rawValue)"
        }
    }
    public static func < (a: SAFI, b: SAFI) -> Bool { a.rawValue < b.rawValue }
}

/// An AFI/SAFI pair: the unit capabilities, MP_REACH_NLRI, End-of-RIB and add-path are per.
public struct AddressFamily: Hashable, Comparable, Sendable, CustomStringConvertible {
    public var afi: AFI
    public var safi: SAFI
    public init(afi: AFI, safi: SAFI) {
        self.afi = afi
        self.safi = safi
    }
    public static let ipv4Unicast = AddressFamily(afi: .ipv4, safi: .unicast)
    public static let ipv6Unicast = AddressFamily(afi: .ipv6, safi: .unicast)

    /// The unicast family of `f` (what a configuration's `ipv4`/`ipv6` means).
    public static func unicast(_ f: IPFamily) -> AddressFamily { f == .v4 ? .ipv4Unicast : .ipv6Unicast }

    /// "ipv4-unicast", "ipv6-unicast", or "afi-N/safi-M" for others.
    public var description: String { "\(afi)-\(safi)" }

    /// Parses "ipv4", "ipv6", "ipv4-unicast", "ipv6-unicast".
    public init?(name: String) {
        switch name.lowercased() {
        case "ipv4", "ipv4-unicast", "ipv4unicast": self = .ipv4Unicast
        case "ipv6", "ipv6-unicast", "ipv6unicast": self = .ipv6Unicast
        default: return nil
        }
    }

    public static func < (a: AddressFamily, b: AddressFamily) -> Bool { (a.afi, a.safi) < (b.afi, b.safi) }
}
