import CMNL
import Dispatch
import Glibc

/// Reports changes that OTHER processes make to one nftables table, so its owner can restore
/// a table someone flushed or deleted.
///
/// A NETLINK_NETFILTER socket joined to NFNLGRP_NFTABLES (`<linux/netfilter/nfnetlink.h>`)
/// receives every committed nf_tables change as object messages followed by one
/// NFT_MSG_NEWGEN (see ``NFTablesMessage``). The monitor collects whether the watched
/// (family, table) was touched since the last NEWGEN; at NEWGEN, if it was and the writer is
/// not this process, `onForeignChange` runs on `queue` with the writer's pid and name. When
/// the kernel dropped events (ENOBUFS: the receive buffer was full) it runs with `nil, nil`:
/// the caller must re-check the table.
///
/// The writer's pid is the kernel's `task_pid_nr(current)`, a thread id: a change is this
/// process's own when that id is `getpid()` or one of its live threads, or when the event's
/// port id is one of this process's netlink sockets (a thread that has exited since; see
/// `OwnNetlinkPorts`).
public final class NFTablesMonitor: @unchecked Sendable {
    /// Reads per wake-up before yielding the queue (the source fires again while readable).
    static let maxReadsPerWake = 256

    let socket: NetlinkSocket
    let queue: DispatchQueue
    let family: UInt8
    let table: String
    let onForeignChange: @Sendable (_ pid: UInt32?, _ process: String?) -> Void
    /// Whether the watched table was touched since the last NEWGEN (only touched on `queue`).
    var touched = false
    /// This process's writer sockets, learnt as their events come (only touched on `queue`).
    var own = OwnNetlinkPorts()
    // Strong reference: a released source is cancelled and never fires.
    var source: DispatchSourceRead?

    /// Watches `table` of `family` ("inet" = NFPROTO_INET 1, "ip", "ip6", "arp", "bridge",
    /// "netdev"); `onForeignChange` runs on `queue` with the pid and process name of the writer
    /// (nil when events were lost). `receiveBufferSize` is asked for with SO_RCVBUFFORCE: a
    /// flush of a big table is one event per object, and overflowing it loses events.
    /// Call `start()` to begin.
    public init(family: String, table: String, queue: DispatchQueue,
                receiveBufferSize: Int = 4 << 20,
                onForeignChange: @escaping @Sendable (_ pid: UInt32?, _ process: String?) -> Void) throws(NetlinkError) {
        guard let f = NFTablesMessage.family(named: family) else {
            throw NetlinkError(code: EAFNOSUPPORT, operation: "watch nftables table \(family) \(table): unknown family")
        }
        do {
            socket = try NetlinkSocket(netlinkProtocol: NETLINK_NETFILTER, groups: [UInt32(NFNLGRP_NFTABLES.rawValue)],
                                       receiveBufferSize: receiveBufferSize, nonBlocking: true)
        } catch let e as NetlinkError {
            throw e
        } catch {
            throw NetlinkError(code: EINVAL, operation: "open nftables monitor: \(error)")
        }
        self.family = f
        self.table = table
        self.queue = queue
        self.onForeignChange = onForeignChange
    }

    /// Creates and resumes the read source.
    public func start() {
        guard source == nil else { return }
        let s = DispatchSource.makeReadSource(fileDescriptor: socket.fd, queue: queue)
        s.setEventHandler { [weak self] in self?.drain() }
        source = s
        s.resume()
    }

    /// Cancels the read source; no handler runs after this returns on `queue`.
    public func stop() {
        source?.cancel()
        source = nil
    }

    deinit { source?.cancel() }

    /// Reads what is queued (bounded), parses, reports. Runs on `queue`.
    func drain() {
        for _ in 0..<Self.maxReadsPerWake {
            let n: Int?
            do {
                n = try socket.receive(dontWait: true)
            } catch {
                if (error as? NetlinkError)?.code == ENOBUFS { lost(); continue }
                return
            }
            guard let n else { return }
            for m in NetlinkMessage.split(UnsafeRawBufferPointer(rebasing: socket.buffer[0..<n])) {
                if m.type == NL.overrun { lost(); continue }
                guard let event = NFTablesMessage.parse(m) else { continue }
                handle(event)
            }
        }
    }

    func handle(_ event: NFTablesMessage) {
        switch event {
        case .touched(let f, let t):
            if f == family && t == table { touched = true }
        case .generation(_, let pid, let process, let portID):
            defer { touched = false }
            guard touched, !own.isOwn(tid: pid, portID: portID) else { return }
            onForeignChange(pid, process)
        }
    }

    func lost() {
        touched = false
        onForeignChange(nil, nil)
    }
}
