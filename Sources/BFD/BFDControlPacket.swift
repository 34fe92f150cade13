/// A BFD Control packet (RFC 5880 §4.1), as carried in UDP (port 3784 single hop,
/// RFC 5881).
///
/// ```
///  0                   1                   2                   3
///  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
/// |Vers |  Diag   |Sta|P|F|C|A|D|M|  Detect Mult  |    Length     |
/// |                       My Discriminator                        |
/// |                      Your Discriminator                       |
/// |                    Desired Min TX Interval                    |
/// |                   Required Min RX Interval                    |
/// |                 Required Min Echo RX Interval                 |
/// ```
/// followed by the optional Authentication Section (§4.2, SHA1 form §4.4) when A is set.
/// Intervals are in microseconds.
public struct BFDControlPacket: Hashable, Sendable {
    /// Length of the mandatory section (§4.1).
    public static let mandatoryLength = 24

    /// Vers: the protocol version, 1 (§4.1).
    public var version: UInt8 = 1
    /// Diag: why the sender's session last changed state.
    public var diagnostic: BFDDiagnostic = .none
    /// Sta: the sender's session state.
    public var state: BFDState
    /// P: the sender asks for verification of a parameter change (§6.5).
    public var poll: Bool = false
    /// F: the answer to a received Poll (§6.5).
    public var final: Bool = false
    /// C: the sender's BFD does not share fate with its control plane.
    public var controlPlaneIndependent: Bool = false
    /// A: an Authentication Section follows. Kept consistent with ``authentication`` by the encoder.
    public var authPresent: Bool { authentication != nil }
    /// D: the sender wishes to run Demand mode (§6.6).
    public var demand: Bool = false
    /// M: reserved for multipoint, must be 0.
    public var multipoint: Bool = false
    /// Detect Mult: the sender's detection time multiplier.
    public var detectMult: UInt8
    /// My Discriminator: the sender's nonzero session discriminator.
    public var myDiscriminator: UInt32
    /// Your Discriminator: the receiver's discriminator as known to the sender, or 0.
    public var yourDiscriminator: UInt32
    /// Desired Min TX Interval (µs): the fastest the sender wants to transmit.
    public var desiredMinTxInterval: UInt32
    /// Required Min RX Interval (µs): the fastest the sender can receive; 0 = do not send.
    public var requiredMinRxInterval: UInt32
    /// Required Min Echo RX Interval (µs): 0 = the sender does not support Echo.
    public var requiredMinEchoRxInterval: UInt32 = 0
    /// The Authentication Section (A bit set), if any.
    public var authentication: BFDAuthentication?

    /// A packet with every field given; flags default to clear.
    public init(
        version: UInt8 = 1, diagnostic: BFDDiagnostic = .none, state: BFDState,
        poll: Bool = false, final: Bool = false, controlPlaneIndependent: Bool = false,
        demand: Bool = false, multipoint: Bool = false, detectMult: UInt8,
        myDiscriminator: UInt32, yourDiscriminator: UInt32,
        desiredMinTxInterval: UInt32, requiredMinRxInterval: UInt32,
        requiredMinEchoRxInterval: UInt32 = 0, authentication: BFDAuthentication? = nil
    ) {
        self.version = version
        self.diagnostic = diagnostic
        self.state = state
        self.poll = poll
        self.final = final
        self.controlPlaneIndependent = controlPlaneIndependent
        self.demand = demand
        self.multipoint = multipoint
        self.detectMult = detectMult
        self.myDiscriminator = myDiscriminator
        self.yourDiscriminator = yourDiscriminator
        self.desiredMinTxInterval = desiredMinTxInterval
        self.requiredMinRxInterval = requiredMinRxInterval
        self.requiredMinEchoRxInterval = requiredMinEchoRxInterval
        self.authentication = authentication
    }

    /// The Length field: 24, or 24 + 28 with a SHA1 authentication section.
    public var length: Int {
        Self.mandatoryLength + (authentication == nil ? 0 : Int(BFDAuthentication.sha1Length))
    }

    // MARK: - §4.1 encoding

