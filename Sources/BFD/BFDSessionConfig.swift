/// What a ``BFDSession`` is told (RFC 5880 §6.8.1 initial values, §6.8.3 intervals).
public struct BFDSessionConfig: Hashable, Sendable {
    /// Desired Min TX Interval (µs) while Up; while not Up at least 1 s is used (§6.8.3).
    public var desiredMinTxInterval: UInt32
    /// Required Min RX Interval (µs); 0 asks the peer not to transmit periodically.
    public var requiredMinRxInterval: UInt32
    /// bfd.DetectMult: our Detect Mult, which the peer multiplies into its Detection Time.
    public var detectMultiplier: UInt8
    /// bfd.LocalDiscr: nonzero, unique among our sessions (§6.8.1).
    public var localDiscriminator: UInt32
    /// Passive role (§6.1): send nothing until the peer's discriminator is known.
    public var passive: Bool
    /// The §6.8.7 transmit jitter generator.
    public var jitter: BFDJitter

    /// A configuration; `detectMultiplier` and `localDiscriminator` must be nonzero.
    public init(
        desiredMinTxInterval: UInt32, requiredMinRxInterval: UInt32, detectMultiplier: UInt8,
        localDiscriminator: UInt32, passive: Bool = false, jitter: BFDJitter = .seeded(0)
    ) {
        precondition(detectMultiplier != 0, "RFC 5880 §4.1: Detect Mult must be nonzero")
        precondition(localDiscriminator != 0, "RFC 5880 §6.8.1: bfd.LocalDiscr must be nonzero")
        self.desiredMinTxInterval = desiredMinTxInterval
        self.requiredMinRxInterval = requiredMinRxInterval
        self.detectMultiplier = detectMultiplier
        self.localDiscriminator = localDiscriminator
        self.passive = passive
        self.jitter = jitter
    }
}
