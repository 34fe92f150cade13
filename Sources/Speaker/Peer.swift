import BGPSession
import BGPWire
import DequeModule
import EventLoop
import Foundation
import Logging
import Model

/// One configured BGP neighbour: up to two TCP connections (RFC 4271 §6.8 collision
/// handling), each driven by its own pure ``SessionMachine``; this class performs the
/// machines' actions on real sockets and timers. Confined to the event loop's queue (hence
/// `@unchecked Sendable`: every access happens there). Owned by ``BGPSpeaker``.
final class Peer: @unchecked Sendable {
    /// The configuration this peer runs with.
    var config: PeerSpec
    let sessionConfig: SessionConfig
    weak var delegate: PeerDelegate?
    let loop: EventLoop
    var logger: Logger
    private let localBind: SocketAddress?

    /// The main connection and, during a collision, a second one.
    private(set) var main: Slot
    private var other: Slot?

    /// Encoded UPDATEs waiting for room in the socket's output buffer (bounded by the table
    /// size; the send hold timer ends a peer that stops reading, RFC 9687).
    private var outQueue = Deque<[UInt8]>()

    // MARK: Status for `tern status`
    private(set) var stateSince = Date()
    var lastError: PeerFailure?
    private(set) var isEstablished = false
    private(set) var prefixesSent = 0
    /// UPDATE messages received and queued for sending, and Established sessions that went
    /// down, since the peer was added (the metrics' counters).
    private(set) var updatesReceived = 0
    private(set) var updatesSent = 0
    private(set) var flaps = 0
    /// What the last Established session negotiated (graceful restart, families).
    private(set) var negotiated: NegotiatedCapabilities?
    private var lastReportedState: SessionState = .idle
    /// The prefix limit (RFC 4486), nil without `maxPrefixes`.
    var maxPrefix: MaxPrefixGuard?
    var maxPrefixTimer: LoopTimer?
    /// When the last "TCP-MD5 is configured" hint was logged (loop nanoseconds).
    var md5HintLoggedAt: UInt64?

    /// One connection and the machine that drives it.
    final class Slot: @unchecked Sendable {
        var machine: SessionMachine
        var connection: TCPConnection?
        var framer = MessageFramer()
        let origin: ConnectionOrigin
        var timer: LoopTimer?
        var closedByUs = false

        init(machine: SessionMachine, origin: ConnectionOrigin) {
            self.machine = machine
            self.origin = origin
        }
    }

    init(config: PeerSpec, session: SessionConfig, localBind: SocketAddress?, loop: EventLoop, logger: Logger) throws {
        self.config = config
        self.sessionConfig = session
        self.loop = loop
        self.localBind = localBind
        var logger = logger
        logger[metadataKey: "peer"] = "\(config.endpoint)"
        self.logger = logger
        main = Slot(machine: try SessionMachine(config: session), origin: .local)
        maxPrefix = config.maxPrefixes.map(MaxPrefixGuard.init)
    }

    /// The RFC 4271 state of the session that speaks for this peer.
    var state: SessionState { main.machine.state }

    /// The negotiated view of the peer's OPEN, once established.
    var peerOpen: OpenMessage? { main.machine.peerOpen }

    // MARK: - Control

    /// ManualStart (RFC 4271 §8.1.2).
    func start() {
        feed(.manualStart, to: main)
    }

    /// ManualStop with a Cease NOTIFICATION (e.g. 6/2 shutdown, 6/3 deconfigured).
    func stop(_ notification: NotificationMessage?) {
        maxPrefixTimer?.cancel()
        if let o = other { feed(.manualStop(notification), to: o); discard(o) }
        feed(.manualStop(notification), to: main)
        main.timer?.cancel()
    }

    /// Ends the sessions for a restart of this process: the connections are closed with no
    /// NOTIFICATION, so a peer that negotiated graceful restart keeps our routes as stale
    /// for our restart time (RFC 4724 §4.2) and forwarding goes on. Nothing is reported to
    /// the delegate (the process is about to exit).
    func abandonForRestart() {
        delegate = nil
        maxPrefixTimer?.cancel()
        for slot in [main] + (other.map { [$0] } ?? []) { discard(slot) }
        outQueue.removeAll()
    }

