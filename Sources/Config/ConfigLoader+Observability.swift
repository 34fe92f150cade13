import IPCore
import Model
import Yams

// MARK: - metrics and health

extension ConfigLoader {
    /// The `metrics` mapping (Prometheus exposition), read into ``MetricsSettings``.
    static let metricsFields = FieldTable<MetricsSettings>("the metrics settings", [
        Field("enabled", into: \.enabled) { r, v, path in r.bool(v, path) },
        Field("address", into: \.address) { r, v, path in
            r.address(v, path, what: "a listen address", allowUnspecified: true)
        },
        Field("port", into: \.port) { r, v, path in r.port(v, path) },
        Field("aggregateOnly", into: \.aggregateOnly) { r, v, path in r.bool(v, path) },
    ])

    /// The `health` mapping (liveness and readiness), read into ``HealthSettings``.
    static let healthFields = FieldTable<HealthSettings>("the health settings", [
        Field("enabled", into: \.enabled) { r, v, path in r.bool(v, path) },
        Field("address", into: \.address) { r, v, path in
            r.address(v, path, what: "a listen address", allowUnspecified: true)
        },
        Field("port", into: \.port) { r, v, path in r.port(v, path) },
        Field("readinessGracePeriod", into: \.readinessGracePeriod) { r, v, path in
            r.seconds(v, path, range: 0...3600, usual: 30)
        },
    ])

    /// Keys of the `metrics` mapping.
    public static var metricsKeys: [String] { metricsFields.keys }
    /// Keys of the `health` mapping.
    public static var healthKeys: [String] { healthFields.keys }
}

extension Reader {
    /// Checks across `metrics` and `health`: two enabled servers on one address and port.
    func checkObservability(_ c: TernConfig, _ node: Node) {
        guard c.metrics.enabled, c.health.enabled, c.metrics.port == c.health.port,
              c.metrics.address == c.health.address else { return }
        fail(node, "health.port", "the health server and the metrics server both listen on \(c.health.address) port \(c.health.port)",
             hint: "give health its own port, e.g. 9099")
    }
}
