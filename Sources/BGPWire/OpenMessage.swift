import IPCore
/// An OPEN message (RFC 4271 §4.2) with its capabilities (RFC 5492) and, when needed,
/// RFC 9072 extended optional parameters.
///
/// ```
///  0                   1                   2                   3
///  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
/// +-+-+-+-+-+-+-+-+
/// |    Version    |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |     My Autonomous System      |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |           Hold Time           |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |                         BGP Identifier                        |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// | Opt Parm Len  |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |             Optional Parameters (variable)                    |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
///
/// Each optional parameter (RFC 4271 §4.2):
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |  Parm. Type   | Parm. Length  |  Parameter Value (variable)
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
///
/// RFC 9072 §2 extended form (Opt Parm Len 255 and a first "type" of 255):
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |Non-Ext OP Len.|Non-Ext OP Type|  Extended Opt. Parm. Length   |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |             Optional Parameters (variable)                    |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// and then each parameter has a 2-octet length:
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |  Parm. Type   |        Parameter Length       |  Value ...
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// ```
///
/// The only optional parameter in use is Capabilities (type 2, RFC 5492 §4); one such
/// parameter may hold several capabilities and a speaker may send several parameters.
/// ``capabilities`` lists them all in wire order and ``capabilityLayout`` remembers how
/// they were grouped, so `encode(decode(x)) == x` for every OPEN Tern encodes (and for
/// any well-formed OPEN whose MP reserved octets and GR reserved bits are zero).
///
/// Tern sends all capabilities in one parameter by default, as BIRD
/// (`bgp_write_capabilities`) and GoBGP (`NewOptionParameterCapability(caps)`) do;
/// FRR/Quagga put each capability in its own parameter (``CapabilityLayout/parameterPerCapability``).
public struct OpenMessage: Hashable, Sendable {
    /// BGP version; 4 (RFC 4271 §4.2).
    public var version: UInt8
    /// The 2-octet "My Autonomous System" field: the real AS, or ``asTrans`` when the
    /// real AS does not fit 16 bits (RFC 6793 §4.2.3). See ``asNumber``.
    public var myAS: UInt16
    /// Proposed hold time in seconds: 0 or at least 3 (RFC 4271 §4.2).
    public var holdTime: UInt16
    /// The sender's BGP Identifier (RFC 4271 §4.2, RFC 6286): non-zero.
    public var bgpIdentifier: IPv4Address
    /// Every capability of every Capabilities parameter, in wire order.
    public var capabilities: [Capability]
    /// How ``capabilities`` are split into optional parameters.
    public var capabilityLayout: CapabilityLayout
    /// Use the RFC 9072 extended optional parameters encoding even when the parameters
    /// would fit in 255 bytes. The encoder switches to it anyway when they do not fit.
    /// Set by the decoder when the extended form was received.
    public var useExtendedParameters: Bool

    /// The only BGP version Tern speaks.
    public static let supportedVersion: UInt8 = 4
    /// AS_TRANS (RFC 6793 §9): the 2-octet stand-in for a 4-octet AS.
    public static let asTrans: UInt16 = 23456

    /// An OPEN with the given fields as they go on the wire.
    public init(version: UInt8 = OpenMessage.supportedVersion, myAS: UInt16, holdTime: UInt16,
                bgpIdentifier: IPv4Address, capabilities: [Capability] = [],
                capabilityLayout: CapabilityLayout = .oneParameter, useExtendedParameters: Bool = false) {
        self.version = version
        self.myAS = myAS
        self.holdTime = holdTime
        self.bgpIdentifier = bgpIdentifier
        self.capabilities = capabilities
        self.capabilityLayout = capabilityLayout
        self.useExtendedParameters = useExtendedParameters
    }

