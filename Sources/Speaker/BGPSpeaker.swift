import BGPSession
import BGPWire
import EventLoop
import IPCore
import Logging
import Model
import RIB

/// The BGP speaker: the configured peers (each with its sessions, RFC 4271 §6.8 collisions
/// included), the listening socket, and the ``RouteEngine`` (RIB, graceful restart,
/// End-of-RIB). It takes a ``SpeakerConfig`` and peer specifications, and hands the RIB's
/// kernel route decisions to a ``RouteSink``; it knows nothing of workloads, state files or
/// the dataplane's configuration.
///
/// Confined to its event loop's queue (hence `@unchecked Sendable`): call everything there.
public final class BGPSpeaker: @unchecked Sendable {
    let loop: EventLoop
    let logger: Logger
    /// The node-level settings in use (replaced by ``reset(config:notification:)``).
    public private(set) var config: SpeakerConfig
    /// Receives kernel route changes and "stale routes may go".
    public weak var sink: RouteSink?
    /// The routing side: events in, FIB changes and messages out.
    var engine: RouteEngine
    var peers: [PeerEndpoint: Peer] = [:]
    var ribIDs: [ObjectIdentifier: PeerID] = [:]
    var peersByRIBID: [PeerID: Peer] = [:]
    /// Fires at the engine's next graceful-restart deadline.
    var restartTimer: LoopTimer?
    var listener: TCPListener?
    private var listenerRetry: LoopTimer?
    /// Connections from unconfigured addresses closed since the last log line about them,
    /// the latest one, and when that line was written (loop nanoseconds): one line per
    /// ``rejectionLogInterval`` at most, however many strangers connect (issue 11, item 1).
    private var rejectedSinceLog = 0
    private var lastRejected: SocketAddress?
    private var rejectionLoggedAt: UInt64?
    private var rejectionTimer: LoopTimer?
    /// Connections from unconfigured addresses closed since the speaker started.
    public private(set) var rejectedConnections = 0
    /// At most one log line about rejected connections per this many nanoseconds (10 s;
    /// tests shorten it).
    var rejectionLogInterval: UInt64 = 10_000_000_000
    /// Why the BGP port is not bound (retried every 5 s), nil while it is.
    public private(set) var listenerError: String?
    /// The BFD driver: one session per neighbour address with BFD on (RFC 5881).
    public let bfd: BFDManager

    /// A speaker with no peers; call ``start()`` on the loop.
    public init(config: SpeakerConfig, loop: EventLoop, logger: Logger) {
        self.config = config
        self.loop = loop
        self.logger = logger
        engine = RouteEngine(config: config.rib)
        bfd = BFDManager(loop: loop, logger: logger, listenAddress: config.specificLocalAddress)
        bfd.onStateChange = { [weak self] peer, from, to, _, remoteAdminDown in
            self?.bfdStateChanged(peer, from: from, to: to, remoteAdminDown: remoteAdminDown)
        }
    }

    /// The RIB, read-only (`tern routes`, `tern status`).
    public var rib: RIB { engine.rib }

    /// How many peers are configured.
    public var peerCount: Int { peers.count }

    /// The bound BGP listening address, nil while it is not bound.
    public var listenAddress: SocketAddress? { listener?.localAddress }

    // MARK: - Lifecycle

    /// Binds the BGP port (see ``listenerError`` when that fails; it is retried every 5 s).
    public func start() {
        loop.assertOnLoop()
        openListenerOrRetry()
    }

    /// Stops every peer with `notification`, closes the listener and the timers. The sink
    /// gets no more changes (stop the dataplane first when its routes must stay).
    public func stop(_ notification: NotificationMessage?) {
        for peer in peers.values {
            peer.delegate = nil
            peer.stop(notification)
        }
        bfd.stop()
        listener?.close()
        listener = nil
        listenerRetry?.cancel()
        restartTimer?.cancel()
        rejectionTimer?.cancel()
    }

    /// Stops for a restart of this process: every connection is closed without a
    /// NOTIFICATION, so peers that negotiated graceful restart with us (Tern always offers
    /// it, restart time min(120 s, hold time)) keep our routes until we are back and have
    /// sent End-of-RIB (RFC 4724 §4.2). The listener and timers close as in ``stop(_:)``.
    public func stopForRestart() {
        for peer in peers.values { peer.abandonForRestart() }
        bfd.stop()
        listener?.close()
        listener = nil
        listenerRetry?.cancel()
        restartTimer?.cancel()
        rejectionTimer?.cancel()
    }

    /// Starts over with new node settings (AS number, router ID or cluster ID changed): every
    /// peer is stopped with `notification` and forgotten, and the RIB is new and empty
    /// (the sink sees the withdrawals). The listener stays bound where it was.
    public func reset(config new: SpeakerConfig, notification: NotificationMessage) {
        for id in Array(peers.keys) { removePeer(id, notification: notification) }
        config = new
        engine = RouteEngine(config: new.rib)
        restartTimer?.cancel()
    }

