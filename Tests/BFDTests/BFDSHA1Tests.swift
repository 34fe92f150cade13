import Testing
@testable import BFD

/// SHA-1 against FIPS 180 vectors, and RFC 5880 §6.7.4 packet signing.
@Suite struct BFDSHA1Tests {
    static func hex(_ b: [UInt8]) -> String {
        b.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
    }

    @Test func fipsVectors() {
        #expect(Self.hex(BFDSHA1.hash(Array("abc".utf8))) == "a9993e364706816aba3e25717850c26c9cd0d89d")
        #expect(Self.hex(BFDSHA1.hash([])) == "da39a3ee5e6b4b0d3255bfef95601890afd80709")
        #expect(Self.hex(BFDSHA1.hash(Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8)))
                == "84983e441c3bd26ebaae4aa1f95129e5e54670f1")
        #expect(Self.hex(BFDSHA1.hash(Array(repeating: UInt8(ascii: "a"), count: 1_000)))
                == "291e9a6c66994949b57ba5e650361e98fc36b1ba")
    }

    @Test func signedPacketVerifiesWithItsKeyOnly() throws {
        let p = BFDControlPacket(
            state: .up, detectMult: 3, myDiscriminator: 1, yourDiscriminator: 2,
            desiredMinTxInterval: ms(300), requiredMinRxInterval: ms(300),
            authentication: BFDAuthentication(type: .keyedSHA1, keyID: 1, sequenceNumber: 7, digest: []))
        let key = Array("secret".utf8)
        let bytes = p.encodeSigned(key: key)
        #expect(bytes.count == 52)
        #expect(BFDControlPacket.verifySHA1(bytes, key: key))
        #expect(!BFDControlPacket.verifySHA1(bytes, key: Array("Secret".utf8)))
        var tampered = bytes
        tampered[2] = 4  // Detect Mult
        #expect(!BFDControlPacket.verifySHA1(tampered, key: key))
        // The signed bytes still decode, the digest carried as a field.
        let q = try BFDControlPacket(decoding: bytes)
        #expect(q.authentication?.digest == Array(bytes[32..<52]) && q.authentication?.sequenceNumber == 7)
        #expect(!BFDControlPacket.verifySHA1(p.encode(), key: key))
    }
}
