import BFD
import BGPWire
import EventLoop
import Foundation
import IPCore
import Logging
import Model
import RIB
@testable import Speaker
import Testing

/// The BFD driver over real UDP on 127.0.0.x (no root): two ``BFDManager``s reach Up with
/// 100 ms × 3; when one falls silent the other declares it Down within its Detection
/// Time (RFC 5880 §6.8.4); and through two ``BGPSpeaker``s, BFD Down ends the BGP session
/// with Cease 10 and withdraws the routes (RFC 9384), or keeps them stale with `graceful`.
@Suite(.serialized) struct BFDManagerTests {
    static let port = UInt16(40000 + Int((getpid() + 31) % 9000))

    final class Recorder: @unchecked Sendable {
        private let lock = NSLock()
        private var _events: [(BFDState, BFDState, BFDDiagnostic, UInt64)] = []
        func add(_ from: BFDState, _ to: BFDState, _ d: BFDDiagnostic) { lock.withLock { _events.append((from, to, d, EventLoop.now)) } }
        var events: [(from: BFDState, to: BFDState, diag: BFDDiagnostic, at: UInt64)] { lock.withLock { _events.map { ($0.0, $0.1, $0.2, $0.3) } } }
    }

    final class Driver: @unchecked Sendable {
        let loop = EventLoop(label: "bfd-test")
        let manager: BFDManager
        let recorder = Recorder()

        init(_ ip: String, peer: String, settings: BFDSettings) {
            var logger = Logger(label: ip)
            logger.logLevel = .critical
            manager = BFDManager(loop: loop, logger: logger, listenAddress: IPAddress(ip)!,
                                 listenPort: BFDManagerTests.port, peerPort: BFDManagerTests.port)
            loop.sync {
                manager.onStateChange = { [recorder] _, from, to, diag, _ in recorder.add(from, to, diag) }
                manager.add(IPAddress(peer)!, settings: settings)
            }
        }

        func status() -> BFDSessionStatus? { loop.sync { manager.statuses().first } }
    }

