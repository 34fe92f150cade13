// MARK: - Capability wire form (RFC 5492 §4)
//
// Rules for a capability value, applied by `Capability.decode(code:value:)`:
//
//  1. Code 1 (MP, RFC 4760 §8): length must be 4 (AFI, reserved, SAFI); the reserved
//     octet is ignored.                                      otherwise -> 2/0
//  2. Codes 2, 6, 70 (route refresh, extended message, enhanced route refresh): length
//     must be 0.                                             otherwise -> 2/0
//  3. Code 64 (GR, RFC 4724 §3): length must be 2 + 4n.      otherwise -> 2/0
//  4. Code 65 (4-octet AS, RFC 6793 §3): length must be 4.   otherwise -> 2/0
//     (the values 0 and AS_TRANS are rejected by the OPEN validation, 2/2)
//  5. Code 69 (ADD-PATH, RFC 7911 §4): length must be 4n.    otherwise -> 2/0
//     A Send/Receive value outside 1...3 makes the capability "not understood":
//     it is kept as `.unknown` and so ignored by negotiation (RFC 7911 §4).
//  6. Code 73 (FQDN): hostname length + hostname + domain length + domain, exactly
//     filling the value.                                     otherwise -> 2/0
//     Names that are not valid UTF-8 keep the capability as `.unknown` (it is
//     informational only; FRR likewise never rejects a session over it).
//  8. Code 71 (LLGR, RFC 9494 §3): length must be 7n.      otherwise -> 2/0
//  7. Any other code: kept as `.unknown(code:value:)`.
//
// Why 2/0 for a malformed known capability rather than keeping it opaque: a value of
// the wrong length means the peer and we disagree about the capability's format, so
// nothing it negotiates can be trusted. BIRD (`bgp_read_capabilities`) and FRR
// (`bgp_capability_parse`, cap_minsizes) both refuse the OPEN with an OPEN Message Error;
// RFC 5492 gives no subcode for it, so Tern sends 2/0 (Unspecific) with a reason that
// names the capability and the bad length.

extension Capability {
    /// Decodes one capability from its code and value (RFC 5492 §4); throws OPEN Message
    /// Error 2/0 when a capability Tern knows has a value of the wrong format.
    public static func decode(code: UInt8, value: [UInt8]) throws(MessageError) -> Capability {
        func malformed(_ expected: String) -> MessageError {
            .open(0, reason: "malformed OPEN: \(name(code: code)) capability (code \(code)) length \(value.count), expected \(expected)")
        }
        switch code {
        case Code.multiprotocol: // rule 1
            guard value.count == 4 else { throw malformed("4") }
            let afi = UInt16(value[0]) << 8 | UInt16(value[1])
            return .multiprotocol(AddressFamily(afi: AFI(rawValue: afi), safi: SAFI(rawValue: value[3])))
        case Code.routeRefresh, Code.extendedMessage, Code.enhancedRouteRefresh: // rule 2
            guard value.isEmpty else { throw malformed("0") }
            switch code {
            case Code.routeRefresh: return .routeRefresh
            case Code.extendedMessage: return .extendedMessage
            default: return .enhancedRouteRefresh
            }
        case Code.gracefulRestart: // rule 3
            guard let gr = GracefulRestartCapability.decode(value: value) else { throw malformed("2 + 4n") }
            return .gracefulRestart(gr)
        case Code.longLivedGracefulRestart: // rule 8
            guard let llgr = LongLivedGracefulRestartCapability.decode(value: value) else { throw malformed("a multiple of 7") }
            return .longLivedGracefulRestart(llgr)
        case Code.fourOctetAS: // rule 4
            guard value.count == 4 else { throw malformed("4") }
            return .fourOctetAS(UInt32(value[0]) << 24 | UInt32(value[1]) << 16 | UInt32(value[2]) << 8 | UInt32(value[3]))
        case Code.addPath: // rule 5
            switch AddPathCapability.decode(value: value) {
            case .entries(let e): return .addPath(e)
            case .notUnderstood: return .unknown(code: code, value: value)
            case .malformed: throw malformed("a multiple of 4")
            }
        case Code.fqdn: // rule 6
            guard let hostLen = value.first.map(Int.init), 1 + hostLen < value.count else {
                throw malformed("hostname length + hostname + domain length + domain")
            }
            let domainLen = Int(value[1 + hostLen])
            guard 2 + hostLen + domainLen == value.count else {
                throw malformed("\(2 + hostLen + domainLen) from its name lengths")
            }
            guard let host = String(validating: value[1..<1 + hostLen], as: UTF8.self),
                  let domain = String(validating: value[(2 + hostLen)...], as: UTF8.self) else {
                return .unknown(code: code, value: value)
            }
            return .fqdn(hostname: host, domain: domain)
        default: // rule 7
            return .unknown(code: code, value: value)
        }
    }

