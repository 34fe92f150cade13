import CMNL
import Dispatch
import Glibc

/// Watches the kernel's rtnetlink multicast groups and delivers parsed events on a
/// caller-given serial queue through a `DispatchSourceRead` on the socket's fd.
///
/// Contract for the dataplane agent: events are hints; after `.overrun` (ENOBUFS, the
/// kernel dropped messages because the receive buffer was full) do a full resync from
/// dumps (ARCHITECTURE.md example 6).
public final class NetlinkMonitor: @unchecked Sendable {
    /// RTNLGRP_LINK, RTNLGRP_IPV4_IFADDR, RTNLGRP_IPV6_IFADDR, RTNLGRP_IPV4_ROUTE,
    /// RTNLGRP_IPV6_ROUTE, RTNLGRP_NEIGH (`enum rtnetlink_groups`, `<linux/rtnetlink.h>`).
    public static let defaultGroups: [UInt32] = [
        RTNLGRP_LINK.rawValue, RTNLGRP_IPV4_IFADDR.rawValue, RTNLGRP_IPV6_IFADDR.rawValue,
        RTNLGRP_IPV4_ROUTE.rawValue, RTNLGRP_IPV6_ROUTE.rawValue, RTNLGRP_NEIGH.rawValue,
    ]

    /// Reads per wake-up before yielding the queue (the source fires again while readable).
    static let maxReadsPerWake = 256

    let socket: NetlinkSocket
    let queue: DispatchQueue
    let handler: @Sendable (NetlinkEvent) -> Void
    // Strong reference: a released source is cancelled and never fires.
    var source: DispatchSourceRead?

    /// Opens a non-blocking monitor socket (in `namespace` if given) joined to `groups`.
    /// Call `start()` to begin delivering events to `handler` on `queue`.
    public init(namespace: String? = nil, groups: [UInt32] = NetlinkMonitor.defaultGroups,
                receiveBufferSize: Int = 8 << 20, queue: DispatchQueue,
                handler: @escaping @Sendable (NetlinkEvent) -> Void) throws {
        if let namespace {
            socket = try NetlinkSocket(namespace: namespace, groups: groups, receiveBufferSize: receiveBufferSize, nonBlocking: true)
        } else {
            socket = try NetlinkSocket(groups: groups, receiveBufferSize: receiveBufferSize, nonBlocking: true)
        }
        self.queue = queue
        self.handler = handler
    }

    /// The receive buffer size in effect (the kernel doubles requests and has a minimum).
    public var receiveBufferSize: Int { socket.receiveBufferSize }

    /// Creates and resumes the read source.
    public func start() {
        guard source == nil else { return }
        let s = DispatchSource.makeReadSource(fileDescriptor: socket.fd, queue: queue)
        s.setEventHandler { [weak self] in self?.drain() }
        source = s
        s.resume()
    }

    /// Cancels the read source; no events are delivered after this returns on `queue`.
    public func cancel() {
        source?.cancel()
        source = nil
    }

    deinit { source?.cancel() }

    /// Reads what is queued (bounded), parses, delivers. Runs on `queue`.
    func drain() {
        for _ in 0..<Self.maxReadsPerWake {
            let n: Int?
            do {
                n = try socket.receive(dontWait: true)
            } catch {
                if (error as? NetlinkError)?.code == ENOBUFS { handler(.overrun); continue }
                return
            }
            guard let n else { return }
            for m in NetlinkMessage.split(UnsafeRawBufferPointer(rebasing: socket.buffer[0..<n])) {
                if m.type == NL.overrun { handler(.overrun); continue }
                if let e = NetlinkEvent.parse(m) { handler(e) }
            }
        }
    }
}
