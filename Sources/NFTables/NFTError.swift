/// A failed nftables operation: libnftables' error text and the commands that were sent.
public struct NFTError: Error, CustomStringConvertible, Sendable {
    /// libnftables' error buffer, trimmed (e.g. "Error: No such file or directory ... ^^^"),
    /// or a description of what failed before libnftables was reached (a context, a JSON reply).
    public let message: String
    /// The commands of the failed `run`/`listJSON` call, when there were any.
    public let commands: String?

    /// An error from its parts.
    public init(message: String, commands: String? = nil) {
        self.message = message
        self.commands = commands
    }

    public var description: String {
        guard let commands else { return "nftables: \(message)" }
        let firstLines = commands.split(separator: "\n", maxSplits: 3, omittingEmptySubsequences: true).prefix(3)
        return "nftables: \(message) (commands: \(firstLines.joined(separator: "; "))\(firstLines.count == 3 ? "; ..." : ""))"
    }
}