    /// The capability value (without code and length).
    public var encodedValue: [UInt8] {
        var w = ByteWriter(capacity: 8)
        switch self {
        case .multiprotocol(let f):
            w.writeUInt16(f.afi.rawValue)
            w.writeUInt8(0)
            w.writeUInt8(f.safi.rawValue)
        case .routeRefresh, .extendedMessage, .enhancedRouteRefresh:
            break
        case .gracefulRestart(let gr):
            gr.encodeValue(into: &w)
        case .longLivedGracefulRestart(let llgr):
            llgr.encodeValue(into: &w)
        case .fourOctetAS(let asn):
            w.writeUInt32(asn)
        case .addPath(let entries):
            AddPathCapability.encode(entries, into: &w)
        case .fqdn(let host, let domain):
            // Both names and both length octets must fit the 255-byte capability value.
            let h = Self.utf8Prefix(host, maxBytes: 253)
            let d = Self.utf8Prefix(domain, maxBytes: 253 - h.count)
            w.writeUInt8(UInt8(h.count))
            w.writeBytes(h)
            w.writeUInt8(UInt8(d.count))
            w.writeBytes(d)
        case .unknown(_, let value):
            w.writeBytes(value)
        }
        return w.bytes
    }

    /// Appends code, length and value (RFC 5492 §4). A value over 255 bytes cannot be
    /// expressed and is a programmer error (e.g. ADD-PATH with more than 63 families).
    public func encode(into w: inout ByteWriter) {
        let value = encodedValue
        precondition(value.count <= 255, "\(name) capability value of \(value.count) bytes exceeds 255")
        w.writeUInt8(code)
        w.writeUInt8(UInt8(value.count))
        w.writeBytes(value)
    }

    /// The UTF-8 bytes of `s`, cut to at most `maxBytes` on a character boundary.
    static func utf8Prefix(_ s: String, maxBytes: Int) -> [UInt8] {
        var out: [UInt8] = []
        for ch in s {
            let b = Array(String(ch).utf8)
            if out.count + b.count > maxBytes { break }
            out.append(contentsOf: b)
        }
        return out
    }

    /// Decodes the TLVs of one Capabilities optional parameter value (RFC 5492 §4).
    /// A capability length that overruns the parameter is 2/0 (malformed OPEN).
    static func decodeList(_ r: inout ByteReader) throws(MessageError) -> [Capability] {
        var caps: [Capability] = []
        while !r.isAtEnd {
            guard r.remaining >= 2, let code = try? r.readUInt8(), let len = try? r.readUInt8() else {
                throw MessageError.open(0, reason: "malformed OPEN: capability header truncated (\(r.remaining) byte left in parameter)")
            }
            guard let value = try? r.readBytes(Int(len)) else {
                throw MessageError.open(0, reason: "malformed OPEN: \(name(code: code)) capability (code \(code)) length \(len) overruns its parameter (\(r.remaining) bytes left)")
            }
            caps.append(try decode(code: code, value: value))
        }
        return caps
    }
}
