import Foundation

/// One table as a JSON listing shows it (libnftables-json(5)): its chains with their rule
/// counts, its sets' and maps' elements as nft text, its named counters.
///
/// The listing is `{"nftables": [{"metainfo": ...}, {"table": {...}}, {"chain": {...}},
/// {"rule": {...}}, {"set": {...}}, {"map": {...}}, {"counter": {...}}, ...]}`; objects of other
/// tables (a `list ruleset` listing) are ignored.
public struct NFTTableListing: Sendable {
    /// Whether the listing holds the table itself (`{"table": {"family":..,"name":..}}`).
    public var exists: Bool
    /// Chain name → number of rules in it.
    public var chains: [String: Int]
    /// Set or map name → its elements rendered as nft text: `10.0.0.1`, `10.0.0.0/24`,
    /// `10.0.0.1-10.0.0.9`, `"cali12"` (strings of `ifname`/`string` type are quoted),
    /// `10.0.0.1 . tcp . 80` (concatenations); for maps the key only.
    public var sets: [String: [String]]
    /// Named counter objects: name → packets and bytes.
    public var counters: [String: (packets: UInt64, bytes: UInt64)]

    /// Reads the JSON text of `NFTContext.listJSON` for `table` of `family` ("inet", "ip", ...).
    public init(json: String, table: String, family: String) throws(NFTError) {
        let root: Any
        do {
            root = try JSONSerialization.jsonObject(with: Data(json.utf8))
        } catch {
            throw NFTError(message: "not JSON: \(error.localizedDescription)")
        }
        guard let objects = (root as? [String: Any])?["nftables"] as? [Any] else {
            throw NFTError(message: "no \"nftables\" array in the listing")
        }
        exists = false
        chains = [:]
        sets = [:]
        counters = [:]
        func ours(_ o: [String: Any], _ tableKey: String = "table") -> Bool {
            o["family"] as? String == family && o[tableKey] as? String == table
        }
        for case let item as [String: Any] in objects {
            guard let (kind, value) = item.first, item.count == 1, let o = value as? [String: Any] else { continue }
            switch kind {
            case "table":
                if ours(o, "name") { exists = true }
            case "chain":
                if ours(o), let name = o["name"] as? String { chains[name, default: 0] += 0 }
            case "rule":
                if ours(o), let chain = o["chain"] as? String { chains[chain, default: 0] += 1 }
            case "set", "map":
                guard ours(o), let name = o["name"] as? String else { continue }
                let types = Self.types(o["type"])
                let elements = (o["elem"] as? [Any]) ?? []
                sets[name] = elements.map { e in
                    // A map element is [key, value]; a set element is the key itself.
                    let key = kind == "map" ? ((e as? [Any])?.first ?? e) : e
                    return Self.render(key, types: types)
                }
            case "counter":
                guard ours(o), let name = o["name"] as? String else { continue }
                counters[name] = (Self.uint64(o["packets"]), Self.uint64(o["bytes"]))
            default:
                continue
            }
        }
    }

    /// A set's `type`: one name, or an array of names for a concatenation.
    static func types(_ value: Any?) -> [String] {
        if let s = value as? String { return [s] }
        return (value as? [Any])?.compactMap { $0 as? String } ?? []
    }

    static func uint64(_ value: Any?) -> UInt64 {
        (value as? NSNumber)?.uint64Value ?? 0
    }

    /// Types whose values nft prints as quoted strings (datatype `string_type`, src/datatype.c).
    static let quotedTypes: Set<String> = ["ifname", "string"]

    /// One element expression as nft text (libnftables-json(5), "EXPRESSIONS"): immediates
    /// (strings, numbers), `prefix`, `range`, `concat`, `elem` (an element with options:
    /// its `val`), `set` (anonymous, `{ a, b }`).
    static func render(_ value: Any, types: [String], position: Int = 0) -> String {
        let type = position < types.count ? types[position] : types.first ?? ""
        switch value {
        case let s as String:
            return quotedTypes.contains(type) ? "\"\(s)\"" : s
        case let n as NSNumber:
            return n.stringValue
        case let o as [String: Any]:
            if let e = o["elem"] as? [String: Any], let v = e["val"] {
                return render(v, types: types, position: position)
            }
            if let p = o["prefix"] as? [String: Any], let addr = p["addr"] {
                return "\(render(addr, types: types, position: position))/\(uint64(p["len"]))"
            }
            if let r = o["range"] as? [Any], r.count == 2 {
                return "\(render(r[0], types: types, position: position))-\(render(r[1], types: types, position: position))"
            }
            if let parts = o["concat"] as? [Any] {
                return parts.enumerated().map { render($1, types: types, position: $0) }.joined(separator: " . ")
            }
            if let s = o["set"] as? [Any] {
                return "{ " + s.map { render($0, types: types, position: position) }.joined(separator: ", ") + " }"
            }
            return String(describing: o)
        case let a as [Any]:
            // A map element seen where a key was expected: its key.
            return a.first.map { render($0, types: types, position: position) } ?? ""
        default:
            return String(describing: value)
        }
    }
}
