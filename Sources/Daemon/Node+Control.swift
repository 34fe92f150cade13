import IPCore
import Model
import BGPWire
import Config
import EventLoop
import Foundation
import RIB
import TernAPI
import Speaker

// MARK: - Control socket (`tern status`, `tern routes`)

extension Node {
    func openControlSocket() throws {
        let server = try UnixSocketServer(path: config.controlSocket, on: loop)
        server.onConnection = { [weak self] connection in
            guard let self else { return }
            let key = ObjectIdentifier(connection)
            self.controlConnections[key] = connection
            connection.onLine = { [weak self, weak connection] line in
                guard let self, let connection else { return }
                self.controlLine(line, on: connection)
            }
            connection.onClose = { [weak self] _ in
                self?.controlConnections[key] = nil
                self?.routeStreams[key] = nil
                self?.queuedControlLines[key] = nil
            }
        }
        server.onError = { [weak self] error in self?.logger.error("control socket: \(error)") }
        control = server
    }

    /// Most lines queued behind a streaming answer on one connection; a client pipelining
    /// more is dropped.
    static let maxQueuedLines = 64

    /// One request line from `connection`, parsed once: a whole-table `routes` is streamed
    /// (``RouteStream``); `fib` and IPAM are answered from other queues; the rest at once.
    /// Requests that arrive while an answer streams wait for it, in order.
    func controlLine(_ line: String, on connection: UnixSocketConnection) {
        let key = ObjectIdentifier(connection)
        if routeStreams[key] != nil {
            queuedControlLines[key, default: []].append(line)
            if queuedControlLines[key]!.count > Node.maxQueuedLines {
                logger.warning("control client sent more than \(Node.maxQueuedLines) requests while an answer was streaming: dropped")
                dropControlConnection(connection)
            }
            return
        }
        let reply = { [weak self, weak connection] (response: ControlProtocol.Response) in
            guard let self, let connection, !connection.isClosed else { return }
            self.send(response, on: connection)
        }
        guard let request = try? ControlProtocol.parse(ControlProtocol.Request.self, from: line) else {
            return reply(.failure(.badRequest, "not a JSON request: \(line.prefix(80))"))
        }
        switch request.validated() {
        case .failure(let error):
            reply(.failure(error))
        case .success(.routes) where request.prefix == nil && request.rejected != true:
            streamRoutes(on: connection)
        case .success(.fib):
            fibRows(reply)
        case .success(.ipamAllocate), .success(.ipamRelease), .success(.ipamGC):
            ipam(request, reply: reply)
        case .success(let command) where [.policyList, .policyExplain, .policyDataplane].contains(command):
            policyCommand(command, request, reply: reply)
        case .success(let command):
            reply(handle(command, request))
        }
    }

    /// Streams the whole table to `connection`; what it sent meanwhile is answered after.
    private func streamRoutes(on connection: UnixSocketConnection) {
        let key = ObjectIdentifier(connection)
        let stream = RouteStream(node: self, connection: connection, chunk: routeStreamChunk,
                                 stallTimeout: controlStallTimeout)
        routeStreams[key] = stream
        stream.onFinish = { [weak self, weak connection] in
            guard let self else { return }
            self.routeStreams[key] = nil
            let queued = self.queuedControlLines.removeValue(forKey: key) ?? []
            guard let connection, !connection.isClosed else { return }
            for next in queued { self.controlLine(next, on: connection) }
        }
        stream.start()
    }

    /// Sends one answer line; one over the connection's buffer cap becomes an error line
    /// (never silence), and when even that cannot go, the connection is dropped.
    private func send(_ response: ControlProtocol.Response, on connection: UnixSocketConnection) {
        let line = (try? ControlProtocol.line(response))
            ?? #"{"apiVersion":1,"ok":false,"error":{"code":"internalError","message":"could not encode the response"}}"#
        guard !connection.send(line: line) else { return }
        let refusal = ControlProtocol.Response.failure(.internalError,
            "the answer (\(line.utf8.count) bytes) does not fit this connection's buffer; nothing was sent")
        if let text = try? ControlProtocol.line(refusal), connection.send(line: text) { return }
        logger.warning("control answer of \(line.utf8.count) bytes could not be sent: connection closed")
        dropControlConnection(connection)
    }

    /// Closes `connection` and forgets it (``UnixSocketConnection/close()`` runs no `onClose`).
    func dropControlConnection(_ connection: UnixSocketConnection) {
        let key = ObjectIdentifier(connection)
        connection.close()
        controlConnections[key] = nil
        routeStreams[key] = nil
        queuedControlLines[key] = nil
    }

