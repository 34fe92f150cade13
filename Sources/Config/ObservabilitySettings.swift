import IPCore

/// The `metrics` section: Prometheus text exposition at `GET /metrics` (docs/OPERATIONS.md).
public struct MetricsSettings: Hashable, Sendable {
    /// Off unless written `true`.
    public var enabled = false
    /// Where the HTTP server listens. Default 127.0.0.1 (scrapes from the host).
    public var address: IPAddress = .v4(IPv4Address(0x7F00_0001))
    /// Default 9091, Felix's `PrometheusMetricsPort`.
    public var port: UInt16 = 9091
    /// Sums over peers instead of one series per peer (a large mesh: no `peer` label).
    public var aggregateOnly = false

    public init() {}
}

/// The `health` section: `GET /liveness` and `GET /readiness` (calico-node's `-felix-live`
/// and `-bird-ready`).
public struct HealthSettings: Hashable, Sendable {
    /// Off unless written `true`.
    public var enabled = false
    /// Default 127.0.0.1.
    public var address: IPAddress = .v4(IPv4Address(0x7F00_0001))
    /// Default 9099, calico-node's health port.
    public var port: UInt16 = 9099
    /// Seconds after start during which readiness needs every configured peer Established;
    /// after it, at least one. Default 30.
    public var readinessGracePeriod: UInt32 = 30

    public init() {}
}
