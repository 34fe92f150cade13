import Yams

/// One mapping of the document as a ``FieldTable`` read it: the value its fields built,
/// the node written for each known key (for errors placed on a key later) and which
/// keys were missing or rejected.
struct ReadMapping<Target> {
    /// The mapping itself (where "missing key" and whole-entry errors point).
    let node: Node
    /// The key path of the mapping: "" for the document, "peers[1]", "dataplane".
    let prefix: String
    /// The entry's place in its list (`peers[1]` is 1); nil for a mapping that is not a list entry.
    let index: Int?
    /// What the fields read.
    var value: Target
    /// The known keys written, with their key and value nodes.
    var entries: [String: (key: Node, value: Node)] = [:]
    /// Required keys not written (reported).
    var missing: Set<String> = []
    /// Keys written that the table does not know (reported).
    var unknown: Set<String> = []
    /// Keys written whose value was rejected (reported).
    var rejected: Set<String> = []

    init(node: Node, prefix: String, index: Int?, value: Target) {
        self.node = node
        self.prefix = prefix
        self.index = index
        self.value = value
    }

    /// Every required key written and every written value accepted.
    var isComplete: Bool { missing.isEmpty && rejected.isEmpty }

    /// The key path of `key` inside this mapping.
    func path(_ key: String) -> String { prefix.isEmpty ? key : "\(prefix).\(key)" }

    /// The value node written for `key`.
    subscript(key: String) -> Node? { entries[key]?.value }
}
