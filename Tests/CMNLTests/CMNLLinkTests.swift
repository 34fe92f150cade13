import CMNL
import Testing

/// Proves the system library is found and linked: libmnl's own size arithmetic.
@Test func libmnlIsLinked() {
    // A netlink header is 16 bytes; libmnl aligns payloads to 4 bytes.
    #expect(mnl_nlmsg_size(0) == 16)
    #expect(tern_nlmsg_align(5) == 8)
}
