/// What happens to a ``BFDSession`` (besides time passing, see ``BFDSession/advance(to:)``).
public enum BFDEvent: Hashable, Sendable {
    /// A Control packet that passed ``BFDControlPacket/init(decoding:)`` arrived for this
    /// session (RFC 5880 §6.8.6; the driver demultiplexes Your Discriminator 0 by address).
    case received(BFDControlPacket)
    /// The session is taken down administratively (§6.8.16): AdminDown, diag 7.
    case adminDown
    /// The session is enabled again after ``adminDown`` (§6.8.16): Down.
    case adminUp
    /// New intervals or multiplier (§6.8.3): while Up they are negotiated with a Poll
    /// Sequence (§6.5).
    case configChanged(desiredMinTxInterval: UInt32, requiredMinRxInterval: UInt32, detectMultiplier: UInt8)
}
