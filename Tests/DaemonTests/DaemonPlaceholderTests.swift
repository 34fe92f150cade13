import Testing
@testable import Daemon

// PLACEHOLDER: replaced by real tests of Daemon.
@Test func controlRequestRoundTrips() throws {
    let r = ControlProtocol.Request(command: "routes", prefix: "10.0.0.0/8")
    #expect(try ControlProtocol.parse(ControlProtocol.Request.self, from: ControlProtocol.line(r)) == r)
}