    /// An OPEN for a speaker in AS `asNumber` (RFC 6793 §4.1): My AS is `asNumber`, or
    /// AS_TRANS when it exceeds 65535, and the 4-octet AS capability carries `asNumber`
    /// (its value is set in place when `capabilities` already has one, else it is appended).
    public init(asNumber: UInt32, holdTime: UInt16, bgpIdentifier: IPv4Address,
                capabilities: [Capability] = [], capabilityLayout: CapabilityLayout = .oneParameter,
                useExtendedParameters: Bool = false) {
        var caps = capabilities
        if let i = caps.firstIndex(where: { if case .fourOctetAS = $0 { true } else { false } }) {
            caps[i] = .fourOctetAS(asNumber)
        } else {
            caps.append(.fourOctetAS(asNumber))
        }
        self.init(myAS: asNumber > UInt32(UInt16.max) ? Self.asTrans : UInt16(asNumber), holdTime: holdTime,
                  bgpIdentifier: bgpIdentifier, capabilities: caps, capabilityLayout: capabilityLayout,
                  useExtendedParameters: useExtendedParameters)
    }

    /// The value of the first 4-octet AS capability, if any (RFC 6793 §3).
    public var fourOctetASCapability: UInt32? {
        for case .fourOctetAS(let asn) in capabilities { return asn }
        return nil
    }

    /// The sender's real AS: the 4-octet AS capability when present, else ``myAS``
    /// (RFC 6793 §4.1).
    public var asNumber: UInt32 { fourOctetASCapability ?? UInt32(myAS) }

    /// True when some capability has code `code`.
    public func hasCapability(code: UInt8) -> Bool { capabilities.contains { $0.code == code } }
}

// MARK: - Capability layout

/// How an OPEN's capabilities are grouped into Capabilities optional parameters (RFC 5492 §4).
public enum CapabilityLayout: Hashable, Sendable {
    /// All capabilities in one parameter (BIRD, GoBGP); no parameter when there are none.
    case oneParameter
    /// One parameter per capability (FRR, Quagga, RFC 2842-era speakers).
    case parameterPerCapability
    /// Parameter `i` holds the next `counts[i]` capabilities (0 = an empty Capabilities
    /// parameter). Capabilities left over after the counts go into one last parameter.
    case grouped([Int])

    /// The layout that reproduces `counts` capabilities per parameter, in its simplest form.
    init(counts: [Int]) {
        if counts.isEmpty || (counts.count == 1 && counts[0] > 0) {
            self = .oneParameter
        } else if counts.allSatisfy({ $0 == 1 }) {
            self = .parameterPerCapability
        } else {
            self = .grouped(counts)
        }
    }

    /// Splits `caps` into parameter groups.
    func groups(_ caps: [Capability]) -> [ArraySlice<Capability>] {
        switch self {
        case .oneParameter:
            return caps.isEmpty ? [] : [caps[...]]
        case .parameterPerCapability:
            return caps.indices.map { caps[$0...$0] }
        case .grouped(let counts):
            var out: [ArraySlice<Capability>] = []
            var i = 0
            for n in counts {
                let end = min(caps.count, i + max(0, n))
                out.append(caps[i..<end])
                i = end
            }
            if i < caps.count { out.append(caps[i...]) }
            return out
        }
    }
}

// MARK: - Description

extension OpenMessage: CustomStringConvertible {
    /// "OPEN v4 AS 65001 hold 90 id 192.0.2.1 [Route Refresh, ...]".
    public var description: String {
        var s = "OPEN v\(version) AS \(asNumber)"
        if UInt32(myAS) != asNumber { s += " (my AS \(myAS))" }
        s += " hold \(holdTime) id \(bgpIdentifier)"
        if useExtendedParameters { s += " ext-params" }
        return s + " [" + capabilities.map(\.description).joined(separator: ", ") + "]"
    }
}

// MARK: - Wire form

/// Optional parameter types (RFC 4271 §4.2, RFC 5492 §4, RFC 9072 §2).
enum OptionalParameterType {
    static let capabilities: UInt8 = 2
    static let extendedLengthMarker: UInt8 = 255
}

