/// One problem in a configuration file, with where it is and how to fix it.
///
/// Printed like a compiler diagnostic:
/// `config/node-a.yaml:12:15: peers[1].asNumber: 23456 is AS_TRANS, not a real AS number (hint: use the peer's 4-octet AS number)`
public struct ConfigError: Error, Hashable, Sendable, CustomStringConvertible {
    public var file: String
    /// 1-based; 0 when the problem has no place in the file (it could not be read).
    public var line: Int
    /// 1-based, in Unicode scalars; 0 with `line` 0.
    public var column: Int
    /// Where in the document: "peers[1].asNumber"; empty for the document itself.
    public var keyPath: String
    public var message: String
    public var hint: String?

    public init(file: String, line: Int, column: Int, keyPath: String, message: String, hint: String? = nil) {
        self.file = file
        self.line = line
        self.column = column
        self.keyPath = ConfigError.excerpt(keyPath)
        self.message = ConfigError.excerpt(message)
        self.hint = hint.map { ConfigError.excerpt($0) }
    }

    /// The longest message, key path or hint kept whole (in characters); a longer one (a
    /// huge value quoted in it) keeps its start and says how much was left out, so one bad
    /// value cannot turn a diagnostic into megabytes of log.
    public static let maxTextLength = 240

    /// `text`, or its first 200 characters and "… (N more characters)".
    static func excerpt(_ text: String) -> String {
        guard text.count > maxTextLength else { return text }
        let kept = text.prefix(200)
        return "\(kept)… (\(text.count - kept.count) more characters)"
    }

    public var description: String {
        var s = file
        if line > 0 { s += ":\(line):\(column)" }
        s += ": "
        if !keyPath.isEmpty { s += keyPath + ": " }
        s += message
        if let hint { s += " (hint: \(hint))" }
        return s
    }
}

/// Every problem found in one configuration file, in file order.
public struct ConfigErrors: Error, Hashable, Sendable, CustomStringConvertible {
    public var errors: [ConfigError]

    public init(_ errors: [ConfigError]) { self.errors = errors }

    /// One diagnostic per line.
    public var description: String { errors.map(\.description).joined(separator: "\n") }

    /// The errors about `keyPath`, for tests and tools.
    public func at(_ keyPath: String) -> [ConfigError] { errors.filter { $0.keyPath == keyPath } }
}
