import CMNL
import Glibc

/// The conntrack table of the current network namespace over ctnetlink
/// (NETLINK_NETFILTER, NFNL_SUBSYS_CTNETLINK; see ``ConntrackMessage``): dump every entry, delete
/// entries by their original tuple. Not thread-safe: use from one queue.
public final class ConntrackTable {
    let socket: NetlinkSocket

    /// Opens a ctnetlink socket in the current network namespace.
    public init() throws(NetlinkError) {
        do {
            socket = try NetlinkSocket(netlinkProtocol: NETLINK_NETFILTER, receiveBufferSize: 8 << 20)
        } catch let e as NetlinkError {
            throw e
        } catch {
            throw NetlinkError(code: EINVAL, operation: "open ctnetlink socket: \(error)")
        }
    }

    /// Opens a ctnetlink socket inside the named network namespace (/var/run/netns/NAME).
    public init(namespace: String) throws(NetlinkError) {
        do {
            socket = try NetworkNamespace.run(in: namespace) {
                try NetlinkSocket(netlinkProtocol: NETLINK_NETFILTER, receiveBufferSize: 8 << 20)
            }
        } catch let e as NetlinkError {
            throw e
        } catch {
            throw NetlinkError(code: EINVAL, operation: "open ctnetlink socket in \(namespace): \(error)")
        }
    }

    /// Every entry, IPv4 and IPv6 (IPCTNL_MSG_CT_GET with NLM_F_DUMP, family AF_UNSPEC).
    public func dump() throws(NetlinkError) -> [ConntrackEntry] {
        do {
            return try socket.dump(ConntrackMessage.dump()).compactMap(ConntrackMessage.parse)
        } catch let e as NetlinkError {
            throw e
        } catch {
            throw NetlinkError(code: EINVAL, operation: "dump conntrack: \(error)")
        }
    }

    /// Deletes `entries` (IPCTNL_MSG_CT_DELETE each, batched) and returns how many were deleted.
    /// An entry already gone (ENOENT) is not an error; the first other failure is thrown after
    /// every request was tried.
    @discardableResult
    public func delete(_ entries: [ConntrackEntry]) throws(NetlinkError) -> Int {
        let results = socket.apply(entries.map(ConntrackMessage.delete))
        var deleted = 0
        var firstError: NetlinkError?
        for r in results {
            switch r {
            case .success: deleted += 1
            case .failure(let e) where e.code == ENOENT: continue
            case .failure(let e): if firstError == nil { firstError = e }
            }
        }
        if let firstError { throw firstError }
        return deleted
    }
}
