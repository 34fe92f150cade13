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
    /// bfd.AuthType and the key ID (§6.7.4 SHA1 forms); nil = bfd.AuthType zero. The
    /// digest itself is the driver's (``BFDControlPacket/encodeSigned(key:)`` on every
    /// packet sent, ``BFDControlPacket/verifySHA1(_:key:)`` before a packet is handed in).
    public var authentication: BFDAuthenticationConfig?
    /// The first bfd.XmitAuthSeq (§6.8.1: "initialized to a random 32 bit value").
    public var initialAuthSequence: UInt32

    /// A configuration; `detectMultiplier` and `localDiscriminator` must be nonzero.
    public init(
        desiredMinTxInterval: UInt32, requiredMinRxInterval: UInt32, detectMultiplier: UInt8,
        localDiscriminator: UInt32, passive: Bool = false, jitter: BFDJitter = .seeded(0),
        authentication: BFDAuthenticationConfig? = nil, initialAuthSequence: UInt32 = 0
    ) {
        precondition(detectMultiplier != 0, "RFC 5880 §4.1: Detect Mult must be nonzero")
        precondition(localDiscriminator != 0, "RFC 5880 §6.8.1: bfd.LocalDiscr must be nonzero")
        self.desiredMinTxInterval = desiredMinTxInterval
        self.requiredMinRxInterval = requiredMinRxInterval
        self.detectMultiplier = detectMultiplier
        self.localDiscriminator = localDiscriminator
        self.passive = passive
        self.jitter = jitter
        self.authentication = authentication
        self.initialAuthSequence = initialAuthSequence
    }
}

/// bfd.AuthType (4 or 5) and the Auth Key ID a session sends and requires (RFC 5880 §6.7.4).
public struct BFDAuthenticationConfig: Hashable, Sendable {
    public var type: BFDAuthentication.AuthType
    public var keyID: UInt8

    public init(type: BFDAuthentication.AuthType, keyID: UInt8) {
        self.type = type
        self.keyID = keyID
    }
}
