import IPCore
import Foundation
import Model
import Yams

/// Reads the nodes of one document: collects every error with its file, line, column,
/// key path and hint, and turns scalars and lists into values (each reader reports what
/// is wrong and returns nil). The mappings are read by ``FieldTable``s.
final class Reader {
    let file: String
    var errors: [ConfigError] = []

    init(file: String) { self.file = file }

    var sortedErrors: [ConfigError] {
        errors.enumerated().sorted { a, b in
            (a.element.line, a.element.column, a.offset) < (b.element.line, b.element.column, b.offset)
        }.map(\.element)
    }

    func fail(_ node: Node?, _ path: String, _ message: String, hint: String? = nil) {
        let mark = node?.mark
        errors.append(ConfigError(file: file, line: mark?.line ?? 1, column: mark?.column ?? 1,
                                  keyPath: path, message: message, hint: hint))
    }

    /// The document in `yaml`; nil when there is none, with the YAML error (or "the file
    /// is empty") reported.
    func compose(_ yaml: String) -> Node? {
        do {
            guard let root = try Yams.compose(yaml: yaml) else {
                fail(nil, "", "the file is empty", hint: "start from config/minimal.yaml")
                return nil
            }
            return root
        } catch let error as YamlError {
            yamlError(error)
        } catch {
            errors.append(ConfigError(file: file, line: 1, column: 1, keyPath: "", message: "\(error)"))
        }
        return nil
    }

    func yamlError(_ error: YamlError) {
        func add(_ mark: Mark?, _ message: String, _ hint: String) {
            errors.append(ConfigError(file: file, line: mark?.line ?? 1, column: mark?.column ?? 1, keyPath: "",
                                      message: message, hint: hint))
        }
        let syntaxHint = "this is not valid YAML; check indentation, and quote values that start with ':' (an IPv6 address like '::') or contain ': '"
        switch error {
        case let .scanner(context, problem, mark, _), let .parser(context, problem, mark, _),
             let .composer(context, problem, mark, _):
            let message = context.map { "\(problem) (\($0.text))" } ?? problem
            add(mark, "YAML syntax error: \(message)", syntaxHint)
        case let .duplicatedKeysInMapping(duplicates, context):
            let keys = duplicates.map { "\"\($0)\"" }.joined(separator: ", ")
            var hint = "keep one of them; YAML does not say which would win"
            if duplicates.count == 1, let again = Reader.lineOfRepeatedKey(duplicates[0], after: context.mark, in: context.text) {
                hint = "it is written again at line \(again); " + hint
            }
            add(context.mark, "key \(keys) appears more than once in one mapping", hint)
        case let .reader(problem, _, _, _):
            add(nil, "cannot read the text: \(problem)", "save the file as UTF-8")
        default:
            add(nil, "YAML error: \(error)", syntaxHint)
        }
    }

    /// The line (1-based) where block-style `key:` is written again in the mapping whose
    /// first `key` is at `mark`: the next line indented as far that starts with `key:`,
    /// before a line indented less (the end of that mapping). Nil when not found (flow style).
    static func lineOfRepeatedKey(_ key: String, after mark: Mark, in text: String) -> Int? {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        let indent = mark.column - 1
        var i = mark.line
        while i < lines.count {
            let line = lines[i]
            let spaces = line.prefix { $0 == " " }.count
            let rest = line.dropFirst(spaces)
            if !rest.isEmpty, !rest.hasPrefix("#") {
                if spaces < indent || rest.hasPrefix("---") { return nil }
                if spaces == indent, rest.hasPrefix(key + ":") { return i + 1 }
            }
            i += 1
        }
        return nil
    }

    // MARK: Shapes

    /// What a node is, for "expected X, got Y" messages.
    static func describe(_ node: Node) -> String {
        switch node {
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        case .alias: return "an alias"
        case .scalar(let s):
            if s.style != .plain && s.style != .any { return "the quoted string \"\(s.string)\"" }
            switch Reader.tagName(node) {
            case .null: return "nothing (null)"
            case .bool: return "the boolean \(s.string)"
            case .int, .float: return "the number \(s.string)"
            default: return "the string \"\(s.string)\""
            }
        }
    }

    /// The resolved YAML tag of a node (str, int, float, bool, null, ...).
    static func tagName(_ node: Node) -> Tag.Name { Tag.Name(rawValue: node.tag.rawValue) }

