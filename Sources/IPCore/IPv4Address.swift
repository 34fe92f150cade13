/// An IPv4 address held as a host-order 32-bit integer.
public struct IPv4Address: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The address, most significant octet first (192.0.2.1 is 0xC000_0201).
    public var value: UInt32

    public init(_ value: UInt32) { self.value = value }

    /// Parses dotted-quad text ("192.0.2.1"); nil when it is not exactly four octets 0...255.
    public init?(_ text: some StringProtocol) {
        var value: UInt32 = 0
        var octets = 0
        for part in text.split(separator: ".", omittingEmptySubsequences: false) {
            guard !part.isEmpty, part.count <= 3, part.allSatisfy({ $0.isASCII && $0.isWholeNumber }), let n = UInt32(part), n <= 255 else { return nil }
            value = value << 8 | n
            octets += 1
        }
        guard octets == 4 else { return nil }
        self.value = value
    }

    /// The four octets in network order.
    public var octets: [UInt8] {
        [UInt8(truncatingIfNeeded: value >> 24), UInt8(truncatingIfNeeded: value >> 16),
         UInt8(truncatingIfNeeded: value >> 8), UInt8(truncatingIfNeeded: value)]
    }

    public var description: String {
        "\(value >> 24).\(value >> 16 & 0xFF).\(value >> 8 & 0xFF).\(value & 0xFF)"
    }

    public static func < (a: IPv4Address, b: IPv4Address) -> Bool { a.value < b.value }
}
