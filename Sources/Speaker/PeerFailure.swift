import BGPSession
import BGPWire

/// Why a peer's session last failed, kept as a value up to the control API (where it becomes
/// ``ControlProtocol/PeerError``).
public enum PeerFailure: Hashable, Sendable, CustomStringConvertible {
    /// The peer sent a NOTIFICATION (RFC 4271 §6).
    case notificationReceived(NotificationMessage)
    /// Tern sent one.
    case notificationSent(NotificationMessage)
    /// The session machine ended the session without a NOTIFICATION (e.g. the TCP session
    /// failed in OpenSent): its error.
    case session(SessionError)
    /// The session went down for a reason in words (no NOTIFICATION either way).
    case down(String)
    /// A socket error: connect, read or write.
    case connection(String)

    /// The NOTIFICATION the peer sent, when that is what ended the session (directly or as
    /// the session machine's error).
    public var receivedNotification: NotificationMessage? {
        switch self {
        case .notificationReceived(let n): n
        case .session(let e): e.notificationReceived
        default: nil
        }
    }

    /// The NOTIFICATION Tern sent, when that is what ended the session.
    public var sentNotification: NotificationMessage? {
        switch self {
        case .notificationSent(let n): n
        case .session(let e): e.notificationReceived == nil ? e.notificationSent : nil
        default: nil
        }
    }

    public var description: String {
        switch self {
        case .notificationReceived(let n): "received \(n)"
        case .notificationSent(let n): "sent \(n)"
        case .session(let e): "\(e)"
        case .down(let reason), .connection(let reason): reason
        }
    }
}
