import Dispatch
#if canImport(Glibc)
import Glibc
#endif

/// A non-blocking UDP socket on the loop: bound to an address and port, sending datagrams
/// to any address, receiving each with its source and the IP TTL / IPv6 hop limit it
/// arrived with (`IP_RECVTTL` / `IPV6_RECVHOPLIMIT`), for RFC 5881 §5 / RFC 5082 checks.
///
/// ```swift
/// let socket = try UDPSocket(bind: SocketAddress(parsing: "0.0.0.0", port: 3784), ttl: 255, on: loop)
/// socket.onDatagram = { bytes, source, ttl in ... }
/// socket.send(packet, to: peer)
/// ```
/// `ttl` sets `IP_TTL` (IPv4) or `IPV6_UNICAST_HOPS` (IPv6) on what is sent. An IPv6
/// socket is `IPV6_V6ONLY`. Threading: create and use on the loop; ``onDatagram`` runs
/// there. Without ``onDatagram`` set when the socket is made, no read source is created
/// (a send-only socket).
public final class UDPSocket: @unchecked Sendable {
    // All mutable state is confined to `loop.queue`.
    /// The loop this socket runs on.
    public let loop: EventLoop
    /// The bound address, with the actual port.
    public let localAddress: SocketAddress
    /// Receives each datagram: its bytes, its source, and its TTL / hop limit (nil when the
    /// kernel gave none).
    public var onDatagram: (([UInt8], SocketAddress, Int?) -> Void)?

    private let fd: Int32
    private var source: DispatchSourceRead?
    private var isClosedFlag = false
    /// Datagrams read per event before yielding the loop.
    private let maxReadsPerEvent = 64

    /// Binds `address` (port 0: an ephemeral port) and, when `receive` is true, starts
    /// reading on the loop. Call on the loop.
    public init(bind address: SocketAddress, ttl: Int32? = nil, receive: Bool = true, on loop: EventLoop) throws(SocketError) {
        loop.assertOnLoop()
        self.loop = loop
        let fd = try Syscall.socket(domain: address.domain, type: Int32(SOCK_DGRAM.rawValue))
        do throws(SocketError) {
            if address.family == .ipv6 {
                try Syscall.setOption(fd, level: Int32(IPPROTO_IPV6), name: IPV6_V6ONLY, value: Int32(1),
                                      "set IPV6_V6ONLY on \(address)")
                try Syscall.setOption(fd, level: Int32(IPPROTO_IPV6), name: IPV6_RECVHOPLIMIT, value: Int32(1),
                                      "set IPV6_RECVHOPLIMIT on \(address)")
                if let ttl {
                    try Syscall.setOption(fd, level: Int32(IPPROTO_IPV6), name: IPV6_UNICAST_HOPS, value: ttl,
                                          "set IPV6_UNICAST_HOPS on \(address)")
                }
            } else {
                try Syscall.setOption(fd, level: Int32(IPPROTO_IP), name: IP_RECVTTL, value: Int32(1),
                                      "set IP_RECVTTL on \(address)")
                if let ttl {
                    try Syscall.setOption(fd, level: Int32(IPPROTO_IP), name: IP_TTL, value: ttl, "set IP_TTL on \(address)")
                }
            }
            try Syscall.bind(fd, address, "bind UDP \(address)")
        } catch {
            Syscall.close(fd)
            throw error
        }
        self.fd = fd
        localAddress = Syscall.address(fd, peer: false) ?? address
        if receive {
            let source = DispatchSource.makeReadSource(fileDescriptor: fd, queue: loop.queue)
            source.setEventHandler { [weak self] in self?.readPass() }
            source.setCancelHandler { Syscall.close(fd) }
            source.activate()
            self.source = source
        }
    }

    /// Whether ``close()`` was called.
    public var isClosed: Bool { isClosedFlag }

