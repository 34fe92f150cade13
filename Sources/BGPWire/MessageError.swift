/// The three outcomes RFC 7606 §2 allows for a malformed message.
public enum ErrorAction: String, Sendable, Hashable {
    /// Send a NOTIFICATION and close the session (RFC 4271 §6).
    case sessionReset = "session-reset"
    /// Keep the session; treat every prefix of the UPDATE as withdrawn (RFC 7606 §2).
    case treatAsWithdraw = "treat-as-withdraw"
    /// Keep the session and the routes; ignore the malformed attribute (RFC 7606 §2).
    case attributeDiscard = "attribute-discard"
}

/// A malformed message that ends the session: the NOTIFICATION to send and why.
///
/// Thrown by the framer and by every message decoder. Problems that RFC 7606 lets the
/// session survive are not thrown; they come back as ``UpdateIssue`` values.
public struct MessageError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The NOTIFICATION to send before closing.
    public var notification: NotificationMessage
    /// A specific, human-readable reason ("AS_PATH segment length 9 overruns attribute").
    public var reason: String

    public init(_ notification: NotificationMessage, reason: String) {
        self.notification = notification
        self.reason = reason
    }

    /// The action this error calls for: always ``ErrorAction/sessionReset``.
    public var action: ErrorAction { .sessionReset }

    public var description: String { "\(reason) -> \(notification)" }

    /// Message Header Error (code 1).
    public static func header(_ subcode: HeaderSubcode, data: [UInt8], reason: String) -> MessageError {
        MessageError(NotificationMessage(code: NotificationCode.messageHeaderError, subcode: subcode.rawValue, data: data), reason: reason)
    }

    /// OPEN Message Error (code 2) with subcode `subcode`.
    public static func open(_ subcode: UInt8, data: [UInt8] = [], reason: String) -> MessageError {
        MessageError(NotificationMessage(code: NotificationCode.openMessageError, subcode: subcode, data: data), reason: reason)
    }

    /// UPDATE Message Error (code 3) with subcode `subcode`.
    public static func update(_ subcode: UInt8, data: [UInt8] = [], reason: String) -> MessageError {
        MessageError(NotificationMessage(code: NotificationCode.updateMessageError, subcode: subcode, data: data), reason: reason)
    }

    /// Subcodes of Message Header Error (RFC 4271 §6.1).
    public enum HeaderSubcode: UInt8, Sendable {
        case connectionNotSynchronized = 1
        case badMessageLength = 2
        case badMessageType = 3
    }
}

/// A problem in an UPDATE that the session survives (RFC 7606 §2).
public struct UpdateIssue: Sendable, Hashable, CustomStringConvertible {
    /// ``ErrorAction/treatAsWithdraw`` or ``ErrorAction/attributeDiscard``.
    public var action: ErrorAction
    /// The attribute type code at fault, when one is.
    public var attributeCode: UInt8?
    /// A specific reason ("MULTI_EXIT_DISC length 3, expected 4").
    public var reason: String

    public init(_ action: ErrorAction, attributeCode: UInt8?, reason: String) {
        precondition(action != .sessionReset, "session resets are thrown as MessageError")
        self.action = action
        self.attributeCode = attributeCode
        self.reason = reason
    }

    public var description: String {
        "\(action.rawValue): \(reason)"
    }
}
