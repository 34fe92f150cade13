/// SHA-1 (FIPS 180-4 §6.1; also RFC 3174), for what the protocols name it: Calico's host
/// interface names (CNI) and BFD's Keyed SHA1 authentication (RFC 5880 §6.7.4) — never
/// for anything else. There is no CryptoKit on Linux and swift-crypto is not a Tern dependency.
public enum SHA1 {
    /// The 20-byte digest of `message`.
    public static func hash(_ message: some Sequence<UInt8>) -> [UInt8] {
        // FIPS 180-4 §5.3.1: initial hash value.
        var h: (UInt32, UInt32, UInt32, UInt32, UInt32) = (0x6745_2301, 0xEFCD_AB89, 0x98BA_DCFE, 0x1032_5476, 0xC3D2_E1F0)
        var bytes = Array(message)
        let bitLength = UInt64(bytes.count) &* 8
        // FIPS 180-4 §5.1.1: padding — a 1 bit, zeros to 448 mod 512, the 64-bit big-endian length.
        bytes.append(0x80)
        while bytes.count % 64 != 56 { bytes.append(0) }
        for i in (0..<8).reversed() { bytes.append(UInt8(truncatingIfNeeded: bitLength >> (UInt64(i) * 8))) }

        var w = [UInt32](repeating: 0, count: 80)
        for block in stride(from: 0, to: bytes.count, by: 64) {
            // FIPS 180-4 §6.1.2 step 1: the message schedule.
            for t in 0..<16 {
                let i = block + t * 4
                w[t] = UInt32(bytes[i]) << 24 | UInt32(bytes[i + 1]) << 16 | UInt32(bytes[i + 2]) << 8 | UInt32(bytes[i + 3])
            }
            for t in 16..<80 { w[t] = rotl(w[t - 3] ^ w[t - 8] ^ w[t - 14] ^ w[t - 16], 1) }
            // Steps 2–4: the 80 rounds with f_t and K_t of §4.1.1 and §4.2.1.
            var (a, b, c, d, e) = h
            for t in 0..<80 {
                let f: UInt32, k: UInt32
                switch t {
                case 0..<20: f = (b & c) | (~b & d); k = 0x5A82_7999           // Ch
                case 20..<40: f = b ^ c ^ d; k = 0x6ED9_EBA1                   // Parity
                case 40..<60: f = (b & c) | (b & d) | (c & d); k = 0x8F1B_BCDC // Maj
                default: f = b ^ c ^ d; k = 0xCA62_C1D6                        // Parity
                }
                let temp = rotl(a, 5) &+ f &+ e &+ k &+ w[t]
                e = d; d = c; c = rotl(b, 30); b = a; a = temp
            }
            // Step 5: the intermediate hash value.
            h = (h.0 &+ a, h.1 &+ b, h.2 &+ c, h.3 &+ d, h.4 &+ e)
        }
        var out: [UInt8] = []
        out.reserveCapacity(20)
        for word in [h.0, h.1, h.2, h.3, h.4] {
            for s in [24, 16, 8, 0] as [UInt32] { out.append(UInt8(truncatingIfNeeded: word >> s)) }
        }
        return out
    }

    /// The digest of `message` in lowercase hexadecimal (40 characters).
    public static func hex(_ message: some Sequence<UInt8>) -> String {
        let digits = Array("0123456789abcdef")
        var s = ""
        for b in hash(message) {
            s.append(digits[Int(b >> 4)])
            s.append(digits[Int(b & 0x0F)])
        }
        return s
    }

    private static func rotl(_ x: UInt32, _ n: UInt32) -> UInt32 { x << n | x >> (32 - n) }
}
