/// An ordered JSON tree (RFC 8259) as the resource encoder builds it: object keys keep the
/// order they were added in, so the same resource always prints the same text. Rendered
/// as JSON (compact or pretty) or as block-style YAML.
enum JSONValue: Sendable {
    case string(String)
    case number(Int)
    /// A finite number that may have a fraction (a policy's `order`); whole values print as integers.
    case real(Double)
    case bool(Bool)
    case array([JSONValue])
    case object([(String, JSONValue)])

    /// A string map as an object with its keys sorted.
    static func sorted(_ map: [String: String]) -> JSONValue {
        .object(map.keys.sorted().map { ($0, .string(map[$0]!)) })
    }

    // MARK: JSON

    /// The JSON text; `pretty` indents by two spaces with one key per line.
    func json(pretty: Bool = false) -> String {
        var out = ""
        write(into: &out, pretty: pretty, indent: 0)
        return out
    }

    private func write(into out: inout String, pretty: Bool, indent: Int) {
        let pad = pretty ? String(repeating: "  ", count: indent + 1) : ""
        let close = pretty ? "\n" + String(repeating: "  ", count: indent) : ""
        let open = pretty ? "\n" : ""
        switch self {
        case .string(let s): out += JSONValue.quoted(s)
        case .number(let n): out += String(n)
        case .real(let d): out += JSONValue.realText(d)
        case .bool(let b): out += b ? "true" : "false"
        case .array(let items):
            if items.isEmpty { out += "[]"; return }
            out += "[" + open
            for (i, item) in items.enumerated() {
                if i > 0 { out += pretty ? ",\n" : "," }
                out += pad
                item.write(into: &out, pretty: pretty, indent: indent + 1)
            }
            out += close + "]"
        case .object(let pairs):
            if pairs.isEmpty { out += "{}"; return }
            out += "{" + open
            for (i, (k, v)) in pairs.enumerated() {
                if i > 0 { out += pretty ? ",\n" : "," }
                out += pad + JSONValue.quoted(k) + (pretty ? ": " : ":")
                v.write(into: &out, pretty: pretty, indent: indent + 1)
            }
            out += close + "}"
        }
    }

    /// A JSON string literal (RFC 8259 §7); also a valid YAML double-quoted scalar.
    static func quoted(_ s: String) -> String {
        var out = "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where u.value < 0x20 || u.value == 0x7f:
                let hex = String(u.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(u)
            }
        }
        return out + "\""
    }

    // MARK: YAML

    /// Block-style YAML (YAML 1.2 §8), one key per line; strings that YAML could read as
    /// another type or that hold special characters are double-quoted.
    func yaml() -> String {
        var out = ""
        writeYAML(into: &out, indent: 0)
        return out
    }

    private func writeYAML(into out: inout String, indent: Int) {
        let pad = String(repeating: "  ", count: indent)
        switch self {
        case .object(let pairs) where !pairs.isEmpty:
            for (k, v) in pairs {
                out += pad + JSONValue.yamlScalar(k) + ":"
                v.writeYAMLValue(into: &out, indent: indent)
            }
        case .array(let items) where !items.isEmpty:
            for item in items {
                out += pad + "-"
                switch item {
                case .object(let pairs) where !pairs.isEmpty:
                    // The first key on the dash's line, the others under it.
                    var first = ""
                    item.writeYAML(into: &first, indent: indent + 1)
                    out += " " + first.dropFirst(pad.count + 2)
                case .array(let inner) where !inner.isEmpty:
                    out += "\n"
                    item.writeYAML(into: &out, indent: indent + 1)
                default:
                    out += " " + item.inlineYAML + "\n"
                }
            }
        default:
            out += pad + inlineYAML + "\n"
        }
    }

    private func writeYAMLValue(into out: inout String, indent: Int) {
        switch self {
        case .object(let pairs) where !pairs.isEmpty:
            out += "\n"
            writeYAML(into: &out, indent: indent + 1)
        case .array(let items) where !items.isEmpty:
            out += "\n"
            writeYAML(into: &out, indent: indent + 1)
        default:
            out += " " + inlineYAML + "\n"
        }
    }

    private var inlineYAML: String {
        switch self {
        case .string(let s): return JSONValue.yamlScalar(s)
        case .number(let n): return String(n)
        case .real(let d): return JSONValue.realText(d)
        case .bool(let b): return b ? "true" : "false"
        case .array: return "[]"
        case .object: return "{}"
        }
    }

    /// `d` as JSON and YAML read it back: `100` for a whole value, else Swift's shortest
    /// round-tripping form (`100.5`, `1e-05`).
    static func realText(_ d: Double) -> String {
        if d == d.rounded(), abs(d) < 1e15 { return String(Int(d)) }
        return String(d)
    }

    /// `s` plain when it can only be read back as this string, else double-quoted.
    static func yamlScalar(_ s: String) -> String {
        let reserved: Set<String> = ["true", "false", "yes", "no", "on", "off", "y", "n", "null", "~"]
        guard let first = s.unicodeScalars.first,
              (first >= "a" && first <= "z") || (first >= "A" && first <= "Z"),
              !reserved.contains(s.lowercased()),
              s.unicodeScalars.allSatisfy({ u in
                  (u >= "a" && u <= "z") || (u >= "A" && u <= "Z") || (u >= "0" && u <= "9") || "-_./".unicodeScalars.contains(u)
              }),
              !s.hasSuffix(".")
        else { return quoted(s) }
        return s
    }
}