// OPEN validation done by the codec (RFC 4271 §6.2 and as cited), in the order applied.
// Checks that need configuration (expected peer AS, our own BGP identifier on iBGP,
// required capabilities -> 2/7) belong to the session layer.
//
//  1. Body shorter than the 10 fixed octets             -> 1/2, data = 2-octet message length
//     (the framer already refuses OPENs < 29 bytes; this guards direct calls)
//  2. Version != 4                                      -> 2/1, data = 2-octet largest
//                                                          supported version (0x0004)
//  3. Optional Parameters Length (1 or, RFC 9072, 2 octets) overruns the body,
//     or bytes follow the optional parameters          -> 2/0 "malformed OPEN"
//  4. A parameter's type/length header is truncated, or its length overruns the
//     optional parameters                               -> 2/0 "malformed OPEN"
//  5. Parameter type other than 2 (Capabilities); 255 is only valid as the RFC 9072
//     marker in the first position                      -> 2/4 Unsupported Optional Parameter
//  6. A capability header is truncated or its length overruns its parameter, or a
//     known capability's value has the wrong length    -> 2/0 "malformed OPEN"
//     (see Capability+Wire.swift for the per-capability rules)
//  7. My AS == 0 (RFC 7607 §2)                          -> 2/2 Bad Peer AS
//  8. 4-octet AS capability value 0 (RFC 7607 §2) or AS_TRANS (RFC 6793 §9)
//                                                       -> 2/2 Bad Peer AS
//  9. BGP Identifier 0 (RFC 6286 §2.2)                  -> 2/3 Bad BGP Identifier
// 10. Hold Time 1 or 2 (RFC 4271 §6.2)                  -> 2/6 Unacceptable Hold Time

