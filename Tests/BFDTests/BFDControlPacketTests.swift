import Testing
@testable import BFD

/// RFC 5880 §4.1 layout and the §6.8.6 packet checks, with exact bytes.
@Suite struct BFDControlPacketTests {
    /// Up, Poll, Detect Mult 3, discriminators 0x11223344 / 0x55667788, 300 ms TX, 100 ms RX.
    static let upPoll = BFDControlPacket(
        state: .up, poll: true, detectMult: 3, myDiscriminator: 0x1122_3344, yourDiscriminator: 0x5566_7788,
        desiredMinTxInterval: 300_000, requiredMinRxInterval: 100_000)

    static let upPollBytes: [UInt8] = [
        0x20, 0xE0, 0x03, 0x18,  // Vers 1 Diag 0 | Sta 3 P | Detect Mult 3 | Length 24
        0x11, 0x22, 0x33, 0x44,  // My Discriminator
        0x55, 0x66, 0x77, 0x88,  // Your Discriminator
        0x00, 0x04, 0x93, 0xE0,  // Desired Min TX 300000 µs
        0x00, 0x01, 0x86, 0xA0,  // Required Min RX 100000 µs
        0x00, 0x00, 0x00, 0x00,  // Required Min Echo RX 0
    ]

    /// A valid 24-byte packet (Down, Diag 3, your discriminator 0) to mutate.
    static let downBytes: [UInt8] = [
        0x23, 0x40, 0x05, 0x18, 0, 0, 0, 1, 0, 0, 0, 0,
        0x00, 0x0F, 0x42, 0x40, 0x00, 0x0F, 0x42, 0x40, 0, 0, 0, 0,
    ]

    @Test func encodesKnownPacketExactly() {
        #expect(Self.upPoll.encode() == Self.upPollBytes)
    }

    @Test func decodesKnownPacketExactly() throws {
        let p = try BFDControlPacket(decoding: Self.upPollBytes)
        #expect(p == Self.upPoll)
        #expect(p.version == 1 && p.state == .up && p.poll && !p.final && !p.authPresent)
        #expect(p.desiredMinTxInterval == 300_000 && p.requiredMinRxInterval == 100_000)
    }

    @Test func decodesDownWithDiagnosticAndFlags() throws {
        let p = try BFDControlPacket(decoding: Self.downBytes)
        #expect(p.state == .down && p.diagnostic == .neighborSignaledSessionDown)
        #expect(p.detectMult == 5 && p.myDiscriminator == 1 && p.yourDiscriminator == 0)
        #expect(p.desiredMinTxInterval == 1_000_000)
        var b = Self.downBytes
        b[1] |= 0x10 | 0x08 | 0x02  // F, C, D
        let q = try BFDControlPacket(decoding: b)
        #expect(q.final && q.controlPlaneIndependent && q.demand && !q.poll)
        #expect(q.encode() == b)
    }

    @Test func everyFieldRoundTrips() throws {
        for state in BFDState.allCases {
            for code in UInt8(0)...8 {
                let p = BFDControlPacket(
                    diagnostic: BFDDiagnostic(code: code), state: state, final: true, controlPlaneIndependent: true,
                    demand: true, detectMult: 255, myDiscriminator: .max, yourDiscriminator: 7,
                    desiredMinTxInterval: .max, requiredMinRxInterval: 0, requiredMinEchoRxInterval: 50_000)
                #expect(try BFDControlPacket(decoding: p.encode()) == p)
            }
        }
    }

    @Test func authenticationSectionRoundTrips() throws {
        let digest = (0..<20).map { UInt8($0 + 0xA0) }
        let p = BFDControlPacket(
            state: .up, detectMult: 3, myDiscriminator: 1, yourDiscriminator: 2,
            desiredMinTxInterval: 1, requiredMinRxInterval: 2,
            authentication: BFDAuthentication(type: .meticulousKeyedSHA1, keyID: 9, sequenceNumber: 0xDEAD_BEEF, digest: digest))
        let bytes = p.encode()
        #expect(bytes.count == 52)
        #expect(bytes[1] & 0x04 != 0 && bytes[3] == 52)
        #expect(Array(bytes[24..<32]) == [5, 28, 9, 0, 0xDE, 0xAD, 0xBE, 0xEF])
        #expect(Array(bytes[32...]) == digest)
        let q = try BFDControlPacket(decoding: bytes)
        #expect(q == p && q.authPresent && q.authentication?.type == .meticulousKeyedSHA1)
    }

