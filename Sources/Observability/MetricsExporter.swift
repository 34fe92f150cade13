import Prometheus

/// Tern's Prometheus families (docs/OPERATIONS.md, "Metrics"), rendered in the text
/// exposition format by swift-prometheus.
///
/// State is read at scrape time: each ``render(_:)`` fills a fresh
/// `PrometheusCollectorRegistry` from a ``MetricsSample`` (counters are the speaker's and
/// the agent's own, so a removed peer's series simply disappear and nothing is kept per
/// peer here). The two histograms are observed as events happen (a dataplane pass, a lag
/// probe tick) into a registry that lives as long as the exporter.
///
/// `aggregateOnly` (per render, so a reload switches it without losing the histograms) drops the `peer` label: one series per family (sums over peers; the
/// session gauges become counts of peers), so a large mesh costs a fixed number of series.
public final class MetricsExporter: Sendable {
    /// The RFC 4271 states, as the `state` label spells them.
    public static let sessionStates = ["Idle", "Connect", "Active", "OpenSent", "OpenConfirm", "Established"]
    /// The `family` label's values.
    public static let families = ["ipv4", "ipv6"]
    /// Bucket bounds (seconds) of the two histograms.
    public static let applyBuckets: [Double] = [0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30]
    public static let lagBuckets: [Double] = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5]

    private let events = PrometheusCollectorRegistry()
    private let applySeconds: ValueHistogram
    private let loopLagSeconds: ValueHistogram

    public init() {
        applySeconds = events.makeValueHistogram(
            descriptor: Self.d("tern_dataplane_apply_seconds", "Duration of one dataplane pass (netlink batch, dumps included when due)."), buckets: Self.applyBuckets)
        loopLagSeconds = events.makeValueHistogram(
            descriptor: Self.d("tern_event_loop_lag_seconds", "How late the BGP event loop ran a timer (probe every 0.5 s)."), buckets: Self.lagBuckets)
    }

    /// Records one dataplane pass. Any thread.
    public func observeApply(seconds: Double) { applySeconds.record(seconds) }

    /// Records one lag probe. Any thread.
    public func observeLoopLag(seconds: Double) { loopLagSeconds.record(max(0, seconds)) }

    /// The exposition of `sample` and the histograms: `text/plain; version=0.0.4`.
    public func render(_ sample: MetricsSample, aggregateOnly: Bool = false) -> [UInt8] {
        let r = PrometheusCollectorRegistry()
        if aggregateOnly { aggregate(sample, into: r) } else { perPeer(sample, into: r) }
        dataplane(sample.dataplane, into: r)
        var out: [UInt8] = []
        r.emit(into: &out)
        events.emit(into: &out)
        return out
    }

    /// The content type of ``render(_:)``.
    public static let contentType = "text/plain; version=0.0.4; charset=utf-8"

    // MARK: - Families

    /// A family's name and HELP text (no namespace or unit parts: the names are written whole).
    static func d(_ name: String, _ help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(metricName: name, unitName: "", helpText: help)
    }

    enum Help {
        static let peers = "BGP peers configured."
        static let up = "1 when the BGP session with the peer is Established."
        static let state = "1 for the BGP session's current RFC 4271 state, 0 for the others."
        static let received = "Prefixes the peer sent (accepted and rejected), per address family."
        static let accepted = "Prefixes from the peer that passed import, per address family."
        static let advertised = "Prefixes advertised to the peer."
        static let updatesIn = "BGP UPDATE messages received."
        static let updatesOut = "BGP UPDATE messages sent."
        static let flaps = "Established BGP sessions that went down."
        static let bfd = "1 when the BFD session with the peer is Up."
    }

    private func perPeer(_ s: MetricsSample, into r: PrometheusCollectorRegistry) {
        r.makeGauge(descriptor: Self.d("tern_bgp_peers", Help.peers)).set(to: Double(s.peers.count))
        for p in s.peers {
            let peer = [("peer", p.peer)]
            r.makeGauge(descriptor: Self.d("tern_bgp_session_up", Help.up), labels: peer).set(to: p.isEstablished ? 1 : 0)
            for state in Self.sessionStates {
                r.makeGauge(descriptor: Self.d("tern_bgp_session_state", Help.state), labels: peer + [("state", state)])
                    .set(to: p.state == state ? 1 : 0)
            }
            for f in Self.families {
                r.makeGauge(descriptor: Self.d("tern_bgp_prefixes_received", Help.received), labels: peer + [("family", f)])
                    .set(to: Double(p.prefixesReceived[f] ?? 0))
                r.makeGauge(descriptor: Self.d("tern_bgp_prefixes_accepted", Help.accepted), labels: peer + [("family", f)])
                    .set(to: Double(p.prefixesAccepted[f] ?? 0))
            }
            r.makeGauge(descriptor: Self.d("tern_bgp_prefixes_advertised", Help.advertised), labels: peer).set(to: Double(p.prefixesAdvertised))
            r.makeCounter(descriptor: Self.d("tern_bgp_updates_received_total", Help.updatesIn), labels: peer)
                .increment(by: Int64(p.updatesReceived))
            r.makeCounter(descriptor: Self.d("tern_bgp_updates_sent_total", Help.updatesOut), labels: peer)
                .increment(by: Int64(p.updatesSent))
            r.makeCounter(descriptor: Self.d("tern_bgp_session_flaps_total", Help.flaps), labels: peer).increment(by: Int64(p.flaps))
            if let up = p.bfdUp {
                r.makeGauge(descriptor: Self.d("tern_bfd_session_up", Help.bfd), labels: peer).set(to: up ? 1 : 0)
            }
        }
    }

    private func aggregate(_ s: MetricsSample, into r: PrometheusCollectorRegistry) {
        let ps = s.peers
        func sum(_ f: (PeerSample) -> Int) -> Int { ps.reduce(0) { $0 + f($1) } }
        r.makeGauge(descriptor: Self.d("tern_bgp_peers", Help.peers)).set(to: Double(ps.count))
        r.makeGauge(descriptor: Self.d("tern_bgp_session_up", "BGP sessions Established (aggregate)."))
            .set(to: Double(ps.filter(\.isEstablished).count))
        for state in Self.sessionStates {
            r.makeGauge(descriptor: Self.d("tern_bgp_session_state", "BGP sessions per RFC 4271 state (aggregate)."), labels: [("state", state)])
                .set(to: Double(ps.filter { $0.state == state }.count))
        }
        for f in Self.families {
            r.makeGauge(descriptor: Self.d("tern_bgp_prefixes_received", Help.received), labels: [("family", f)])
                .set(to: Double(sum { $0.prefixesReceived[f] ?? 0 }))
            r.makeGauge(descriptor: Self.d("tern_bgp_prefixes_accepted", Help.accepted), labels: [("family", f)])
                .set(to: Double(sum { $0.prefixesAccepted[f] ?? 0 }))
        }
        r.makeGauge(descriptor: Self.d("tern_bgp_prefixes_advertised", Help.advertised)).set(to: Double(sum(\.prefixesAdvertised)))
        r.makeCounter(descriptor: Self.d("tern_bgp_updates_received_total", Help.updatesIn)).increment(by: Int64(sum(\.updatesReceived)))
        r.makeCounter(descriptor: Self.d("tern_bgp_updates_sent_total", Help.updatesOut)).increment(by: Int64(sum(\.updatesSent)))
        r.makeCounter(descriptor: Self.d("tern_bgp_session_flaps_total", Help.flaps)).increment(by: Int64(sum(\.flaps)))
        r.makeGauge(descriptor: Self.d("tern_bfd_session_up", "BFD sessions Up (aggregate)."))
            .set(to: Double(ps.filter { $0.bfdUp == true }.count))
    }

    private func dataplane(_ d: DataplaneSample?, into r: PrometheusCollectorRegistry) {
        let help = "Dataplane routes: desired (static and BGP), programmed, failed to install."
        let desired = d?.routesDesired ?? 0, failed = d?.routesFailed ?? 0
        r.makeGauge(descriptor: Self.d("tern_dataplane_routes", help), labels: [("state", "desired")]).set(to: Double(desired))
        r.makeGauge(descriptor: Self.d("tern_dataplane_routes", help), labels: [("state", "programmed")]).set(to: Double(max(0, desired - failed)))
        r.makeGauge(descriptor: Self.d("tern_dataplane_routes", help), labels: [("state", "failed")]).set(to: Double(failed))
        r.makeGauge(descriptor: Self.d("tern_dataplane_in_sync", "1 when the dataplane's last pass left no work behind."))
            .set(to: d?.inSync == true ? 1 : 0)
        r.makeCounter(descriptor: Self.d("tern_dataplane_resyncs_total", "Full resyncs against a kernel dump."))
            .increment(by: Int64(d?.resyncs ?? 0))
        r.makeCounter(descriptor: Self.d("tern_netlink_overruns_total", "Netlink monitor overruns (ENOBUFS), each followed by a resync."))
            .increment(by: Int64(d?.overruns ?? 0))
    }
}
