import CMNL
import Glibc

/// A NETLINK_ROUTE socket (or NETLINK_NETFILTER for `NFTablesMonitor` and `ConntrackTable`) (libmnl `mnl_socket_*`, raw `recv(2)`/`setsockopt(2)` where
/// libmnl has no flags). One owner at a time: not thread-safe; use it from one queue.
///
/// - Synchronous `perform` (request + ACK) and `dump` (multi-part until NLMSG_DONE).
/// - `apply`: many requests per `sendto`, each with its own sequence number, ACKs
///   matched back by sequence so one failure is reported without failing the rest.
///
/// rtnetlink handles a send synchronously in the sender's context: when `sendto`
/// returns, every ACK or error for that send is already queued on this socket (or was
/// dropped with ENOBUFS when the receive buffer was full). `apply` relies on that.
public final class NetlinkSocket {
    let nl: OpaquePointer
    /// The socket's file descriptor.
    public let fd: Int32
    /// The port id the kernel assigned at bind time.
    public let portID: UInt32
    /// The receive buffer size in effect (as `getsockopt(SO_RCVBUF)` reports it).
    public private(set) var receiveBufferSize: Int
    /// Whether the kernel accepted NETLINK_EXT_ACK (error messages in ACKs).
    public private(set) var extendedAcks = false
    var nextSequence: UInt32
    let buffer: UnsafeMutableRawBufferPointer
    static let bufferSize = 64 * 1024

    /// Opens and binds a socket in the current network namespace.
    /// - Parameters:
    ///   - groups: RTNLGRP_* multicast groups to join (NETLINK_ADD_MEMBERSHIP).
    ///   - receiveBufferSize: requested with SO_RCVBUFFORCE (root), else SO_RCVBUF (capped by rmem_max).
    ///   - nonBlocking: SOCK_NONBLOCK (for the monitor's Dispatch source).
    public convenience init(groups: [UInt32] = [], receiveBufferSize: Int = 32 << 20, nonBlocking: Bool = false) throws {
        try self.init(netlinkProtocol: NETLINK_ROUTE, groups: groups, receiveBufferSize: receiveBufferSize, nonBlocking: nonBlocking)
    }

