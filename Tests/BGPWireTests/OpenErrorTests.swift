import Testing
@testable import BGPWire

/// Every OPEN error row of the codec's rule table (OpenMessage.swift), with code, subcode
/// and data. The fixed part used below is version 4, AS 65001, hold 90, id 192.0.2.1.
@Suite struct OpenErrorTests {
    static let fixed = "04 fde9 005a c0000201"

    func expectError(_ hex: String, code: UInt8, subcode: UInt8, data: [UInt8] = [], reasonContains: String? = nil,
                     sourceLocation: SourceLocation = #_sourceLocation) {
        guard let e = openError(hex, sourceLocation: sourceLocation) else { return }
        #expect(e.notification.code == code, "\(e)", sourceLocation: sourceLocation)
        #expect(e.notification.subcode == subcode, "\(e)", sourceLocation: sourceLocation)
        #expect(e.notification.data == data, "\(e)", sourceLocation: sourceLocation)
        #expect(e.action == .sessionReset, sourceLocation: sourceLocation)
        if let needle = reasonContains {
            #expect(e.reason.contains(needle), "reason: \(e.reason)", sourceLocation: sourceLocation)
        }
    }

    // MARK: Rule 1: body too short

    @Test func bodyShorterThanFixedFieldsIs1_2() {
        expectError("04 fde9 005a", code: 1, subcode: 2, data: [0x00, 0x18]) // 5 + 19 = 24
    }

    // MARK: Rule 2: version

    @Test(arguments: [UInt8(3), 5, 0])
    func unsupportedVersionIs2_1WithVersion4(_ v: UInt8) {
        expectError("\([v].hexString) fde9 005a c0000201 00", code: 2, subcode: 1, data: [0x00, 0x04])
    }

    @Test func versionIsCheckedBeforeParameters() {
        // The parameters are garbage; a version-3 OPEN still gets 2/1.
        expectError("03 fde9 005a c0000201 09 ff", code: 2, subcode: 1, data: [0x00, 0x04])
    }

