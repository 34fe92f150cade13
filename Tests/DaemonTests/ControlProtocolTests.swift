import Testing
@testable import Daemon

@Suite struct ControlProtocolTests {
    @Test func requestRoundTrips() throws {
        let r = ControlProtocol.Request(command: "routes", prefix: "10.0.0.0/8")
        #expect(try ControlProtocol.parse(ControlProtocol.Request.self, from: ControlProtocol.line(r)) == r)
    }

    @Test func responseIsOneLine() throws {
        let s = ControlProtocol.Status(nodeName: "n", routerID: "192.0.2.1", asNumber: 64512, role: "node", peers: [])
        let line = try ControlProtocol.line(ControlProtocol.Response(ok: true, status: s))
        #expect(!line.contains("\n"))
        #expect(try ControlProtocol.parse(ControlProtocol.Response.self, from: line).status == s)
    }
}
