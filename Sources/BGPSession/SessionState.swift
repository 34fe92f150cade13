/// The six states of RFC 4271 §8.2.2.
public enum SessionState: Hashable, Sendable, CaseIterable, CustomStringConvertible {
    /// Refuses connections; waits for a start event (or the idle hold timer).
    case idle
    /// An outgoing TCP connection is in progress.
    case connect
    /// Waiting for the peer to connect to us (passive, or after a failed connect).
    case active
    /// TCP is up and our OPEN is sent; waiting for the peer's OPEN.
    case openSent
    /// OPENs exchanged, our KEEPALIVE sent; waiting for the peer's KEEPALIVE.
    case openConfirm
    /// UPDATE, KEEPALIVE, NOTIFICATION and ROUTE-REFRESH flow.
    case established

    /// The RFC name: "Idle", "Connect", "Active", "OpenSent", "OpenConfirm", "Established".
    public var description: String {
        switch self {
        case .idle: "Idle"
        case .connect: "Connect"
        case .active: "Active"
        case .openSent: "OpenSent"
        case .openConfirm: "OpenConfirm"
        case .established: "Established"
        }
    }

    /// True in the states that own a TCP connection (OpenSent, OpenConfirm, Established).
    public var hasConnection: Bool {
        switch self {
        case .openSent, .openConfirm, .established: true
        case .idle, .connect, .active: false
        }
    }
}
