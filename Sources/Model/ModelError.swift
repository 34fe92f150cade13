/// Why a value is not a valid model value: the field at fault, what is wrong, and how to
/// fix it. Callers add their own location (a YAML node's line and column, a request).
public struct ModelError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The field at fault, relative to the value: `interface`, `mac`, `ipNetworks[1]`,
    /// `labels.app`, `blockSize`.
    public var field: String
    /// What is wrong, in one sentence without a location ("\"..\" is not a valid Linux
    /// interface name: '.' and '..' are not interface names").
    public var message: String
    /// How to fix it, when there is an obvious fix.
    public var hint: String?

    /// - Parameters:
    ///   - field: the field at fault (see ``field``).
    ///   - message: what is wrong.
    ///   - hint: how to fix it.
    public init(field: String, _ message: String, hint: String? = nil) {
        self.field = field
        self.message = message
        self.hint = hint
    }

    /// `message`, then `(hint)` when there is one.
    public var description: String {
        hint.map { "\(message) (\($0))" } ?? message
    }
}
