import BGPSession
import BGPWire

/// Why a peer's session last failed, kept as a value up to the control API (where it becomes
/// ``ControlProtocol/PeerError``).
enum PeerFailure: Hashable, Sendable, CustomStringConvertible {
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

    var description: String {
        switch self {
        case .notificationReceived(let n): "received \(n)"
        case .notificationSent(let n): "sent \(n)"
        case .session(let e): "\(e)"
        case .down(let reason), .connection(let reason): reason
        }
    }
}
