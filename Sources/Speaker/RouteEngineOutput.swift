import RIB

/// What the ``RouteEngine`` asks its owner to do after one event: kernel route changes,
/// encoded messages per peer, and whether routes of ours left from a previous run may go.
public struct RouteEngineOutput: Sendable, Equatable {
    /// One send: encoded BGP messages (whole frames) for one peer.
    public struct Send: Sendable, Equatable {
        public var peer: PeerID
        public var messages: [[UInt8]]
    }

    /// Kernel route changes, in order (empty unless ``RouteEngine/trackFIB()`` was called).
    public var fib: [FIBChange] = []
    /// Messages to send, in order.
    public var sends: [Send] = []
    /// Every configured peer has sent End-of-RIB since it was configured (or there are
    /// none): the dataplane may now remove its stale kernel routes (RFC 4724 §4.2).
    public var allPeersSentEndOfRIB = false
    /// Peers whose graceful-restart time ran out in this step (their stale routes went).
    public var restartTimedOut: [PeerID] = []
    /// Peers whose kept routes entered the long-lived stale phase (RFC 9494 §4.2).
    public var longLivedStale: [PeerID] = []

    public init() {}

    /// True when nothing is to be done.
    public var isEmpty: Bool { fib.isEmpty && sends.isEmpty && !allPeersSentEndOfRIB && restartTimedOut.isEmpty && longLivedStale.isEmpty }
}