    /// BFD says the neighbour is gone (RFC 5882 §4.1; RFC 9384). Established sessions only.
    /// - not `graceful`: NOTIFICATION Cease 10 "BFD Down" (RFC 9384 §3; it may not get
    ///   through, the link being dead) and the connection closed: the session ends with a
    ///   NOTIFICATION sent, so its routes are withdrawn at once even when graceful restart
    ///   was negotiated (RFC 8538 §4 would keep them only without one); then the session
    ///   starts again (the peer may come back).
    /// - `graceful`: the connection is closed without NOTIFICATION, as a TCP failure: a
    ///   peer that negotiated graceful restart keeps its routes as stale for its restart
    ///   time (RFC 4724 §4.2), as BIRD's `bfd graceful`.
    func bfdDown(graceful: Bool) {
        guard isEstablished else { return }
        if let o = other { discard(o) }
        if graceful {
            logger.warning("BFD down: closing the session as a graceful restart")
            closeConnection(main)
            feed(.tcpConnectionFails, to: main)
        } else {
            logger.warning("BFD down: closing the session (Cease 10, BFD Down) and withdrawing its routes")
            feed(.manualStop(NotificationMessage(code: NotificationCode.cease, subcode: NotificationCode.Cease.bfdDown)), to: main)
            loop.execute { [weak self] in
                guard let self, self.main.machine.state == .idle, !self.main.machine.isEnabled else { return }
                self.feed(.manualStart, to: self.main)
            }
        }
    }

    /// An incoming TCP connection from this peer's address (RFC 4271 §8.2.1.1, §6.8).
    func accept(_ connection: TCPConnection) {
        guard admitGTSM(connection) else { return }
        if let ttl = config.ttl(localAS: sessionConfig.localAS) {
            do { try connection.setTTL(ttl) } catch { logger.warning("cannot set TTL \(ttl) on the incoming connection: \(error)") }
        }
        switch main.machine.state {
        case .active:
            attach(connection, to: main)
            feed(.tcpConnectionAccepted, to: main)
        case .idle:
            logger.debug("refusing incoming connection: session is Idle")
            connection.close()
        default:
            if let o = other {
                logger.debug("refusing a third connection")
                _ = o
                connection.close()
                return
            }
            var cfg = sessionConfig
            cfg.passive = true
            guard let machine = try? SessionMachine(config: cfg) else { connection.close(); return }
            let slot = Slot(machine: machine, origin: .remote)
            other = slot
            attach(connection, to: slot)
            feed(.manualStart, to: slot)
            feed(.tcpConnectionAccepted, to: slot)
        }
    }

    /// Queues encoded UPDATEs (whole messages) for an Established session.
    func send(_ messages: [[UInt8]], prefixes: Int = 0) {
        guard isEstablished else { return }
        outQueue.append(contentsOf: messages)
        updatesSent += messages.count
        prefixesSent += prefixes
        flush()
    }

    // MARK: - Driving the machines

    func feed(_ event: SessionEvent, to slot: Slot) {
        let actions = slot.machine.handle(event, now: Instant(nanoseconds: loop.now))
        perform(actions, on: slot)
    }

