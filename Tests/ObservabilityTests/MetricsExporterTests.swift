import Testing
@testable import Observability

@Suite struct MetricsExporterTests {
    static let sample = MetricsSample(peers: [
        PeerSample(peer: "192.168.77.2", state: "Established", prefixesReceived: ["ipv4": 3, "ipv6": 1],
                   prefixesAccepted: ["ipv4": 2, "ipv6": 1], prefixesAdvertised: 4, updatesReceived: 5, updatesSent: 6,
                   flaps: 1, bfdUp: true),
        PeerSample(peer: "192.168.77.3", state: "Active"),
    ], dataplane: DataplaneSample(routesDesired: 10, routesFailed: 1, resyncs: 2, overruns: 0, inSync: true))

    static func text(_ s: MetricsSample, aggregate: Bool = false) -> String {
        String(decoding: MetricsExporter().render(s, aggregateOnly: aggregate), as: UTF8.self)
    }

    @Test func perPeerFamilies() {
        let t = Self.text(Self.sample)
        #expect(t.contains(#"tern_bgp_session_up{peer="192.168.77.2"} 1"#))
        #expect(t.contains(#"tern_bgp_session_up{peer="192.168.77.3"} 0"#))
        #expect(t.contains(#"tern_bgp_session_state{peer="192.168.77.3",state="Active"} 1"#))
        #expect(t.contains(#"tern_bgp_session_state{peer="192.168.77.3",state="Established"} 0"#))
        #expect(t.contains(#"tern_bgp_prefixes_received{peer="192.168.77.2",family="ipv4"} 3"#))
        #expect(t.contains(#"tern_bgp_prefixes_accepted{peer="192.168.77.2",family="ipv6"} 1"#))
        #expect(t.contains(#"tern_bgp_updates_received_total{peer="192.168.77.2"} 5"#))
        #expect(t.contains(#"tern_bgp_session_flaps_total{peer="192.168.77.3"} 0"#))
        #expect(t.contains(#"tern_bfd_session_up{peer="192.168.77.2"} 1"#))
        #expect(!t.contains(#"tern_bfd_session_up{peer="192.168.77.3"}"#))
        #expect(t.contains(#"tern_dataplane_routes{state="programmed"} 9"#))
        #expect(t.contains("# TYPE tern_bgp_updates_sent_total counter"))
        #expect(t.contains("# TYPE tern_dataplane_apply_seconds histogram"))
        #expect(t.contains("# TYPE tern_event_loop_lag_seconds histogram"))
    }

    /// Every family is there before anything happened (counters at 0).
    @Test func familiesFromTheStart() {
        let t = Self.text(MetricsSample(peers: [PeerSample(peer: "10.0.0.1", state: "Idle")]))
        for name in ["tern_bgp_session_up", "tern_bgp_session_state", "tern_bgp_prefixes_received", "tern_bgp_prefixes_accepted",
                     "tern_bgp_prefixes_advertised", "tern_bgp_updates_received_total", "tern_bgp_updates_sent_total",
                     "tern_bgp_session_flaps_total", "tern_dataplane_routes", "tern_dataplane_apply_seconds",
                     "tern_dataplane_resyncs_total", "tern_netlink_overruns_total", "tern_event_loop_lag_seconds"] {
            #expect(t.contains("# TYPE \(name) "), "\(name)")
        }
        #expect(t.contains("tern_dataplane_resyncs_total 0"))
    }

    @Test func aggregateOnlyDropsPeers() {
        let t = Self.text(Self.sample, aggregate: true)
        #expect(!t.contains("peer="))
        #expect(t.contains("tern_bgp_session_up 1"))
        #expect(t.contains(#"tern_bgp_session_state{state="Active"} 1"#))
        #expect(t.contains(#"tern_bgp_prefixes_received{family="ipv4"} 3"#))
        #expect(t.contains("tern_bgp_peers 2"))
        #expect(t.contains("tern_bfd_session_up 1"))
    }

    @Test func histogramsKeepObservations() {
        let e = MetricsExporter()
        e.observeApply(seconds: 0.02)
        e.observeLoopLag(seconds: 0.0001)
        let t = String(decoding: e.render(MetricsSample()), as: UTF8.self)
        #expect(t.contains(#"tern_dataplane_apply_seconds_bucket{le="0.05"} 1"#))
        #expect(t.contains(#"tern_dataplane_apply_seconds_bucket{le="0.01"} 0"#))
        #expect(t.contains("tern_dataplane_apply_seconds_count 1"))
        #expect(t.contains("tern_event_loop_lag_seconds_count 1"))
    }
}

@Suite struct ReadinessTests {
    static let up = PeerSample(peer: "a", state: "Established")
    static let down = PeerSample(peer: "b", state: "Active")

    @Test func graceNeedsEveryPeer() {
        let r = Readiness.evaluate(peers: [Self.up, Self.down], uptime: 5, gracePeriod: 30, dataplane: .disabled)
        #expect(!r.ready)
        #expect(r.reasons.first?.contains("b (Active)") == true)
        #expect(Readiness.evaluate(peers: [Self.up, Self.up], uptime: 5, gracePeriod: 30, dataplane: .disabled).ready)
    }

    @Test func graceWaitsForGracefulRestarts() {
        let r = Readiness.evaluate(peers: [Self.up], uptime: 5, gracePeriod: 30, dataplane: .disabled, gracefulRestarts: 1)
        #expect(!r.ready && r.reasons == ["graceful restart in progress for 1 peer(s) (within the first 30 s)"])
        #expect(Readiness.evaluate(peers: [Self.up], uptime: 31, gracePeriod: 30, dataplane: .disabled, gracefulRestarts: 1).ready)
    }

    @Test func afterGraceOneIsEnough() {
        #expect(Readiness.evaluate(peers: [Self.up, Self.down], uptime: 31, gracePeriod: 30, dataplane: .disabled).ready)
        let r = Readiness.evaluate(peers: [Self.down], uptime: 31, gracePeriod: 30, dataplane: .disabled)
        #expect(!r.ready)
        #expect(r.json.contains(#""ready":false"#))
        #expect(r.json.contains("no BGP peer is Established"))
    }

    @Test func dataplaneMustBeInSync() {
        #expect(!Readiness.evaluate(peers: [], uptime: 0, gracePeriod: 30, dataplane: .running(inSync: false)).ready)
        #expect(!Readiness.evaluate(peers: [], uptime: 0, gracePeriod: 30, dataplane: .failed("EPERM")).ready)
        #expect(Readiness.evaluate(peers: [], uptime: 0, gracePeriod: 30, dataplane: .running(inSync: true)).ready)
    }

    @Test func jsonEscapes() {
        #expect(JSON.string("a\"b\\c\n\u{1}") == #""a\"b\\c\n\u0001""#)
    }
}
