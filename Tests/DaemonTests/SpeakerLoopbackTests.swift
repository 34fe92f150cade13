import BGPWire
import Config
import EventLoop
import Foundation
import Logging
import Testing
@testable import Daemon
import TernAPI

/// Two (or three) real speakers in one process, talking BGP over loopback TCP
/// (127.0.0.x addresses, an unprivileged port chosen per run). No root needed.
@Suite(.serialized) struct SpeakerLoopbackTests {
    static let port = UInt16(20000 + Int(getpid() % 20000))

    final class Node: @unchecked Sendable {
        let loop = EventLoop(label: "test")
        let speaker: Daemon.Node
        let dir: String
        let path: String

        init(_ yaml: String, name: String, dir: String) throws {
            self.dir = dir
            path = "\(dir)/\(name).yaml"
            try yaml.write(toFile: path, atomically: true, encoding: .utf8)
            let cfg = try ConfigLoader.load(path: path)
            var logger = Logger(label: name)
            logger.logLevel = .critical
            speaker = Daemon.Node(config: cfg, configPath: path, loop: loop, logger: logger)
            speaker.onExit = { _ in }
            try loop.sync { try speaker.start() }
        }

        func status() -> ControlProtocol.Status { loop.sync { speaker.status() } }
        func routes() -> [ControlProtocol.Route] { loop.sync { speaker.rib.routes().map(speaker.route) } }
        func hasRoute(_ prefix: String, via nextHop: String) -> Bool {
            routes().contains { $0.prefix == prefix && $0.paths.first?.nextHop == nextHop }
        }
        func stop() { loop.sync { speaker.shutdown(reason: "test") } }
        /// SIGHUP's reload, waiting until it was applied or rejected (it parses off the loop).
        func reload() {
            let applied = DispatchSemaphore(value: 0)
            loop.sync { speaker.reload { applied.signal() } }
            applied.wait()
        }
    }

    static func config(name: String, ip: String, block: String, peers: [(String, UInt32)], mesh: [String] = [],
                       dir: String, hold: Int = 9) -> String {
        var y = """
            nodeName: \(name)
            asNumber: 64512
            routerID: \(ip)
            listenAddress: \(ip)
            listenPort: \(port)
            controlSocket: \(dir)/\(name).sock
            holdTime: \(hold)
            connectRetryTime: 1
            nodeToNodeMesh: \(mesh.isEmpty ? "false" : "true")
            blocks: [\(block)]
            logLevel: critical

            """
        if !mesh.isEmpty {
            y += "nodes:\n" + mesh.enumerated().map { "  - {name: n\($0.offset), address: \($0.element), port: \(port)}" }.joined(separator: "\n") + "\n"
        }
        if !peers.isEmpty {
            y += "peers:\n" + peers.map { "  - {address: \($0.0), asNumber: \($0.1), port: \(port)}" }.joined(separator: "\n") + "\n"
        }
        return y
    }

    static func tempDir() throws -> String {
        let d = NSTemporaryDirectory() + "tern-speaker-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: d, withIntermediateDirectories: true)
        return d
    }

    /// A peer's last error is a received NOTIFICATION `code`/`subcode`, as a typed value.
    static func isNotification(_ e: ControlProtocol.PeerError?, _ code: UInt8, _ subcode: UInt8) -> Bool {
        e?.kind == .notificationReceived && e?.code == code && e?.subcode == subcode && e?.message.contains("\(code)/\(subcode)") == true
    }

    /// Polls `condition` until it holds or `seconds` pass.
    static func eventually(_ seconds: Double = 10, _ condition: () -> Bool) -> Bool {
        let end = Date().addingTimeInterval(seconds)
        while Date() < end {
            if condition() { return true }
            usleep(20_000)
        }
        return condition()
    }

