import BFD
import EventLoop
import Foundation
import IPCore
import Logging
import Model

/// The BFD driver (RFC 5881 single hop): one pure ``BFDSession`` per neighbour address,
/// its packets on real UDP sockets and its deadlines on a ``LoopTimer``.
///
/// - Receiving (RFC 5881 §4, §5): one socket per address family bound to the
///   wildcard address and port 3784 (``listenPort``); a packet whose TTL / hop limit is not
///   255 is dropped (§5, GTSM), then decoded (RFC 5880 §6.8.6 packet checks) and
///   demultiplexed: by Your Discriminator when it is nonzero, else by the source address
///   (§6.8.6: "the session MUST be selected based on some combination of other fields").
/// - Sending (RFC 5881 §4): each session has its own socket, source port in
///   49152-65535 ("SHOULD be unique among all BFD sessions"), TTL 255, to port 3784.
/// - State changes go to ``onStateChange``; the speaker takes a BGP session down on
///   Up → Down (RFC 5882 §4.1), except when the peer said AdminDown (§3.2).
///
/// Confined to the event loop's queue (hence `@unchecked Sendable`).
public final class BFDManager: @unchecked Sendable {
    /// RFC 5881 §4: "BFD Control packets MUST be transmitted in UDP packets with
    /// destination port 3784".
    public static let controlPort: UInt16 = 3784
    /// RFC 5881 §4: "The source port MUST be in the range 49152 through 65535."
    public static let sourcePorts: ClosedRange<UInt16> = 49152...65535
    /// RFC 5881 §5: sent with TTL / hop limit 255, and only 255 accepted.
    public static let ttl: Int32 = 255

    let loop: EventLoop
    var logger: Logger
    /// The port received on (3784; tests use others).
    public let listenPort: UInt16
    /// The port sent to (3784; tests use others).
    public let peerPort: UInt16
    /// The address receive sockets bind (nil: the wildcard of the family).
    let listenAddress: IPAddress?

    /// Called on every bfd.SessionState change: the peer, old and new state, our diagnostic,
    /// and whether the peer had signalled AdminDown (RFC 5882 §3.2: not a failure).
    public var onStateChange: ((IPAddress, BFDState, BFDState, BFDDiagnostic, Bool) -> Void)?

    final class Entry {
        var session: BFDSession
        var settings: BFDSettings
        let socket: UDPSocket
        let peer: SocketAddress
        var timer: LoopTimer?
        var since = Date()
        var remoteDiagnostic: BFDDiagnostic?
        var received = 0, sent = 0

        init(session: BFDSession, settings: BFDSettings, socket: UDPSocket, peer: SocketAddress) {
            self.session = session
            self.settings = settings
            self.socket = socket
            self.peer = peer
        }
    }

    var entries: [IPAddress: Entry] = [:]
    var byDiscriminator: [UInt32: IPAddress] = [:]
    var receivers: [SocketAddress.Family: UDPSocket] = [:]
    /// Received packets dropped before reaching a session (TTL, decode, no session), per peer
    /// address when known.
    public private(set) var droppedPackets = 0
    var droppedBy: [IPAddress: Int] = [:]
    /// Why a receive socket could not be opened, nil while it is.
    public private(set) var receiveError: String?

    /// A driver with no sessions. `listenAddress` nil binds the wildcard address.
    public init(loop: EventLoop, logger: Logger, listenAddress: IPAddress? = nil,
                listenPort: UInt16 = BFDManager.controlPort, peerPort: UInt16 = BFDManager.controlPort) {
        self.loop = loop
        var logger = logger
        logger[metadataKey: "component"] = "bfd"
        self.logger = logger
        self.listenAddress = listenAddress
        self.listenPort = listenPort
        self.peerPort = peerPort
    }

    // MARK: - Sessions

    /// The addresses with a session.
    public var peers: [IPAddress] { Array(entries.keys) }

    /// Starts a session with `peer` (nothing when one runs: use ``update(_:settings:)``),
    /// its packets sent from `local` when given (else the kernel's choice).
    public func add(_ peer: IPAddress, settings: BFDSettings, local: IPAddress? = nil) {
        loop.assertOnLoop()
        guard entries[peer] == nil else { update(peer, settings: settings); return }
        let family: SocketAddress.Family = peer.family == .v4 ? .ipv4 : .ipv6
        openReceiver(family)
        guard let socket = openSender(family: family, local: local) else { return }
        var discriminator: UInt32
        repeat { discriminator = UInt32.random(in: 1...UInt32.max) } while byDiscriminator[discriminator] != nil
        let config = BFDSessionConfig(
            desiredMinTxInterval: UInt32(settings.minimumSendInterval) * 1000,
            requiredMinRxInterval: UInt32(settings.minimumRecvInterval) * 1000,
            detectMultiplier: UInt8(settings.multiplier), localDiscriminator: discriminator,
            jitter: .seeded(UInt64.random(in: 0...UInt64.max)))
        let entry = Entry(session: BFDSession(config: config, now: now), settings: settings, socket: socket,
                          peer: SocketAddress(peer, port: peerPort))
        entries[peer] = entry
        byDiscriminator[discriminator] = peer
        logger.info("BFD session to \(peer) started (\(settings)), local discriminator \(discriminator), source \(socket.localAddress)")
        perform(entry.session.advance(to: now), entry, peer)
    }

