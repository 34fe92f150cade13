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
    /// The A bit is clear and authentication is in use.
    case authenticationMissing
    /// Another Auth Type than the one in use.
    case authenticationTypeMismatch(received: UInt8, expected: UInt8)
    /// An Auth Key ID we have no key for (§6.7.4).
    case keyIDMismatch(received: UInt8, expected: UInt8)
    /// A Sequence Number outside the §6.7.4 window (a replay, or too far ahead).
    case sequenceOutOfWindow(received: UInt32, last: UInt32)
    /// The SHA1 digest does not match the key (checked by the driver, §6.7.4).
    case digestMismatch
    /// bfd.SessionState is AdminDown.
    case adminDown

    /// Whether the rule is one of authentication's (§6.7.4, the A bit).
    public var isAuthentication: Bool {
        switch self {
        case .yourDiscriminatorMismatch, .adminDown: false
        default: true
        }
    }

    /// One sentence naming the rule.
    public var description: String {
        switch self {
        case .yourDiscriminatorMismatch(let r, let l):
            "Your Discriminator \(r) is not ours (\(l)) (RFC 5880 §6.8.6)"
        case .authenticationNotInUse:
            "A bit set but no authentication in use (RFC 5880 §6.8.6)"
        case .authenticationMissing:
            "no authentication but authentication is in use (RFC 5880 §6.8.6)"
        case .authenticationTypeMismatch(let r, let e):
            "Auth Type \(r) is not the one in use (\(e)) (RFC 5880 §6.7.4)"
        case .keyIDMismatch(let r, let e):
            "Auth Key ID \(r) is not ours (\(e)) (RFC 5880 §6.7.4)"
        case .sequenceOutOfWindow(let r, let l):
            "Sequence Number \(r) outside the window after \(l) (RFC 5880 §6.7.4)"
        case .digestMismatch:
            "SHA1 digest does not match the key (RFC 5880 §6.7.4)"
        case .adminDown:
            "session is AdminDown (RFC 5880 §6.8.6)"
        }
    }
}
