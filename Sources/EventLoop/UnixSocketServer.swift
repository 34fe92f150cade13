import Dispatch
#if canImport(Glibc)
import Glibc
#endif

/// The control socket's server side: a unix stream socket at a path, accepting
/// ``UnixSocketConnection``s that exchange newline-delimited lines (the daemon puts one
/// JSON request or response on each; this module only moves lines).
///
/// On start it creates the parent directory (0755) if missing, removes a stale socket file
/// (refusing with `EADDRINUSE` when a live server still answers there, and with `EEXIST`
/// when the path is not a socket), binds, sets the permissions (default 0600) and only
/// then listens, so nobody can connect before the mode is set.
///
/// Threading: create and use on the loop; set ``onConnection`` in the same turn.
public final class UnixSocketServer: @unchecked Sendable {
    // All mutable state is confined to `loop.queue`.
    /// The loop this server runs on.
    public let loop: EventLoop
    /// The socket path.
    public let path: String
    /// Buffer limits for each connection (responses can be large: default cap 64 MiB).
    public var connectionOptions: ConnectionOptions
    /// Longest accepted request line; a longer one closes that connection. Default 1 MiB.
    public var maxLineLength: Int

    /// Receives each accepted connection; set its ``UnixSocketConnection/onLine`` there.
    public var onConnection: ((UnixSocketConnection) -> Void)?
    /// Receives accept errors (e.g. `EMFILE`); the server stays open.
    public var onError: ((SocketError) -> Void)?

    private let fd: Int32
    private let source: DispatchSourceRead
    private var isClosedFlag = false

    /// Listens on `path` with file mode `permissions`. Call on the loop.
    public init(
        path: String, permissions: mode_t = 0o600, backlog: Int32 = 16,
        connectionOptions: ConnectionOptions = ConnectionOptions(
            highWatermark: 1 << 20, lowWatermark: 256 * 1024, maxBufferedBytes: 64 << 20),
        maxLineLength: Int = 1 << 20, on loop: EventLoop
    ) throws(SocketError) {
        loop.assertOnLoop()
        self.loop = loop
        self.path = path
        self.connectionOptions = connectionOptions
        self.maxLineLength = maxLineLength
        try UnixSocketServer.prepare(path: path)
        let fd = try Syscall.socket(domain: AF_UNIX, type: Int32(SOCK_STREAM.rawValue))
        do throws(SocketError) {
            try Syscall.bind(fd, unixPath: path)
            _ = try Syscall.retrying("chmod \(path)") { chmod(path, permissions) }
            try Syscall.listen(fd, backlog: backlog, "listen on \(path)")
        } catch {
            Syscall.close(fd)
            unlink(path)
            throw error
        }
        self.fd = fd
        source = DispatchSource.makeReadSource(fileDescriptor: fd, queue: loop.queue)
        source.setEventHandler { [self] in acceptPass() }
        source.setCancelHandler { Syscall.close(fd) }
        source.activate()
    }

    /// Creates the parent directory and removes a stale socket at `path`.
    private static func prepare(path: String) throws(SocketError) {
        if let slash = path.lastIndex(of: "/"), slash != path.startIndex {
            try makeDirectories(String(path[..<slash]))
        }
        var info = stat()
        guard lstat(path, &info) == 0 else { return }  // nothing there
        guard (info.st_mode & S_IFMT) == S_IFSOCK else {
            throw SocketError(Errno(rawValue: EEXIST), operation: "create control socket \(path) (exists and is not a socket)")
        }
        // A socket file: is a server still behind it? (Non-blocking probe: a live server
        // with a full backlog answers EAGAIN instead of blocking us.)
        if let probe = try? Syscall.socket(domain: AF_UNIX, type: Int32(SOCK_STREAM.rawValue)) {
            defer { Syscall.close(probe) }
            do throws(SocketError) {
                try Syscall.connect(probe, unixPath: path, "probe \(path)")
                throw SocketError(.addressInUse, operation: "create control socket \(path) (another server is running)")
            } catch where error.code == .wouldBlock || error.code == .addressInUse {
                throw SocketError(.addressInUse, operation: "create control socket \(path) (another server is running)")
            } catch {
                // ECONNREFUSED: stale file, nobody listening.
            }
        }
        _ = try Syscall.retrying("remove stale socket \(path)") { unlink(path) }
    }

    /// `mkdir -p` with mode 0755.
    private static func makeDirectories(_ directory: String) throws(SocketError) {
        var prefix = directory.hasPrefix("/") ? "/" : ""
        for component in directory.split(separator: "/") {
            prefix += component
            if mkdir(prefix, 0o755) != 0 {
                let code = Errno.current
                if code.rawValue != EEXIST { throw SocketError(code, operation: "create directory \(prefix)") }
            }
            prefix += "/"
        }
    }

    /// Whether ``close()`` was called.
    public var isClosed: Bool { isClosedFlag }

    /// Stops listening and removes the socket file. Open connections are unaffected.
    /// Idempotent.
    public func close() {
        loop.assertOnLoop()
        guard !isClosedFlag else { return }
        isClosedFlag = true
        onConnection = nil
        onError = nil
        source.cancel()
        unlink(path)
    }

    private func acceptPass() {
        // The control socket sees a handful of clients: accept what is pending.
        while !isClosedFlag {
            let client: Int32
            do throws(SocketError) {
                guard let fd = try Syscall.accept(fd, "accept on \(path)") else { return }
                client = fd
            } catch {
                onError?(error)
                return
            }
            let connection = UnixSocketConnection(fd: client, path: path, options: connectionOptions,
                                                  maxLineLength: maxLineLength, loop: loop)
            if let onConnection {
                onConnection(connection)
                connection.channel.start()
            } else {
                connection.close()
            }
        }
    }

    deinit {
        if !isClosedFlag { source.cancel() }
    }
}
