/// A failed socket operation: the `errno` (with its name) and what was being done.
///
/// `description` reads like `connect to 192.168.77.2:179: ECONNREFUSED (Connection refused)`.
public struct SocketError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The error number reported by the kernel (or chosen by Tern, e.g. `ETIMEDOUT` for a
    /// connect timeout, `EINVAL` for an unparsable address).
    public let code: Errno
    /// The operation that failed, e.g. `"connect to 192.168.77.2:179"`.
    public let operation: String

    /// Creates an error for `operation` with error number `code`.
    public init(_ code: Errno, operation: String) {
        self.code = code
        self.operation = operation
    }

    /// The symbolic errno name, e.g. `"ECONNREFUSED"`.
    public var name: String { code.name }

    /// `"<operation>: <NAME> (<strerror text>)"`.
    public var description: String { "\(operation): \(code.name) (\(code.message))" }
}
