import IPCore
import Model
import BGPSession
import BGPWire
import Config
import Dataplane
import EventLoop
import Foundation
import Logging
import RIB
import TernAPI
import Speaker

/// One node (the composition root of `tern run`): owns the configuration, the peers, the
/// route engine, the listening socket and the control socket on one serial event loop, and
/// the dataplane agent on its own queue (docs/ARCHITECTURE.md). Sessions talk to the engine
/// through ``PeerDelegate``; its changes go out to peers as pre-encoded UPDATEs, one encoding
/// per update group, and to the agent as FIB changes.
public final class Node: @unchecked Sendable {
    let loop: EventLoop
    var logger: Logger
    public internal(set) var config: TernConfig
    /// Where the configuration came from (re-read on SIGHUP).
    let configPath: String?
    /// The routing side (RIB, graceful restart, End-of-RIB): events in, FIB changes and
    /// messages out; this class performs them on sockets and the dataplane.
    var engine: RouteEngine
    /// The RIB, read-only (`tern routes`, `tern status`).
    var rib: RIB { engine.rib }
    var peers: [PeerEndpoint: Peer] = [:]
    var ribIDs: [ObjectIdentifier: PeerID] = [:]
    var peersByRIBID: [PeerID: Peer] = [:]
    /// Fires at the engine's next graceful-restart deadline.
    var restartTimer: LoopTimer?
    var listener: TCPListener?
    /// Why the BGP port is not bound (retried every 5 s), for logs and `tern status`.
    var listenerError: String?
    private var listenerRetry: LoopTimer?
    var control: UnixSocketServer?
    var controlConnections: [ObjectIdentifier: UnixSocketConnection] = [:]
    private var signals: SignalSource?
    /// The kernel side (nil when disabled or when it could not start: see `dataplaneError`).
    var dataplane: DataplaneAgent?
    var dataplaneError: String?
    /// Workloads added with `tern workload add` (kept in `workloadStatePath`).
    var dynamicWorkloads: [String: Model.Workload] = [:]
    /// Entries of the workload state file that failed validation: logged at start and
    /// written back unchanged by every save, so a bad entry is never dropped silently.
    var rejectedWorkloadEntries: [ControlProtocol.Workload] = []
    /// Workload addresses outside our blocks that we originate as host routes.
    var originatedBorrowed: Set<IPPrefix> = []
    /// Called (on the loop) when the speaker has shut down; the process exits with the code.
    public var onExit: ((Int32) -> Void)?

    /// A speaker for `config`; call ``start()`` on the loop.
    public init(config: TernConfig, configPath: String?, loop: EventLoop, logger: Logger) {
        self.config = config
        self.configPath = configPath
        self.loop = loop
        self.logger = logger
        engine = RouteEngine(config: Node.ribConfig(config))
    }

    /// The RIB settings of `config`: AS, router ID, and the cluster ID when we reflect.
    static func ribConfig(_ config: TernConfig) -> RIBConfig {
        RIBConfig(localAS: config.asNumber, routerID: config.routerID, clusterID: config.reflectorClusterID)
    }

    // MARK: - Lifecycle

    /// Binds the BGP and control sockets, originates the node's blocks and starts every peer.
    /// Call on the loop. Throws when a socket cannot be opened (address in use, permissions).
    public func start() throws {
        loop.assertOnLoop()
        openListenerOrRetry()
        try openControlSocket()
        signals = try SignalSource(signals: [SIGHUP, SIGTERM, SIGINT], on: loop) { [weak self] signal in
            guard let self else { return }
            if signal == SIGHUP { self.reload() } else { self.shutdown(reason: signal == SIGTERM ? "SIGTERM" : "SIGINT") }
        }
        originate(config.blocks)
        loadWorkloads()
        for pc in config.effectivePeers { addPeer(pc) }
        startDataplane()
        if dataplane == nil { applyWorkloads() }
        logger.info("tern started", metadata: [
            "node": "\(config.nodeName)", "as": "\(config.asNumber)", "routerID": "\(config.routerID)",
            "listen": "\(listener.map { "\($0.localAddress)" } ?? "-")", "peers": "\(peers.count)",
        ])
    }

    /// Sends Cease 2 (Administrative Shutdown, RFC 4486/9003) to every peer, closes the sockets
    /// and calls ``onExit``. Kernel routes are left alone (see the dataplane issue).
    public func shutdown(reason: String) {
        logger.info("shutting down (\(reason)): Cease 2 to every peer")
        let notification = NotificationMessage.cease(NotificationCode.Cease.administrativeShutdown,
                                                     communication: "tern shutting down")
        // The agent first: it runs on its own queue, so the withdrawals of the peers being
        // stopped would otherwise reach the kernel. Routes stay: forwarding survives the restart.
        dataplane?.stop()
        for peer in peers.values { peer.stop(notification) }
        listener?.close()
        listenerRetry?.cancel()
        control?.close()
        signals?.cancel()
        // Let the kernel push the NOTIFICATIONs out before the process ends.
        loop.queue.asyncAfter(deadline: .now() + .milliseconds(200)) { [weak self] in
            self?.onExit?(0)
        }
    }

    /// Binds the BGP port; when that fails (address not configured yet, port in use) logs the
    /// error and retries every 5 s, as BIRD does, instead of exiting: outgoing sessions work
    /// meanwhile, and `tern status` shows the error.
    private func openListenerOrRetry() {
        do {
            try openListener()
            listenerError = nil
        } catch {
            listenerError = "\(error)"
            logger.error("cannot listen for BGP: \(error); retrying every 5 s")
            listenerRetry = LoopTimer(on: loop) { [weak self] in self?.openListenerOrRetry() }
            listenerRetry?.arm(after: .seconds(5))
        }
    }

