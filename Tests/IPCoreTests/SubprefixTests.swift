import IPCore
import Testing

@Suite struct SubprefixTests {
    @Test func ipv4Blocks() {
        let pool = IPPrefix("10.244.0.0/16")!
        #expect(pool.subprefix(index: 0, length: 26) == IPPrefix("10.244.0.0/26"))
        #expect(pool.subprefix(index: 1, length: 26) == IPPrefix("10.244.0.64/26"))
        #expect(pool.subprefix(index: 5, length: 26) == IPPrefix("10.244.1.64/26"))
        #expect(pool.subprefix(index: 1023, length: 26) == IPPrefix("10.244.255.192/26"))
        #expect(pool.subprefix(index: 1024, length: 26) == nil)
        #expect(pool.subprefix(index: 0, length: 15) == nil)
        #expect(pool.subprefix(index: 0, length: 16) == pool)
        #expect(IPPrefix("10.0.0.0/24")!.subprefix(index: 255, length: 32) == IPPrefix("10.0.0.255/32"))
    }

    @Test func ipv6Blocks() {
        let pool = IPPrefix("fd00:10:244::/48")!
        #expect(pool.subprefix(index: 0, length: 122) == IPPrefix("fd00:10:244::/122"))
        #expect(pool.subprefix(index: 1, length: 122) == IPPrefix("fd00:10:244::40/122"))
        #expect(pool.subprefix(index: 1, length: 64) == IPPrefix("fd00:10:244:1::/64"))
        // An index whose bits straddle the two 64-bit halves.
        #expect(IPPrefix("fd00::/56")!.subprefix(index: 3, length: 65) == IPPrefix("fd00:0:0:1:8000::/65"))
    }
}