    /// Sends one datagram to `destination`; the error (e.g. `ENETUNREACH` while a link is
    /// down) is returned, never thrown: UDP loses packets anyway.
    @discardableResult
    public func send(_ bytes: [UInt8], to destination: SocketAddress) -> Errno? {
        loop.assertOnLoop()
        guard !isClosedFlag else { return Errno(rawValue: EBADF) }
        while true {
            let n = bytes.withUnsafeBytes { raw in
                destination.withSockAddr { Glibc.sendto(fd, raw.baseAddress, raw.count, Int32(MSG_NOSIGNAL), $0, $1) }
            }
            if n >= 0 { return nil }
            let code = Errno.current
            if code == .interrupted { continue }
            return code
        }
    }

    /// Stops reading and closes the descriptor. Idempotent.
    public func close() {
        loop.assertOnLoop()
        guard !isClosedFlag else { return }
        isClosedFlag = true
        onDatagram = nil
        if let source { source.cancel() } else { Syscall.close(fd) }
    }

    /// Reads the datagrams waiting (up to ``maxReadsPerEvent``) with `recvmsg`.
    private func readPass() {
        var buffer = [UInt8](repeating: 0, count: 2048)
        var control = [UInt8](repeating: 0, count: 128)
        for _ in 0..<maxReadsPerEvent where !isClosedFlag {
            var storage = sockaddr_storage()
            var ttl: Int?
            let n: Int = buffer.withUnsafeMutableBytes { data in
                control.withUnsafeMutableBytes { ctl in
                    withUnsafeMutablePointer(to: &storage) { name in
                        var iov = iovec(iov_base: data.baseAddress, iov_len: data.count)
                        return withUnsafeMutablePointer(to: &iov) { iovp in
                            var msg = msghdr()
                            msg.msg_name = UnsafeMutableRawPointer(name)
                            msg.msg_namelen = socklen_t(MemoryLayout<sockaddr_storage>.size)
                            msg.msg_iov = iovp
                            msg.msg_iovlen = 1
                            msg.msg_control = ctl.baseAddress
                            msg.msg_controllen = ctl.count
                            var r: Int
                            repeat { r = Glibc.recvmsg(fd, &msg, Int32(MSG_DONTWAIT)) } while r < 0 && errno == EINTR
                            if r >= 0 { ttl = UDPSocket.hopLimit(in: msg) }
                            return r
                        }
                    }
                }
            }
            guard n >= 0 else { return }  // EAGAIN (or an error the next event shows again)
            guard let from = SocketAddress(storage: storage) else { continue }
            onDatagram?(Array(buffer[0..<n]), from, ttl)
        }
    }

    /// The `IP_TTL` or `IPV6_HOPLIMIT` control message of `msg`, if any.
    private static func hopLimit(in msg: msghdr) -> Int? {
        guard let base = msg.msg_control, msg.msg_controllen >= MemoryLayout<cmsghdr>.size else { return nil }
        var offset = 0
        let total = Int(msg.msg_controllen)
        let align = MemoryLayout<Int>.size
        while offset + MemoryLayout<cmsghdr>.size <= total {
            let header = base.load(fromByteOffset: offset, as: cmsghdr.self)
            let headerSize = (MemoryLayout<cmsghdr>.size + align - 1) & ~(align - 1)
            if (header.cmsg_level == Int32(IPPROTO_IP) && header.cmsg_type == IP_TTL)
                || (header.cmsg_level == Int32(IPPROTO_IPV6) && header.cmsg_type == IPV6_HOPLIMIT) {
                return Int(base.loadUnaligned(fromByteOffset: offset + headerSize, as: Int32.self))
            }
            guard header.cmsg_len > 0 else { return nil }
            offset += (Int(header.cmsg_len) + align - 1) & ~(align - 1)
        }
        return nil
    }

    deinit {
        if !isClosedFlag {
            if let source { source.cancel() } else { Syscall.close(fd) }
        }
    }
}
