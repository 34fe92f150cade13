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
import Cluster
import Observability

/// One node (the composition root of `tern run`): owns the configuration and its reload, the
/// control socket, the workload store, and the wiring from the BGP speaker (``BGPSpeaker``,
/// on this serial event loop) to the dataplane agent (on its own queue; docs/ARCHITECTURE.md).
/// The speaker hands the RIB's kernel route decisions to the node as a ``RouteSink``.
public final class Node: @unchecked Sendable {
    let loop: EventLoop
    var logger: Logger
    /// The configuration the node runs: ``fileConfig`` plus the datastore's resources.
    public internal(set) var config: TernConfig
    /// The configuration file's settings (re-read on SIGHUP).
    var fileConfig: TernConfig
    /// The datastore agent (nil without a datastore), its last state, the problems with
    /// its resources already logged.
    var cluster: ClusterAgent?
    var clusterState: ClusterAgent.State?
    var clusterProblems: Set<String> = []
    /// Where the configuration came from (re-read on SIGHUP).
    let configPath: String?
    /// Peers, listener and RIB.
    let speaker: BGPSpeaker
    /// The RIB, read-only (`tern routes`, `tern status`).
    var rib: RIB { speaker.rib }
    var control: UnixSocketServer?
    var controlConnections: [ObjectIdentifier: UnixSocketConnection] = [:]
    /// Answers being streamed, and the requests waiting behind them, per connection.
    var routeStreams: [ObjectIdentifier: RouteStream] = [:]
    var queuedControlLines: [ObjectIdentifier: [String]] = [:]
    /// The one sort of the table's prefixes in flight for `tern routes` answers (see
    /// ``RouteStream``): requests that arrive while it runs wait for it instead of sorting again.
    var prefixSort: SharedPrefixSort?
    /// Routes encoded per loop turn while streaming `tern routes`, and the seconds a control
    /// client may leave its answer unread before it is dropped (tests lower both).
    var routeStreamChunk = 2000
    var controlStallTimeout: UInt64 = 30
    private var signals: SignalSource?
    /// The kernel side (nil when disabled or when it could not start: see `dataplaneError`).
    var dataplane: DataplaneAgent?
    /// NetworkPolicy enforcement (nftables), when policies are enforced.
    var policy: PolicyManager?
    var dataplaneError: String?
    /// Workloads added with `tern workload add` (kept in `workloadStatePath`).
    var dynamicWorkloads: [String: DynamicWorkload] = [:]
    /// Entries of the workload state file that failed validation: logged at start and
    /// written back unchanged by every save, so a bad entry is never dropped silently.
    var rejectedWorkloadEntries: [ControlProtocol.Workload] = []
    /// Workload addresses outside our blocks that we originate as host routes.
    var originatedBorrowed: Set<IPPrefix> = []
    /// A SIGHUP reload is being parsed off the loop; another arrived meanwhile; what waits
    /// for them (tests).
    var reloadInProgress = false
    var reloadAgain = false
    var reloadCallbacks: [@Sendable () -> Void] = []
    /// Metrics and health (``startObservability()``): the families, the two HTTP servers,
    /// the loop lag probe, when the node started (loop clock).
    let metrics = MetricsExporter()
    var metricsServer: HTTPServer?
    var healthServer: HTTPServer?
    var lagProbe: LoopLagProbe?
    var startedAt: UInt64 = 0
    /// Called (on the loop) when the speaker has shut down; the process exits with the code.
    public var onExit: ((Int32) -> Void)?

    /// A node for `config`; call ``start()`` on the loop.
    public init(config: TernConfig, configPath: String?, loop: EventLoop, logger: Logger) {
        var config = config
        if config.ipv6NextHop == nil, case .v6(let a)? = HostIdentity.bgpAddresses(config).ipv6?.address { config.ipv6NextHop = a }
        self.config = config
        self.fileConfig = config
        self.configPath = configPath
        self.loop = loop
        self.logger = logger
        speaker = BGPSpeaker(config: Node.speakerConfig(config), loop: loop, logger: logger)
        speaker.sink = self
    }

