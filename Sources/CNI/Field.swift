/// Typed access to a decoded JSON object's members; a wrong type is code 7 naming the member's path. A missing
/// member and `null` are both "not given".
enum Field {
    static func wrong(_ path: String, _ expected: String) -> CNIError {
        CNIError(CNIError.invalidNetworkConfig, "\(path) must be \(expected)")
    }

    static func object(_ v: JSONValue, _ path: String) throws(CNIError) -> [String: JSONValue] {
        guard case .object(let o) = v else { throw wrong(path, "an object") }
        return o
    }

    static func optionalObject(_ v: JSONValue?, _ path: String) throws(CNIError) -> [String: JSONValue]? {
        switch v {
        case nil, .null?: return nil
        case .object(let o)?: return o
        default: throw wrong(path, "an object")
        }
    }

    static func string(_ v: JSONValue?, _ path: String) throws(CNIError) -> String? {
        switch v {
        case nil, .null?: return nil
        case .string(let s)?: return s
        default: throw wrong(path, "a string")
        }
    }

    static func int(_ v: JSONValue?, _ path: String) throws(CNIError) -> Int? {
        switch v {
        case nil, .null?: return nil
        case .number?:
            guard let n = v?.intValue else { throw wrong(path, "an integer") }
            return n
        default: throw wrong(path, "an integer")
        }
    }

    /// A Boolean, or the strings `"true"`/`"false"` (Calico's IPAM options are strings).
    static func bool(_ v: JSONValue?, _ path: String) throws(CNIError) -> Bool? {
        switch v {
        case nil, .null?: return nil
        case .bool(let b)?: return b
        case .string(let s)?:
            switch s.lowercased() {
            case "true": return true
            case "false": return false
            default: throw wrong(path, "true or false")
            }
        default: throw wrong(path, "true or false")
        }
    }

    static func array(_ v: JSONValue?, _ path: String) throws(CNIError) -> [JSONValue] {
        switch v {
        case nil, .null?: return []
        case .array(let a)?: return a
        default: throw wrong(path, "an array")
        }
    }

    static func strings(_ v: JSONValue?, _ path: String) throws(CNIError) -> [String] {
        var out: [String] = []
        for (n, e) in try array(v, path).enumerated() {
            guard case .string(let s) = e else { throw wrong("\(path)[\(n)]", "a string") }
            out.append(s)
        }
        return out
    }
}