    /// New intervals or multiplier for a running session: RFC 5880 §6.8.3, negotiated with
    /// a Poll Sequence while Up (§6.5), so the session (and BGP) stays up.
    public func update(_ peer: IPAddress, settings: BFDSettings) {
        loop.assertOnLoop()
        guard let entry = entries[peer] else { return }
        let old = entry.settings
        entry.settings = settings
        guard old.minimumSendInterval != settings.minimumSendInterval || old.minimumRecvInterval != settings.minimumRecvInterval
                || old.multiplier != settings.multiplier else { return }
        logger.info("BFD session to \(peer): new timers \(settings)")
        let actions = entry.session.handle(.configChanged(
            desiredMinTxInterval: UInt32(settings.minimumSendInterval) * 1000,
            requiredMinRxInterval: UInt32(settings.minimumRecvInterval) * 1000,
            detectMultiplier: UInt8(settings.multiplier)), now: now)
        perform(actions, entry, peer)
    }

    /// Ends the session with `peer`: one AdminDown packet first (§6.8.16), so the peer
    /// does not take it for a failure (RFC 5882 §3.2).
    public func remove(_ peer: IPAddress) {
        loop.assertOnLoop()
        guard let entry = entries.removeValue(forKey: peer) else { return }
        var session = entry.session
        for case .send(let p) in session.handle(.adminDown, now: now) { entry.socket.send(p.encode(), to: entry.peer) }
        byDiscriminator[session.localDiscriminator] = nil
        entry.timer?.invalidate()
        entry.socket.close()
        logger.info("BFD session to \(peer) removed")
    }

    /// Ends every session (AdminDown first) and closes the sockets.
    public func stop() {
        for peer in Array(entries.keys) { remove(peer) }
        for r in receivers.values { r.close() }
        receivers = [:]
    }

    /// Stops every session without a word: no AdminDown, sockets closed, timers gone, as if
    /// the process or the link died (tests: the other side must notice by its Detection Time).
    func silenceForTesting() {
        for e in entries.values { e.timer?.invalidate(); e.socket.close() }
        entries = [:]
        byDiscriminator = [:]
        for r in receivers.values { r.close() }
        receivers = [:]
    }

    /// The settings a session runs with.
    public func settings(of peer: IPAddress) -> BFDSettings? { entries[peer]?.settings }

    /// bfd.SessionState of the session with `peer`.
    public func state(of peer: IPAddress) -> BFDState? { entries[peer]?.session.state }

    /// Every session, in address order.
    public func statuses() -> [BFDSessionStatus] {
        entries.keys.sorted().compactMap(status(of:))
    }

    /// One session's status.
    public func status(of peer: IPAddress) -> BFDSessionStatus? {
        guard let e = entries[peer] else { return nil }
        let s = e.session
        return BFDSessionStatus(
            peer: peer, interface: nil, state: s.state, since: e.since,
            localDiscriminator: s.localDiscriminator, remoteDiscriminator: s.remoteDiscriminator,
            transmitInterval: s.transmitInterval,
            receiveInterval: s.remoteDesiredMinTxInterval.map { max($0, s.requiredMinRxInUse) },
            localMultiplier: s.config.detectMultiplier, remoteMultiplier: s.remoteDetectMult,
            detectionTime: s.detectionTime, localDiagnostic: s.localDiagnostic, remoteDiagnostic: e.remoteDiagnostic,
            received: e.received, sent: e.sent, dropped: droppedBy[peer] ?? 0)
    }

    // MARK: - Driving the sessions

    var now: BFDInstant { BFDInstant(nanoseconds: loop.now) }

    func perform(_ actions: [BFDAction], _ entry: Entry, _ peer: IPAddress) {
        for action in actions {
            switch action {
            case .send(let packet):
                entry.sent += 1
                if let error = entry.socket.send(packet.encode(), to: entry.peer) {
                    logger.debug("BFD send to \(entry.peer) failed: \(error)")
                }
            case let .stateChanged(from, to, diagnostic):
                entry.since = Date()
                let remoteAdminDown = entry.session.remoteState == .adminDown
                logger.info("BFD session to \(peer): \(from) -> \(to) (\(diagnostic))")
                onStateChange?(peer, from, to, diagnostic, remoteAdminDown)
            case .discarded(let reason):
                droppedBy[peer, default: 0] += 1
                logger.debug("BFD packet from \(peer) discarded: \(reason)")
            }
        }
        rearm(entry, peer)
    }

