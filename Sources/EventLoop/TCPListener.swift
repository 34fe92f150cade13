import Dispatch
#if canImport(Glibc)
import Glibc
#endif

/// A non-blocking listening TCP socket on an IPv4 or IPv6 address, accepting through a
/// Dispatch read source on the loop.
///
/// `SO_REUSEADDR` is set; an IPv6 listener is `IPV6_V6ONLY` (listen on "0.0.0.0" and "::"
/// separately). Port 0 picks an ephemeral port, readable from ``localAddress``.
///
/// ```swift
/// let listener = try TCPListener(host: "0.0.0.0", port: 179, on: loop)
/// listener.onAccept = { connection in daemon.incoming(connection) }
/// ```
/// Threading: create and use on the loop, set ``onAccept`` in the same turn. The accepted
/// connection starts reading after ``onAccept`` returns, so set its callbacks there.
public final class TCPListener: @unchecked Sendable {
    // All mutable state is confined to `loop.queue`.
    /// The loop this listener runs on.
    public let loop: EventLoop
    /// The bound address, with the actual port.
    public let localAddress: SocketAddress
    /// Options given to every accepted connection.
    public var connectionOptions: ConnectionOptions

    /// Receives each accepted connection. Connections arriving while this is nil are closed.
    public var onAccept: ((TCPConnection) -> Void)?
    /// Receives accept errors (e.g. `EMFILE`); the listener stays open.
    public var onError: ((SocketError) -> Void)?

    private let fd: Int32
    var listeningDescriptor: Int32 { fd }
    private let source: DispatchSourceRead
    private var isClosedFlag = false
    private var acceptPassScheduled = false
    /// Connections accepted per event before yielding the loop.
    private let maxAcceptsPerEvent = 16

    /// Binds and listens on `address`. Call on the loop.
    public init(address: SocketAddress, backlog: Int32 = 128, connectionOptions: ConnectionOptions = .default,
                on loop: EventLoop) throws(SocketError) {
        loop.assertOnLoop()
        self.loop = loop
        self.connectionOptions = connectionOptions
        let fd = try Syscall.socket(domain: address.domain, type: Int32(SOCK_STREAM.rawValue))
        do throws(SocketError) {
            try Syscall.setOption(fd, level: SOL_SOCKET, name: SO_REUSEADDR, value: Int32(1),
                                  "set SO_REUSEADDR on \(address)")
            if address.family == .ipv6 {
                try Syscall.setOption(fd, level: Int32(IPPROTO_IPV6), name: IPV6_V6ONLY, value: Int32(1),
                                      "set IPV6_V6ONLY on \(address)")
            }
            try Syscall.bind(fd, address, "bind \(address)")
            try Syscall.listen(fd, backlog: backlog, "listen on \(address)")
        } catch {
            Syscall.close(fd)
            throw error
        }
        self.fd = fd
        localAddress = Syscall.address(fd, peer: false) ?? address
        source = DispatchSource.makeReadSource(fileDescriptor: fd, queue: loop.queue)
        source.setEventHandler { [self] in acceptPass() }
        source.setCancelHandler { Syscall.close(fd) }
        source.activate()
    }

    /// Parses `host` (numeric) and listens as ``init(address:backlog:connectionOptions:on:)``.
    public convenience init(host: String, port: UInt16, backlog: Int32 = 128,
                            connectionOptions: ConnectionOptions = .default, on loop: EventLoop) throws(SocketError) {
        try self.init(address: SocketAddress(parsing: host, port: port), backlog: backlog,
                      connectionOptions: connectionOptions, on: loop)
    }

    /// Whether ``close()`` was called.
    public var isClosed: Bool { isClosedFlag }

    /// Installs (or with an empty key removes) a TCP MD5 key for connections from `peer`.
    public func setMD5Key(_ key: [UInt8], for peer: SocketAddress) throws(SocketError) {
        loop.assertOnLoop()
        guard !isClosedFlag else { throw SocketError(Errno(rawValue: EBADF), operation: "set TCP_MD5SIG on closed listener") }
        try TCPMD5.set(fd: fd, key: key, peer: peer)
    }

    /// Stops listening; the descriptor closes in the source's cancel handler. Idempotent.
    /// Already accepted connections are unaffected.
    public func close() {
        loop.assertOnLoop()
        guard !isClosedFlag else { return }
        isClosedFlag = true
        onAccept = nil
        onError = nil
        source.cancel()
    }

    private func acceptPass() {
        var accepted = 0
        while !isClosedFlag {
            if accepted >= maxAcceptsPerEvent {
                if !acceptPassScheduled {
                    acceptPassScheduled = true
                    loop.execute { [self] in
                        acceptPassScheduled = false
                        acceptPass()
                    }
                }
                return
            }
            let client: Int32
            do throws(SocketError) {
                guard let fd = try Syscall.accept(fd, "accept on \(localAddress)") else { return }
                client = fd
            } catch {
                onError?(error)
                return
            }
            accepted += 1
            guard let remote = Syscall.address(client, peer: true) else {
                Syscall.close(client)  // already reset by the peer
                continue
            }
            do throws(SocketError) {
                try Syscall.setOption(client, level: Int32(IPPROTO_TCP), name: TCP_NODELAY, value: Int32(1),
                                      "set TCP_NODELAY for \(remote)")
            } catch {
                Syscall.close(client)
                onError?(error)
                continue
            }
            let connection = TCPConnection(
                fd: client, remote: remote, local: Syscall.address(client, peer: false), state: .open,
                options: connectionOptions, loop: loop
            )
            if let onAccept {
                onAccept(connection)
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
