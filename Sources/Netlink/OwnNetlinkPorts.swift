import CMNL
import Glibc

/// Whether a netfilter netlink writer is this process: by the writing thread's id, or by the
/// port id of the writer's socket.
///
/// nf_tables reports the writer as `task_pid_nr(current)` (a thread id, which may have exited
/// by the time the event is read) and stamps every event with the writer socket's port id
/// (`nfnl_msg_put(skb, portid, ...)`, net/netfilter/nf_tables_api.c). A libnftables context keeps
/// its socket open for its life, so its port id identifies it: /proc/self/net/netlink maps port
/// ids of the namespace's sockets to inodes (columns `sk Eth Pid Groups Rmem Wmem Dump Locks
/// Drops Inode`, net/netlink/af_netlink.c `netlink_seq_show`), and /proc/self/fd says which
/// inodes are ours (`socket:[INODE]`).
struct OwnNetlinkPorts {
    /// Port ids already found to be this process's NETLINK_NETFILTER sockets.
    var known: Set<UInt32> = []

    /// Whether thread `tid` or the socket with `portID` belongs to this process.
    mutating func isOwn(tid: UInt32?, portID: UInt32) -> Bool {
        if let tid {
            if tid == UInt32(bitPattern: getpid()) { return true }
            if access("/proc/self/task/\(tid)", F_OK) == 0 { return true }
        }
        if portID == 0 { return false }   // the kernel itself
        if known.contains(portID) { return true }
        guard let inode = Self.inode(portID: portID), Self.ownSocketInodes().contains(inode) else { return false }
        known.insert(portID)
        return true
    }

    /// The inode of the NETLINK_NETFILTER socket bound to `portID` in this namespace.
    static func inode(portID: UInt32) -> UInt64? {
        guard let text = readFile("/proc/self/net/netlink") else { return nil }
        for line in text.split(separator: "\n").dropFirst() {
            let f = line.split(separator: " ", omittingEmptySubsequences: true)
            guard f.count >= 10, Int32(f[1]) == NETLINK_NETFILTER, UInt32(f[2]) == portID else { continue }
            return UInt64(f[9])
        }
        return nil
    }

    /// The inodes of the sockets among this process's open file descriptors.
    static func ownSocketInodes() -> Set<UInt64> {
        var out: Set<UInt64> = []
        guard let dir = opendir("/proc/self/fd") else { return out }
        defer { closedir(dir) }
        var link = [CChar](repeating: 0, count: 64)
        while let e = readdir(dir) {
            let name = withUnsafeBytes(of: e.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            guard name.first?.isNumber == true else { continue }
            let n = readlink("/proc/self/fd/\(name)", &link, link.count - 1)
            guard n > 0 else { continue }
            let target = String(decoding: link[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
            if target.hasPrefix("socket:["), target.hasSuffix("]"), let i = UInt64(target.dropFirst(8).dropLast()) {
                out.insert(i)
            }
        }
        return out
    }

    static func readFile(_ path: String) -> String? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var out: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 16 * 1024)
        while true {
            let n = read(fd, &chunk, chunk.count)
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { break }
            out += chunk[0..<n]
        }
        return String(decoding: out, as: UTF8.self)
    }
}
