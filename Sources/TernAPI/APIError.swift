/// Why the daemon refused a request: a code a program can act on and the words for a user.
///
/// On the wire: `{"code":"notFound","message":"no workload named p1"}`.
public struct APIError: Error, Codable, Sendable, Equatable, CustomStringConvertible {
    /// What kind of failure.
    public enum Code: String, Codable, Sendable, CaseIterable {
        /// The request is not valid JSON or lacks what its command needs.
        case badRequest
        /// The command is not one this daemon knows.
        case unknownCommand
        /// The client speaks another API version.
        case unsupportedVersion
        /// A value in the request is invalid (a workload's name, interface, address, MAC...).
        case invalid
        /// The named object does not exist.
        case notFound
        /// The request clashes with existing state (an address another workload holds, a
        /// workload from the configuration file).
        case conflict
        /// The part of the daemon that would answer is not running (the dataplane).
        case unavailable
        /// The daemon failed to do what it should have been able to do.
        case internalError
    }

    public var code: Code
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}