    /// The packet's bytes (RFC 5880 §4.1, §4.4), network byte order. Fields are written as
    /// they are, even those the receiver will reject (tests rely on this).
    public func encode() -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(length)
        out.append((version & 0x07) << 5 | diagnostic.code)
        var flags = state.rawValue << 6
        if poll { flags |= 0x20 }
        if final { flags |= 0x10 }
        if controlPlaneIndependent { flags |= 0x08 }
        if authPresent { flags |= 0x04 }
        if demand { flags |= 0x02 }
        if multipoint { flags |= 0x01 }
        out.append(flags)
        out.append(detectMult)
        out.append(UInt8(length))
        for word in [myDiscriminator, yourDiscriminator, desiredMinTxInterval,
                     requiredMinRxInterval, requiredMinEchoRxInterval] {
            Self.append(word, to: &out)
        }
        if let auth = authentication {
            // §4.4 Keyed SHA1 and Meticulous Keyed SHA1 Authentication Section.
            out.append(auth.type.rawValue)
            out.append(BFDAuthentication.sha1Length)
            out.append(auth.keyID)
            out.append(0)  // Reserved
            Self.append(auth.sequenceNumber, to: &out)
            let digest = auth.digest.prefix(20)
            out.append(contentsOf: digest)
            out.append(contentsOf: repeatElement(0, count: 20 - digest.count))
        }
        return out
    }

    // MARK: - §6.8.6 reception checks about the packet itself

    /// Decodes a Control packet from a UDP payload, applying the RFC 5880 §6.8.6 checks
    /// that concern the packet alone (in the RFC's order); the checks that need the
    /// session (discriminator lookup, authentication in use) are ``BFDSession``'s.
    /// Bytes after Length are ignored.
    public init(decoding bytes: some Collection<UInt8>) throws(BFDDecodeError) {
        let b = Array(bytes)
        guard b.count >= Self.mandatoryLength else { throw .truncated(available: b.count) }
        let version = b[0] >> 5
        // §6.8.6: version must be 1.
        guard version == 1 else { throw .badVersion(version) }
        let flags = b[1]
        let authPresent = flags & 0x04 != 0
        let length = b[3]
        // §6.8.6: Length >= 24, or >= 26 with the A bit.
        let minimum = authPresent ? 26 : 24
        guard Int(length) >= minimum else { throw .lengthTooShort(length: length, minimum: minimum) }
        // §6.8.6: Length must not exceed the payload.
        guard Int(length) <= b.count else { throw .lengthExceedsPayload(length: length, payload: b.count) }
        let detectMult = b[2]
        // §6.8.6: Detect Mult nonzero.
        guard detectMult != 0 else { throw .zeroDetectMult }
        // §6.8.6: Multipoint bit zero.
        guard flags & 0x01 == 0 else { throw .multipointSet }
        let myDiscriminator = Self.word(b, 4)
        // §6.8.6: My Discriminator nonzero.
        guard myDiscriminator != 0 else { throw .zeroMyDiscriminator }
        let state = BFDState(rawValue: flags >> 6)!  // two bits: always a state
        let yourDiscriminator = Self.word(b, 8)
        // §6.8.6: Your Discriminator zero only in Down or AdminDown.
        guard yourDiscriminator != 0 || state == .down || state == .adminDown else {
            throw .zeroYourDiscriminator(state: state)
        }
        // §6.8.6 / §4.2: A bit and the authentication section agree with Length.
        var authentication: BFDAuthentication?
        if authPresent {
            let authType = b[24]
            let authLength = b[25]
            guard authLength >= 2, 24 + Int(authLength) == Int(length) else {
                throw .authSectionMismatch(authPresent: true, length: length, authLength: authLength)
            }
            guard let type = BFDAuthentication.AuthType(rawValue: authType),
                  authLength == BFDAuthentication.sha1Length else {
                throw .unsupportedAuth(type: authType, authLength: authLength)
            }
            authentication = BFDAuthentication(
                type: type, keyID: b[26], sequenceNumber: Self.word(b, 28), digest: Array(b[32..<52]))
        } else {
            guard Int(length) == Self.mandatoryLength else {
                throw .authSectionMismatch(authPresent: false, length: length, authLength: nil)
            }
        }
        self.init(
            version: version, diagnostic: BFDDiagnostic(code: b[0] & 0x1f), state: state,
            poll: flags & 0x20 != 0, final: flags & 0x10 != 0,
            controlPlaneIndependent: flags & 0x08 != 0, demand: flags & 0x02 != 0,
            multipoint: false, detectMult: detectMult,
            myDiscriminator: myDiscriminator, yourDiscriminator: yourDiscriminator,
            desiredMinTxInterval: Self.word(b, 12), requiredMinRxInterval: Self.word(b, 16),
            requiredMinEchoRxInterval: Self.word(b, 20), authentication: authentication)
    }

    private static func append(_ w: UInt32, to out: inout [UInt8]) {
        out.append(UInt8(w >> 24)); out.append(UInt8(w >> 16 & 0xff))
        out.append(UInt8(w >> 8 & 0xff)); out.append(UInt8(w & 0xff))
    }

    private static func word(_ b: [UInt8], _ i: Int) -> UInt32 {
        UInt32(b[i]) << 24 | UInt32(b[i + 1]) << 16 | UInt32(b[i + 2]) << 8 | UInt32(b[i + 3])
    }
}