    func handle(_ command: ControlProtocol.Command, _ request: ControlProtocol.Request) -> ControlProtocol.Response {
        switch command {
        case .status:
            return ControlProtocol.Response(ok: true, status: status())
        case .routes:
            if request.rejected == true {
                var r = ControlProtocol.Response(ok: true)
                r.rejected = speaker.rejectedPaths().map {
                    ControlProtocol.RejectedPath(prefix: $0.nlri.prefix.description, pathID: $0.nlri.pathID,
                                                 peer: $0.peer.port == 179 ? $0.peer.address.description : $0.peer.description,
                                                 reason: $0.reason.rawValue)
                }
                return r
            }
            // The whole table is streamed by `controlLine`; here one prefix.
            guard let text = request.prefix, let prefix = IPPrefix(text) else {
                return .failure(.invalid, "'\(request.prefix ?? "")' is not a prefix (CIDR)")
            }
            return ControlProtocol.Response(ok: true, routes: rib.route(for: prefix).map { [route($0)] } ?? [])
        case .workloadAdd:
            guard let w = request.workload else { return .failure(.badRequest, "workload-add needs a workload") }
            return addWorkload(w)
        case .workloadDelete:
            guard let w = request.workload, !w.name.isEmpty else { return .failure(.badRequest, "workload-del needs a name") }
            return deleteWorkload(w)
        case .workloadList:
            return ControlProtocol.Response(ok: true, workloads: listWorkloads())
        case .fib, .ipamAllocate, .ipamRelease, .ipamGC, .policyList, .policyExplain, .policyDataplane:
            return .failure(.internalError, "\(command.rawValue) is answered asynchronously")
        case .bfd:
            return ControlProtocol.Response(ok: true, bfd: bfdSessions())
        }
    }

    func status() -> ControlProtocol.Status {
        let rows = speaker.peerStatuses().map { p in
            let state = p.state.description
            return ControlProtocol.Peer(
                address: p.spec.address.description, port: p.spec.port, asNumber: p.spec.asNumber,
                type: p.spec.displayType, state: ControlProtocol.SessionState(rawValue: state) ?? .idle,
                since: LogTime.iso8601(p.since),
                prefixesReceived: p.prefixesReceived, prefixesAccepted: p.prefixesAccepted, prefixesSent: p.prefixesSent,
                prefixesRejected: p.prefixesRejected.isEmpty ? nil
                    : Dictionary(uniqueKeysWithValues: p.prefixesRejected.map { ($0.key.rawValue, $0.value) }),
                lastError: p.lastError.map(Node.apiError),
                info: (p.lastError.map { "\(state): \($0)" } ?? state) + (p.md5Diagnosis.map { "; \($0)" } ?? ""),
                bfd: p.bfd.map(Node.apiPeerBFD),
                maxPrefixes: p.maxPrefixes.map { m in
                    ControlProtocol.PeerMaxPrefixes(
                        limit: m.settings.limit, warningPercent: m.settings.warningPercent, action: m.settings.action.rawValue,
                        restartTime: m.settings.restartTime,
                        received: Dictionary(uniqueKeysWithValues: m.received.map { ($0.key == .v4 ? "ipv4" : "ipv6", $0.value) }),
                        tripped: m.tripped, restartAt: m.restartAt.map(LogTime.iso8601))
                },
                md5: p.spec.password == nil ? nil : true, ttlSecurity: p.spec.ttlSecurity)
            .withLLGR(p.longLivedGracefulRestart.map {
                ControlProtocol.PeerLLGR(configuredStaleTime: $0.configuredStaleTime, negotiated: $0.negotiated,
                                         staleTime: $0.staleTime, stale: $0.stale)
            })
        }
        return ControlProtocol.Status(nodeName: config.nodeName, routerID: config.routerID.description,
                                      asNumber: config.asNumber, role: config.role.rawValue, peers: rows,
                                      listenError: speaker.listenerError, overlay: overlayStatus(),
                                      datastore: datastoreStatus())
    }

    /// A peer's last failure as the API carries it: kind, NOTIFICATION code and subcode, words.
    static func apiError(_ f: PeerFailure) -> ControlProtocol.PeerError {
        if let n = f.receivedNotification {
            return ControlProtocol.PeerError(.notificationReceived, code: n.code, subcode: n.subcode, message: f.description)
        }
        if let n = f.sentNotification {
            return ControlProtocol.PeerError(.notificationSent, code: n.code, subcode: n.subcode, message: f.description)
        }
        if case .connection = f { return ControlProtocol.PeerError(.connection, message: f.description) }
        return ControlProtocol.PeerError(.session, message: f.description)
    }

    func route(_ view: RouteView) -> ControlProtocol.Route {
        ControlProtocol.Route(prefix: view.prefix.description, paths: view.paths.enumerated().map { i, p in
            let a = p.attributes
            let source = switch speaker.source(of: p.peer) {
            case .local: "local"
            case .peer(let endpoint): endpoint.address.description
            case .restarting(let endpoint): "\(endpoint.address) (stale, graceful restart)"
            case .longLivedStale(let endpoint): "\(endpoint.address) (LLGR_STALE, long-lived graceful restart)"
            case .unknown(let handle): "\(handle)"
            }
            return ControlProtocol.Path(
                best: i == 0, source: source, pathID: p.pathID == 0 ? nil : p.pathID,
                nextHop: p.nextHop?.description ?? (p.peer.isLocal ? "self" : "-"),
                asPath: a.asPath?.description ?? "", origin: a.origin?.description ?? "-",
                localPref: a.localPref, med: a.multiExitDisc,
                communities: a.communities.map(\.description), largeCommunities: a.largeCommunities.map(\.description),
                extendedCommunities: a.extendedCommunities.map(\.description),
                originatorID: a.originatorID?.description, clusterList: a.clusterList?.map(\.description) ?? [],
                reason: i == 0 ? view.reason.description : nil)
        })
    }
}

extension ControlProtocol.Peer {
    /// The row with its LLGR part (RFC 9494).
    func withLLGR(_ llgr: ControlProtocol.PeerLLGR?) -> ControlProtocol.Peer {
        var p = self
        p.llgr = llgr
        return p
    }
}