    func rearm(_ entry: Entry, _ peer: IPAddress) {
        guard entries[peer] === entry else { return }
        guard let deadline = entry.session.nextDeadline else { entry.timer?.cancel(); return }
        if entry.timer == nil {
            // Leeway 0: a 100 ms × 3 session is late by what the timer is late by.
            entry.timer = LoopTimer(on: loop, leeway: .zero) { [weak self, weak entry] in
                guard let self, let entry else { return }
                self.perform(entry.session.advance(to: self.now), entry, peer)
            }
        }
        entry.timer?.arm(at: deadline.nanoseconds)
    }

    // MARK: - Sockets

    func openReceiver(_ family: SocketAddress.Family) {
        guard receivers[family] == nil else { return }
        let host = listenAddress.map { SocketAddress($0, port: listenPort) }
            ?? SocketAddress(ip: family == .ipv4 ? "0.0.0.0" : "::", port: listenPort)!
        guard host.family == family else { return }
        do {
            let socket = try UDPSocket(bind: host, ttl: BFDManager.ttl, on: loop)
            socket.onDatagram = { [weak self] bytes, from, ttl in self?.received(bytes, from: from, ttl: ttl) }
            receivers[family] = socket
            receiveError = nil
        } catch {
            receiveError = "\(error)"
            logger.error("cannot receive BFD on \(host): \(error)")
        }
    }

    func openSender(family: SocketAddress.Family, local: IPAddress?) -> UDPSocket? {
        let base = local ?? listenAddress
        let host: SocketAddress = base.map { SocketAddress($0, port: 0) }
            ?? SocketAddress(ip: family == .ipv4 ? "0.0.0.0" : "::", port: 0)!
        // RFC 5881 §4: a source port in 49152-65535, a different one per session when possible.
        var port = UInt16.random(in: BFDManager.sourcePorts)
        var lastError: SocketError?
        for _ in 0..<64 {
            var address = host
            address.port = port
            do {
                return try UDPSocket(bind: address, ttl: BFDManager.ttl, receive: false, on: loop)
            } catch {
                lastError = error
                port = port == BFDManager.sourcePorts.upperBound ? BFDManager.sourcePorts.lowerBound : port + 1
            }
        }
        logger.error("cannot open a BFD source socket on \(host): \(lastError.map { "\($0)" } ?? "?")")
        return nil
    }

    func drop(_ from: IPAddress?, _ why: @autoclosure () -> String) {
        droppedPackets += 1
        if let from { droppedBy[from, default: 0] += 1 }
        logger.debug("BFD packet from \(from.map { "\($0)" } ?? "?") dropped: \(why())")
    }

    /// One received datagram: RFC 5881 §5 TTL check, RFC 5880 §6.8.6 decode and demultiplexing.
    func received(_ bytes: [UInt8], from: SocketAddress, ttl: Int?) {
        let source = from.ipAddress
        // RFC 5881 §5: "If BFD authentication is not in use on a session, all BFD Control
        // packets for the session MUST be sent with a Time to Live (TTL) or Hop Limit value
        // of 255. All received BFD Control packets that are demultiplexed to the session
        // MUST be discarded if the received TTL or Hop Limit is not equal to 255."
        guard ttl == Int(BFDManager.ttl) else { return drop(source, "TTL \(ttl.map(String.init) ?? "unknown") is not 255 (RFC 5881 §5)") }
        let packet: BFDControlPacket
        do { packet = try BFDControlPacket(decoding: bytes) } catch { return drop(source, "\(error)") }
        // RFC 5880 §6.8.6: "If the Your Discriminator field is nonzero, it MUST be used to
        // select the session ... If no session is found, the packet MUST be discarded."
        // "If the Your Discriminator field is zero and the State field is not Down or
        // AdminDown, the packet MUST be discarded." Zero: selected by source address.
        let peer: IPAddress
        if packet.yourDiscriminator != 0 {
            guard let p = byDiscriminator[packet.yourDiscriminator] else {
                return drop(source, "no session with discriminator \(packet.yourDiscriminator)")
            }
            peer = p
        } else {
            guard packet.state == .down || packet.state == .adminDown else {
                return drop(source, "Your Discriminator 0 in state \(packet.state) (RFC 5880 §6.8.6)")
            }
            guard let source, entries[source] != nil else { return drop(source, "no session for this address") }
            peer = source
        }
        // RFC 5881 §4 single hop: the packet must come from the neighbour itself.
        guard source == peer, let entry = entries[peer] else {
            return drop(source, "discriminator of \(peer)'s session from another address")
        }
        entry.received += 1
        entry.remoteDiagnostic = packet.diagnostic
        perform(entry.session.handle(.received(packet), now: now), entry, peer)
    }
}
