import BGPSession
import Foundation
import Model
import RIB

/// One configured peer as `tern status` reports it: values, no display strings.
public struct PeerStatus: Sendable {
    /// The peer's resolved configuration.
    public let spec: PeerSpec
    /// The RFC 4271 state of the session that speaks for the peer.
    public let state: SessionState
    /// When the session entered ``state``.
    public let since: Date
    /// Why the session last failed (nil after it came up).
    public let lastError: PeerFailure?
    /// Prefixes the peer sent us, and how many of them passed import.
    public let prefixesReceived: Int
    public let prefixesAccepted: Int
    /// Prefixes we advertise to the peer.
    public let prefixesSent: Int
    /// Received paths ignored (loops, the default import filter), per reason.
    public let prefixesRejected: [ImportRejection: Int]
    /// The peer's BFD session, nil when BFD is off for it.
    public let bfd: BFDSessionStatus?
}