    private func perform(_ actions: [SessionAction], on slot: Slot) {
        for action in actions {
            switch action {
            case .connect:
                openConnection(slot)
            case .closeConnection:
                // Still in Connect: the retry timer gives up on an unanswered attempt.
                if slot.machine.state == .connect, slot.connection != nil, !isEstablished { logMD5HintIfKeyed() }
                closeConnection(slot)
            case .send(let message):
                write(message.encoded(context: slot.machine.encodeContext), on: slot)
            case .established(let negotiated, let peerOpen, let decodeContext, let encodeContext):
                if slot !== main, let o = other, o === slot {
                    // The second connection won: it becomes the main one.
                    discard(main)
                    main = o
                    other = nil
                }
                isEstablished = true
                self.negotiated = negotiated
                prefixesSent = 0
                outQueue.removeAll()
                lastError = nil
                slot.framer.maxMessageLength = decodeContext.maxMessageLength
                logger.info("session established", metadata: [
                    "as": "\(peerOpen.asNumber)", "id": "\(peerOpen.bgpIdentifier)",
                    "hold": "\(negotiated.holdTime)", "families": "\(negotiated.families.sorted().map(\.description))",
                ])
                delegate?.peerEstablished(self, negotiated: negotiated, peerOpen: peerOpen,
                                          decodeContext: decodeContext, encodeContext: encodeContext,
                                          localAddress: slot.connection?.localAddress?.ipAddress)
            case .deliverUpdate(let decoded):
                updatesReceived += 1
                for issue in decoded.issues { logger.warning("malformed UPDATE: \(issue)") }
                delegate?.peer(self, received: decoded)
            case .deliverRouteRefresh(let rr):
                delegate?.peer(self, requestedRefresh: rr)
            case .sessionDown(let reason, let sent, let received):
                if isEstablished { flaps += 1 }
                isEstablished = false
                outQueue.removeAll()
                lastError = received.map(PeerFailure.notificationReceived) ?? sent.map(PeerFailure.notificationSent) ?? .down(reason)
                // RFC 4724 §4.2: the TCP session ended (no NOTIFICATION either way) and the
                // peer advertised graceful restart: its routes are kept for its restart time.
                let gr = sent == nil && received == nil ? negotiated?.peerGracefulRestart?.restartTime : nil
                // RFC 9494 §4.2: with LLGR negotiated the routes then stay as LLGR_STALE (at
                // once when the peer sent no GR capability: restart time 0). Also when the
                // peer went silent (we sent Hold Timer Expired): a powered-off reflector
                // (calico#9259) is exactly the case LLGR is for.
                let silent = received == nil && (sent == nil || sent?.code == NotificationCode.holdTimerExpired)
                let llgr = silent ? negotiated?.longLivedStaleTime.flatMap { $0 > 0 ? $0 : nil } : nil
                logger.warning("session down: \(reason)\(gr.map { "; keeping its routes as stale for up to \($0) s (graceful restart)" } ?? "")\(llgr.map { "; then as LLGR_STALE for up to \($0) s (long-lived graceful restart)" } ?? "")")
                delegate?.peerWentDown(self, reason: reason, gracefulRestartTime: gr, longLivedStaleTime: llgr)
                if gr != nil || llgr != nil {
                    // The peer is restarting and we keep its routes for its restart time:
                    // do not hold the session back (idle-hold back-off, 5-30 s) or the
                    // restart time runs out first. Start again right away; the connect-retry
                    // timer still paces the attempts.
                    loop.execute { [weak self] in
                        guard let self, self.main.machine.state == .idle, self.main.machine.isEnabled else { return }
                        self.feed(.automaticStart, to: self.main)
                    }
                }
            }
        }
        if slot.machine.state == .idle, let error = slot.machine.lastError, !isEstablished {
            lastError = .session(error)
        }
        noteState()
        rearm(slot)
    }

    private func noteState() {
        if main.machine.state != lastReportedState {
            lastReportedState = main.machine.state
            stateSince = Date()
        }
    }

    private func rearm(_ slot: Slot) {
        guard let deadline = slot.machine.nextDeadline else {
            slot.timer?.cancel()
            return
        }
        if slot.timer == nil {
            slot.timer = LoopTimer(on: loop) { [weak self, weak slot] in
                guard let self, let slot else { return }
                // Before a timer decides from silence (hold timer, RFC 4271 §8.2.2 event 10),
                // read what the socket already holds, as BIRD and FRR do: after a stall of our
                // loop the peer's KEEPALIVEs may be waiting there (issue 11, item 5).
                slot.connection?.readPending()
                let actions = slot.machine.advance(to: Instant(nanoseconds: self.loop.now))
                self.perform(actions, on: slot)
            }
        }
        slot.timer?.arm(at: deadline.nanoseconds)
    }

    /// Stops reading the main connection (tests: the peer's messages then wait in the socket).
    func pauseReadingForTesting() { main.connection?.pauseReading() }

    // MARK: - Sockets

    private func openConnection(_ slot: Slot) {
        closeConnection(slot)
        let target = SocketAddress(config.address, port: config.port)
        do {
            // RFC 4271 leaves it open; as BIRD, FRR and GoBGP: eBGP with TTL 1 unless multihop.
            let c = try TCPConnection.connect(to: target, from: localBind, timeout: .seconds(Int(max(1, config.connectRetryTime))),
                                              md5Key: config.password, ttl: config.ttl(localAS: sessionConfig.localAS),
                                              minimumTTL: config.minimumTTL, on: loop)
            attach(c, to: slot)
            c.onConnect = { [weak self, weak slot] in
                guard let self, let slot else { return }
                self.feed(.tcpConnectionConfirmed, to: slot)
            }
        } catch {
            lastError = .connection("\(error)")
            logger.debug("connect failed: \(error)")
            loop.execute { [weak self, weak slot] in
                guard let self, let slot else { return }
                self.feed(.tcpConnectionFails, to: slot)
            }
        }
    }

