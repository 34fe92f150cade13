/// A Linux network interface name, validated as the kernel does (`dev_valid_name()` in
/// net/core/dev.c): 1 to 15 bytes (IFNAMSIZ 16 with the NUL), not `.` or `..`, no `/`, no
/// `:` and no whitespace.
public struct InterfaceName: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The name.
    public let rawValue: String

    /// Why a string is not an interface name.
    public enum Problem: Error, Hashable, Sendable, CustomStringConvertible {
        /// The empty string.
        case empty
        /// More than 15 bytes.
        case tooLong(Int)
        /// `.` or `..`.
        case dotName
        /// A `/`, `:` or whitespace character.
        case forbiddenCharacter(Character)

        public var description: String {
            switch self {
            case .empty: "an interface name cannot be empty"
            case .tooLong(let n): "an interface name has at most 15 bytes (this one has \(n))"
            case .dotName: "'.' and '..' are not interface names"
            case .forbiddenCharacter(let c):
                "an interface name cannot contain \(c.isWhitespace ? "whitespace" : "'\(c)'")"
            }
        }
    }

    /// The longest name the kernel accepts, in bytes.
    public static let maxLength = 15

    /// Validates `text`; throws a ``Problem`` naming the rule it breaks.
    public init(validating text: String) throws(Problem) {
        guard !text.isEmpty else { throw .empty }
        let n = text.utf8.count
        guard n <= InterfaceName.maxLength else { throw .tooLong(n) }
        guard text != ".", text != ".." else { throw .dotName }
        if let bad = text.first(where: { $0 == "/" || $0 == ":" || $0.isWhitespace || $0 == "\0" }) {
            throw .forbiddenCharacter(bad)
        }
        rawValue = text
    }

    /// Validates `text`; nil when it is not a valid name.
    public init?(_ text: String) {
        guard let n = try? InterfaceName(validating: text) else { return nil }
        self = n
    }

    public var description: String { rawValue }

    public static func < (a: InterfaceName, b: InterfaceName) -> Bool { a.rawValue < b.rawValue }
}
