/// Why a connection closed without the local side calling `close()`.
public enum CloseReason: Hashable, Sendable, CustomStringConvertible {
    /// The peer closed its side (read returned end of file).
    case endOfFile
    /// A socket error: connect failure (`ECONNREFUSED`, `ETIMEDOUT` for the connect
    /// timeout, ...), reset, or a read/write error.
    case error(SocketError)

    /// `"end of file"` or the error's description.
    public var description: String {
        switch self {
        case .endOfFile: "end of file"
        case .error(let error): error.description
        }
    }
}
