import EventLoop
import Foundation
import Testing
@testable import Daemon
import TernAPI

/// The daemon's control socket answers with typed values and error codes: a real speaker,
/// its real socket, the CLI's client and raw request lines.
@Suite(.serialized) struct ControlAPITests {
    @Test func errorsCarryCodesAndTheVersionIsChecked() throws {
        let dir = try SpeakerLoopbackTests.tempDir()
        var yaml = SpeakerLoopbackTests.config(name: "api", ip: "127.0.0.31", block: "10.244.31.0/26", peers: [], dir: dir)
        yaml += "dataplane: {enabled: false}\n"
        let node = try SpeakerLoopbackTests.Node(yaml, name: "api", dir: dir)
        defer { node.stop() }
        let client = ControlClient(path: "\(dir)/api.sock")

        let status = try client.send(.init(.status))
        #expect(status.ok && status.apiVersion == ControlProtocol.version && status.status?.nodeName == "api")

        let missing = try client.send(.init(.workloadDelete, workload: .init(name: "nope", interface: "", ipNetworks: [])))
        #expect(missing.error == APIError(.notFound, "no workload named nope"))

        let bad = try client.send(.init(.workloadAdd, workload: .init(name: "p1", interface: "..", ipNetworks: ["10.244.31.5/32"])))
        #expect(bad.error?.code == .invalid)
        #expect(bad.error?.message.contains("is not a valid Linux interface name") == true, "\(String(describing: bad.error))")

        let fib = try client.send(.init(.fib))
        #expect(fib.error?.code == .unavailable)

        let raw = try UnixSocketClient(path: "\(dir)/api.sock")
        defer { raw.close() }
        let v2 = try ControlProtocol.parse(ControlProtocol.Response.self,
                                           from: raw.request(#"{"apiVersion":2,"command":"status"}"#))
        #expect(v2.error?.code == .unsupportedVersion && v2.status == nil)
        let unknown = try ControlProtocol.parse(ControlProtocol.Response.self,
                                                from: raw.request(#"{"apiVersion":1,"command":"stauts"}"#))
        #expect(unknown.error?.code == .unknownCommand)
        let garbage = try ControlProtocol.parse(ControlProtocol.Response.self, from: raw.request("status please"))
        #expect(garbage.error?.code == .badRequest)
    }
}
