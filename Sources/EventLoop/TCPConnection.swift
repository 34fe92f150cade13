#if canImport(Glibc)
import Glibc
#endif

/// A non-blocking TCP connection driven by Dispatch sources on an ``EventLoop``.
///
/// Outgoing: ``connect(to:port:from:timeout:md5Key:options:on:)``; incoming: handed over by
/// ``TCPListener/onAccept``. `TCP_NODELAY` is on.
///
/// ```swift
/// let connection = try TCPConnection.connect(to: "192.168.77.2", port: 179,
///                                            timeout: .seconds(5), on: loop)
/// connection.onConnect = { connection.write(openBytes) }
/// connection.onRead = { bytes in framer.append(bytes) }
/// connection.onClose = { reason in fsm.handle(.tcpConnectionFails) }
/// ```
///
/// Threading: create and use it only on the loop; set callbacks in the same loop turn.
/// Every callback runs on the loop. After ``close()`` (or after `onClose`) no callback runs.
/// An open connection keeps itself alive (its sources retain it) until it is closed.
///
/// Output is buffered up to ``ConnectionOptions/maxBufferedBytes``; producers should stop
/// while ``isWritable`` is false and resume in ``onWritable``. ``lastWriteProgress`` feeds
/// the BGP send hold timer (RFC 9687).
public final class TCPConnection: @unchecked Sendable {
    // All mutable state is confined to `loop.queue`.
    let channel: StreamChannel

    /// The loop this connection runs on.
    public let loop: EventLoop
    /// The peer's address and port.
    public let remoteAddress: SocketAddress
    /// The local address and port; `nil` until an outgoing connection is established.
    public private(set) var localAddress: SocketAddress?

    // MARK: - Callbacks

    /// Runs once when an outgoing connection is established (never for accepted ones).
    public var onConnect: (() -> Void)? {
        get { channel.onConnect }
        set { channel.onConnect = newValue }
    }
    /// Receives each chunk read (at most ``ConnectionOptions/readChunkSize`` bytes), in order.
    public var onRead: (([UInt8]) -> Void)? {
        get { channel.onRead }
        set { channel.onRead = newValue }
    }
    /// Runs once when the connection fails or the peer closes it (not after ``close()``).
    /// A failed connect arrives here with its error (`ECONNREFUSED`, `ETIMEDOUT`, ...).
    public var onClose: ((CloseReason) -> Void)? {
        get { channel.onClose }
        set { channel.onClose = newValue }
    }
    /// Runs when the buffer drains to the low watermark after ``isWritable`` became false.
    public var onWritable: (() -> Void)? {
        get { channel.onWritable }
        set { channel.onWritable = newValue }
    }

    // MARK: - State

    /// True once established and until closed.
    public var isOpen: Bool { channel.state == .open }
    /// True after ``close()``, a failure or end of file.
    public var isClosed: Bool { channel.state == .closed }
    /// Bytes accepted by ``write(_:)`` and not yet taken by the kernel.
    public var bufferedBytes: Int { channel.bufferedBytes }
    /// False while more than the high watermark is buffered: stop producing output.
    public var isWritable: Bool { channel.isWritable }
    /// Monotonic time (``EventLoop/now``) of the last write progress: the last successful
    /// write, the output buffer becoming empty, or data becoming pending on an empty buffer.
    /// With `bufferedBytes > 0`, `loop.now - lastWriteProgress` is how long the peer has
    /// not taken any data (RFC 9687 send hold timer).
    public var lastWriteProgress: UInt64 { channel.lastWriteProgress }
    /// The buffer limits in force.
    public var options: ConnectionOptions {
        ConnectionOptions(
            highWatermark: channel.highWatermark, lowWatermark: channel.lowWatermark,
            maxBufferedBytes: channel.maxBufferedBytes, readChunkSize: channel.readChunkSize,
            maxReadPerEvent: channel.maxReadPerEvent
        )
    }
    /// Whether reading is paused by ``pauseReading()``.
    public var isReadingPaused: Bool { channel.isReadingPaused }

    // MARK: - Creating

    init(fd: Int32, remote: SocketAddress, local: SocketAddress?, state: StreamChannel.State,
         options: ConnectionOptions, loop: EventLoop) {
        self.loop = loop
        remoteAddress = remote
        localAddress = local
        channel = StreamChannel(fd: fd, loop: loop, state: state,
                                peerDescription: remote.description, options: options)
        channel.didOpen = { [weak self] in
            guard let self else { return }
            localAddress = Syscall.address(channel.fd, peer: false)
        }
    }

