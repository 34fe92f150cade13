import IPCore
import Testing
@testable import Config

/// `metrics` and `health`: defaults, values, errors at line and column.
@Suite struct ObservabilityConfigTests {
    @Test func defaultsAreOff() throws {
        let c = try ConfigLoader.parse(yaml: withRequired(""))
        #expect(c.metrics == MetricsSettings())
        #expect(!c.metrics.enabled && c.metrics.port == 9091 && c.metrics.address == IPAddress("127.0.0.1"))
        #expect(!c.health.enabled && c.health.port == 9099 && c.health.readinessGracePeriod == 30)
    }

    @Test func readsEveryKey() throws {
        let c = try ConfigLoader.parse(yaml: withRequired("""
            metrics: {enabled: true, address: 0.0.0.0, port: 9191, aggregateOnly: true}
            health: {enabled: true, address: "::1", port: 9199, readinessGracePeriod: 5}
            """))
        #expect(c.metrics.enabled && c.metrics.aggregateOnly && c.metrics.port == 9191 && c.metrics.address == IPAddress("0.0.0.0"))
        #expect(c.health.enabled && c.health.port == 9199 && c.health.address == IPAddress("::1") && c.health.readinessGracePeriod == 5)
    }

    @Test func badValuesAtTheirLineAndColumn() throws {
        let port = try onlyError(withRequired("metrics:\n  port: 70000\n"))
        #expect(port.line == 5 && port.column == 9 && port.keyPath == "metrics.port", "\(port)")
        let grace = try onlyError(withRequired("health: {readinessGracePeriod: 7200}\n"))
        #expect(grace.keyPath == "health.readinessGracePeriod" && grace.line == 4, "\(grace)")
        #expect(grace.message == "7200 seconds is out of range 0-3600")
        let address = try onlyError(withRequired("health: {address: localhost}\n"))
        #expect(address.keyPath == "health.address", "\(address)")
        let unknown = try onlyError(withRequired("metrics: {enabled: true, path: /m}\n"))
        #expect(unknown.keyPath == "metrics.path" && unknown.line == 4 && unknown.column == 26, "\(unknown)")
        let clash = try onlyError(withRequired("metrics: {enabled: true, port: 9099}\nhealth: {enabled: true}\n"))
        #expect(clash.keyPath == "health.port" && clash.message.contains("both listen"), "\(clash)")
    }

    @Test func aChangeIsNotAPeerChange() throws {
        let a = try ConfigLoader.parse(yaml: withRequired("peers:\n  - {address: 192.168.77.254, asNumber: 64513}\n"))
        var b = a
        b.metrics.enabled = true
        b.health.readinessGracePeriod = 10
        let diff = ConfigDiff(old: a, new: b)
        #expect(diff.changed.isEmpty && diff.added.isEmpty && diff.removed.isEmpty && !diff.restartAll)
    }
}
