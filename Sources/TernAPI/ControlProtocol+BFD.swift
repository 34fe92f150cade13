extension ControlProtocol {
    /// A BFD session state (RFC 5880 §4.1 Sta), as BIRD and RFC 5880 spell it.
    public enum BFDState: String, Codable, Sendable, Equatable, CaseIterable {
        case adminDown = "AdminDown", down = "Down", `init` = "Init", up = "Up"
    }

    /// The BFD part of a `tern status` peer row: `"bfd": {"state": "Up", "detectionTime": 300}`.
    public struct PeerBFD: Codable, Sendable, Equatable {
        public var state: BFDState
        /// The Detection Time in milliseconds (RFC 5880 §6.8.4); nil before the peer's first packet.
        public var detectionTime: Double?

        public init(state: BFDState, detectionTime: Double?) {
            self.state = state
            self.detectionTime = detectionTime
        }
    }

    /// One row of `tern bfd`: the columns of BIRD's `show bfd sessions` and a few more.
    /// Intervals and times in milliseconds.
    public struct BFDSession: Codable, Sendable, Equatable {
        /// The neighbour's address.
        public var peer: String
        /// The interface, when known.
        public var interface: String?
        public var state: BFDState
        /// ISO 8601 time of the last state change.
        public var since: String
        public var localDiscriminator: UInt32
        /// 0 until the peer's discriminator is known.
        public var remoteDiscriminator: UInt32
        /// The interval we transmit at (before the RFC 5880 §6.8.7 jitter).
        public var transmitInterval: Double
        /// The interval the peer transmits at as agreed; nil before its first packet.
        public var receiveInterval: Double?
        public var localMultiplier: Int
        public var remoteMultiplier: Int?
        /// RFC 5880 §6.8.4; nil before the peer's first packet.
        public var detectionTime: Double?
        /// Our last diagnostic (bfd.LocalDiag), e.g. "Control Detection Time Expired".
        public var localDiagnostic: String
        /// The Diag of the peer's last packet.
        public var remoteDiagnostic: String?
        /// Packets received, sent, and received but dropped (TTL, discriminator, decode).
        public var received: Int
        public var sent: Int
        public var dropped: Int
        /// RFC 5883 multihop (UDP 4784); nil from an older daemon.
        public var multihop: Bool?
        /// "keyed-sha1" or "meticulous-keyed-sha1" with the key ID ("keyed-sha1 key 1"); nil: none.
        public var authentication: String?
        /// Received packets dropped by the authentication checks (RFC 5880 §6.7.4), and the last
        /// reason a packet was dropped.
        public var authenticationDropped: Int?
        public var lastDrop: String?

        public init(peer: String, interface: String?, state: BFDState, since: String, localDiscriminator: UInt32,
                    remoteDiscriminator: UInt32, transmitInterval: Double, receiveInterval: Double?, localMultiplier: Int,
                    remoteMultiplier: Int?, detectionTime: Double?, localDiagnostic: String, remoteDiagnostic: String?,
                    received: Int, sent: Int, dropped: Int, multihop: Bool? = nil, authentication: String? = nil,
                    authenticationDropped: Int? = nil, lastDrop: String? = nil) {
            self.peer = peer
            self.interface = interface
            self.state = state
            self.since = since
            self.localDiscriminator = localDiscriminator
            self.remoteDiscriminator = remoteDiscriminator
            self.transmitInterval = transmitInterval
            self.receiveInterval = receiveInterval
            self.localMultiplier = localMultiplier
            self.remoteMultiplier = remoteMultiplier
            self.detectionTime = detectionTime
            self.localDiagnostic = localDiagnostic
            self.remoteDiagnostic = remoteDiagnostic
            self.received = received
            self.sent = sent
            self.dropped = dropped
            self.multihop = multihop
            self.authentication = authentication
            self.authenticationDropped = authenticationDropped
            self.lastDrop = lastDrop
        }
    }
}
