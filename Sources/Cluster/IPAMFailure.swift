/// Why an IPAM request of the node failed: the words for the user, and whether trying
/// again later may work (the datastore was down, a conflict) or not (no free address, a
/// static address in use).
public struct IPAMFailure: Error, Sendable, CustomStringConvertible {
    public let message: String
    public let retry: Bool

    public init(message: String, retry: Bool) {
        self.message = message
        self.retry = retry
    }

    public var description: String { message }
}