    /// Binds the BGP port; when that fails (address not configured yet, port in use) logs the
    /// error and retries every 5 s, as BIRD does, instead of exiting: outgoing sessions work
    /// meanwhile, and `tern status` shows the error.
    private func openListenerOrRetry() {
        do {
            let l = try TCPListener(address: SocketAddress(config.listenAddress, port: config.listenPort), on: loop)
            l.onAccept = { [weak self] connection in self?.accepted(connection) }
            l.onError = { [weak self] error in self?.logger.error("listener: \(error)") }
            listener = l
            listenerError = nil
            // GTSM is checked per peer on each SYN's TTL (Peer.admitGTSM).
            do { try l.saveSYNs() } catch { logger.warning("listener: \(error); ttlSecurity is then enforced from the first data segment on") }
            for address in Set(peers.values.map(\.config.address)) { syncMD5Key(for: address) }
        } catch {
            listenerError = "\(error)"
            logger.error("cannot listen for BGP: \(error); retrying every 5 s")
            listenerRetry = LoopTimer(on: loop) { [weak self] in self?.openListenerOrRetry() }
            listenerRetry?.arm(after: .seconds(5))
        }
    }

    /// RFC 4271 §8.2.1.1: a connection is matched to a configured peer by its address;
    /// strangers are closed. Several peers may share one address on different ports (test
    /// set-ups): the one whose session can take a connection wins.
    private func accepted(_ connection: TCPConnection) {
        guard let ip = connection.remoteAddress.ipAddress else { connection.close(); return }
        let candidates = peers.values.filter { $0.config.address == ip }
        guard let peer = candidates.first(where: { $0.state == .active }) ?? candidates.first else {
            connection.close()
            noteRejected(connection.remoteAddress)
            return
        }
        peer.accept(connection)
    }

    /// Counts a connection from a stranger; logs the first at once, then at most one summary
    /// line per ``rejectionLogInterval`` (a flood of connects must not flood the log).
    private func noteRejected(_ address: SocketAddress) {
        rejectedConnections += 1
        rejectedSinceLog += 1
        lastRejected = address
        let now = loop.now
        if let last = rejectionLoggedAt, now &- last < rejectionLogInterval {
            if rejectedSinceLog == 1 {
                // The first of a new interval: report it when the interval ends.
                if rejectionTimer == nil {
                    rejectionTimer = LoopTimer(on: loop) { [weak self] in self?.logRejections() }
                }
                rejectionTimer?.arm(at: last + rejectionLogInterval)
            }
            return
        }
        logRejections()
    }

    private func logRejections() {
        guard rejectedSinceLog > 0, let address = lastRejected else { return }
        if rejectedSinceLog == 1 {
            logger.info("rejected a connection from unconfigured \(address)")
        } else {
            logger.info("rejected \(rejectedSinceLog) connections from unconfigured addresses (latest \(address)); \(rejectedConnections) since start")
        }
        rejectedSinceLog = 0
        rejectionLoggedAt = loop.now
    }

    // MARK: - Peers

    /// Configures and starts a peer. A peer whose session cannot be set up is logged and
    /// left out.
    public func addPeer(_ spec: PeerSpec) {
        do {
            let peer = try Peer(config: spec, session: sessionConfig(for: spec),
                                localBind: config.specificLocalAddress.map { SocketAddress($0, port: 0) },
                                loop: loop, logger: logger)
            peer.delegate = self
            let id = engine.addPeer(PeerRouting(address: spec.address, reflectorClient: spec.routeReflectorClient,
                                                addPathsCount: spec.addPathsCount))
            ribIDs[ObjectIdentifier(peer)] = id
            peersByRIBID[id] = peer
            peers[spec.endpoint] = peer
            syncMD5Key(for: spec.address)
            if let settings = spec.bfd { bfd.add(spec.address, settings: settings, local: config.specificLocalAddress, multihop: settings.isMultihop(ebgpMultihop: spec.ebgpMultihop)) }
            peer.start()
        } catch {
            logger.error("peer \(spec.endpoint) not started: \(error)")
        }
    }

    /// The session settings of a peer: its AS, timers and families, and what we offer.
    func sessionConfig(for spec: PeerSpec) -> SessionConfig {
        var session = SessionConfig(localAS: config.localAS, peerAS: spec.asNumber, localID: config.routerID,
                                    holdTime: spec.holdTime, connectRetryTime: .seconds(Int(spec.connectRetryTime)),
                                    passive: spec.passive, families: spec.families.map(AddressFamily.unicast))
        // RFC 4724 §3: the restart time is RECOMMENDED to be below the hold time, so a node
        // that dies and does not come back is withdrawn by its peers within about the hold
        // time (120 s at most), while a restart within that time keeps forwarding.
        let restartTime = spec.holdTime == 0 ? 120 : min(120, spec.holdTime)
        session.gracefulRestart = GracefulRestartConfig(restartTime: restartTime,
                                                        forwardingStatePreserved: config.forwardingStatePreserved)
        session.longLivedStaleTime = spec.longLivedStaleTime   // RFC 9494, nil: off
        session.routeRefresh = true
        // RFC 7911: offered for every family of the peer; the RIB sends several paths where
        // send is negotiated (`PeerDescriptor.addPathLimit`).
        let mode = AddPathMode(rawValue: spec.addPaths.rawValue) ?? .none
        if mode != .none {
            session.addPath = Dictionary(uniqueKeysWithValues: spec.families.map { (AddressFamily.unicast($0), mode) })
        }
        session.enhancedRouteRefresh = true
        return session
    }

