import Testing
@testable import BGPWire

@Suite struct FramerSmokeTests {
    @Test func keepaliveFramesAndDecodes() throws {
        let ka = BGPMessage.keepalive.encoded()
        #expect(ka.count == 19)
        let decoded = try BGPMessage.decode(bytes: ka)
        #expect(decoded.message == .keepalive)
    }
}