    static func isQuoted(_ node: Node) -> Bool {
        guard case .scalar(let s) = node else { return false }
        return s.style != .plain && s.style != .any
    }

    static func isNull(_ node: Node) -> Bool {
        guard case .scalar = node, !isQuoted(node) else { return false }
        return Reader.tagName(node) == .null
    }

    func notNull(_ v: Node, _ path: String, _ what: String) -> Bool {
        if Reader.isNull(v) {
            fail(v, path, "has no value; expected \(what)", hint: "give a value or remove the key for the default")
            return false
        }
        return true
    }

    /// A whole number: plain decimal digits (leading zeros stay decimal), or another
    /// YAML integer form such as 0x...; quoted text and fractions are type errors.
    func integer(_ v: Node, _ path: String) -> Int? {
        guard notNull(v, path, "a whole number") else { return nil }
        if case .scalar(let s) = v, !Reader.isQuoted(v) {
            let t = s.string
            let digits = t.drop(while: { $0 == "-" || $0 == "+" })
            if !digits.isEmpty, digits.allSatisfy({ $0.isASCII && $0.isNumber }), t.count - digits.count <= 1 {
                if let n = Int(t) { return n }
                fail(v, path, "\(t) is far out of range", hint: "use a value that fits the setting")
                return nil
            }
            if Reader.tagName(v) == .int, let n = v.int { return n }
        }
        let hint: String
        if Reader.isQuoted(v) {
            hint = "remove the quotes"
        } else if Reader.tagName(v) == .float {
            hint = "use a whole number"
        } else {
            hint = "write digits only, e.g. 179"
        }
        fail(v, path, "expected a whole number, got \(Reader.describe(v))", hint: hint)
        return nil
    }

    func bool(_ v: Node, _ path: String) -> Bool? {
        guard notNull(v, path, "true or false") else { return nil }
        if !Reader.isQuoted(v), let b = v.bool { return b }
        fail(v, path, "expected true or false, got \(Reader.describe(v))",
             hint: Reader.isQuoted(v) ? "remove the quotes" : "write true or false")
        return nil
    }

    /// Any scalar's text (names and addresses are taken as written, whatever YAML would
    /// resolve them to, so `name: 1234` or an IPv6 address need no quotes).
    func text(_ v: Node, _ path: String, what: String = "a string") -> String? {
        guard notNull(v, path, what) else { return nil }
        guard case .scalar(let s) = v else {
            fail(v, path, "expected \(what), got \(Reader.describe(v))", hint: "write a single value")
            return nil
        }
        return s.string
    }

    func nonEmptyText(_ v: Node, _ path: String, what: String) -> String? {
        guard let t = text(v, path, what: what) else { return nil }
        if t.trimmingCharacters(in: .whitespaces).isEmpty {
            fail(v, path, "must not be empty", hint: "give \(what)")
            return nil
        }
        return t
    }

    func list(_ v: Node, _ path: String, example: String) -> [Node]? {
        guard notNull(v, path, "a list") else { return nil }
        guard case .sequence(let s) = v else {
            fail(v, path, "expected a list, got \(Reader.describe(v))", hint: "write it as [\(example)] or as \"- \" lines")
            return nil
        }
        return Array(s)
    }

    // MARK: Values

    /// An AS number: 1...4294967295, not AS_TRANS.
    func asNumber(_ v: Node, _ path: String, whose: String) -> UInt32? {
        integer(v, path).flatMap { n in rule(v, path) { () throws(ModelError) in try PeerSpec.validASNumber(n, whose: whose) } }
    }

    /// A hold time: 0 or 3...65535 seconds (RFC 4271 §4.2).
    func holdTime(_ v: Node, _ path: String) -> UInt16? {
        integer(v, path).flatMap { n in rule(v, path) { () throws(ModelError) in try PeerSpec.validHoldTime(n) } }
    }

    /// Seconds between connection attempts: 1...65535.
    func retryTime(_ v: Node, _ path: String) -> UInt16? {
        integer(v, path).flatMap { n in rule(v, path) { () throws(ModelError) in try PeerSpec.validConnectRetryTime(n) } }
    }

    /// A TCP port: 1...65535.
    func port(_ v: Node, _ path: String) -> UInt16? {
        integer(v, path).flatMap { n in rule(v, path) { () throws(ModelError) in try PeerSpec.validPort(n) } }
    }

