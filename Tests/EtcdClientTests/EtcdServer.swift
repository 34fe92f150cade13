import EtcdClient
import Foundation

/// A real single-member etcd for one test: free ports on 127.0.0.1, a data directory on tmpfs
/// (/dev/shm when present: fsyncs are cheap there), started by pid and killed by pid.
final class EtcdServer: @unchecked Sendable {
    /// The `etcd` binary on PATH, nil when not installed (`make deps` installs etcd-server).
    static let binary: String? = {
        for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":") {
            let path = "\(dir)/etcd"
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        return nil
    }()
    static var available: Bool { binary != nil }

    let clientURL: String
    let dataDir: String
    private let process: Process
    private let logPath: String

    init() throws {
        guard let binary = Self.binary else { throw ServerError("etcd is not on PATH") }
        let base = FileManager.default.fileExists(atPath: "/dev/shm") ? "/dev/shm" : NSTemporaryDirectory()
        var lastError = ""
        for _ in 0..<3 {   // a port picked free may be taken by the time etcd binds it
            let (clientPort, peerPort) = (try freePort(), try freePort())
            let dir = "\(base)/tern-etcd-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            let client = "http://127.0.0.1:\(clientPort)", peer = "http://127.0.0.1:\(peerPort)"
            let p = Process()
            p.executableURL = URL(fileURLWithPath: binary)
            p.arguments = [
                "--name", "n1", "--data-dir", "\(dir)/data",
                "--listen-client-urls", client, "--advertise-client-urls", client,
                "--listen-peer-urls", peer, "--initial-advertise-peer-urls", peer,
                "--initial-cluster", "n1=\(peer)",
            ]
            let log = "\(dir)/etcd.log"
            _ = FileManager.default.createFile(atPath: log, contents: nil)
            let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
            p.standardOutput = handle
            p.standardError = handle
            try p.run()
            try? handle.close()
            if Self.waitReady(client, process: p) {
                clientURL = client
                dataDir = dir
                process = p
                logPath = log
                return
            }
            lastError = (try? String(contentsOfFile: log, encoding: .utf8))?.split(separator: "\n").suffix(5).joined(separator: "\n") ?? ""
            if p.isRunning { Foundation.kill(p.processIdentifier, SIGKILL) }
            p.waitUntilExit()
            try? FileManager.default.removeItem(atPath: dir)
        }
        throw ServerError("etcd did not become ready in 3 attempts; last log lines:\n\(lastError)")
    }

    /// Polls a range until etcd answers (it serves the gateway once it has a leader).
    private static func waitReady(_ url: String, process: Process) -> Bool {
        guard let probe = try? EtcdClient(endpoints: [url], requestTimeout: .milliseconds(500),
                                          connectTimeout: .milliseconds(200)) else { return false }
        let deadline = Date().addingTimeInterval(15)
        while Date() < deadline, process.isRunning {
            do {
                _ = try probe.get("/ready")      // nil (absent) is fine: etcd answered
                return true
            } catch {}
            usleep(50_000)
        }
        return false
    }

    var pid: Int32 { process.processIdentifier }

    /// SIGKILL, as a crashed or unplugged member; the data directory stays until `stop()`.
    func kill() {
        if process.isRunning { Foundation.kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }

    /// Kills etcd (by pid) and removes its directory.
    func stop() {
        kill()
        try? FileManager.default.removeItem(atPath: dataDir)
    }

    /// A client of this server only.
    func client(timeout: Duration = .seconds(5)) throws -> EtcdClient {
        try EtcdClient(endpoints: [clientURL], requestTimeout: timeout)
    }
}

struct ServerError: Error, CustomStringConvertible {
    let description: String
    init(_ d: String) { description = d }
}

/// A TCP port on 127.0.0.1 that nothing listens on right now (bound to port 0, then closed).
func freePort() throws -> Int {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { throw ServerError("socket: errno \(errno)") }
    defer { close(fd) }
    var addr = sockaddr_in()
    addr.sin_family = sa_family_t(AF_INET)
    addr.sin_addr.s_addr = inet_addr("127.0.0.1")
    addr.sin_port = 0
    var len = socklen_t(MemoryLayout<sockaddr_in>.size)
    let ok = withUnsafeMutablePointer(to: &addr) { p in
        p.withMemoryRebound(to: sockaddr.self, capacity: 1) { sa in
            bind(fd, sa, len) == 0 && getsockname(fd, sa, &len) == 0
        }
    }
    guard ok else { throw ServerError("bind/getsockname: errno \(errno)") }
    return Int(UInt16(bigEndian: addr.sin_port))
}

/// Collects a watch's events for assertions (the watch calls from its own thread).
final class WatchLog: @unchecked Sendable {
    private let cond = NSCondition()
    private var items: [EtcdWatchEvent] = []

    func append(_ e: EtcdWatchEvent) {
        cond.withLock {
            items.append(e)
            cond.broadcast()
        }
    }

    var all: [EtcdWatchEvent] { cond.withLock { items } }

    /// Every delivered change, flattened from the batches.
    var changes: [EtcdEvent] { watchChanges(all) }

    /// Waits (deadline, not a fixed sleep) until `predicate` holds over all events so far; the
    /// predicate runs under the log's lock, so it must use its argument, not the log.
    @discardableResult
    func wait(seconds: Double = 10, until predicate: ([EtcdWatchEvent]) -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        cond.lock()
        defer { cond.unlock() }
        while !predicate(items) {
            if !cond.wait(until: deadline) { return predicate(items) }
        }
        return true
    }
}

/// Polls `condition` every 50 ms until it holds or `seconds` pass.
func eventually(seconds: Double = 10, _ condition: () throws -> Bool) rethrows -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
        if try condition() { return true }
        usleep(50_000)
    }
    return try condition()
}

/// The changes in a list of watch events, flattened from the batches.
func watchChanges(_ events: [EtcdWatchEvent]) -> [EtcdEvent] {
    events.flatMap { e -> [EtcdEvent] in
        if case .events(let b) = e { return b.events }
        return []
    }
}