    private func openListener() throws {
        let address = SocketAddress(config.listenAddress, port: config.listenPort)
        let l = try TCPListener(address: address, on: loop)
        l.onAccept = { [weak self] connection in self?.accepted(connection) }
        l.onError = { [weak self] error in self?.logger.error("listener: \(error)") }
        listener = l
    }

    private func accepted(_ connection: TCPConnection) {
        guard let ip = connection.remoteAddress.ipAddress else { connection.close(); return }
        // Match the peer by address; several peers may share one address on different ports
        // (test set-ups): prefer the one whose session can take a connection.
        let candidates = peers.values.filter { $0.config.address == ip }
        guard let peer = candidates.first(where: { $0.state == .active }) ?? candidates.first else {
            logger.info("rejecting connection from unconfigured \(connection.remoteAddress)")
            connection.close()
            return
        }
        peer.accept(connection)
    }

    // MARK: - Peers

    func addPeer(_ pc: PeerSpec) {
        var session = SessionConfig(localAS: config.asNumber, peerAS: pc.asNumber, localID: config.routerID,
                                    holdTime: pc.holdTime, connectRetryTime: .seconds(Int(pc.connectRetryTime)),
                                    passive: pc.passive, families: pc.families.map(AddressFamily.unicast))
        // RFC 4724 §3: the restart time is RECOMMENDED to be below the hold time, so a node
        // that dies and does not come back is withdrawn by its peers within about the hold
        // time (120 s at most), while a restart within that time keeps forwarding. The
        // forwarding-state bit is set when the dataplane keeps the kernel routes across our
        // restarts.
        let restartTime = pc.holdTime == 0 ? 120 : min(120, pc.holdTime)
        session.gracefulRestart = GracefulRestartConfig(restartTime: restartTime,
                                                        forwardingStatePreserved: config.dataplaneEnabled)
        session.routeRefresh = true
        // RFC 7911: offered for every family of the peer; the RIB sends several paths where
        // send is negotiated (`PeerDescriptor.addPathLimit`).
        let mode = AddPathMode(rawValue: pc.addPaths.rawValue) ?? .none
        if mode != .none { session.addPath = Dictionary(uniqueKeysWithValues: pc.families.map { (AddressFamily.unicast($0), mode) }) }
        session.enhancedRouteRefresh = true
        let bind: SocketAddress? = {
            switch config.listenAddress {
            case .v4(let a) where a.value != 0: return SocketAddress(config.listenAddress, port: 0)
            case .v6(let a) where a.high != 0 || a.low != 0: return SocketAddress(config.listenAddress, port: 0)
            default: return nil
            }
        }()
        do {
            let peer = try Peer(config: pc, session: session, localBind: bind, loop: loop, logger: logger)
            peer.delegate = self
            let id = engine.addPeer(PeerRouting(address: pc.address, reflectorClient: pc.routeReflectorClient,
                                                addPathsCount: pc.addPathsCount))
            ribIDs[ObjectIdentifier(peer)] = id
            peersByRIBID[id] = peer
            peers[pc.endpoint] = peer
            peer.start()
        } catch {
            logger.error("peer \(pc.endpoint) not started: \(error)")
        }
    }

    /// Stops a peer with `notification`, forgets it and withdraws what it had sent.
    func removePeer(_ id: PeerEndpoint, notification: NotificationMessage) {
        guard let peer = peers.removeValue(forKey: id) else { return }
        peer.delegate = nil
        peer.stop(notification)
        if let rid = ribIDs.removeValue(forKey: ObjectIdentifier(peer)) {
            perform(route: .removed(rid))
            peersByRIBID[rid] = nil
        }
    }

    func ribID(of peer: Peer) -> PeerID? { ribIDs[ObjectIdentifier(peer)] }

    // MARK: - Routes

    func originate(_ blocks: [IPPrefix]) {
        if !blocks.isEmpty { perform(route: .originate(blocks)) }
    }

    func withdrawOriginated(_ blocks: [IPPrefix]) {
        if !blocks.isEmpty { perform(route: .withdrawOriginated(blocks)) }
    }

    /// Hands one event to the route engine and performs what it asks for.
    func perform(route event: RouteEngineEvent) {
        perform(engine.handle(event, now: Instant(nanoseconds: loop.now)))
    }

    /// Kernel route changes to the dataplane, messages to the peers, stale kernel routes
    /// freed after the last End-of-RIB, and the graceful-restart timer re-armed.
    func perform(_ out: RouteEngineOutput) {
        programDataplane(out.fib)
        for send in out.sends { peersByRIBID[send.peer]?.send(send.messages) }
        if out.allPeersSentEndOfRIB { dataplane?.allowStaleRemoval() }
        for id in out.restartTimedOut {
            let who = peersByRIBID[id].map { "\($0.config.endpoint)" } ?? "\(id)"
            logger.warning("peer \(who) did not finish its graceful restart in time: removing its stale routes")
        }
        rearmRestartTimer()
    }

    /// One timer for every restarting peer: at the engine's earliest deadline.
    private func rearmRestartTimer() {
        guard let deadline = engine.nextDeadline else {
            restartTimer?.cancel()
            return
        }
        if restartTimer == nil {
            restartTimer = LoopTimer(on: loop) { [weak self] in
                guard let self else { return }
                self.perform(self.engine.advance(to: Instant(nanoseconds: self.loop.now)))
            }
        }
        restartTimer?.arm(at: deadline.nanoseconds)
    }
}