    /// Opens and binds a socket of any netlink protocol (NETLINK_ROUTE, NETLINK_NETFILTER, ...)
    /// in the current network namespace; `groups` are that protocol's multicast groups.
    init(netlinkProtocol: Int32, groups: [UInt32] = [], receiveBufferSize: Int = 32 << 20, nonBlocking: Bool = false) throws {
        let flags = Int32(SOCK_CLOEXEC.rawValue) | (nonBlocking ? Int32(SOCK_NONBLOCK.rawValue) : 0)
        guard let nl = mnl_socket_open2(netlinkProtocol, flags) else { throw NetlinkError.fromErrno("open netlink socket") }
        self.nl = nl
        fd = mnl_socket_get_fd(nl)
        var one: Int32 = 1
        // <linux/netlink.h>: NETLINK_CAP_ACK (10) keeps ACKs short (no copy of the request);
        // NETLINK_EXT_ACK (11) adds NLMSGERR_ATTR_MSG. Both exist since Linux 4.x; optional.
        _ = mnl_socket_setsockopt(nl, NETLINK_CAP_ACK, &one, 4)
        extendedAcks = mnl_socket_setsockopt(nl, NETLINK_EXT_ACK, &one, 4) == 0
        var size = Int32(clamping: receiveBufferSize)
        if setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, 4) != 0 {
            _ = setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, 4)
        }
        var actual: Int32 = 0
        var len = socklen_t(4)
        _ = getsockopt(fd, SOL_SOCKET, SO_RCVBUF, &actual, &len)
        self.receiveBufferSize = Int(actual)
        // A reply that never comes (a bug, not the kernel's way) must not hang a caller forever.
        var tv = timeval(tv_sec: 10, tv_usec: 0)
        _ = setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        guard mnl_socket_bind(nl, 0, pid_t(MNL_SOCKET_AUTOPID)) == 0 else {
            let e = NetlinkError.fromErrno("bind netlink socket")
            mnl_socket_close(nl)
            throw e
        }
        portID = mnl_socket_get_portid(nl)
        for var g in groups {
            guard setsockopt(fd, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, &g, 4) == 0 else {
                let e = NetlinkError.fromErrno("join netlink group \(g)")
                mnl_socket_close(nl)
                throw e
            }
        }
        buffer = .allocate(byteCount: Self.bufferSize, alignment: 8)
        nextSequence = UInt32(truncatingIfNeeded: time(nil))
    }

    /// Opens a socket inside the named network namespace (/var/run/netns/NAME); the socket
    /// stays bound to that namespace. See `NetworkNamespace.run`.
    public convenience init(namespace: String, groups: [UInt32] = [], receiveBufferSize: Int = 32 << 20,
                            nonBlocking: Bool = false) throws {
        let s = try NetworkNamespace.run(in: namespace) {
            try NetlinkSocket(groups: groups, receiveBufferSize: receiveBufferSize, nonBlocking: nonBlocking)
        }
        // Re-wrap: take over the socket opened on the namespace thread.
        self.init(adopting: s)
    }

    /// Opens a socket inside the network namespace at `path` (``NetworkNamespace/run(atPath:_:)``).
    public convenience init(namespacePath path: String, receiveBufferSize: Int = 1 << 20) throws {
        let s = try NetworkNamespace.run(atPath: path) { try NetlinkSocket(receiveBufferSize: receiveBufferSize) }
        self.init(adopting: s)
    }

    init(adopting other: NetlinkSocket) {
        nl = other.nl
        fd = other.fd
        portID = other.portID
        receiveBufferSize = other.receiveBufferSize
        extendedAcks = other.extendedAcks
        nextSequence = other.nextSequence
        buffer = .allocate(byteCount: Self.bufferSize, alignment: 8)
        other.adopted = true
    }

    var adopted = false

    deinit {
        if !adopted { mnl_socket_close(nl) }
        buffer.deallocate()
    }

    // MARK: - Thin syscall layer (each call once, EINTR retried, typed errors)

    func sendAll(_ bytes: UnsafeRawBufferPointer, _ operation: @autoclosure () -> String) throws {
        while true {
            let n = mnl_socket_sendto(nl, bytes.baseAddress, bytes.count)
            if n >= 0 { return }
            if errno == EINTR { continue }
            throw NetlinkError.fromErrno(operation())
        }
    }

    /// One `recv(2)`; `nil` when a non-blocking read finds nothing (EAGAIN) or a blocking one times out.
    func receive(dontWait: Bool) throws -> Int? {
        while true {
            let n = recv(fd, buffer.baseAddress, buffer.count, dontWait ? Int32(MSG_DONTWAIT) : 0)
            if n >= 0 { return n }
            switch errno {
            case EINTR: continue
            case EAGAIN, EWOULDBLOCK: return nil
            default: throw NetlinkError.fromErrno("receive netlink")
            }
        }
    }

    func takeSequence(_ count: Int = 1) -> UInt32 {
        let s = nextSequence
        nextSequence &+= UInt32(truncatingIfNeeded: count)
        if nextSequence == 0 { nextSequence = 1 }
        return s
    }

    // MARK: - Request / ACK

    /// Sends one request with NLM_F_ACK and waits for its ACK; throws the kernel's error.
    public func perform(_ request: NetlinkRequest) throws {
        if case .failure(let e) = apply([request])[0] { throw e }
    }

    // MARK: - Dumps

    /// Sends a dump request and collects every reply until NLMSG_DONE. Retries (up to 3
    /// times) when the kernel flags NLM_F_DUMP_INTR (the table changed mid-dump).
    public func dump(_ request: NetlinkRequest) throws -> [NetlinkMessage] {
        var attempt = 0
        while true {
            attempt += 1
            let (messages, interrupted) = try dumpOnce(request)
            if !interrupted || attempt >= 3 { return messages }
        }
    }

    func dumpOnce(_ request: NetlinkRequest) throws -> ([NetlinkMessage], Bool) {
        let seq = takeSequence()
        let bytes = request.encode(sequence: seq)
        try bytes.withUnsafeBytes { try sendAll($0, request.operation) }
        var out: [NetlinkMessage] = []
        var interrupted = false
        while true {
            guard let n = try receive(dontWait: false) else {
                throw NetlinkError(code: ETIMEDOUT, operation: request.operation)
            }
            for m in NetlinkMessage.split(UnsafeRawBufferPointer(rebasing: buffer[0..<n])) where m.sequence == seq {
                if m.flags & NL.dumpIntr != 0 { interrupted = true }
                switch m.type {
                case NL.done:
                    if let err = m.payload.readNative(Int32.self, at: 0), err < 0 {
                        throw NetlinkError(code: -err, operation: request.operation, sequence: seq, requestType: request.type)
                    }
                    return (out, interrupted)
                case NL.error:
                    if let info = m.errorInfo, info.code != 0 {
                        throw NetlinkError(code: info.code, operation: request.operation, kernelMessage: info.message, sequence: seq,
                                           requestType: request.type)
                    }
                case NL.noop, NL.overrun:
                    continue
                default:
                    out.append(m)
                }
            }
        }
    }

    /// All IPv4/IPv6 routes of every table (filter by `table`/`proto` yourself).
    public func routes(family: AddressFamily = .unspec) throws -> [Route] {
        try dump(RouteMessage.dump(family: family)).compactMap(RouteMessage.parse)
    }

    /// All links.
    public func links() throws -> [Link] { try dump(LinkMessage.dump()).compactMap(LinkMessage.parse) }

    /// All interface addresses.
    public func addresses(family: AddressFamily = .unspec) throws -> [Address] {
        try dump(AddressMessage.dump(family: family)).compactMap(AddressMessage.parse)
    }

    /// All neighbour entries: ARP and NDP for `.unspec`, `.v4`, `.v6`; the FDB (bridge ports and
    /// vxlan devices, NTF_SELF entries) only for `.bridge`: a family-0 dump goes to
    /// `neigh_dump_info` (net/core/neighbour.c), which walks the neighbour tables, not the FDB.
    public func neighbours(family: AddressFamily = .unspec) throws -> [Neighbour] {
        try dump(NeighbourMessage.dump(family: family)).compactMap(NeighbourMessage.parse)
    }

    /// The link with this name: one RTM_GETLINK by name (O(1), not a dump of every link,
    /// which costs milliseconds on a node with hundreds of veths); nil when there is none.
    public func link(named name: String) throws -> Link? {
        do {
            return try request(LinkMessage.get(name: name)).flatMap(LinkMessage.parse)
        } catch let e as NetlinkError where e.code == ENODEV {
            return nil
        }
    }

    /// Sends a request that is answered with one message (a get by key) and returns it;
    /// the kernel's error is thrown.
    public func request(_ request: NetlinkRequest) throws -> NetlinkMessage? {
        let seq = takeSequence()
        let bytes = request.encode(sequence: seq)
        try bytes.withUnsafeBytes { try sendAll($0, request.operation) }
        while true {
            guard let n = try receive(dontWait: false) else {
                throw NetlinkError(code: ETIMEDOUT, operation: request.operation)
            }
            for m in NetlinkMessage.split(UnsafeRawBufferPointer(rebasing: buffer[0..<n])) where m.sequence == seq {
                switch m.type {
                case NL.error:
                    if let info = m.errorInfo, info.code != 0 {
                        throw NetlinkError(code: info.code, operation: request.operation, kernelMessage: info.message, sequence: seq,
                                           requestType: request.type)
                    }
                    return nil
                case NL.noop, NL.overrun, NL.done:
                    continue
                default:
                    return m
                }
            }
        }
    }
}