    /// The speaker's settings of `config`: AS, router ID, cluster ID when we reflect, the
    /// listen address, and whether the dataplane keeps kernel routes across our restarts.
    static func speakerConfig(_ config: TernConfig) -> SpeakerConfig {
        SpeakerConfig(localAS: config.asNumber, routerID: config.routerID, clusterID: config.reflectorClusterID,
                      listenAddress: config.listenAddress, listenPort: config.listenPort,
                      forwardingStatePreserved: config.dataplaneEnabled, enforceFirstAS: config.enforceFirstAS,
                      ipv6NextHop: config.ipv6NextHop)
    }

    // MARK: - Lifecycle

    /// Binds the BGP and control sockets, originates the node's blocks and starts every peer.
    /// Call on the loop. Throws when the control socket cannot be opened (the BGP port is
    /// retried: see ``BGPSpeaker/listenerError``).
    public func start() throws {
        loop.assertOnLoop()
        startedAt = loop.now
        speaker.start()
        try openControlSocket()
        startObservability()
        signals = try SignalSource(signals: [SIGHUP, SIGTERM, SIGINT], on: loop) { [weak self] signal in
            guard let self else { return }
            switch signal {
            case SIGHUP: self.reload()
            case SIGTERM: self.shutdown(reason: "SIGTERM", keepForwarding: true)
            default: self.shutdown(reason: "SIGINT")
            }
        }
        speaker.originate(config.blocks)
        loadWorkloads()
        for pc in config.effectivePeers { speaker.addPeer(pc) }
        startDataplane()
        if dataplane == nil { applyWorkloads() }
        startCluster()
        logger.info("tern started", metadata: [
            "node": "\(config.nodeName)", "as": "\(config.asNumber)", "routerID": "\(config.routerID)",
            "listen": "\(speaker.listenAddress.map { "\($0)" } ?? "-")", "peers": "\(speaker.peerCount)",
        ])
    }

    /// Stops the node and calls ``onExit``. Kernel routes are left alone either way.
    /// - `keepForwarding` (SIGTERM: a restart, an upgrade, a rescheduled pod): the sessions
    ///   are closed without a NOTIFICATION, so peers keep our routes as stale for our
    ///   graceful-restart time (RFC 4724 §4.2; at most min(120 s, hold time)) and traffic
    ///   keeps flowing until we are back.
    /// - otherwise (SIGINT: stop for good): Cease 2 (Administrative Shutdown, RFC 4486/9003)
    ///   to every peer, which withdraws our routes at once.
    public func shutdown(reason: String, keepForwarding: Bool = false) {
        // The agent first: it runs on its own queue, so the withdrawals of the peers being
        // stopped would otherwise reach the kernel. Routes stay: forwarding survives the restart.
        dataplane?.stop()
        policy?.stop()
        cluster?.stop(revokeLease: !keepForwarding)
        if keepForwarding {
            logger.info("shutting down (\(reason)) for a restart: sessions closed without NOTIFICATION, peers keep our routes (graceful restart)")
            speaker.stopForRestart()
        } else {
            logger.info("shutting down (\(reason)): Cease 2 to every peer")
            speaker.stop(NotificationMessage.cease(NotificationCode.Cease.administrativeShutdown,
                                                   communication: "tern shutting down"))
        }
        control?.close()
        stopObservability()
        signals?.cancel()
        // Let the kernel push the NOTIFICATIONs out before the process ends.
        loop.queue.asyncAfter(deadline: .now() + .milliseconds(200)) { [weak self] in
            self?.onExit?(0)
        }
    }
}

// MARK: - Speaker → dataplane

extension Node: RouteSink {
    public func fibChanged(_ changes: [FIBChange]) { programDataplane(changes) }
    public func staleRoutesMayGo() { dataplane?.allowStaleRemoval() }
}