    private func attach(_ connection: TCPConnection, to slot: Slot) {
        slot.connection = connection
        slot.closedByUs = false
        slot.framer = MessageFramer(maxMessageLength: slot.machine.decodeContext.maxMessageLength)
        connection.onRead = { [weak self, weak slot] bytes in
            guard let self, let slot else { return }
            self.received(bytes, on: slot)
        }
        connection.onClose = { [weak self, weak slot] reason in
            guard let self, let slot, !slot.closedByUs else { return }
            slot.connection = nil
            if case .error(let e) = reason {
                self.lastError = .connection("\(e)")
                self.logMD5HintIfKeyed()
            }
            self.logger.debug("connection closed: \(reason)")
            self.feed(.tcpConnectionFails, to: slot)
        }
        connection.onWritable = { [weak self, weak slot] in
            guard let self, let slot else { return }
            if slot === self.main { self.flush() }
            let drained = slot.connection?.bufferedBytes == 0
            self.feed(.writeProgress(drained: drained), to: slot)
        }
    }

    private func closeConnection(_ slot: Slot) {
        guard let c = slot.connection else { return }
        slot.closedByUs = true
        slot.connection = nil
        c.close()
    }

    private func discard(_ slot: Slot) {
        closeConnection(slot)
        slot.timer?.cancel()
        slot.timer = nil
        if other === slot { other = nil }
    }

    private func write(_ bytes: [UInt8], on slot: Slot) {
        guard let c = slot.connection else { return }
        if !c.write(bytes) {
            // Over the hard cap: the peer is not reading. RFC 9687 decides when to give up.
            feed(.writeBlocked, to: slot)
        } else if !c.isWritable {
            feed(.writeBlocked, to: slot)
        }
    }

    /// Moves queued UPDATEs into the socket while it accepts more (backpressure).
    private func flush() {
        guard let c = main.connection else { return }
        while let next = outQueue.first, c.isWritable {
            guard c.write(next) else { break }
            outQueue.removeFirst()
        }
        if !outQueue.isEmpty || !c.isWritable { feed(.writeBlocked, to: main) }
    }

    // MARK: - Receiving

    private func received(_ bytes: [UInt8], on slot: Slot) {
        slot.framer.append(bytes)
        while slot.connection != nil {
            let frame: Frame
            do {
                guard let f = try slot.framer.next() else { return }
                frame = f
            } catch {
                logger.warning("framing error: \(error.reason)")
                feed(.decodeFailed(error), to: slot)
                return
            }
            let decoded: DecodedMessage
            do {
                decoded = try BGPMessage.decode(frame, context: slot.machine.decodeContext)
            } catch {
                logger.warning("malformed \(frame.type): \(error.reason)")
                feed(.decodeFailed(error), to: slot)
                return
            }
            if case .open(let open) = decoded.message, let o = other {
                let (this, that) = slot === o ? (o, main) : (main, o)
                switch CollisionResolver.decide(localID: sessionConfig.localID, localAS: sessionConfig.localAS,
                                                remoteID: open.bgpIdentifier, remoteAS: open.asNumber,
                                                existing: that.origin, existingState: that.machine.state, new: this.origin) {
                case .closeNew:
                    logger.info("connection collision: closing the \(this.origin) connection (Cease 7)")
                    feed(.openCollisionDump, to: this)
                    drop(this)
                    return
                case .closeExisting:
                    logger.info("connection collision: closing the \(that.origin) connection (Cease 7)")
                    feed(.openCollisionDump, to: that)
                    drop(that)
                case .noCollision:
                    drop(that)
                }
            }
            feed(.received(decoded), to: slot)
            slot.framer.maxMessageLength = slot.machine.decodeContext.maxMessageLength
        }
    }

    /// Discards a losing connection; when it was the main one, the other takes its place.
    private func drop(_ slot: Slot) {
        discard(slot)
        if slot === main, let o = other {
            main = o
            other = nil
        }
    }
}
