/// How the node's datastore connection is doing (`tern status`'s `datastore`).
public struct ClusterStatus: Sendable, Hashable {
    /// "file" or "etcd".
    public var type: String
    /// Connected: the last call and the watch work. Down: routing, sessions and the kernel
    /// stay as they are; the node retries with back-off and resyncs when the store is back.
    public var connected: Bool
    /// The store revision the node's view is at.
    public var revision: Int64
    /// The last failure while down (or a problem that needs an operator: no free block).
    public var error: String?
    /// This node's blocks from the datastore.
    public var blocks: [String]

    public init(type: String, connected: Bool = false, revision: Int64 = 0, error: String? = nil, blocks: [String] = []) {
        self.type = type
        self.connected = connected
        self.revision = revision
        self.error = error
        self.blocks = blocks
    }
}
