import BGPSession
import BGPWire
import EventLoop
import Foundation
import IPCore
import Logging
import Model
import RIB
import Speaker
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

        init(_ ip: String, peer: String) throws {
            address = IPAddress(ip)!
            var logger = Logger(label: ip)
            logger.logLevel = .critical
            speaker = BGPSpeaker(config: SpeakerConfig(localAS: 64512, routerID: IPv4Address(ip)!, listenAddress: address,
                                                       listenPort: BGPSpeakerLoopbackTests.port),
                                 loop: loop, logger: logger)
            let spec = try PeerSpec(address: IPAddress(peer)!, port: BGPSpeakerLoopbackTests.port, asNumber: 64512,
                                    holdTime: 9, connectRetryTime: 1)
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
    }
}
