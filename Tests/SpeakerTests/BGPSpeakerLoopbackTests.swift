import BGPSession
import BGPWire
import EventLoop
import Foundation
import IPCore
import Logging
import Model
import RIB
@testable import Speaker
import Testing

/// Two ``BGPSpeaker``s without the daemon: a speaker configuration, peer specifications and
/// a recording ``RouteSink`` are all they need (real TCP over 127.0.0.x, no root). What the
/// sink records is the speaker's whole output towards the dataplane.
@Suite(.serialized) struct BGPSpeakerLoopbackTests {
    static let port = UInt16(20000 + Int((getpid() + 7919) % 20000))

    /// Records what the speaker hands to the dataplane, in order.
    final class RecordingSink: RouteSink, @unchecked Sendable {
        private let lock = NSLock()
        private var _changes: [FIBChange] = []
        private var _staleRoutesMayGo = 0
        func fibChanged(_ changes: [FIBChange]) { lock.withLock { _changes += changes } }
        func staleRoutesMayGo() { lock.withLock { _staleRoutesMayGo += 1 } }
        var changes: [FIBChange] { lock.withLock { _changes } }
        var staleSignals: Int { lock.withLock { _staleRoutesMayGo } }
    }

    final class Side: @unchecked Sendable {
        let loop = EventLoop(label: "speaker-test")
        let speaker: BGPSpeaker
        let sink = RecordingSink()
        let address: IPAddress

        init(_ ip: String, peer: String, hold: UInt16 = 9, log: LogCapture? = nil, bfd: BFDSettings? = nil,
             forwardingStatePreserved: Bool = false) throws {
            address = IPAddress(ip)!
            var logger = log.map { capture in Logger(label: ip) { _ in capture } } ?? Logger(label: ip)
            logger.logLevel = log == nil ? .critical : .info
            speaker = BGPSpeaker(config: SpeakerConfig(localAS: 64512, routerID: IPv4Address(ip)!, listenAddress: address,
                                                       listenPort: BGPSpeakerLoopbackTests.port,
                                                       forwardingStatePreserved: forwardingStatePreserved),
                                 loop: loop, logger: logger)
            let spec = try PeerSpec(address: IPAddress(peer)!, port: BGPSpeakerLoopbackTests.port, asNumber: 64512,
                                    holdTime: hold, connectRetryTime: 1, bfd: bfd)
            loop.sync {
                speaker.sink = sink
                sink.fibChanged(speaker.trackFIB())
                speaker.start()
                speaker.addPeer(spec)
            }
        }

        func status() -> [PeerStatus] { loop.sync { speaker.peerStatuses() } }
    }

    static func eventually(_ seconds: Double = 10, _ condition: () -> Bool) -> Bool {
        let end = Date().addingTimeInterval(seconds)
        while Date() < end {
            if condition() { return true }
            usleep(20_000)
        }
        return condition()
    }

    @Test func routesReachTheSinkAsFIBChanges() throws {
        let a = try Side("127.0.0.81", peer: "127.0.0.82")
        let b = try Side("127.0.0.82", peer: "127.0.0.81")
        defer {
            a.loop.sync { a.speaker.stop(nil) }
            b.loop.sync { b.speaker.stop(nil) }
        }
        let block = IPPrefix("10.81.0.0/24")!
        a.loop.sync { a.speaker.originate([block]) }
        #expect(Self.eventually { b.status().first?.state == .established })
        // The RIB's decision reaches the sink as one typed change; A's own block never does.
        #expect(Self.eventually { b.sink.changes == [.set(block, nextHops: [a.address])] }, "\(b.sink.changes)")
        #expect(a.sink.changes.isEmpty)
        // A's End-of-RIB was the last one b waited for: its stale kernel routes may go.
        #expect(Self.eventually { b.sink.staleSignals >= 1 })
        let status = try #require(b.status().first)
        #expect(status.prefixesReceived == 1 && status.prefixesAccepted == 1 && status.lastError == nil)
        let handle = try #require(b.loop.sync { b.speaker.rib.route(for: block)?.paths.first?.peer })
        #expect(b.loop.sync { b.speaker.source(of: handle) } == .peer(PeerEndpoint(address: a.address, port: Self.port)))

        a.loop.sync { a.speaker.withdrawOriginated([block]) }
        #expect(Self.eventually { b.sink.changes.last == .remove(block) }, "\(b.sink.changes)")
        // The metrics' counters: a's announcement, End-of-RIB and withdrawal are UPDATEs.
        let counted = try #require(b.loop.sync { b.speaker.peerMetrics() }.first)
        #expect(counted.updatesReceived >= 3 && counted.updatesSent >= 1 && counted.flaps == 0, "\(counted)")
        #expect(counted.receivedByFamily == [.v4: 0, .v6: 0] && counted.acceptedByFamily == [.v4: 0, .v6: 0])

        // Removing the peer sends Cease 3 (Peer De-configured): b records it as a typed failure.
        a.loop.sync {
            a.speaker.removePeer(PeerEndpoint(address: b.address, port: Self.port),
                                 notification: NotificationMessage(code: NotificationCode.cease,
                                                                   subcode: NotificationCode.Cease.peerDeconfigured))
        }
        #expect(Self.eventually {
            b.status().first?.lastError?.receivedNotification.map { $0.code == 6 && $0.subcode == 3 } == true
        }, "\(String(describing: b.status().first?.lastError))")
        #expect(a.status().isEmpty)
        // The Established session b lost is one flap.
        #expect(b.loop.sync { b.speaker.peerMetrics() }.first?.flaps == 1)
    }
}

