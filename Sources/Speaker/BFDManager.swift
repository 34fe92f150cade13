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
/// - Multihop (RFC 5883): sessions marked multihop receive on port 4784 (their own
///   sockets), send to 4784 with TTL 255, and accept any TTL unless the session has a
///   ``BFDSettings/minimumTTL`` (§5: "a minimum TTL ... SHOULD be configured" with
///   authentication recommended instead); packets are demultiplexed by Your Discriminator
///   (§4) and, while it is zero, by source address among the multihop sessions.
/// - Authentication (RFC 5880 §6.7.4): a session with ``BFDSettings/authentication``
///   signs every packet (keyed or meticulous keyed SHA1) and drops packets without, of
///   another type or key ID, out of the sequence window or with a wrong digest; these
///   are counted per session (``BFDSessionStatus/authenticationDropped``).
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
    /// RFC 5883 §4: "BFD Control packets MUST be transmitted in UDP packets with
    /// destination port 4784".
    public static let multihopControlPort: UInt16 = 4784

    let loop: EventLoop
    var logger: Logger
    /// The port received on (3784; tests use others).
    public let listenPort: UInt16
    /// The port sent to (3784; tests use others).
    public let peerPort: UInt16
    /// The multihop ports received on and sent to (4784; tests use others).
    public let multihopListenPort: UInt16
    public let multihopPeerPort: UInt16
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
        let multihop: Bool
        let local: IPAddress?
        var authenticationDropped = 0
        var lastDrop: String?

        init(session: BFDSession, settings: BFDSettings, socket: UDPSocket, peer: SocketAddress, multihop: Bool, local: IPAddress?) {
            self.session = session
            self.settings = settings
            self.socket = socket
            self.peer = peer
            self.multihop = multihop
            self.local = local
        }

        /// A packet for this session was dropped: `why`, counted as an authentication drop
        /// when it failed one of §6.7.4's checks.
        func noteDrop(_ why: String, authentication: Bool) {
            lastDrop = why
            if authentication { authenticationDropped += 1 }
        }

        /// The bytes of a packet to send: signed when the session authenticates (§6.7.4).
        func bytes(_ p: BFDControlPacket) -> [UInt8] {
            if let a = settings.authentication, p.authentication != nil { return p.encodeSigned(key: a.key) }
            return p.encode()
        }
    }

    var entries: [IPAddress: Entry] = [:]
    var byDiscriminator: [UInt32: IPAddress] = [:]
    struct ReceiverKey: Hashable { var family: SocketAddress.Family; var multihop: Bool }
    var receivers: [ReceiverKey: UDPSocket] = [:]
    /// Received packets dropped before reaching a session (TTL, decode, no session), per peer
    /// address when known.
    public private(set) var droppedPackets = 0
    var droppedBy: [IPAddress: Int] = [:]
    /// Why a receive socket could not be opened, nil while it is.
    public private(set) var receiveError: String?
    /// Why the multihop receive socket could not be opened, nil while it is.
    public private(set) var multihopReceiveError: String?

    /// A driver with no sessions. `listenAddress` nil binds the wildcard address.
    public init(loop: EventLoop, logger: Logger, listenAddress: IPAddress? = nil,
                listenPort: UInt16 = BFDManager.controlPort, peerPort: UInt16 = BFDManager.controlPort,
                multihopListenPort: UInt16 = BFDManager.multihopControlPort,
                multihopPeerPort: UInt16 = BFDManager.multihopControlPort) {
        self.loop = loop
        var logger = logger
        logger[metadataKey: "component"] = "bfd"
        self.logger = logger
        self.listenAddress = listenAddress
        self.listenPort = listenPort
        self.peerPort = peerPort
        self.multihopListenPort = multihopListenPort
        self.multihopPeerPort = multihopPeerPort
    }

    // MARK: - Sessions

    /// The addresses with a session.
    public var peers: [IPAddress] { Array(entries.keys) }

    /// Starts a session with `peer` (nothing when one runs: use ``update(_:settings:)``),
    /// its packets sent from `local` when given (else the kernel's choice); RFC 5883
    /// multihop when `multihop` is true.
    public func add(_ peer: IPAddress, settings: BFDSettings, local: IPAddress? = nil, multihop: Bool = false) {
        loop.assertOnLoop()
        if let e = entries[peer] {
            // Hops, authentication or the source changed: a new session (the peer sees
            // AdminDown, then a fresh Down); else new timers negotiated in place.
            guard e.multihop != multihop || e.settings.authentication != settings.authentication || e.local != local else {
                update(peer, settings: settings); return
            }
            remove(peer)
        }
        let family: SocketAddress.Family = peer.family == .v4 ? .ipv4 : .ipv6
        openReceiver(family, multihop: multihop)
        guard let socket = openSender(family: family, local: local) else { return }
        var discriminator: UInt32
        repeat { discriminator = UInt32.random(in: 1...UInt32.max) } while byDiscriminator[discriminator] != nil
        let config = BFDSessionConfig(
            desiredMinTxInterval: UInt32(settings.minimumSendInterval) * 1000,
            requiredMinRxInterval: UInt32(settings.minimumRecvInterval) * 1000,
            detectMultiplier: UInt8(settings.multiplier), localDiscriminator: discriminator,
            jitter: .seeded(UInt64.random(in: 0...UInt64.max)),
            authentication: settings.authentication.map { BFDAuthenticationConfig(type: $0.type.wire, keyID: $0.keyID) },
            initialAuthSequence: UInt32.random(in: 0...UInt32.max))
        let entry = Entry(session: BFDSession(config: config, now: now), settings: settings, socket: socket,
                          peer: SocketAddress(peer, port: multihop ? multihopPeerPort : peerPort), multihop: multihop, local: local)
        entries[peer] = entry
        byDiscriminator[discriminator] = peer
        logger.info("BFD\(multihop ? " multihop" : "") session to \(peer) started (\(settings)), local discriminator \(discriminator), source \(socket.localAddress)")
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
        for case .send(let p) in session.handle(.adminDown, now: now) { entry.socket.send(entry.bytes(p), to: entry.peer) }
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
            received: e.received, sent: e.sent, dropped: droppedBy[peer] ?? 0,
            multihop: e.multihop, authentication: s.config.authentication,
            authenticationDropped: e.authenticationDropped, lastDrop: e.lastDrop)
    }

    // MARK: - Driving the sessions

    var now: BFDInstant { BFDInstant(nanoseconds: loop.now) }

    func perform(_ actions: [BFDAction], _ entry: Entry, _ peer: IPAddress) {
        for action in actions {
            switch action {
            case .send(let packet):
                entry.sent += 1
                if let error = entry.socket.send(entry.bytes(packet), to: entry.peer) {
                    logger.debug("BFD send to \(entry.peer) failed: \(error)")
                }
            case let .stateChanged(from, to, diagnostic):
                entry.since = Date()
                let remoteAdminDown = entry.session.remoteState == .adminDown
                logger.info("BFD session to \(peer): \(from) -> \(to) (\(diagnostic))")
                onStateChange?(peer, from, to, diagnostic, remoteAdminDown)
            case .discarded(let reason):
                droppedBy[peer, default: 0] += 1
                entry.noteDrop(reason.description, authentication: reason.isAuthentication)
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

    func openReceiver(_ family: SocketAddress.Family, multihop: Bool = false) {
        let key = ReceiverKey(family: family, multihop: multihop)
        guard receivers[key] == nil else { return }
        let port = multihop ? multihopListenPort : listenPort
        let host = listenAddress.map { SocketAddress($0, port: port) }
            ?? SocketAddress(ip: family == .ipv4 ? "0.0.0.0" : "::", port: port)!
        guard host.family == family else { return }
        do {
            let socket = try UDPSocket(bind: host, ttl: BFDManager.ttl, on: loop)
            socket.onDatagram = { [weak self] bytes, from, ttl in self?.received(bytes, from: from, ttl: ttl, multihop: multihop) }
            receivers[key] = socket
            if multihop { multihopReceiveError = nil } else { receiveError = nil }
        } catch {
            if multihop { multihopReceiveError = "\(error)" } else { receiveError = "\(error)" }
            logger.error("cannot receive BFD\(multihop ? " multihop" : "") on \(host): \(error)")
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

    func drop(_ from: IPAddress?, _ why: @autoclosure () -> String, authentication: Bool = false) {
        droppedPackets += 1
        if let from {
            droppedBy[from, default: 0] += 1
            entries[from]?.noteDrop(why(), authentication: authentication)
        }
        logger.debug("BFD packet from \(from.map { "\($0)" } ?? "?") dropped: \(why())")
    }

    /// One received datagram: RFC 5881 §5 / RFC 5883 §5 TTL check, RFC 5880 §6.8.6 decode
    /// and demultiplexing, the §6.7.4 digest; `multihop` when it came to the multihop port.
    func received(_ bytes: [UInt8], from: SocketAddress, ttl: Int?, multihop: Bool = false) {
        let source = from.ipAddress
        // RFC 5881 §5: "If BFD authentication is not in use on a session, all BFD Control
        // packets for the session MUST be sent with a Time to Live (TTL) or Hop Limit value
        // of 255. All received BFD Control packets that are demultiplexed to the session
        // MUST be discarded if the received TTL or Hop Limit is not equal to 255."
        // (Checked for every single hop packet, authenticated or not, as BIRD and FRR do.)
        if !multihop {
            guard ttl == Int(BFDManager.ttl) else { return drop(source, "TTL \(ttl.map(String.init) ?? "unknown") is not 255 (RFC 5881 §5)") }
        }
        let packet: BFDControlPacket
        do { packet = try BFDControlPacket(decoding: bytes) } catch { return drop(source, "\(error)") }
        // RFC 5880 §6.8.6: "If the Your Discriminator field is nonzero, it MUST be used to
        // select the session ... If no session is found, the packet MUST be discarded."
        // "If the Your Discriminator field is zero and the State field is not Down or
        // AdminDown, the packet MUST be discarded." Zero: selected by source address
        // (RFC 5883 §4: "by source address" among the multihop sessions, as BIRD and FRR).
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
        // The packet must come from the session's neighbour, on the port of its kind.
        guard source == peer, let entry = entries[peer] else {
            return drop(source, "discriminator of \(peer)'s session from another address")
        }
        guard entry.multihop == multihop else {
            return drop(source, multihop ? "multihop packet (port 4784) for a single hop session" : "single hop packet (port 3784) for a multihop session")
        }
        // RFC 5883 §5: the configured minimum TTL, if any.
        if multihop, let minimum = entry.settings.minimumTTL {
            guard let ttl, ttl >= minimum else {
                return drop(source, "TTL \(ttl.map(String.init) ?? "unknown") is below the minimum \(minimum) (RFC 5883 §5)")
            }
        }
        // RFC 5880 §6.7.4: "the received hash is saved, the Auth Key/Hash field is replaced
        // with the Auth Key ... If the two are not equal, the packet MUST be discarded."
        // (The A bit, type, key ID and sequence rules are the session's.)
        if let auth = entry.settings.authentication, packet.authentication != nil,
           !BFDControlPacket.verifySHA1(bytes, key: auth.key) {
            return drop(source, BFDDiscardReason.digestMismatch.description, authentication: true)
        }
        entry.received += 1
        entry.remoteDiagnostic = packet.diagnostic
        perform(entry.session.handle(.received(packet), now: now), entry, peer)
    }
}

extension BFDAuthenticationSettings.AuthType {
    /// The RFC 5880 Auth Type.
    var wire: BFDAuthentication.AuthType {
        switch self {
        case .keyedSHA1: .keyedSHA1
        case .meticulousKeyedSHA1: .meticulousKeyedSHA1
        }
    }
}
