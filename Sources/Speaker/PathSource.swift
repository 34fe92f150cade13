import Model
import RIB

/// Where a path in the RIB came from, for `tern routes`.
public enum PathSource: Hashable, Sendable {
    /// Originated by this node (its blocks, borrowed workload addresses).
    case local
    /// Learned from this configured peer.
    case peer(PeerEndpoint)
    /// Kept as stale for this peer while it restarts gracefully (RFC 4724 §4.2).
    case restarting(PeerEndpoint)
    /// Kept past the peer's restart time as LLGR_STALE (RFC 9494 §4.2).
    case longLivedStale(PeerEndpoint)
    /// A RIB handle that belongs to no configured peer any more.
    case unknown(PeerID)
}
