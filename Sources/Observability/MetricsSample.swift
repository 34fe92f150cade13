/// What one scrape reports, gathered on the loop from the speaker's and the dataplane's
/// status (counters already kept: nothing is computed per route). The daemon fills it.
public struct MetricsSample: Sendable {
    public var peers: [PeerSample]
    /// Nil when the dataplane is off (its families are then reported as 0).
    public var dataplane: DataplaneSample?

    public init(peers: [PeerSample] = [], dataplane: DataplaneSample? = nil) {
        self.peers = peers
        self.dataplane = dataplane
    }
}

/// One configured BGP peer.
public struct PeerSample: Sendable, Hashable {
    /// The `peer` label: the neighbour's address (`address:port` when not 179).
    public var peer: String
    /// RFC 4271 state as ``MetricsExporter/sessionStates`` spells it.
    public var state: String
    /// Per family label (`ipv4`, `ipv6`).
    public var prefixesReceived: [String: Int]
    public var prefixesAccepted: [String: Int]
    public var prefixesAdvertised: Int
    public var updatesReceived: Int
    public var updatesSent: Int
    /// Established sessions that went down.
    public var flaps: Int
    /// The BFD session is Up; nil when BFD is off for the peer (no series).
    public var bfdUp: Bool?

    public init(peer: String, state: String, prefixesReceived: [String: Int] = [:], prefixesAccepted: [String: Int] = [:],
                prefixesAdvertised: Int = 0, updatesReceived: Int = 0, updatesSent: Int = 0, flaps: Int = 0, bfdUp: Bool? = nil) {
        self.peer = peer
        self.state = state
        self.prefixesReceived = prefixesReceived
        self.prefixesAccepted = prefixesAccepted
        self.prefixesAdvertised = prefixesAdvertised
        self.updatesReceived = updatesReceived
        self.updatesSent = updatesSent
        self.flaps = flaps
        self.bfdUp = bfdUp
    }

    /// The session is Established.
    public var isEstablished: Bool { state == "Established" }
}

/// The dataplane agent's published counters.
public struct DataplaneSample: Sendable, Hashable {
    public var routesDesired: Int
    public var routesFailed: Int
    public var resyncs: Int
    public var overruns: Int
    public var inSync: Bool

    public init(routesDesired: Int, routesFailed: Int, resyncs: Int, overruns: Int, inSync: Bool) {
        self.routesDesired = routesDesired
        self.routesFailed = routesFailed
        self.resyncs = resyncs
        self.overruns = overruns
        self.inSync = inSync
    }
}
