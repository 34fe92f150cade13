/// An IEEE 802 MAC address (EUI-48), validated once: exactly six octets.
public struct MACAddress: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The six octets as the low 48 bits, first octet most significant.
    public let value: UInt64

    /// A MAC address from its 48-bit value; nil when bits above 48 are set.
    public init?(value: UInt64) {
        guard value >> 48 == 0 else { return nil }
        self.value = value
    }

    /// A MAC address from six octets; nil for any other count.
    public init?(octets: some Collection<UInt8>) {
        guard octets.count == 6 else { return nil }
        value = octets.reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
    }

    /// Parses `aa:bb:cc:dd:ee:ff` (or `-` separators): six groups of exactly two hex digits.
    /// Anything else — signs, one-digit groups, seven groups, spaces — is nil, so
    /// `"+1:+2:3:4:5:6"` is rejected rather than read as 01:02:03:04:05:06.
    public init?(_ text: some StringProtocol) {
        let separator: Character = text.contains("-") ? "-" : ":"
        let groups = text.split(separator: separator, omittingEmptySubsequences: false)
        guard groups.count == 6 else { return nil }
        var v: UInt64 = 0
        for g in groups {
            guard g.count == 2, g.allSatisfy(\.isHexDigit), g.allSatisfy(\.isASCII), let b = UInt8(g, radix: 16) else { return nil }
            v = v << 8 | UInt64(b)
        }
        value = v
    }

    /// The six octets in transmission order.
    public var octets: [UInt8] { (0..<6).map { UInt8(truncatingIfNeeded: value >> (40 - 8 * UInt64($0))) } }

    /// The I/G bit of the first octet is set: a group (multicast or broadcast) address
    /// (IEEE 802-2014 §8.2), never an interface's own address.
    public var isMulticast: Bool { (value >> 40) & 0x01 != 0 }

    /// ff:ff:ff:ff:ff:ff.
    public var isBroadcast: Bool { value == 0xFFFF_FFFF_FFFF }

    /// 00:00:00:00:00:00.
    public var isZero: Bool { value == 0 }

    /// Usable as an interface's own address: neither a group address nor all zeros.
    public var isUnicast: Bool { !isMulticast && !isZero }

    /// Lower-case `aa:bb:cc:dd:ee:ff`.
    public var description: String {
        let hex = Array("0123456789abcdef")
        var out = ""
        for (i, b) in octets.enumerated() {
            if i > 0 { out.append(":") }
            out.append(hex[Int(b >> 4)])
            out.append(hex[Int(b & 0xF)])
        }
        return out
    }

    public static func < (a: MACAddress, b: MACAddress) -> Bool { a.value < b.value }
}
