/// What the driver of a ``BFDSession`` must do (or may count), in order.
public enum BFDAction: Hashable, Sendable {
    /// Transmit this Control packet (periodic §6.8.7, the Final answering a Poll, or an
    /// immediate packet on a state change or a new Poll Sequence).
    case send(BFDControlPacket)
    /// bfd.SessionState changed, with bfd.LocalDiag as set by the transition.
    case stateChanged(from: BFDState, to: BFDState, diagnostic: BFDDiagnostic)
    /// A received packet was discarded by a §6.8.6 rule that needs the session.
    case discarded(BFDDiscardReason)
}

/// Why ``BFDSession`` discarded a received packet (RFC 5880 §6.8.6).
public enum BFDDiscardReason: Hashable, Sendable, CustomStringConvertible {
    /// Your Discriminator is nonzero and is not our bfd.LocalDiscr.
    case yourDiscriminatorMismatch(received: UInt32, local: UInt32)
    /// The A bit is set and no authentication is in use (bfd.AuthType is zero).
    case authenticationNotInUse
    /// bfd.SessionState is AdminDown.
    case adminDown

    /// One sentence naming the rule.
    public var description: String {
        switch self {
        case .yourDiscriminatorMismatch(let r, let l):
            "Your Discriminator \(r) is not ours (\(l)) (RFC 5880 §6.8.6)"
        case .authenticationNotInUse:
            "A bit set but no authentication in use (RFC 5880 §6.8.6)"
        case .adminDown:
            "session is AdminDown (RFC 5880 §6.8.6)"
        }
    }
}