    @Test func versionErrorThroughWholeMessage() throws {
        let bytes = hexBytes(markerHex + "001d 01 03 fde9 005a c0000201 00")
        #expect(throws: MessageError.open(1, data: [0, 4], reason: "OPEN version 3, only 4 is supported")) {
            try BGPMessage.decode(bytes: bytes)
        }
    }

    // MARK: Rules 3-4: parameter lengths

    @Test func optionalParametersLengthOverrunsBody() {
        expectError(Self.fixed + " 10 02 02 0200", code: 2, subcode: 0, reasonContains: "optional parameters length 16 overruns")
    }

    @Test func bytesAfterOptionalParameters() {
        expectError(Self.fixed + " 00 ff", code: 2, subcode: 0, reasonContains: "1 bytes follow")
    }

    @Test func parameterLengthOverrunsParameters() {
        expectError(Self.fixed + " 04 02 05 0200", code: 2, subcode: 0, reasonContains: "length 5 overruns")
    }

    @Test func parameterWithoutLengthOctet() {
        expectError(Self.fixed + " 01 02", code: 2, subcode: 0, reasonContains: "no length octet")
    }

    @Test func extendedLengthTruncated() {
        expectError(Self.fixed + " ff ff 00", code: 2, subcode: 0, reasonContains: "RFC 9072")
    }

    @Test func extendedLengthOverrunsBody() {
        expectError(Self.fixed + " ff ff 0010 02 0000", code: 2, subcode: 0, reasonContains: "extended optional parameters length 16")
    }

    @Test func extendedParameterLengthOverruns() {
        expectError(Self.fixed + " ff ff 0003 02 0005", code: 2, subcode: 0, reasonContains: "length 5 overruns")
    }

    @Test func extendedParameterLengthTruncated() {
        expectError(Self.fixed + " ff ff 0002 02 00", code: 2, subcode: 0, reasonContains: "truncated 2-octet length")
    }

    // MARK: Rule 5: parameter type

    @Test func authenticationParameterIs2_4() {
        expectError(Self.fixed + " 04 01 02 abcd", code: 2, subcode: 4, reasonContains: "type 1")
    }

    @Test func type255OutsideMarkerPositionIs2_4() {
        // First parameter is an empty Capabilities parameter, so this is not RFC 9072;
        // the second parameter's type 255 is simply unsupported.
        expectError(Self.fixed + " 06 0200 ff020000", code: 2, subcode: 4, reasonContains: "type 255")
    }

    @Test func unknownTypeInsideExtendedParametersIs2_4() {
        expectError(Self.fixed + " ff ff 0004 03 0001 00", code: 2, subcode: 4, reasonContains: "type 3")
    }

    // MARK: Rule 6: capabilities

    @Test func capabilityLengthOverrunsParameter() {
        expectError(Self.fixed + " 04 02 02 4104", code: 2, subcode: 0, reasonContains: "length 4 overruns its parameter")
    }

    @Test func capabilityHeaderTruncated() {
        expectError(Self.fixed + " 03 02 01 41", code: 2, subcode: 0, reasonContains: "capability header truncated")
    }

    static let malformedCapabilities: [(String, String)] = [
        ("01 03 000101", "Multiprotocol Extensions"),
        ("01 05 0001000100", "Multiprotocol Extensions"),
        ("02 01 00", "Route Refresh"),
        ("06 01 00", "BGP Extended Message"),
        ("46 02 0000", "Enhanced Route Refresh"),
        ("40 01 00", "Graceful Restart"),
        ("40 03 007800", "Graceful Restart"),
        ("41 02 fde9", "4-octet AS number"),
        ("45 03 000101", "ADD-PATH"),
        ("49 03 05 6162", "FQDN"),          // hostname length 5 overruns
        ("49 04 01 61 00 ff", "FQDN"),      // a byte after the domain
        ("49 00", "FQDN"),
    ]

    @Test(arguments: 0..<malformedCapabilities.count)
    func malformedKnownCapabilityIs2_0(_ i: Int) {
        let (tlv, name) = Self.malformedCapabilities[i]
        let capBytes = hexBytes(tlv)
        let param = [UInt8(2), UInt8(capBytes.count)] + capBytes
        let hex = Self.fixed + [UInt8(param.count)].hexString + param.hexString
        expectError(hex, code: 2, subcode: 0, reasonContains: name)
    }

    // MARK: Rules 7-8: AS

    @Test func myASZeroIs2_2() {
        expectError("04 0000 005a c0000201 00", code: 2, subcode: 2)
    }

    @Test(arguments: ["00000000", "00005ba0"])
    func reservedFourOctetASIs2_2(_ value: String) {
        expectError("04 5ba0 005a c0000201 08 02 06 4104 " + value, code: 2, subcode: 2, reasonContains: "reserved AS")
    }

    // MARK: Rule 9: BGP identifier

    @Test func zeroIdentifierIs2_3() {
        expectError("04 fde9 005a 00000000 00", code: 2, subcode: 3)
    }

    // MARK: Rule 10: hold time

    @Test(arguments: ["0001", "0002"])
    func holdTimeOneOrTwoIs2_6(_ hold: String) {
        expectError("04 fde9 \(hold) c0000201 00", code: 2, subcode: 6)
    }

    @Test(arguments: [("0000", UInt16(0)), ("0003", 3), ("ffff", 65535)])
    func holdTimeZeroOrAtLeastThreeIsAccepted(_ hold: String, _ value: UInt16) throws {
        #expect(try decodeOpenBody("04 fde9 \(hold) c0000201 00").holdTime == value)
    }

    // MARK: Robustness

    @Test func everyTruncationOfAValidOpenIsRejectedCleanly() throws {
        // Keep the header lengths of the BIRD-like OPEN but cut its body short: every cut
        // must be a typed error (1/2 below 10 bytes, 2/0 after), never a crash.
        let body = Array(hexBytes(OpenGoldenTests.birdHex).dropFirst(19))
        for n in 0..<body.count {
            var r = ByteReader(Array(body.prefix(n)))
            do {
                _ = try OpenMessage.decode(body: &r)
                Issue.record("truncation to \(n) bytes decoded")
            } catch {
                let expected: (UInt8, UInt8) = n < 10 ? (1, 2) : (2, 0)
                #expect((error.notification.code, error.notification.subcode) == expected, "cut at \(n): \(error)")
            }
        }
    }

    @Test func corruptedOpensNeverTrap() {
        // Deterministic byte corruption of the GoBGP-like OPEN body: decoding must either
        // succeed or throw an OPEN/Header error; a crash fails the whole run.
        let body = Array(hexBytes(OpenGoldenTests.gobgpHex).dropFirst(19))
        var seed: UInt32 = 0x1234_5678
        var errors = 0
        for _ in 0..<2000 {
            var b = body
            for _ in 0..<3 {
                seed = seed &* 1_664_525 &+ 1_013_904_223
                b[Int(seed >> 8) % b.count] = UInt8(truncatingIfNeeded: seed >> 24)
            }
            var r = ByteReader(b)
            do {
                _ = try OpenMessage.decode(body: &r)
            } catch {
                errors += 1
                #expect([1, 2].contains(error.notification.code))
            }
        }
        #expect(errors > 0)
    }
}
