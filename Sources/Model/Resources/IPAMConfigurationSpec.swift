/// Calico's `IPAMConfiguration` spec (named `default`).
public struct IPAMConfigurationSpec: Sendable, Hashable {
    /// Addresses only from the node's own blocks (no borrowing from others').
    public var strictAffinity: Bool
    /// At most this many blocks per node; 0 = no limit.
    public var maxBlocksPerHost: Int

    public init(strictAffinity: Bool = false, maxBlocksPerHost: Int = 0) {
        self.strictAffinity = strictAffinity
        self.maxBlocksPerHost = maxBlocksPerHost
    }
}
