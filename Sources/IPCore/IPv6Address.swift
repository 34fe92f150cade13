/// An IPv6 address held as two host-order 64-bit halves.
public struct IPv6Address: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The first 64 bits.
    public var high: UInt64
    /// The last 64 bits.
    public var low: UInt64

    public init(high: UInt64, low: UInt64) {
        self.high = high
        self.low = low
    }

    /// An address from 16 octets in network order; nil unless exactly 16.
    public init?(octets: [UInt8]) {
        guard octets.count == 16 else { return nil }
        var h: UInt64 = 0, l: UInt64 = 0
        for i in 0..<8 { h = h << 8 | UInt64(octets[i]) }
        for i in 8..<16 { l = l << 8 | UInt64(octets[i]) }
        high = h
        low = l
    }

    /// Parses RFC 4291 text ("2001:db8::1", "::ffff:192.0.2.1"); nil when malformed.
    public init?(_ text: some StringProtocol) {
        let s = String(text)
        guard !s.isEmpty, s.allSatisfy(\.isASCII) else { return nil }
        var groups: [UInt16] = []
        var tail: [UInt16] = []
        var halves = [s]
        if let r = s.firstRange(of: "::") {
            halves = [String(s[..<r.lowerBound]), String(s[r.upperBound...])]
            guard !halves[1].contains("::") else { return nil }
        }
        func parse(_ part: String, allowV4: Bool) -> [UInt16]? {
            if part.isEmpty { return [] }
            var out: [UInt16] = []
            let pieces = part.split(separator: ":", omittingEmptySubsequences: false)
            for (i, piece) in pieces.enumerated() {
                if i == pieces.count - 1, allowV4, piece.contains(".") {
                    guard let v4 = IPv4Address(piece) else { return nil }
                    out.append(UInt16(v4.value >> 16))
                    out.append(UInt16(v4.value & 0xFFFF))
                } else {
                    guard !piece.isEmpty, piece.count <= 4, let g = UInt16(piece, radix: 16) else { return nil }
                    out.append(g)
                }
            }
            return out
        }
        if halves.count == 2 {
            guard let a = parse(halves[0], allowV4: false), let b = parse(halves[1], allowV4: true),
                  a.count + b.count <= 7 else { return nil }
            groups = a
            tail = b
            groups += Array(repeating: 0, count: 8 - a.count - b.count)
            groups += tail
        } else {
            guard let a = parse(halves[0], allowV4: true), a.count == 8 else { return nil }
            groups = a
        }
        var h: UInt64 = 0, l: UInt64 = 0
        for i in 0..<4 { h = h << 16 | UInt64(groups[i]) }
        for i in 4..<8 { l = l << 16 | UInt64(groups[i]) }
        high = h
        low = l
    }

    /// The 16 octets in network order.
    public var octets: [UInt8] {
        var out = [UInt8](repeating: 0, count: 16)
        for i in 0..<8 {
            out[i] = UInt8(truncatingIfNeeded: high >> (56 - 8 * UInt64(i)))
            out[8 + i] = UInt8(truncatingIfNeeded: low >> (56 - 8 * UInt64(i)))
        }
        return out
    }

    /// RFC 5952 canonical text: lower case, longest run of two or more zero groups as "::".
    public var description: String {
        var g = [UInt16](repeating: 0, count: 8)
        for i in 0..<4 {
            g[i] = UInt16(truncatingIfNeeded: high >> (48 - 16 * UInt64(i)))
            g[4 + i] = UInt16(truncatingIfNeeded: low >> (48 - 16 * UInt64(i)))
        }
        var bestStart = -1, bestLen = 0, i = 0
        while i < 8 {
            if g[i] == 0 {
                var j = i
                while j < 8 && g[j] == 0 { j += 1 }
                if j - i > bestLen { bestStart = i; bestLen = j - i }
                i = j
            } else { i += 1 }
        }
        if bestLen < 2 { bestStart = -1 }
        var parts: [String] = []
        var k = 0
        var out = ""
        while k < 8 {
            if k == bestStart {
                out += parts.joined(separator: ":") + "::"
                parts = []
                k += bestLen
                continue
            }
            parts.append(String(g[k], radix: 16))
            k += 1
        }
        out += parts.joined(separator: ":")
        return out
    }

    public static func < (a: IPv6Address, b: IPv6Address) -> Bool {
        (a.high, a.low) < (b.high, b.low)
    }
}
