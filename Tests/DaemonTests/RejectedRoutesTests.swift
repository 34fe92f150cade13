import Foundation
import Testing
@testable import Daemon
import TernAPI

/// `tern routes --rejected` (issue 11 item 8): the paths a peer sent that the import filter
/// ignored are listed with the peer and the reason; accepted ones are not.
@Suite(.serialized) struct RejectedRoutesTests {
    @Test func martiansAreListedWithTheirReason() throws {
        let dir = try SpeakerLoopbackTests.tempDir()
        var ya = SpeakerLoopbackTests.config(name: "ra", ip: "127.0.0.43", block: "10.244.43.0/26, 169.254.5.0/24",
                                             peers: [("127.0.0.44", 64512)], dir: dir)
        ya += "dataplane: {enabled: false}\n"
        var yb = SpeakerLoopbackTests.config(name: "rb", ip: "127.0.0.44", block: "10.244.44.0/26", peers: [("127.0.0.43", 64512)], dir: dir)
        yb += "dataplane: {enabled: false}\n"
        let a = try SpeakerLoopbackTests.Node(ya, name: "ra", dir: dir)
        let b = try SpeakerLoopbackTests.Node(yb, name: "rb", dir: dir)
        defer { a.stop(); b.stop() }
        #expect(SpeakerLoopbackTests.eventually { b.hasRoute("10.244.43.0/26", via: "127.0.0.43") })
        let client = ControlClient(path: "\(dir)/rb.sock")
        var list: [ControlProtocol.RejectedPath] = []
        #expect(SpeakerLoopbackTests.eventually {
            list = (try? client.send(.init(.routes, rejected: true)))?.rejected ?? []
            return !list.isEmpty
        })
        #expect(list == [ControlProtocol.RejectedPath(prefix: "169.254.5.0/24", pathID: nil, peer: "127.0.0.43:\(SpeakerLoopbackTests.port)", reason: "martian")])
        #expect(b.routes().allSatisfy { $0.prefix != "169.254.5.0/24" })
    }
}