    @Test func unknownDiagnosticIsCarried() throws {
        var b = Self.downBytes
        b[0] = 0x20 | 31
        #expect(try BFDControlPacket(decoding: b).diagnostic == .unknown(31))
    }

    // MARK: - §6.8.6 rejections, one per rule

    static func rejects(_ b: [UInt8], _ expected: BFDDecodeError) {
        #expect(throws: expected) { try BFDControlPacket(decoding: b) }
    }

    @Test func rejectsTruncated() {
        Self.rejects(Array(Self.downBytes.prefix(23)), .truncated(available: 23))
    }

    @Test func rejectsBadVersion() {
        var b = Self.downBytes
        b[0] = 0x40 | 3  // version 2
        Self.rejects(b, .badVersion(2))
        b[0] = 0x03  // version 0
        Self.rejects(b, .badVersion(0))
    }

    @Test func rejectsLengthBelowMinimum() {
        var b = Self.downBytes
        b[3] = 23
        Self.rejects(b, .lengthTooShort(length: 23, minimum: 24))
        b[1] |= 0x04  // A bit: 26 minimum
        b[3] = 25
        Self.rejects(b + [0, 0], .lengthTooShort(length: 25, minimum: 26))
    }

    @Test func rejectsLengthBeyondPayload() {
        var b = Self.downBytes
        b[3] = 25
        Self.rejects(b, .lengthExceedsPayload(length: 25, payload: 24))
    }

    @Test func rejectsZeroDetectMult() {
        var b = Self.downBytes
        b[2] = 0
        Self.rejects(b, .zeroDetectMult)
    }

    @Test func rejectsMultipoint() {
        var b = Self.downBytes
        b[1] |= 0x01
        Self.rejects(b, .multipointSet)
    }

    @Test func rejectsZeroMyDiscriminator() {
        var b = Self.downBytes
        b[7] = 0
        Self.rejects(b, .zeroMyDiscriminator)
    }

    @Test func yourDiscriminatorZeroOnlyInDownOrAdminDown() throws {
        var b = Self.downBytes
        b[1] = 0x00  // AdminDown
        #expect(try BFDControlPacket(decoding: b).state == .adminDown)
        b[1] = 0x80  // Init
        Self.rejects(b, .zeroYourDiscriminator(state: .`init`))
        b[1] = 0xC0  // Up
        Self.rejects(b, .zeroYourDiscriminator(state: .up))
    }

    @Test func rejectsAuthBitWithoutMatchingSection() {
        var b = Self.downBytes + [4, 28, 1, 0]  // A set, Auth Len 28, but Length 28
        b[1] |= 0x04
        b[3] = 28
        Self.rejects(b, .authSectionMismatch(authPresent: true, length: 28, authLength: 28))
    }

    @Test func rejectsAuthSectionWithoutAuthBit() {
        var b = Self.downBytes + Array(repeating: 0, count: 28)
        b[3] = 52
        Self.rejects(b, .authSectionMismatch(authPresent: false, length: 52, authLength: nil))
    }

    @Test func rejectsUnsupportedAuthType() {
        var b = Self.downBytes + [1, 5, 1, 0x41, 0x42]  // Simple Password, Auth Len 5
        b[1] |= 0x04
        b[3] = 29
        Self.rejects(b, .unsupportedAuth(type: 1, authLength: 5))
    }

    @Test func errorsNameTheirRule() {
        #expect(BFDDecodeError.zeroDetectMult.description.contains("Detect Mult"))
        #expect(BFDDecodeError.badVersion(2).description.contains("§6.8.6"))
        #expect(BFDDecodeError.zeroYourDiscriminator(state: .up).description.contains("Up"))
    }
}
