import EventLoop
import Foundation
import Testing
@testable import Daemon
import TernAPI

/// `tern routes` on a large table (issue 11 items 2 and 3): the answer is streamed in
/// chunks, one per loop turn, complete and parseable; other clients are answered meanwhile;
/// requests pipelined behind it are answered after it, in order; a client that stops
/// reading is dropped instead of buffered without end.
@Suite(.serialized) struct RouteStreamTests {
    static let count = 12_000

    /// Node a originates `count` /26 blocks; b learns them over iBGP.
    static func pair() throws -> (SpeakerLoopbackTests.Node, SpeakerLoopbackTests.Node, String) {
        let dir = try SpeakerLoopbackTests.tempDir()
        let blocks = (0..<count).map { i in "10.\(100 + i / 1024).\((i % 1024) / 4).\((i % 4) * 64)/26" }.joined(separator: ", ")
        var ya = SpeakerLoopbackTests.config(name: "a", ip: "127.0.0.41", block: blocks, peers: [("127.0.0.42", 64512)], dir: dir)
        ya += "dataplane: {enabled: false}\n"
        var yb = SpeakerLoopbackTests.config(name: "b", ip: "127.0.0.42", block: "10.99.0.0/26", peers: [("127.0.0.41", 64512)], dir: dir)
        yb += "dataplane: {enabled: false}\n"
        let a = try SpeakerLoopbackTests.Node(ya, name: "a", dir: dir)
        let b = try SpeakerLoopbackTests.Node(yb, name: "b", dir: dir)
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline, b.loop.sync({ b.speaker.rib.prefixCount }) < count + 1 { Thread.sleep(forTimeInterval: 0.1) }
        return (a, b, dir)
    }

    @Test func aLargeTableStreamsCompleteWhileOthersAreAnswered() throws {
        let (a, b, dir) = try Self.pair()
        defer { a.stop(); b.stop() }
        #expect(b.loop.sync { b.speaker.rib.prefixCount } == Self.count + 1)
        b.loop.sync { b.speaker.routeStreamChunk = 100 }   // 121 loop turns

        // A raw client pipelines routes + status: both answered, in that order.
        let raw = try UnixSocketClient(path: "\(dir)/b.sock")
        defer { raw.close() }
        try raw.send(line: #"{"apiVersion":1,"command":"routes"}"#)
        try raw.send(line: #"{"apiVersion":1,"command":"status"}"#)
        // Meanwhile another client's status is answered at once.
        let t0 = Date()
        let other = try ControlClient(path: "\(dir)/b.sock").send(.init(.status))
        #expect(other.ok && other.status?.nodeName == "b")
        #expect(Date().timeIntervalSince(t0) < 2)
        let routesLine = try raw.readLine()
        let routes = try ControlProtocol.parse(ControlProtocol.Response.self, from: routesLine)
        #expect(routes.ok && routes.routes?.count == Self.count + 1)
        let prefixes = routes.routes?.map(\.prefix) ?? []
        #expect(prefixes.first == "10.99.0.0/26" && prefixes.contains("10.111.183.192/26"))
        #expect(Set(prefixes).count == prefixes.count)
        let status = try ControlProtocol.parse(ControlProtocol.Response.self, from: try raw.readLine())
        #expect(status.ok && status.status?.peers.first?.state == .established)

        // The CLI's client gets the same table.
        let viaClient = try ControlClient(path: "\(dir)/b.sock").send(.init(.routes))
        #expect(viaClient.routes?.map(\.prefix) == prefixes)
    }

    @Test func aClientThatStopsReadingIsDropped() throws {
        let (a, b, dir) = try Self.pair()
        defer { a.stop(); b.stop() }
        b.loop.sync { b.speaker.controlStallTimeout = 1 }
        // Ask for the table and never read: the answer (megabytes) fills the socket and the
        // high watermark, the stream pauses, and after 1 s without progress the client goes.
        let stuck = try UnixSocketClient(path: "\(dir)/b.sock")
        defer { stuck.close() }
        try stuck.send(line: #"{"apiVersion":1,"command":"routes"}"#)
        let deadline = Date().addingTimeInterval(10)
        // The connection goes first; its stream is ended on a later loop turn (under load, later).
        while Date() < deadline, b.loop.sync({ b.speaker.controlConnections.count > 0 || !b.speaker.routeStreams.isEmpty }) {
            Thread.sleep(forTimeInterval: 0.1)
        }
        #expect(b.loop.sync { b.speaker.controlConnections.count } == 0)
        #expect(b.loop.sync { b.speaker.routeStreams.isEmpty })
        // The node is fine: sessions up, status answered.
        let s = try ControlClient(path: "\(dir)/b.sock").send(.init(.status))
        #expect(s.status?.peers.first?.state == .established)
    }
}