    @Test func twoDriversReachUpAndSilenceIsDetectedWithinTheDetectionTime() throws {
        let settings = try BFDSettings(minimumRecvInterval: 100, minimumSendInterval: 100, multiplier: 3)
        let a = Driver("127.0.0.91", peer: "127.0.0.92", settings: settings)
        let b = Driver("127.0.0.92", peer: "127.0.0.91", settings: settings)
        defer { a.loop.sync { a.manager.stop() }; b.loop.sync { b.manager.stop() } }
        #expect(BGPSpeakerLoopbackTests.eventually(5) { a.status()?.state == .up && b.status()?.state == .up })
        // The 1 s slow rate ends with Up (RFC 5880 §6.8.3): after the Poll Sequence both
        // transmit every 100 ms and detect in 300 ms.
        #expect(BGPSpeakerLoopbackTests.eventually(5) {
            b.status()?.detectionTime == 300_000 && b.status()?.transmitInterval == 100_000
        }, "\(String(describing: b.status()))")
        let bs = try #require(b.status())
        let st = try #require(a.status())
        #expect(bs.remoteDiscriminator == st.localDiscriminator && st.remoteDiscriminator == bs.localDiscriminator)
        #expect(bs.remoteMultiplier == 3 && bs.receiveInterval == 100_000 && bs.received > 0 && bs.dropped == 0)

        let silencedAt = EventLoop.now
        a.loop.sync { a.manager.silenceForTesting() }
        #expect(BGPSpeakerLoopbackTests.eventually(3) { b.status()?.state == .down })
        let down = try #require(b.recorder.events.last)
        #expect(down.from == .up && down.to == .down && down.diag == .controlDetectionTimeExpired)
        let elapsedMs = Double(down.at - silencedAt) / 1e6
        // At most the Detection Time (300 ms) after the last packet, which left at most one
        // interval before the silence; plus scheduling slack.
        #expect(elapsedMs <= 300 + 50, "detected after \(elapsedMs) ms")
        print("BFD loopback: silence detected after \(String(format: "%.1f", elapsedMs)) ms (detection time 300 ms)")
    }

    @Test func packetsWithTTLBelow255AreDropped() throws {
        let settings = try BFDSettings()
        let b = Driver("127.0.0.94", peer: "127.0.0.93", settings: settings)
        defer { b.loop.sync { b.manager.stop() } }
        // A well-formed Down packet from the peer's address, sent with TTL 64 (RFC 5881 §5).
        let packet = BFDControlPacket(state: .down, detectMult: 3, myDiscriminator: 7, yourDiscriminator: 0,
                                      desiredMinTxInterval: 1_000_000, requiredMinRxInterval: 100_000)
        try b.loop.sync {
            let low = try UDPSocket(bind: SocketAddress(parsing: "127.0.0.93", port: 0), ttl: 64, receive: false, on: b.loop)
            low.send(packet.encode(), to: try SocketAddress(parsing: "127.0.0.94", port: Self.port))
            low.close()
        }
        #expect(BGPSpeakerLoopbackTests.eventually(2) { b.status()?.dropped == 1 })
        #expect(b.status()?.received == 0 && b.status()?.state == .down)
        // The same with TTL 255 reaches the session: Down → Init (RFC 5880 §6.8.6).
        try b.loop.sync {
            let ok = try UDPSocket(bind: SocketAddress(parsing: "127.0.0.93", port: 0), ttl: 255, receive: false, on: b.loop)
            ok.send(packet.encode(), to: try SocketAddress(parsing: "127.0.0.94", port: Self.port))
            ok.close()
        }
        #expect(BGPSpeakerLoopbackTests.eventually(2) { b.status()?.state == .`init` })
        #expect(b.status()?.remoteDiscriminator == 7)
    }

    /// Two speakers with BFD: a's BFD falls silent while its BGP session stays, so b's BFD
    /// goes Down and b ends the session at once with Cease 10 "BFD Down" (RFC 9384) and
    /// removes a's route from its FIB though graceful restart was negotiated.
    @Test func bfdDownEndsTheBGPSessionWithCease10AndWithdraws() throws {
        try bgpAndBFD(graceful: false)
    }

    /// The same with `graceful: true`: the session closes without NOTIFICATION and a's route
    /// stays (stale, RFC 4724), as BIRD's `bfd graceful`.
    @Test func gracefulBFDDownKeepsTheRoutesStale() throws {
        try bgpAndBFD(graceful: true)
    }

    func bgpAndBFD(graceful: Bool) throws {
        let settings = try BFDSettings(minimumRecvInterval: 100, minimumSendInterval: 100, multiplier: 3, graceful: graceful)
        let (ia, ib) = graceful ? ("127.0.0.97", "127.0.0.98") : ("127.0.0.95", "127.0.0.96")
        // a keeps its forwarding state across the restart (F bit, RFC 4724 §3): otherwise b
        // would drop the stale routes as soon as a's session is back (§4.2), by design.
        let a = try BGPSpeakerLoopbackTests.Side(ia, peer: ib, bfd: settings, forwardingStatePreserved: true)
        let log = LogCapture()
        let b = try BGPSpeakerLoopbackTests.Side(ib, peer: ia, log: log, bfd: settings)
        defer { a.loop.sync { a.speaker.stop(nil) }; b.loop.sync { b.speaker.stop(nil) } }
        let block = IPPrefix("10.95.0.0/24")!
        a.loop.sync { a.speaker.originate([block]) }
        #expect(BGPSpeakerLoopbackTests.eventually { b.status().first?.state == .established && b.status().first?.bfd?.state == .up })
        #expect(BGPSpeakerLoopbackTests.eventually { b.sink.changes.last == .set(block, nextHops: [a.address]) })
        let cut = EventLoop.now
        a.loop.sync { a.speaker.bfd.silenceForTesting() }
        // On loopback a graceful close re-establishes within milliseconds, so the session's end
        // is seen in b's log rather than by polling its state.
        #expect(BGPSpeakerLoopbackTests.eventually(3) { log.lines.contains { $0.hasPrefix("BFD down: closing the session") } })
        let downMs = Double(EventLoop.now - cut) / 1e6
        #expect(downMs < 1000, "BGP down \(downMs) ms after the BFD silence")
        if graceful {
            usleep(300_000)
            // Never removed from the FIB: kept as stale, then refreshed by the new session.
            #expect(!b.sink.changes.contains(.remove(block)) && b.sink.changes.last == .set(block, nextHops: [a.address]),
                    "\(b.sink.changes)")
            // No Cease 10 went out (later errors, such as a collision as both reconnect, may).
            #expect(a.status().first?.lastError?.receivedNotification?.subcode != NotificationCode.Cease.bfdDown)
            #expect(log.lines.contains { $0.contains("BFD down: closing the session as a graceful restart") }, "\(log.lines)")
        } else {
            #expect(BGPSpeakerLoopbackTests.eventually(1) { b.sink.changes.last == .remove(block) }, "\(b.sink.changes)")
            // b's own lastError may already tell of the reconnection that follows; its log says what it sent.
            #expect(log.lines.contains { $0.contains("BFD down: closing the session (Cease 10, BFD Down)") }, "\(log.lines)")
            #expect(BGPSpeakerLoopbackTests.eventually(2) {
                a.status().first?.lastError?.receivedNotification.map { $0.code == 6 && $0.subcode == 10 } == true
            }, "\(String(describing: a.status().first?.lastError))")
        }
    }
}
