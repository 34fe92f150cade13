import IPCore
import BGPWire
import Testing
@testable import RIB

@Suite struct PrefixKeyTests {
    @Test func equalPrefixesAreEqualKeysWithEqualHashes() {
        let a = V4Key(IPv4Prefix("10.1.2.0/24")!), b = V4Key(IPv4Prefix("10.1.2.0/24")!)
        #expect(a == b && a.hashValue == b.hashValue)
        #expect(V4Key(IPv4Prefix("10.1.2.0/24")!) != V4Key(IPv4Prefix("10.1.2.0/25")!))
        let c = V6Key(IPv6Prefix("2001:db8::/48")!), d = V6Key(IPv6Prefix("2001:db8::/48")!)
        #expect(c == d && c.hashValue == d.hashValue)
        #expect(V6Key(IPv6Prefix("2001:db8::/48")!) != V6Key(IPv6Prefix("2001:db8::/64")!))
    }

    /// Dictionaries keyed by them behave (growth, lookups, removal, copying between tables).
    @Test func tables() {
        var t: [V4Key: Int] = [:]
        var t6: [V6Key: Int] = [:]
        for i in 0..<50_000 {
            t[V4Key(IPv4Prefix(address: IPv4Address(UInt32(i) << 8), length: 24)!)] = i + 1
            t[V4Key(IPv4Prefix(address: IPv4Address(UInt32(i) << 8), length: 32)!)] = -(i + 1)
            t6[V6Key(IPv6Prefix(address: IPv6Address(high: 0x2001_0db8_0000_0000 | UInt64(i) << 16, low: 0), length: 48)!)] = i
        }
        #expect(t.count == 100_000 && t6.count == 50_000)
        #expect(t[V4Key(IPv4Prefix("0.1.0.0/24")!)] == 257)
        #expect(t[V4Key(IPv4Prefix("0.1.0.0/32")!)] == -257)
        var copy: [V4Key: Int] = [:]
        for (k, v) in t where v > 0 { copy[k] = v }
        #expect(copy.count == 50_000)
        for (k, v) in t6 where v % 2 == 0 { t6[k] = nil }
        #expect(t6.count == 25_000)
    }
}