extension OpenMessage {
    /// Decodes and validates an OPEN body (everything after the 19-byte header); throws the
    /// NOTIFICATION to send (see the rule table above this extension).
    public static func decode(body r: inout ByteReader) throws(MessageError) -> OpenMessage {
        // Rule 1.
        guard r.remaining >= 10 else {
            let total = UInt16(clamping: r.remaining + MessageHeader.length)
            throw MessageError.header(.badMessageLength, data: [UInt8(total >> 8), UInt8(total & 0xFF)],
                                      reason: "OPEN body of \(r.remaining) bytes is shorter than its 10 fixed octets")
        }
        let version: UInt8, myAS: UInt16, holdTime: UInt16, identifier: UInt32, nonExtLength: UInt8
        do throws(TruncatedInput) {
            version = try r.readUInt8()
            myAS = try r.readUInt16()
            holdTime = try r.readUInt16()
            identifier = try r.readUInt32()
            nonExtLength = try r.readUInt8()
        } catch {
            throw MessageError.open(0, reason: "malformed OPEN: fixed fields truncated")
        }

        // Rule 2 (§6.2): checked before anything whose layout depends on the version.
        guard version == supportedVersion else {
            throw MessageError.open(NotificationCode.Open.unsupportedVersionNumber, data: [0, supportedVersion],
                                    reason: "OPEN version \(version), only 4 is supported")
        }

        // Rule 3: find the optional parameters area (RFC 4271 §4.2 or RFC 9072 §2).
        var area: ByteReader
        let extended = nonExtLength != 0 && (try? r.peekUInt8()) == OptionalParameterType.extendedLengthMarker
        if extended {
            // RFC 9072 §2: a non-zero Non-Ext OP Len followed by type 255 announces the
            // extended form; the Non-Ext OP Len value itself is not used (senders set 255).
            _ = try? r.readUInt8()
            guard let extLength = try? r.readUInt16() else {
                throw MessageError.open(0, reason: "malformed OPEN: RFC 9072 extended optional parameters length truncated")
            }
            guard let a = try? r.readReader(Int(extLength)) else {
                throw MessageError.open(0, reason: "malformed OPEN: extended optional parameters length \(extLength) overruns the \(r.remaining) bytes left")
            }
            area = a
        } else {
            guard let a = try? r.readReader(Int(nonExtLength)) else {
                throw MessageError.open(0, reason: "malformed OPEN: optional parameters length \(nonExtLength) overruns the \(r.remaining) bytes left")
            }
            area = a
        }
        guard r.isAtEnd else {
            throw MessageError.open(0, reason: "malformed OPEN: \(r.remaining) bytes follow the optional parameters")
        }

        // Rules 4-6: the parameters.
        var capabilities: [Capability] = []
        var counts: [Int] = []
        while !area.isAtEnd {
            let type = (try? area.readUInt8()) ?? 0
            let length: Int
            if extended {
                guard let l = try? area.readUInt16() else {
                    throw MessageError.open(0, reason: "malformed OPEN: optional parameter type \(type) has a truncated 2-octet length")
                }
                length = Int(l)
            } else {
                guard let l = try? area.readUInt8() else {
                    throw MessageError.open(0, reason: "malformed OPEN: optional parameter type \(type) has no length octet")
                }
                length = Int(l)
            }
            guard var value = try? area.readReader(length) else {
                throw MessageError.open(0, reason: "malformed OPEN: optional parameter type \(type) length \(length) overruns the \(area.remaining) bytes left")
            }
            guard type == OptionalParameterType.capabilities else {
                throw MessageError.open(NotificationCode.Open.unsupportedOptionalParameter,
                                        reason: "unsupported optional parameter type \(type)")
            }
            let caps = try Capability.decodeList(&value)
            capabilities += caps
            counts.append(caps.count)
        }

        let open = OpenMessage(version: version, myAS: myAS, holdTime: holdTime, bgpIdentifier: IPv4Address(identifier),
                               capabilities: capabilities, capabilityLayout: CapabilityLayout(counts: counts),
                               useExtendedParameters: extended)

        // Rules 7-8.
        guard myAS != 0 else {
            throw MessageError.open(NotificationCode.Open.badPeerAS, reason: "OPEN My AS is 0")
        }
        for case .fourOctetAS(let asn) in capabilities where asn == 0 || asn == UInt32(asTrans) {
            throw MessageError.open(NotificationCode.Open.badPeerAS,
                                    reason: "4-octet AS capability carries reserved AS \(asn)")
        }
        // Rule 9.
        guard identifier != 0 else {
            throw MessageError.open(NotificationCode.Open.badBGPIdentifier, reason: "BGP identifier 0.0.0.0")
        }
        // Rule 10.
        guard holdTime != 1 && holdTime != 2 else {
            throw MessageError.open(NotificationCode.Open.unacceptableHoldTime,
                                    reason: "hold time \(holdTime)s (must be 0 or at least 3)")
        }
        return open
    }

    /// Appends the OPEN body. The RFC 9072 extended form is used when
    /// ``useExtendedParameters`` is set or when the parameters exceed 255 bytes.
    public func encode(into w: inout ByteWriter) {
        w.writeUInt8(version)
        w.writeUInt16(myAS)
        w.writeUInt16(holdTime)
        w.writeUInt32(bgpIdentifier.value)

        let values: [[UInt8]] = capabilityLayout.groups(capabilities).map { group in
            var v = ByteWriter(capacity: 64)
            for c in group { c.encode(into: &v) }
            return v.bytes
        }
        let regularLength = values.reduce(0) { $0 + 2 + $1.count }
        if useExtendedParameters || regularLength > 255 {
            // RFC 9072 §2.
            w.writeUInt8(255)
            w.writeUInt8(OptionalParameterType.extendedLengthMarker)
            let at = w.reserveLength16()
            for v in values {
                precondition(v.count <= 0xFFFF, "optional parameter of \(v.count) bytes")
                w.writeUInt8(OptionalParameterType.capabilities)
                w.writeUInt16(UInt16(v.count))
                w.writeBytes(v)
            }
            w.patchLength16(at: at)
        } else {
            w.writeUInt8(UInt8(regularLength))
            for v in values {
                w.writeUInt8(OptionalParameterType.capabilities)
                w.writeUInt8(UInt8(v.count))
                w.writeBytes(v)
            }
        }
    }
}
