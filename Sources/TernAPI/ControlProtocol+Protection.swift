extension ControlProtocol {
    /// The prefix limit part of a `tern status` peer row (RFC 4486):
    /// `"maxPrefixes": {"limit": 100, "warningPercent": 90, "action": "restart", "restartTime": 60,
    /// "received": {"ipv4": 12, "ipv6": 0}, "tripped": false, "restartAt": null}`.
    public struct PeerMaxPrefixes: Codable, Sendable, Equatable {
        /// Accepted paths allowed per family.
        public var limit: Int
        public var warningPercent: Int
        /// "restart", "disable" or "warn".
        public var action: String
        /// Seconds before a restart (the first; later trips in a row double it, up to 3600).
        public var restartTime: Int
        /// Accepted paths per family ("ipv4", "ipv6").
        public var received: [String: Int]
        /// The session was ended for too many prefixes and is not started again yet.
        public var tripped: Bool
        /// ISO 8601 time of the restart (action restart, while tripped).
        public var restartAt: String?

        public init(limit: Int, warningPercent: Int, action: String, restartTime: Int, received: [String: Int],
                    tripped: Bool, restartAt: String?) {
            self.limit = limit
            self.warningPercent = warningPercent
            self.action = action
            self.restartTime = restartTime
            self.received = received
            self.tripped = tripped
            self.restartAt = restartAt
        }
    }
}