    @Test func meshExchangesBlocksAndWithdrawsOnShutdown() throws {
        let dir = try Self.tempDir()
        let ips = ["127.0.0.21", "127.0.0.22", "127.0.0.23"]
        let nodes = try ips.enumerated().map { i, ip in
            try Node(Self.config(name: "n\(i)", ip: ip, block: "10.244.\(i).0/26", peers: [], mesh: ips, dir: dir),
                     name: "n\(i)", dir: dir)
        }
        // Every node learns every other node's block with the originator as next hop.
        for (i, n) in nodes.enumerated() {
            for (j, ip) in ips.enumerated() where j != i {
                #expect(Self.eventually { n.hasRoute("10.244.\(j).0/26", via: ip) }, "n\(i) lacks n\(j)'s block: \(n.routes())")
            }
            #expect(n.status().peers.allSatisfy { $0.state == .established && $0.type == "node-to-node mesh" })
        }
        // A node shutting down sends Cease 2; the others drop its block at once (no hold-time wait).
        nodes[2].stop()
        for n in nodes[0...1] {
            #expect(Self.eventually { !n.routes().contains { $0.prefix == "10.244.2.0/26" } })
            #expect(Self.eventually { n.status().peers.first { $0.address == ips[2] }.map { Self.isNotification($0.lastError, 6, 2) } == true })
        }
        nodes[0].stop()
        nodes[1].stop()
    }

    /// Issue 11 item 9: SIGTERM is a restart — the peer keeps our routes (graceful restart,
    /// RFC 4724 §4.2) instead of dropping them on a Cease; SIGINT (above: Cease 2) is for good.
    @Test func restartStopKeepsOurRoutesOnThePeer() throws {
        let dir = try Self.tempDir()
        let a = "127.0.0.41", b = "127.0.0.42"
        let na = try Node(Self.config(name: "a", ip: a, block: "10.4.1.0/24", peers: [(b, 64512)], dir: dir), name: "a", dir: dir)
        let nb = try Node(Self.config(name: "b", ip: b, block: "10.4.2.0/24", peers: [(a, 64512)], dir: dir), name: "b", dir: dir)
        defer { nb.stop() }
        #expect(Self.eventually { nb.hasRoute("10.4.1.0/24", via: a) })
        na.loop.sync { na.speaker.shutdown(reason: "SIGTERM", keepForwarding: true) }
        // b saw the TCP session end without a NOTIFICATION: a's block stays, as stale.
        #expect(Self.eventually { nb.status().peers.first.map { $0.state != .established } == true })
        let paths = nb.routes().first { $0.prefix == "10.4.1.0/24" }?.paths ?? []
        #expect(paths.map(\.source) == ["\(a) (stale, graceful restart)"], "\(nb.routes())")
        #expect(nb.status().peers.first.map { Self.isNotification($0.lastError, 6, 2) } == false)
    }

    @Test func reloadAddsAndRemovesPeersWithoutTouchingOthers() throws {
        let dir = try Self.tempDir()
        let a = "127.0.0.31", b = "127.0.0.32", c = "127.0.0.33", d = "127.0.0.34"
        let nb = try Node(Self.config(name: "b", ip: b, block: "10.1.2.0/24", peers: [(a, 64512)], dir: dir), name: "b", dir: dir)
        let nc = try Node(Self.config(name: "c", ip: c, block: "10.1.3.0/24", peers: [(a, 64512)], dir: dir), name: "c", dir: dir)
        let nd = try Node(Self.config(name: "d", ip: d, block: "10.1.4.0/24", peers: [(a, 64512)], dir: dir), name: "d", dir: dir)
        let na = try Node(Self.config(name: "a", ip: a, block: "10.1.1.0/24", peers: [(b, 64512), (c, 64512)], dir: dir),
                          name: "a", dir: dir)
        #expect(Self.eventually { na.hasRoute("10.1.2.0/24", via: b) && na.hasRoute("10.1.3.0/24", via: c) })
        let bSince = try #require(na.status().peers.first { $0.address == b }?.since)

        // An invalid file is rejected: nothing changes.
        try "nodeName: a\nasNumber: 23456\n".write(toFile: na.path, atomically: true, encoding: .utf8)
        na.reload()
        #expect(na.status().peers.count == 2)

        // Remove c, add d.
        try Self.config(name: "a", ip: a, block: "10.1.1.0/24", peers: [(b, 64512), (d, 64512)], dir: dir)
            .write(toFile: na.path, atomically: true, encoding: .utf8)
        na.reload()
        #expect(Self.eventually { na.hasRoute("10.1.4.0/24", via: d) })
        #expect(Self.eventually { !na.routes().contains { $0.prefix == "10.1.3.0/24" } })
        // c was told it was de-configured (Cease 3).
        #expect(Self.eventually { nc.status().peers.first.map { Self.isNotification($0.lastError, 6, 3) } == true })
        // b's session was not touched.
        #expect(na.status().peers.first { $0.address == b }?.since == bSince)
        #expect(na.status().peers.first { $0.address == b }?.state == .established)
        for n in [na, nb, nc, nd] { n.stop() }
    }
}
