/// The session state carried in the Sta field of a BFD Control packet (RFC 5880 §4.1, §6.2).
public enum BFDState: UInt8, Hashable, Sendable, CaseIterable, CustomStringConvertible {
    /// AdminDown (0): the session is held down by administrative action.
    case adminDown = 0
    /// Down (1): the session is down or has just been created.
    case down = 1
    /// Init (2): the remote system is communicating, the three-way handshake is under way.
    case `init` = 2
    /// Up (3): the session is established.
    case up = 3

    /// "AdminDown", "Down", "Init", "Up".
    public var description: String {
        switch self {
        case .adminDown: "AdminDown"
        case .down: "Down"
        case .`init`: "Init"
        case .up: "Up"
        }
    }
}
