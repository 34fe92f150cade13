/// Every failure of `EtcdClient` and `EtcdWatch`; `description` names the endpoint, the gateway
/// path and what went wrong.
public enum EtcdError: Error, Sendable, Hashable, CustomStringConvertible {
    /// One endpoint's transport failure, as libcurl described it.
    public struct EndpointFailure: Sendable, Hashable, CustomStringConvertible {
        public var endpoint: String
        public var message: String
        public init(endpoint: String, message: String) {
            self.endpoint = endpoint
            self.message = message
        }
        public var description: String { "\(endpoint): \(message)" }
    }

    /// No endpoint could be reached; one failure per endpoint tried, in the order tried.
    case unreachable([EndpointFailure])
    /// etcd answered with a non-200 status; `code` and `message` are from its error body
    /// (`{"error":…,"message":…,"code":<gRPC code>}`).
    case http(endpoint: String, path: String, status: Int, code: Int?, message: String)
    /// A 200 response whose body was not the JSON the gateway documents.
    case malformedResponse(endpoint: String, path: String, detail: String)
    /// The request did not complete within the client's request timeout.
    case timeout(endpoint: String, path: String, seconds: Double)
    /// The connection broke after a non-idempotent request (txn, lease grant) was sent: it may or
    /// may not have been applied, so it is not retried on another endpoint.
    case connectionLost(endpoint: String, path: String, message: String)
    /// The revision asked for (`list(prefix:atRevision:)`) has been compacted away.
    case compacted(revision: Int64)
    /// etcd does not know the lease (never granted, expired or revoked).
    case leaseNotFound(id: Int64)
    /// etcd canceled a watch for a reason other than compaction (its `cancel_reason`).
    case watchCanceled(endpoint: String, reason: String)
    /// An established watch stream ended: the member went away or the connection broke.
    case streamDropped(endpoint: String, message: String)
    /// The caller passed something etcd cannot take (an empty endpoint list, a bad URL, ...).
    case invalidArgument(String)

    public var description: String {
        switch self {
        case .unreachable(let failures):
            return "etcd unreachable: all \(failures.count) endpoint(s) failed: "
                + failures.map(\.description).joined(separator: "; ")
        case .http(let endpoint, let path, let status, let code, let message):
            return "etcd \(endpoint)\(path): HTTP \(status)\(code.map { " (gRPC code \($0))" } ?? ""): \(message)"
        case .malformedResponse(let endpoint, let path, let detail):
            return "etcd \(endpoint)\(path): malformed response: \(detail)"
        case .timeout(let endpoint, let path, let seconds):
            return "etcd \(endpoint)\(path): no response within \(seconds) s"
        case .connectionLost(let endpoint, let path, let message):
            return "etcd \(endpoint)\(path): connection lost after the request was sent (it may or may not have been applied): \(message)"
        case .compacted(let revision):
            return "etcd: revision \(revision) has been compacted"
        case .leaseNotFound(let id):
            return "etcd: lease \(id) not found (expired, revoked or never granted)"
        case .watchCanceled(let endpoint, let reason):
            return "etcd \(endpoint)/v3/watch: watch canceled by the server: \(reason)"
        case .streamDropped(let endpoint, let message):
            return "etcd \(endpoint)/v3/watch: stream dropped: \(message)"
        case .invalidArgument(let message):
            return "etcd client: \(message)"
        }
    }
}
