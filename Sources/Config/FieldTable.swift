import Yams

/// The fields of one kind of YAML mapping (the top level, a peer, the dataplane
/// settings, ...): the single list of its keys, which the unknown-key errors and their
/// "did you mean" come from.
///
/// `read` checks the node is a mapping, reports each unknown key (with the closest of the
/// table's keys, or all of them) and each missing required key (with its field's hint),
/// then applies every written field in table order. What it read comes back as a
/// ``ReadMapping``, with the nodes of the keys for errors found later.
///
/// Tables nest: a field can be a mapping read with another table (``Field/mapping(_:required:_:into:)``)
/// or a list of them (``Field/list(_:required:of:start:example:into:)``), so a document of
/// another shape (a Calico resource's `metadata` and `spec`) is read by tables of its own.
struct FieldTable<Target>: Sendable {
    /// What one such mapping is, for "expected X (a mapping of keys)": "a peer", "the settings".
    let what: String
    /// The hint when the value is not a mapping.
    let shapeHint: String
    /// The fields, in the order they are documented (and suggested, and listed in hints).
    let fields: [Field<Target>]
    /// Keys accepted and ignored (fields real documents carry that Tern has no use for,
    /// such as a Kubernetes object's `metadata.ownerReferences`).
    let ignored: Set<String>
    /// Every key not in the table is accepted and ignored (a Pod's spec: only its
    /// containers' ports matter, and users apply their real pod manifests).
    let acceptsOtherKeys: Bool
    /// How a "missing required key" error names the mapping when it is the document's top
    /// level ("the file"; "the document" for a resource of a multi-document manifest).
    let topLevelName: String

    /// The table's keys, in table order.
    var keys: [String] { fields.map(\.key) }

    init(_ what: String, shapeHint: String = "write it as {key: value, ...} or as indented key: value lines",
         ignoring ignored: [String] = [], acceptsOtherKeys: Bool = false, topLevelName: String = "the file",
         _ fields: [Field<Target>]) {
        assert(Set(fields.map(\.key)).count == fields.count, "a key listed twice in the table of \(what)")
        self.what = what
        self.shapeHint = shapeHint
        self.fields = fields
        self.ignored = Set(ignored)
        self.acceptsOtherKeys = acceptsOtherKeys
        self.topLevelName = topLevelName
    }

    /// Reads `node`, the mapping at key path `prefix` (empty for the document), starting
    /// from `start`; nil when it is not a mapping (reported). `index` is the entry's place
    /// in its list, when it is one.
    func read(_ node: Node, at prefix: String, into start: Target, _ reader: Reader, index: Int? = nil) -> ReadMapping<Target>? {
        guard case .mapping(let mapping) = node else {
            reader.fail(node, prefix, "expected \(what) (a mapping of keys), got \(Reader.describe(node))", hint: shapeHint)
            return nil
        }
        var m = ReadMapping(node: node, prefix: prefix, index: index, value: start)
        let known = keys
        for (key, value) in mapping {
            guard case .scalar(let k) = key else {
                reader.fail(key, prefix, "keys must be plain names, got \(Reader.describe(key))")
                continue
            }
            if known.contains(k.string) {
                m.entries[k.string] = (key, value)
            } else if acceptsOtherKeys || ignored.contains(k.string) {
                continue
            } else {
                let hint: String
                if let guess = suggestion(for: k.string, among: known) {
                    hint = "did you mean \"\(guess)\"?"
                } else {
                    hint = "known keys here: \(known.joined(separator: ", "))"
                }
                reader.fail(key, m.path(k.string), "unknown key \"\(k.string)\"", hint: hint)
                m.unknown.insert(k.string)
            }
        }
        for field in fields where m[field.key] == nil {
            guard let hint = field.missingHint else { continue }
            let place = prefix.isEmpty ? topLevelName : prefix
            reader.fail(node, m.path(field.key), "missing required key \"\(field.key)\" in \(place)", hint: hint)
            m.missing.insert(field.key)
        }
        for field in fields {
            guard let value = m[field.key] else { continue }
            if !field.apply(reader, value, m.path(field.key), &m.value) { m.rejected.insert(field.key) }
        }
        return m
    }
}