/// Issue 11 item 5: a hold timer must not expire while the peer's KEEPALIVEs wait unread in
/// the socket (after a stall of our loop; BIRD and FRR read before they expire). Here b stops
/// reading for longer than the hold time while both sides keep sending: when b's hold timer
/// fires, a's KEEPALIVEs are in b's socket, and the session must stay up.
@Suite(.serialized) struct UnreadKeepaliveTests {
    @Test func keepalivesWaitingInTheSocketKeepTheSession() throws {
        let a = try BGPSpeakerLoopbackTests.Side("127.0.0.83", peer: "127.0.0.84", hold: 3)
        let b = try BGPSpeakerLoopbackTests.Side("127.0.0.84", peer: "127.0.0.83", hold: 3)
        defer {
            a.loop.sync { a.speaker.stop(nil) }
            b.loop.sync { b.speaker.stop(nil) }
        }
        #expect(BGPSpeakerLoopbackTests.eventually { a.status().first?.state == .established && b.status().first?.state == .established })
        let since = try #require(b.status().first?.since)
        b.loop.sync { b.speaker.peers.values.forEach { $0.pauseReadingForTesting() } }
        usleep(4_500_000)   // 1.5 x the hold time
        let bs = try #require(b.status().first)
        #expect(bs.state == .established && bs.since == since, "b: \(bs.state), \(String(describing: bs.lastError))")
        #expect(a.status().first?.lastError == nil, "a: \(String(describing: a.status().first?.lastError))")
    }
}

/// Collects log lines (message text) for tests that check what is logged.
final class LogCapture: LogHandler, @unchecked Sendable {
    private let lock = NSLock()
    private var _lines: [String] = []
    var lines: [String] { lock.withLock { _lines } }
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace
    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }
    func log(event: LogEvent) { lock.withLock { _lines.append("\(event.message)") } }
}

/// Issue 11 item 1 (log volume): connections from strangers are closed and counted; the
/// log gets the first at once and then one summary per interval, not one line each.
@Suite(.serialized) struct RejectedConnectionLogTests {
    @Test func aFloodOfStrangersGivesTwoLogLines() throws {
        let log = LogCapture()
        let a = try BGPSpeakerLoopbackTests.Side("127.0.0.86", peer: "127.0.0.87", log: log)
        defer { a.loop.sync { a.speaker.stop(nil) } }
        a.loop.sync { a.speaker.rejectionLogInterval = 1_000_000_000 }
        let start = Date()
        for _ in 0..<300 { try Self.connectAndClose(from: "127.0.0.88", to: "127.0.0.86", port: BGPSpeakerLoopbackTests.port) }
        let elapsed = Date().timeIntervalSince(start)
        #expect(BGPSpeakerLoopbackTests.eventually { a.loop.sync { a.speaker.rejectedConnections } == 300 })
        usleep(1_500_000)
        let rejected = log.lines.filter { $0.hasPrefix("rejected") }
        // One line at once, then one per (1 s) interval: bounded by the time, not the connects.
        #expect(rejected.count >= 2 && rejected.count <= 2 + Int(elapsed), "\(rejected) in \(elapsed) s")
        #expect(rejected.first?.hasPrefix("rejected a connection from unconfigured 127.0.0.88:") == true, "\(rejected)")
        // Every rejection is counted in exactly one line.
        let counted = rejected.compactMap { $0.hasPrefix("rejected a connection") ? 1 : Int($0.split(separator: " ")[1]) }.reduce(0, +)
        #expect(counted == 300, "\(rejected)")
        #expect(rejected.last?.hasSuffix("300 since start") == true || rejected.last?.hasPrefix("rejected a connection") == true,
                "\(rejected)")
    }

    /// A blocking TCP connect from `source` and an immediate close.
    static func connectAndClose(from source: String, to target: String, port: UInt16) throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #expect(fd >= 0)
        defer { close(fd) }
        func sin(_ ip: String, _ port: UInt16) -> sockaddr_in {
            var a = sockaddr_in()
            a.sin_family = sa_family_t(AF_INET)
            a.sin_port = port.bigEndian
            inet_pton(AF_INET, ip, &a.sin_addr)
            return a
        }
        var local = sin(source, 0), remote = sin(target, port)
        let bound = withUnsafePointer(to: &local) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        #expect(bound == 0)
        let connected = withUnsafePointer(to: &remote) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        #expect(connected == 0, "connect: errno \(errno)")
    }
}