    /// The value a model rule returns for the node at `path`, or its error at the node's place.
    func rule<T>(_ v: Node, _ path: String, _ check: () throws(ModelError) -> T) -> T? {
        do {
            return try check()
        } catch {
            fail(v, path, error.message, hint: error.hint)
            return nil
        }
    }

    func address(_ v: Node, _ path: String, what: String, allowUnspecified: Bool) -> IPAddress? {
        guard let t = nonEmptyText(v, path, what: what) else { return nil }
        guard let a = IPAddress(parsing: t) else {
            let hint = t.contains("/") ? "give an address without a prefix length" : "write an IPv4 (192.0.2.1) or IPv6 (2001:db8::1) address"
            fail(v, path, "\"\(t)\" is not an IP address", hint: hint)
            return nil
        }
        if !allowUnspecified && a.isUnspecified {
            fail(v, path, "\(a) is the unspecified address and cannot be \(what)", hint: "use the real address")
            return nil
        }
        return a
    }

    func routerID(_ v: Node, _ path: String) -> IPv4Address? {
        let hint = "use this node's IPv4 address; the BGP identifier is 32 bits even on IPv6-only nodes"
        guard let t = nonEmptyText(v, path, what: "an IPv4 address") else { return nil }
        guard let a = IPv4Address(t) else {
            if IPv6Address(t) != nil {
                fail(v, path, "router ID must be IPv4, got the IPv6 address \(t)", hint: hint)
            } else {
                fail(v, path, "\"\(t)\" is not an IPv4 address", hint: hint)
            }
            return nil
        }
        if a.value == 0 {
            fail(v, path, "router ID 0.0.0.0 is not allowed (RFC 6286)", hint: hint)
            return nil
        }
        return a
    }

    func prefix(_ v: Node, _ path: String) -> IPPrefix? {
        guard let t = nonEmptyText(v, path, what: "a CIDR prefix") else { return nil }
        guard let p = IPPrefix(t) else {
            fail(v, path, "\"\(t)\" is not a CIDR prefix", hint: "write address/length, e.g. 10.244.1.0/26")
            return nil
        }
        if IPPrefix(t, strict: true) == nil {
            fail(v, path, "\(t) has host bits set", hint: "use the network address \(p)")
            return nil
        }
        return p
    }

    func choice<E: RawRepresentable & CaseIterable>(_ v: Node, _ path: String, _ type: E.Type, what: String) -> E?
    where E.RawValue == String {
        guard let t = nonEmptyText(v, path, what: what) else { return nil }
        if let e = E(rawValue: t) { return e }
        let names = E.allCases.map(\.rawValue)
        let list = names.joined(separator: "|")
        if let guess = suggestion(for: t, among: names) {
            fail(v, path, "\"\(t)\" is not a \(what) (\(list))", hint: "did you mean \"\(guess)\"?")
        } else {
            fail(v, path, "\"\(t)\" is not a \(what)", hint: "use one of \(list)")
        }
        return nil
    }

    /// Runs a model validator; a ``ModelError`` is reported at the node of the field it
    /// names (`ipNetworks[1]`, `labels.app`, `mac`), else at `fallback`.
    func model<T, M>(_ f: ReadMapping<M>, _ fallback: Node, _ make: () throws(ModelError) -> T) -> T? {
        do {
            return try make()
        } catch {
            fail(node(of: error.field, in: f) ?? fallback, f.path(error.field), error.message, hint: error.hint)
            return nil
        }
    }

    /// The node a model field path (`key`, `key[3]`, `key.sub`) points at inside `f`.
    func node<M>(of field: String, in f: ReadMapping<M>) -> Node? {
        let key = String(field.prefix { $0 != "[" && $0 != "." })
        guard let v = f[key] else { return nil }
        let rest = field.dropFirst(key.count)
        if rest.hasPrefix("["), let close = rest.firstIndex(of: "]"), let i = Int(rest[rest.index(after: rest.startIndex)..<close]),
           case .sequence(let seq) = v, i < seq.count {
            return Array(seq)[i]
        }
        if rest.hasPrefix("."), case .mapping(let m) = v {
            let sub = String(rest.dropFirst())
            if let pair = m.first(where: { $0.key.string == sub }) { return pair.key }
        }
        return v
    }
}
