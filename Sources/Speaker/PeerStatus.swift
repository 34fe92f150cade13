import BGPSession
import Foundation
import Model
import IPCore
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
    /// The prefix limit's state (RFC 4486), nil without `maxPrefixes`.
    public var maxPrefixes: MaxPrefixStatus? = nil
    /// With a TCP MD5 key configured and the session not up: why that may be, with the
    /// kernel's MD5 counters (the kernel drops mis-signed segments silently).
    public var md5Diagnosis: String? = nil
    /// Prefixes received per family (accepted plus rejected), UPDATE messages received and
    /// sent, and Established sessions lost, since the peer was added (metrics).
    public var receivedByFamily: [IPFamily: Int] = [:]
    public var acceptedByFamily: [IPFamily: Int] = [:]
    public var updatesReceived = 0
    public var updatesSent = 0
    public var flaps = 0
    /// Long-lived graceful restart (RFC 9494), nil when neither side has it configured.
    public var longLivedGracefulRestart: LLGRStatus? = nil
}

/// A peer's long-lived graceful restart (RFC 9494) as `tern status` shows it.
public struct LLGRStatus: Sendable, Equatable {
    /// Our `longLivedStaleTime` (seconds), nil when we do not advertise LLGR.
    public var configuredStaleTime: UInt32?
    /// Both sides advertised LLGR on the current (or last) session.
    public var negotiated: Bool
    /// The stale time in effect: the peer's, capped by ours (nil when not negotiated).
    public var staleTime: UInt32?
    /// The peer's previous session's routes are held as LLGR_STALE now.
    public var stale: Bool
}

/// A peer's prefix limit as `tern status` shows it.
public struct MaxPrefixStatus: Sendable {
    public let settings: MaxPrefixSettings
    /// Accepted paths per family.
    public let received: [IPFamily: Int]
    /// The session was ended for too many prefixes and is not started again yet.
    public let tripped: Bool
    /// When it starts again (`restart`); nil otherwise.
    public let restartAt: Date?

    init(guard g: MaxPrefixGuard, received: [IPFamily: Int], restartAt: Date?) {
        settings = g.settings
        self.received = received
        tripped = g.tripped
        self.restartAt = restartAt
    }
}
