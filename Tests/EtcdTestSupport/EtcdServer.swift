import EtcdClient
import Foundation

/// A real single-member etcd for one test: free ports on 127.0.0.1, a data directory on tmpfs
/// (/dev/shm when present: fsyncs are cheap there), started by pid and killed by pid.
///
/// Shared by EtcdClientTests and DatastoreTests (a plain target, not a test target, so both link
/// one copy). `kill()` then `restart()` is a member crashing and coming back on the same data
/// directory and ports.
public final class EtcdServer: @unchecked Sendable {
    /// The `etcd` binary on PATH, nil when not installed (`make deps` installs etcd-server).
    public static let binary: String? = {
        for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":") {
            let path = "\(dir)/etcd"
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        return nil
    }()
    /// True when `etcd` is installed.
    public static var available: Bool { binary != nil }

    /// `http://127.0.0.1:<port>`: the client URL (and JSON gateway).
    public let clientURL: String
    /// The directory holding etcd's data directory and its log.
    public let dataDir: String
    private let lock = NSLock()
    private var process: Process      // guarded by lock
    private let logPath: String
    private let arguments: [String]

    /// Starts etcd on two free ports and waits until it answers.
    public init() throws {
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
                arguments = p.arguments ?? []
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

    /// The running etcd's process id.
    public var pid: Int32 { lock.withLock { process.processIdentifier } }

    /// SIGKILL, as a crashed or unplugged member; the data directory stays until `stop()`.
    public func kill() {
        let p = lock.withLock { process }
        if p.isRunning { Foundation.kill(p.processIdentifier, SIGKILL) }
        p.waitUntilExit()
    }

    /// Starts etcd again (after `kill()`) on the same data directory and ports, and waits until it answers.
    public func restart() throws {
        kill()
        guard let binary = Self.binary else { throw ServerError("etcd is not on PATH") }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: binary)
        p.arguments = arguments
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        handle.seekToEndOfFile()
        p.standardOutput = handle
        p.standardError = handle
        try p.run()
        try? handle.close()
        lock.withLock { process = p }
        guard Self.waitReady(clientURL, process: p) else {
            let tail = (try? String(contentsOfFile: logPath, encoding: .utf8))?.split(separator: "\n").suffix(5).joined(separator: "\n") ?? ""
            throw ServerError("etcd did not come back after a restart; last log lines:\n\(tail)")
        }
    }

    /// Kills etcd (by pid) and removes its directory.
    public func stop() {
        kill()
        try? FileManager.default.removeItem(atPath: dataDir)
    }

    /// A client of this server only.
    public func client(timeout: Duration = .seconds(5)) throws -> EtcdClient {
        try EtcdClient(endpoints: [clientURL], requestTimeout: timeout)
    }
}

/// Why a test server could not be started.
public struct ServerError: Error, CustomStringConvertible {
    public let description: String
    public init(_ d: String) { description = d }
}

/// A TCP port on 127.0.0.1 that nothing listens on right now (bound to port 0, then closed).
public func freePort() throws -> Int {
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

