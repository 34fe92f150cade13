import Yams

/// One key of a YAML mapping, named once: whether it must be written (and the hint when
/// it is not) and how its value is read into `Target`.
///
/// Fields are listed in a ``FieldTable``, which reports unknown keys (suggesting one of
/// its own keys) and missing required ones, then applies each written field in table
/// order. A field checks its own value only; checks that involve other fields or other
/// entries come after the table has read the mapping.
struct Field<Target>: Sendable {
    /// The key as written in the file (`holdTime`).
    let key: String
    /// The hint of the "missing required key" error; nil for an optional key.
    let missingHint: String?
    /// Reads `value`, the node written for the key, at key path `path`, into the target.
    /// False when the value was rejected (the reader holds the error).
    let apply: @Sendable (_ reader: Reader, _ value: Node, _ path: String, _ target: inout Target) -> Bool

    /// A key read by `apply` (for a value that fills more than one property, or one that
    /// needs the whole node).
    init(_ key: String, required missingHint: String? = nil,
         apply: @escaping @Sendable (_ reader: Reader, _ value: Node, _ path: String, _ target: inout Target) -> Bool) {
        self.key = key
        self.missingHint = missingHint
        self.apply = apply
    }

    /// A key whose value `read` turns into the `Value` stored at `target`.
    init<Value>(_ key: String, required missingHint: String? = nil, into target: WritableKeyPath<Target, Value> & Sendable,
                _ read: @escaping @Sendable (_ reader: Reader, _ value: Node, _ path: String) -> Value?) {
        self.init(key, required: missingHint) { reader, node, path, t in
            guard let v = read(reader, node, path) else { return false }
            t[keyPath: target] = v
            return true
        }
    }

    /// A key whose value `read` turns into the `Value` stored at the optional `target`
    /// (left nil when the key is not written).
    init<Value>(_ key: String, required missingHint: String? = nil, into target: WritableKeyPath<Target, Value?> & Sendable,
                _ read: @escaping @Sendable (_ reader: Reader, _ value: Node, _ path: String) -> Value?) {
        self.init(key, required: missingHint) { reader, node, path, t in
            guard let v = read(reader, node, path) else { return false }
            t[keyPath: target] = v
            return true
        }
    }

    /// A nested mapping, read with its own `table` into the value at `target` (which
    /// starts as it is, so the target's defaults stay for keys not written).
    static func mapping<Value>(_ key: String, required missingHint: String? = nil, _ table: FieldTable<Value>,
                               into target: WritableKeyPath<Target, Value> & Sendable) -> Field {
        Field(key, required: missingHint) { reader, node, path, t in
            guard let read = table.read(node, at: path, into: t[keyPath: target], reader) else { return false }
            t[keyPath: target] = read.value
            return read.isComplete
        }
    }

    /// A list of mappings, each read with `table` from `start`; every entry that is a
    /// mapping is stored at `target` with its index, complete or not, for the checks
    /// across entries. `example` is one entry as a flow mapping, for the hint when the
    /// value is not a list.
    static func list<Item: Sendable>(_ key: String, required missingHint: String? = nil, of table: FieldTable<Item>,
                                     start: Item, example: String,
                                     into target: WritableKeyPath<Target, [ReadMapping<Item>]> & Sendable) -> Field {
        Field(key, required: missingHint) { reader, node, path, t in
            guard let items = reader.list(node, path, example: example) else { return false }
            var ok = true
            for (i, item) in items.enumerated() {
                guard let read = table.read(item, at: "\(path)[\(i)]", into: start, reader, index: i) else {
                    ok = false
                    continue
                }
                t[keyPath: target].append(read)
            }
            return ok
        }
    }
}
