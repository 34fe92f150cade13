import IPCore
import Testing
@testable import BGPWire

/// The NLRI list decoder (a bulk, pointer-based loop) against a plain entry-by-entry
/// reference on random and near-valid input: same prefixes, same error, never a read past
/// the reader's window.
@Suite struct NLRIListTests {
    /// Entry-by-entry decoding through ByteReader's checked reads (the original decoder).
    static func reference(_ r: inout ByteReader, family: AddressFamily, addPath: Bool) throws(NLRIError) -> [NLRI] {
        var out: [NLRI] = []
        while !r.isAtEnd {
            var id: UInt32?
            if addPath {
                guard let v = try? r.readUInt32() else { throw NLRIError.truncated }
                id = v
            }
            if family.afi == .ipv4 {
                out.append(NLRI(.v4(try IPv4Prefix.decode(from: &r)), pathID: id))
            } else {
                out.append(NLRI(.v6(try IPv6Prefix.decode(from: &r)), pathID: id))
            }
        }
        return out
    }

    static func outcome(_ body: () throws(NLRIError) -> [NLRI]) -> Result<[NLRI], NLRIError> {
        do { return .success(try body()) } catch { return .failure(error) }
    }

    @Test(arguments: [AddressFamily.ipv4Unicast, .ipv6Unicast])
    func matchesReference(family: AddressFamily) {
        var rng = SystemRandomNumberGenerator()
        let maxLen = family.afi == .ipv4 ? 32 : 128
        for round in 0..<20_000 {
            // Mostly well-formed lists, then damaged: a bad length, a cut, random bytes.
            var bytes: [UInt8] = []
            let addPath = round % 2 == 1
            for _ in 0..<Int.random(in: 0...12, using: &rng) {
                if addPath { for _ in 0..<4 { bytes.append(.random(in: 0...255, using: &rng)) } }
                let len = Int.random(in: 0...maxLen, using: &rng)
                bytes.append(UInt8(len))
                for _ in 0..<(len + 7) / 8 { bytes.append(.random(in: 0...255, using: &rng)) }
            }
            switch round % 5 {
            case 1 where !bytes.isEmpty: bytes[Int.random(in: 0..<bytes.count, using: &rng)] = .random(in: 0...255, using: &rng)
            case 2 where !bytes.isEmpty: bytes.removeLast(Int.random(in: 1...min(5, bytes.count), using: &rng))
            case 3: bytes = (0..<Int.random(in: 0...40, using: &rng)).map { _ in .random(in: 0...255, using: &rng) }
            default: break
            }
            // A window inside a larger buffer: bytes either side must never be read.
            let pad = Int.random(in: 0...6, using: &rng)
            let buffer = [UInt8](repeating: 0x18, count: pad) + bytes + [UInt8](repeating: 0xFF, count: pad)
            var a = ByteReader(buffer, range: pad..<pad + bytes.count)
            var b = a
            let fast = Self.outcome { () throws(NLRIError) in try NLRI.decodeList(from: &a, family: family, addPath: addPath) }
            let slow = Self.outcome { () throws(NLRIError) in try Self.reference(&b, family: family, addPath: addPath) }
            #expect(fast == slow, "round \(round): \(bytes)")
            if case .success = fast { #expect(a.isAtEnd) }
        }
    }

    @Test func encodeListMatchesEntryEncoding() {
        var rng = SystemRandomNumberGenerator()
        for addPath in [false, true] {
            var nlri: [NLRI] = []
            for i in 0..<500 {
                let id: UInt32? = addPath && i % 3 != 0 ? .random(in: 0...UInt32.max, using: &rng) : nil
                if i % 4 == 0 {
                    let p = IPv6Prefix(address: IPv6Address(high: .random(in: 0...UInt64.max, using: &rng), low: .random(in: 0...UInt64.max, using: &rng)),
                                       length: .random(in: 0...128, using: &rng))!
                    nlri.append(NLRI(.v6(p), pathID: id))
                } else {
                    let p = IPv4Prefix(address: IPv4Address(.random(in: 0...UInt32.max, using: &rng)), length: .random(in: 0...32, using: &rng))!
                    nlri.append(NLRI(.v4(p), pathID: id))
                }
            }
            var one = ByteWriter(), bulk = ByteWriter()
            for x in nlri { one.writeUInt8(0xAA); x.encode(into: &one, addPath: addPath) }
            for x in nlri {
                bulk.writeUInt8(0xAA)
                NLRI.encodeList([x], 0..<1, size: x.wireSize(addPath: addPath), addPath: addPath, into: &bulk)
            }
            #expect(one.bytes == bulk.bytes)
            var whole = ByteWriter(), each = ByteWriter()
            NLRI.encodeList(nlri, 100..<400, size: nlri[100..<400].reduce(0) { $0 + $1.wireSize(addPath: addPath) },
                            addPath: addPath, into: &whole)
            for x in nlri[100..<400] { x.encode(into: &each, addPath: addPath) }
            #expect(whole.bytes == each.bytes)
        }
    }
}
