import Config
import Dataplane
import EventLoop
import IPCore
import Observability
import Speaker

// MARK: - Metrics (`GET /metrics`) and health (`GET /liveness`, `GET /readiness`)

extension Node {
    /// Opens the servers `config.metrics` and `config.health` enable, and the lag probe
    /// (on the loop). A port that cannot be bound is logged; BGP runs on.
    func startObservability() {
        loop.assertOnLoop()
        if config.metrics.enabled || config.health.enabled, lagProbe == nil {
            let metrics = self.metrics
            lagProbe = LoopLagProbe(loop: loop) { metrics.observeLoopLag(seconds: $0) }
        }
        if config.metrics.enabled, metricsServer == nil {
            metricsServer = openHTTP("metrics", config.metrics.address, config.metrics.port) { [weak self] head in
                self?.serveMetrics(head) ?? HTTPResponse(status: 503, text: "stopping\n")
            }
        }
        if config.health.enabled, healthServer == nil {
            healthServer = openHTTP("health", config.health.address, config.health.port) { [weak self] head in
                self?.serveHealth(head) ?? HTTPResponse(status: 503, text: "stopping\n")
            }
        }
    }

    func stopObservability() {
        metricsServer?.close()
        metricsServer = nil
        healthServer?.close()
        healthServer = nil
        lagProbe?.stop()
        lagProbe = nil
    }

    /// SIGHUP changed `metrics` or `health`: servers whose address, port or switch changed
    /// are reopened; `aggregateOnly` and `readinessGracePeriod` apply at the next request.
    func reconfigureObservability(from old: TernConfig, reason: String) {
        let m = config.metrics, h = config.health
        if !m.enabled || m.address != old.metrics.address || m.port != old.metrics.port {
            metricsServer?.close()
            metricsServer = nil
        }
        if !h.enabled || h.address != old.health.address || h.port != old.health.port {
            healthServer?.close()
            healthServer = nil
        }
        if !m.enabled, !h.enabled {
            lagProbe?.stop()
            lagProbe = nil
        }
        startObservability()
        logger.info("\(reason): metrics \(m.enabled ? "on \(m.address) port \(m.port)\(m.aggregateOnly ? " (aggregate only)" : "")" : "off"), health \(h.enabled ? "on \(h.address) port \(h.port), grace \(h.readinessGracePeriod) s" : "off")")
    }

    private func openHTTP(_ what: String, _ address: IPAddress, _ port: UInt16,
                          handler: @escaping (HTTPRequestHead) -> HTTPResponse) -> HTTPServer? {
        do {
            let server = try HTTPServer(address: SocketAddress(address, port: port), on: loop, handler: handler)
            server.onError = { [weak self] error in self?.logger.warning("\(what) server: \(error)") }
            logger.info("\(what) on http://\(address.family == .v6 ? "[\(address)]" : "\(address)"):\(port)")
            return server
        } catch {
            logger.error("\(what) server not started on \(address) port \(port): \(error)")
            return nil
        }
    }

    // MARK: Answers

    func serveMetrics(_ head: HTTPRequestHead) -> HTTPResponse {
        switch head.path {
        case "/metrics":
            return HTTPResponse(status: 200, contentType: MetricsExporter.contentType,
                                body: metrics.render(metricsSample(), aggregateOnly: config.metrics.aggregateOnly))
        case "/":
            return HTTPResponse(status: 200, text: "tern: metrics at /metrics\n")
        default:
            return HTTPResponse(status: 404, text: "not found: \(head.path) (try /metrics)\n")
        }
    }

    func serveHealth(_ head: HTTPRequestHead) -> HTTPResponse {
        switch head.path {
        case "/liveness":
            let age = lagProbe?.secondsSinceTick ?? 0
            let live = age < 10
            let body = "{\"live\":\(live),\"loopLastTurnSecondsAgo\":\(Self.rounded(age)),\"loopLagSeconds\":\(Self.rounded(lagProbe?.lastLag ?? 0))"
                + (live ? "" : ",\"reasons\":[\"the event loop has not run its probe for \(Int(age)) s\"]") + "}\n"
            return HTTPResponse(status: live ? 200 : 503, contentType: "application/json", text: body)
        case "/readiness":
            let r = readiness()
            return HTTPResponse(status: r.ready ? 200 : 503, contentType: "application/json", text: r.json)
        default:
            return HTTPResponse(status: 404, contentType: "application/json",
                                text: "{\"error\":\(JSON.string("not found: \(head.path)")),\"endpoints\":[\"/liveness\",\"/readiness\"]}\n")
        }
    }

    static func rounded(_ x: Double) -> String { String(Double(Int(x * 1e6)) / 1e6) }

    /// Readiness now (``Readiness`` has the rule).
    func readiness() -> Readiness {
        let peers = speaker.peerStatuses().map { PeerSample(peer: Node.peerLabel($0), state: $0.state.description) }
        let dp: Readiness.Dataplane
        if let agent = dataplane {
            dp = .running(inSync: agent.counters.inSync)
        } else if let error = dataplaneError {
            dp = .failed(error)
        } else {
            dp = .disabled
        }
        return Readiness.evaluate(peers: peers, uptime: Double(loop.now - startedAt) / 1e9,
                                  gracePeriod: Double(config.health.readinessGracePeriod), dataplane: dp,
                                  gracefulRestarts: speaker.gracefulRestartsInProgress)
    }

    /// The `peer` label: the address, with the port when it is not 179.
    static func peerLabel(_ p: PeerStatus) -> String {
        p.spec.port == 179 ? p.spec.address.description : "\(p.spec.address):\(p.spec.port)"
    }

    /// What one scrape reports: the speaker's per-peer status and counters, the agent's.
    func metricsSample() -> MetricsSample {
        func families(_ d: [IPFamily: Int]) -> [String: Int] { ["ipv4": d[.v4] ?? 0, "ipv6": d[.v6] ?? 0] }
        let peers = speaker.peerMetrics().map { p in
            PeerSample(peer: Node.peerLabel(p), state: p.state.description,
                       prefixesReceived: families(p.receivedByFamily), prefixesAccepted: families(p.acceptedByFamily),
                       prefixesAdvertised: p.prefixesSent, updatesReceived: p.updatesReceived, updatesSent: p.updatesSent,
                       flaps: p.flaps, bfdUp: p.bfd.map { $0.state == .up })
        }
        let dp = dataplane.map { agent in
            let c = agent.counters
            return DataplaneSample(routesDesired: c.routesDesired, routesFailed: c.routesFailed, resyncs: c.resyncs,
                                   overruns: c.overruns, inSync: c.inSync)
        }
        return MetricsSample(peers: peers, dataplane: dp)
    }
}
