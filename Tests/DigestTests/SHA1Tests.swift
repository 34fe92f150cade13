import Digest
import Testing

@Suite struct SHA1Tests {
    /// FIPS 180-4 examples / RFC 3174 §7.3 test vectors.
    @Test func standardVectors() {
        #expect(SHA1.hex("abc".utf8) == "a9993e364706816aba3e25717850c26c9cd0d89d")
        #expect(SHA1.hex("".utf8) == "da39a3ee5e6b4b0d3255bfef95601890afd80709")
        #expect(SHA1.hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8)
            == "84983e441c3bd26ebaae4aa1f95129e5e54670f1")
        #expect(SHA1.hash("abc".utf8).count == 20)
    }

    @Test func oneMillionAs() {
        #expect(SHA1.hex([UInt8](repeating: UInt8(ascii: "a"), count: 1_000_000)) == "34aa973cd4c4daa4f61eeb2bdbad27316534016f")
    }

    /// Lengths around the padding boundary (55, 56, 63, 64 bytes), checked against `sha1sum`.
    @Test func paddingBoundaries() {
        let expected = [
            55: "c1c8bbdc22796e28c0e15163d20899b65621d65a",
            56: "c2db330f6083854c99d4b5bfb6e8f29f201be699",
            63: "03f09f5b158a7a8cdad920bddc29b81c18a551f5",
            64: "0098ba824b5c16427bd7a1122a5a442a25ec644d",
        ]
        for (n, hex) in expected {
            #expect(SHA1.hex([UInt8](repeating: UInt8(ascii: "a"), count: n)) == hex, "\(n) bytes")
        }
    }
}