    /// Stops a peer with `notification`, forgets it and withdraws what it had sent.
    public func removePeer(_ endpoint: PeerEndpoint, notification: NotificationMessage) {
        guard let peer = peers.removeValue(forKey: endpoint) else { return }
        peer.delegate = nil
        peer.stop(notification)
        releaseBFD(spec: peer.config)
        syncMD5Key(for: peer.config.address)
        if let rid = ribIDs.removeValue(forKey: ObjectIdentifier(peer)) {
            perform(route: .removed(rid))
            peersByRIBID[rid] = nil
        }
    }

    func ribID(of peer: Peer) -> PeerID? { ribIDs[ObjectIdentifier(peer)] }

    /// Every configured peer, in address order (IPv4 before IPv6, numerically), then port.
    public func peerStatuses() -> [PeerStatus] {
        peers.values.sorted { ($0.config.address, $0.config.port) < ($1.config.address, $1.config.port) }.map { p in
            let id = ribID(of: p)
            let counts = id.map { rib.prefixCount(from: $0) } ?? (received: 0, accepted: 0)
            return PeerStatus(spec: p.config, state: p.state, since: p.stateSince, lastError: p.lastError,
                              prefixesReceived: counts.received, prefixesAccepted: counts.accepted,
                              prefixesSent: id.map { rib.advertisedCount(to: $0) } ?? 0,
                              prefixesRejected: id.map { rib.rejectedCounts(from: $0) } ?? [:],
                              bfd: p.config.bfd == nil ? nil : bfd.status(of: p.config.address),
                              maxPrefixes: p.maxPrefix.map { g in
                                  let c = id.map { rib.acceptedCounts(from: $0) } ?? (v4: 0, v6: 0)
                                  return MaxPrefixStatus(guard: g, received: [.v4: c.v4, .v6: c.v6], restartAt: g.restartAt.map(wallClock))
                              },
                              md5Diagnosis: p.config.password != nil && !p.isEstablished && p.maxPrefix?.tripped != true
                                  ? TCPMD5Counters.diagnosis() : nil,
                              longLivedGracefulRestart: llgrStatus(of: p, id: id))
        }
    }

    /// RFC 9494 for `tern status`: nil when we do not offer LLGR and the peer is not stale.
    func llgrStatus(of p: Peer, id: PeerID?) -> LLGRStatus? {
        let stale = id.map { engine.longLivedStalePeers.contains($0) } ?? false
        let time = p.negotiated?.longLivedStaleTime
        guard p.config.longLivedStaleTime != nil || stale else { return nil }
        return LLGRStatus(configuredStaleTime: p.config.longLivedStaleTime, negotiated: time != nil,
                          staleTime: time, stale: stale)
    }

    /// Peers whose routes are kept as stale while they restart (RFC 4724): readiness waits
    /// for none during its grace period, as calico-node's `-bird-ready` does.
    public var gracefulRestartsInProgress: Int { engine.restartingPeers.count }

    /// ``peerStatuses()`` with the counters the metrics add: per-family received and
    /// accepted prefixes, UPDATEs, flaps. Cheap: counters kept, no walk over the routes
    /// except the (usually empty) rejected ones.
    public func peerMetrics() -> [PeerStatus] {
        peerStatuses().map { s in
            var s = s
            guard let p = peers[s.spec.endpoint] else { return s }
            s.updatesReceived = p.updatesReceived
            s.updatesSent = p.updatesSent
            s.flaps = p.flaps
            if let id = ribID(of: p) {
                let a = rib.acceptedCounts(from: id)
                var r: [IPFamily: Int] = [.v4: a.v4, .v6: a.v6]
                for nlri in rib.rejected(from: id).keys {
                    if case .v4 = nlri.prefix { r[.v4, default: 0] += 1 } else { r[.v6, default: 0] += 1 }
                }
                s.acceptedByFamily = [.v4: a.v4, .v6: a.v6]
                s.receivedByFamily = r
            } else {
                s.acceptedByFamily = [.v4: 0, .v6: 0]
                s.receivedByFamily = [.v4: 0, .v6: 0]
            }
            return s
        }
    }

    /// Where the paths held under RIB handle `handle` came from.
    public func source(of handle: PeerID) -> PathSource {
        if handle.isLocal { return .local }
        if let peer = peersByRIBID[handle] { return .peer(peer.config.endpoint) }
        if let restarting = engine.restartingPeer(holding: handle), let peer = peersByRIBID[restarting] {
            return engine.longLivedStalePeers.contains(restarting) ? .longLivedStale(peer.config.endpoint)
                : .restarting(peer.config.endpoint)
        }
        return .unknown(handle)
    }
}
