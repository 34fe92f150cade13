import IPCore
@testable import BGPWire

/// Bytes from hex text; spaces and newlines are ignored. Traps on bad hex (tests only).
func hex(_ s: String) -> [UInt8] {
    let digits = s.filter { !$0.isWhitespace }
    precondition(digits.count % 2 == 0, "odd hex length")
    var out: [UInt8] = []
    var i = digits.startIndex
    while i < digits.endIndex {
        let j = digits.index(i, offsetBy: 2)
        out.append(UInt8(digits[i..<j], radix: 16)!)
        i = j
    }
    return out
}

func hexString(_ b: [UInt8]) -> String {
    b.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
}

func v4(_ s: String) -> IPv4Address { IPv4Address(s)! }
func v6(_ s: String) -> IPv6Address { IPv6Address(s)! }
func p4(_ s: String, id: UInt32? = nil) -> NLRI { NLRI(.v4(IPv4Prefix(s)!), pathID: id) }
func p6(_ s: String, id: UInt32? = nil) -> NLRI { NLRI(.v6(IPv6Prefix(s)!), pathID: id) }

/// A whole UPDATE message from its three parts, lengths computed (header included).
func updateBytes(withdrawn: [UInt8] = [], attrs: [UInt8] = [], nlri: [UInt8] = []) -> [UInt8] {
    let total = 19 + 4 + withdrawn.count + attrs.count + nlri.count
    var b = [UInt8](repeating: 0xFF, count: 16)
    b += [UInt8(total >> 8), UInt8(total & 0xFF), 2]
    b += [UInt8(withdrawn.count >> 8), UInt8(withdrawn.count & 0xFF)] + withdrawn
    b += [UInt8(attrs.count >> 8), UInt8(attrs.count & 0xFF)] + attrs
    return b + nlri
}

/// Decodes a whole message that must be an UPDATE.
func decodeUpdate(_ bytes: [UInt8], _ ctx: CodecContext = .initial) throws -> (UpdateMessage, [UpdateIssue]) {
    let d = try BGPMessage.decode(bytes: bytes, context: ctx)
    guard case .update(let u) = d.message else { throw TestFailure("not an UPDATE: \(d.message)") }
    return (u, d.issues)
}

/// Decodes an attribute block alone.
func decodeAttrs(_ bytes: [UInt8], _ ctx: CodecContext = .initial) throws -> (AttributeBlock, [UpdateIssue]) {
    var issues: [UpdateIssue] = []
    let b = try PathAttributes.decodeBlock(ByteReader(bytes), context: ctx, hasIPv4Prefixes: true, issues: &issues)
    return (b, issues)
}

func encodeAttrs(_ a: PathAttributes, _ ctx: CodecContext = .initial) -> [UInt8] {
    var w = ByteWriter()
    a.encode(into: &w, context: ctx)
    return w.bytes
}

struct TestFailure: Error, CustomStringConvertible {
    var description: String
    init(_ d: String) { description = d }
}

/// SplitMix64: a small seeded generator so property tests are reproducible.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
