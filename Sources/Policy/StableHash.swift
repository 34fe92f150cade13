/// FNV-1a, 64 bits (Fowler/Noll/Vo, draft-eastlake-fnv §2): a hash that is the same in every
/// process and release, for kernel object names that must survive a restart (sets, chains,
/// counters), unlike Swift's seeded `Hasher`.
enum StableHash {
    /// The hash of `text`'s UTF-8 bytes as 16 lowercase hex digits, cut to `length`.
    static func hex(_ text: String, length: Int = 12) -> String {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in text.utf8 {
            h ^= UInt64(b)
            h = h &* 0x0000_0100_0000_01b3
        }
        let s = String(h, radix: 16)
        return String((String(repeating: "0", count: 16 - s.count) + s).prefix(length))
    }
}
