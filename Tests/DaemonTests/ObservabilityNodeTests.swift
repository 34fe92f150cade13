import EventLoop
import Foundation
import Testing
@testable import Daemon

/// A real node with `metrics` and `health` on: the families at GET /metrics, the health
/// answers, and a SIGHUP that switches `aggregateOnly` and moves the health port.
@Suite(.serialized) struct ObservabilityNodeTests {
    /// GET `path` on 127.0.0.1:`port`; the status code and the body.
    static func get(_ path: String, port: UInt16) throws -> (Int, String) {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = port.bigEndian
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        var tv = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        let rc = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard rc == 0 else { throw POSIXError(.ECONNREFUSED) }
        let request = Array("GET \(path) HTTP/1.1\r\nHost: t\r\n\r\n".utf8)
        _ = request.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, 0) }
        var out: [UInt8] = []
        var buf = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = buf.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n <= 0 { break }
            out += buf[0..<n]
        }
        let text = String(decoding: out, as: UTF8.self)
        let code = Int(text.split(separator: " ").dropFirst().first ?? "") ?? 0
        let body = text.range(of: "\r\n\r\n").map { String(text[$0.upperBound...]) } ?? ""
        return (code, body)
    }

    @Test func metricsAndHealthOnANode() throws {
        let dir = try SpeakerLoopbackTests.tempDir()
        let base = UInt16(20000 + Int(getpid()) % 20000)
        let (mPort, hPort, hPort2) = (base, base + 1, base + 2)
        let common = SpeakerLoopbackTests.config(name: "obs", ip: "127.0.0.33", block: "10.244.33.0/26",
                                                 peers: [("127.0.0.34", 64512)], dir: dir)
            + "dataplane: {enabled: false}\n"
        let node = try SpeakerLoopbackTests.Node(common + """
            metrics: {enabled: true, address: 127.0.0.1, port: \(mPort)}
            health: {enabled: true, address: 127.0.0.1, port: \(hPort), readinessGracePeriod: 0}

            """, name: "obs", dir: dir)
        defer { node.stop() }

        let (code, text) = try Self.get("/metrics", port: mPort)
        #expect(code == 200)
        #expect(text.contains("tern_bgp_peers 1"))
        #expect(text.contains(#"tern_bgp_session_up{peer="127.0.0.34:"#), "the peer label: ADDRESS:PORT off port 179")
        #expect(text.contains("# TYPE tern_event_loop_lag_seconds histogram"))
        #expect(text.contains("tern_dataplane_resyncs_total 0"))
        #expect(try Self.get("/other", port: mPort).0 == 404)

        let live = try Self.get("/liveness", port: hPort)
        #expect(live.0 == 200 && live.1.contains(#""live":true"#), "\(live)")
        // Its only peer is not up and the grace period is 0: not ready, with the reason.
        let ready = try Self.get("/readiness", port: hPort)
        #expect(ready.0 == 503 && ready.1.contains("no BGP peer is Established"), "\(ready)")

        // SIGHUP: aggregate only, health moved.
        try (common + """
            metrics: {enabled: true, address: 127.0.0.1, port: \(mPort), aggregateOnly: true}
            health: {enabled: true, address: 127.0.0.1, port: \(hPort2)}

            """).write(toFile: node.path, atomically: true, encoding: .utf8)
        node.reload()
        let aggregate = try Self.get("/metrics", port: mPort).1
        #expect(aggregate.contains("tern_bgp_session_up 0") && !aggregate.contains("peer="), "\(aggregate.prefix(400))")
        #expect(throws: (any Error).self) { try Self.get("/liveness", port: hPort) }
        #expect(try Self.get("/liveness", port: hPort2).0 == 200)
    }
}