    /// Starts a non-blocking connection to `address`, optionally from the local address
    /// `local` (port 0 picks an ephemeral port). Completion arrives on the loop:
    /// ``onConnect`` on success, ``onClose`` with the error on failure (including
    /// `ETIMEDOUT` after `timeout`).
    ///
    /// Throws only when the socket cannot be set up (creating it, `TCP_MD5SIG`, binding
    /// `local`: e.g. `EADDRNOTAVAIL`). Call on the loop.
    public static func connect(
        to address: SocketAddress, from local: SocketAddress? = nil, timeout: Duration? = .seconds(30),
        md5Key: [UInt8]? = nil, ttl: UInt8? = nil, minimumTTL: UInt8? = nil, options: ConnectionOptions = .default,
        on loop: EventLoop
    ) throws(SocketError) -> TCPConnection {
        loop.assertOnLoop()
        let operation = "connect to \(address)"
        let fd = try Syscall.socket(domain: address.domain, type: Int32(SOCK_STREAM.rawValue))
        do throws(SocketError) {
            try Syscall.setOption(fd, level: Int32(IPPROTO_TCP), name: TCP_NODELAY, value: Int32(1),
                                  "set TCP_NODELAY for \(operation)")
            if let ttl { try setTTL(fd, family: address.family, ttl, operation) }
            if let md5Key { try TCPMD5.set(fd: fd, key: md5Key, peer: address) }
            // RFC 5082: set before connect, so a SYN-ACK from too far away is dropped too.
            if let minimumTTL { try setMinimumTTL(fd, family: address.family, minimumTTL, operation) }
            if let local {
                guard local.family == address.family else {
                    throw SocketError(.invalidArgument, operation: "bind \(local) for \(operation) (address family differs)")
                }
                try Syscall.setOption(fd, level: SOL_SOCKET, name: SO_REUSEADDR, value: Int32(1),
                                      "set SO_REUSEADDR on \(local)")
                try Syscall.bind(fd, local, "bind \(local) for \(operation)")
            }
            do throws(SocketError) {
                // Immediate success is still reported through the write source.
                _ = try Syscall.connect(fd, address, operation)
            } catch {
                // Refused/unreachable right away: report it like an asynchronous failure.
                let connection = TCPConnection(fd: fd, remote: address, local: local, state: .connecting,
                                               options: options, loop: loop)
                connection.channel.failLater(.error(error))
                return connection
            }
        } catch {
            Syscall.close(fd)
            throw error
        }
        let connection = TCPConnection(fd: fd, remote: address, local: nil, state: .connecting,
                                       options: options, loop: loop)
        connection.channel.awaitConnect(timeout: timeout, operation: operation)
        return connection
    }

    /// Sets the TTL (IPv4) or hop limit (IPv6) of the packets this socket sends.
    static func setTTL(_ fd: Int32, family: SocketAddress.Family, _ ttl: UInt8, _ operation: String) throws(SocketError) {
        if family == .ipv6 {
            try Syscall.setOption(fd, level: Int32(IPPROTO_IPV6), name: IPV6_UNICAST_HOPS, value: Int32(ttl), "set IPV6_UNICAST_HOPS for \(operation)")
        } else {
            try Syscall.setOption(fd, level: Int32(IPPROTO_IP), name: IP_TTL, value: Int32(ttl), "set IP_TTL for \(operation)")
        }
    }

    /// Sets the TTL of what this (accepted) connection sends: an eBGP session is sent with
    /// TTL 1 unless multihop is configured.
    public func setTTL(_ ttl: UInt8) throws(SocketError) {
        try Self.setTTL(channel.fd, family: remoteAddress.family, ttl, "connection with \(remoteAddress)")
    }

    /// The TTL (IPv4) or hop limit (IPv6) this connection sends with.
    public var ttl: Int32? {
        var value: Int32 = 0
        var len = socklen_t(MemoryLayout<Int32>.size)
        let (level, name) = remoteAddress.family == .ipv6 ? (Int32(IPPROTO_IPV6), IPV6_UNICAST_HOPS) : (Int32(IPPROTO_IP), IP_TTL)
        return getsockopt(channel.fd, level, name, &value, &len) == 0 ? value : nil
    }

    /// Parses `host` (numeric IPv4/IPv6, never resolved) and `local`, then connects as
    /// ``connect(to:from:timeout:md5Key:options:on:)``.
    public static func connect(
        to host: String, port: UInt16, from local: String? = nil, timeout: Duration? = .seconds(30),
        md5Key: [UInt8]? = nil, options: ConnectionOptions = .default, on loop: EventLoop
    ) throws(SocketError) -> TCPConnection {
        let address = try SocketAddress(parsing: host, port: port)
        let localAddress = try local.map { text throws(SocketError) in try SocketAddress(parsing: text, port: 0) }
        return try connect(to: address, from: localAddress, timeout: timeout, md5Key: md5Key,
                           options: options, on: loop)
    }

    // MARK: - Using

    /// Queues `bytes` for sending. Returns false (queuing nothing) when the connection is
    /// closed or when the buffer would exceed ``ConnectionOptions/maxBufferedBytes``: the
    /// caller decides whether to retry after ``onWritable`` or to close. A write error is
    /// reported through ``onClose`` on a later loop turn.
    @discardableResult
    public func write(_ bytes: [UInt8]) -> Bool {
        channel.write(bytes)
    }

    /// Reads what the kernel already holds for this socket now (at most `limit` bytes), even
    /// while reading is paused, delivering it through ``onRead`` before returning. Call it
    /// before deciding from the peer's silence: after a stall, its messages may be waiting.
    @discardableResult
    public func readPending(limit: Int = 16 << 20) -> Int { channel.readPending(limit: limit) }

    /// Stops reading (the kernel's receive buffer then pushes back on the peer).
    public func pauseReading() { channel.pauseReading() }

    /// Resumes reading after ``pauseReading()``.
    public func resumeReading() { channel.resumeReading() }

    /// Closes the connection: discards buffered output, cancels the sources exactly once,
    /// closes the descriptor once they are cancelled. Idempotent; no callback runs after it.
    public func close() { channel.close() }
}
