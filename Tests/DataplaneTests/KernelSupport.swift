import CommandTestSupport
import IPCore
import Dispatch
import Foundation
import Logging
import Testing
@testable import Dataplane
@testable import Netlink

let runningAsRoot = getuid() == 0
let needsRoot = "needs root to create network namespaces (run the suite as root)"

@discardableResult
func sh(_ args: String...) throws -> (status: Int32, output: String) { try runCommand(args) }

/// Runs a command and fails the test (with its output) when it does not succeed.
func must(_ args: String..., sourceLocation: SourceLocation = #_sourceLocation) throws {
    let (status, output) = try runCommand(args)
    #expect(status == 0, "\(args.joined(separator: " ")): \(output)", sourceLocation: sourceLocation)
}

/// Polls `condition` every 20 ms until it holds or `seconds` pass.
func eventually(_ seconds: Double = 5, _ condition: () throws -> Bool) rethrows -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
        if try condition() { return true }
        usleep(20_000)
    }
    return try condition()
}

/// The agent's log lines as "level: message" (a swift-log handler that keeps them).
final class LogLines: @unchecked Sendable {
    private let lock = NSLock()
    private var lines: [String] = []
    func add(_ l: Logger.Level, _ s: String) { lock.lock(); lines.append("\(l): \(s)"); lock.unlock() }
    var all: [String] { lock.lock(); defer { lock.unlock() }; return lines }

    /// A logger whose lines land here.
    func logger(level: Logger.Level = .info) -> Logger {
        var l = Logger(label: "dataplane-test") { _ in Handler(lines: self) }
        l.logLevel = level
        return l
    }

    struct Handler: LogHandler {
        let lines: LogLines
        var logLevel: Logger.Level = .info
        var metadata: Logger.Metadata = [:]
        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }
        func log(event: LogEvent) { lines.add(event.level, event.message.description) }
    }
}

final class Events: @unchecked Sendable {
    private let lock = NSLock()
    private var events: [NetlinkEvent] = []
    func add(_ e: NetlinkEvent) { lock.lock(); events.append(e); lock.unlock() }
    var all: [NetlinkEvent] { lock.lock(); defer { lock.unlock() }; return events }
}

/// A node namespace `tdp-<pid>-<rand>` with an underlay (`eth0`, 192.168.77.1/24, peer
/// end `eth0p`) and workload veths made on request. `remove()` in a defer.
final class NodeNamespace {
    let name: String
    let socket: NetlinkSocket

    init() throws {
        name = "tdp-\(getpid())-\(String(UInt32.random(in: 0...0xFFFFFF), radix: 16))"
        let r = try sh("ip", "netns", "add", name)
        guard r.status == 0 else { throw NetlinkError(code: EPERM, operation: "ip netns add \(name): \(r.output)") }
        socket = try NetlinkSocket(namespace: name)
        try sh("ip", "-n", name, "link", "set", "lo", "up")
        try sh("ip", "-n", name, "link", "add", "eth0", "type", "veth", "peer", "name", "eth0p")
        try sh("ip", "-n", name, "addr", "add", "192.168.77.1/24", "dev", "eth0")
        try sh("ip", "-n", name, "link", "set", "eth0", "up")
        try sh("ip", "-n", name, "link", "set", "eth0p", "up")
    }

    func remove() { _ = try? sh("ip", "netns", "del", name) }

    /// A workload veth: host end `name` (up), pod end `name`p (up).
    @discardableResult
    func addWorkloadInterface(_ ifname: String) throws -> Int32 {
        try sh("ip", "-n", name, "link", "add", ifname, "type", "veth", "peer", "name", ifname + "p")
        try sh("ip", "-n", name, "link", "set", ifname, "up")
        try sh("ip", "-n", name, "link", "set", ifname + "p", "up")
        guard let l = try socket.link(named: ifname) else { throw NetlinkError(code: ENODEV, operation: "find \(ifname)") }
        return l.index
    }

    func ourRoutes(_ proto: UInt8 = 199) throws -> [IPPrefix: Route] {
        Dictionary(try socket.routes().filter { $0.proto.rawValue == proto && $0.table == 254 }.map { ($0.destination, $0) },
                   uniquingKeysWith: { a, _ in a })
    }

    var ourRoutesText: String { (try? ourRoutes()).map { $0.values.map(\.description).sorted().joined(separator: "; ") } ?? "?" }

    func routes(at prefix: String) throws -> [Route] {
        try socket.routes().filter { $0.destination == kp(prefix) && $0.table == 254 }
    }
}

/// An agent (on its own queue, as in the daemon) in a test namespace.
final class Harness {
    let agent: DataplaneAgent
    let log = LogLines()

    init(_ ns: NodeNamespace, config: DataplaneConfig = DataplaneConfig()) {
        agent = DataplaneAgent(config: config, namespace: ns.name, logger: log.logger())
    }

    /// Calls the agent's public API (from the test's thread, as the daemon calls it from its loop).
    func on<T>(_ body: (DataplaneAgent) throws -> T) rethrows -> T { try body(agent) }

    /// Runs `body` on the agent's queue (to reach its internals).
    func inside<T>(_ body: (DataplaneAgent) throws -> T) rethrows -> T { try agent.queue.sync { try body(agent) } }

    func fib(_ prefix: String) -> FIBEntry? { agent.fib().first { $0.prefix == bp(prefix) } }
}
