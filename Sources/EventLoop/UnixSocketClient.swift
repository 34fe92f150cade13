#if canImport(Glibc)
import Glibc
#endif

/// Why the control-socket client failed; `description` is meant for the CLI user.
public enum UnixSocketClientError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The socket does not exist, refuses, or is not accessible.
    case unreachable(path: String, service: String, cause: SocketError)
    /// No complete response line before the deadline.
    case timedOut(path: String, service: String)
    /// The server closed the connection before a complete response line.
    case closedByServer(path: String, service: String)
    /// The response line exceeded the client's limit.
    case responseTooLong(path: String, limit: Int)
    /// Another I/O error while talking to the server.
    case io(SocketError)

    /// E.g. `cannot reach tern at /run/tern/tern.sock: ENOENT (No such file or directory)`.
    public var description: String {
        switch self {
        case .unreachable(let path, let service, let cause):
            "cannot reach \(service) at \(path): \(cause.code.name) (\(cause.code.message))"
        case .timedOut(let path, let service):
            "no answer from \(service) at \(path) before the timeout"
        case .closedByServer(let path, let service):
            "\(service) at \(path) closed the connection without answering"
        case .responseTooLong(let path, let limit):
            "response from \(path) longer than \(limit) bytes"
        case .io(let error):
            error.description
        }
    }
}

/// The CLI side of the control socket: synchronous (blocking, with a timeout), one
/// newline-delimited request line answered by one response line.
///
/// ```swift
/// let client = try UnixSocketClient(path: "/run/tern/tern.sock")
/// let response = try client.request(#"{"command":"status"}"#)
/// ```
/// Not for use on the event loop (it blocks). Not thread-safe: one caller at a time.
public final class UnixSocketClient {
    /// The socket path.
    public let path: String
    /// The name used in error messages ("cannot reach tern at ...").
    public let service: String
    /// How long a request may take in total.
    public let timeout: Duration
    /// Longest response line accepted. Default 256 MiB.
    public let maxResponseLength: Int

    private var fd: Int32
    private var pending: [UInt8] = []

    /// Connects to `path`. Throws ``UnixSocketClientError/unreachable(path:service:cause:)``
    /// when the socket is missing (`ENOENT`), refuses (`ECONNREFUSED`, a stale file) or is
    /// not accessible (`EACCES`).
    public init(path: String, service: String = "tern", timeout: Duration = .seconds(10),
                maxResponseLength: Int = 256 << 20) throws(UnixSocketClientError) {
        self.path = path
        self.service = service
        self.timeout = timeout
        self.maxResponseLength = maxResponseLength
        let fd: Int32
        do throws(SocketError) {
            fd = try Syscall.socket(domain: AF_UNIX, type: Int32(SOCK_STREAM.rawValue), blocking: true)
        } catch {
            throw .io(error)
        }
        do throws(SocketError) {
            try UnixSocketClient.setTimeouts(fd, timeout)
            try Syscall.connect(fd, unixPath: path, "connect to \(path)")
        } catch {
            Syscall.close(fd)
            throw .unreachable(path: path, service: service, cause: error)
        }
        self.fd = fd
    }

    private static func setTimeouts(_ fd: Int32, _ timeout: Duration) throws(SocketError) {
        let nanoseconds = max(timeout.nanosecondsClamped, 1_000_000)
        let value = timeval(tv_sec: Int(nanoseconds / 1_000_000_000),
                            tv_usec: Int(nanoseconds % 1_000_000_000 / 1000))
        try Syscall.setOption(fd, level: SOL_SOCKET, name: SO_RCVTIMEO, value: value, "set SO_RCVTIMEO")
        try Syscall.setOption(fd, level: SOL_SOCKET, name: SO_SNDTIMEO, value: value, "set SO_SNDTIMEO")
    }

    /// Sends `line` (a `\n` is appended) and returns the next response line (without `\n`).
    public func request(_ line: String) throws(UnixSocketClientError) -> String {
        try send(line: line)
        return try readLine()
    }

    /// Sends `line` followed by `\n`.
    public func send(line: String) throws(UnixSocketClientError) {
        guard fd >= 0 else { throw .closedByServer(path: path, service: service) }
        let bytes = Array(line.utf8) + [UInt8(ascii: "\n")]
        var offset = 0
        while offset < bytes.count {
            let result = bytes.withUnsafeBytes { raw in
                Syscall.write(fd, from: UnsafeRawBufferPointer(rebasing: raw[offset...]))
            }
            switch result {
            case .done(let count): offset += count
            case .wouldBlock: throw .timedOut(path: path, service: service)
            case .failed(let code): throw .io(SocketError(code, operation: "send to \(path)"))
            }
        }
    }

    /// Reads the next line (without `\n`), waiting at most ``timeout`` for each piece of it
    /// (a long answer streamed over many seconds is fine while it keeps coming).
    public func readLine() throws(UnixSocketClientError) -> String {
        guard fd >= 0 else { throw .closedByServer(path: path, service: service) }
        var deadline = EventLoop.now &+ timeout.nanosecondsClamped
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        var scanned = 0   // bytes of `pending` known to hold no newline: each byte is looked at once
        while true {
            if let newline = pending[scanned...].firstIndex(of: UInt8(ascii: "\n")) {
                var line = Array(pending[..<newline])
                pending.removeSubrange(...newline)
                if line.last == UInt8(ascii: "\r") { line.removeLast() }
                return String(decoding: line, as: UTF8.self)
            }
            scanned = pending.count
            if pending.count > maxResponseLength { throw .responseTooLong(path: path, limit: maxResponseLength) }
            if EventLoop.now >= deadline { throw .timedOut(path: path, service: service) }
            let result = buffer.withUnsafeMutableBytes { Syscall.read(fd, into: $0) }
            switch result {
            case .done(0): throw .closedByServer(path: path, service: service)
            case .done(let count):
                pending += buffer[..<count]
                deadline = EventLoop.now &+ timeout.nanosecondsClamped
            case .wouldBlock: throw .timedOut(path: path, service: service)  // SO_RCVTIMEO expired
            case .failed(let code): throw .io(SocketError(code, operation: "read from \(path)"))
            }
        }
    }

    /// Closes the socket. Idempotent.
    public func close() {
        if fd >= 0 { Syscall.close(fd) }
        fd = -1
    }

    deinit { close() }
}
