/// Kubernetes label syntax (k8s.io/apimachinery `validation.IsQualifiedName` and
/// `IsValidLabelValue`; "Labels and Selectors" in the Kubernetes documentation):
///
/// - key: an optional prefix and a name, `prefix/name`. The name is 1-63 characters of
///   `[A-Za-z0-9_.-]`, beginning and ending with a letter or digit. The prefix is a DNS
///   subdomain: at most 253 characters of lowercase letters, digits, `-` and `.`, each
///   dot-separated part beginning and ending with a letter or digit.
/// - value: empty, or 1-63 characters with the name's rules.
public enum Labels {
    /// Checks a whole label map; the first bad key or value throws (field `labels.<key>`).
    public static func validate(_ labels: [String: String]) throws(ModelError) {
        for key in labels.keys.sorted() {
            try validate(key: key, value: labels[key]!)
        }
    }

    /// Checks one label.
    public static func validate(key: String, value: String) throws(ModelError) {
        let field = "labels.\(key)"
        if let problem = keyProblem(key) {
            throw ModelError(field: field, "label key \"\(key)\" is invalid: \(problem)",
                             hint: "keys are [prefix/]name, e.g. app or example.com/tier")
        }
        if !value.isEmpty, let problem = nameProblem(value, what: "a label value") {
            throw ModelError(field: field, "label value \"\(value)\" of \(key) is invalid: \(problem)",
                             hint: "values are empty or up to 63 letters, digits, '-', '_' and '.'")
        }
    }

    /// Parses `key=value` (the CLI's `--label`); `key=` is the empty value.
    public static func parse(_ text: String) throws(ModelError) -> (key: String, value: String) {
        guard let eq = text.firstIndex(of: "=") else {
            throw ModelError(field: "labels", "\"\(text)\" is not a label (key=value)", hint: "write e.g. app=web")
        }
        let key = String(text[..<eq]), value = String(text[text.index(after: eq)...])
        try validate(key: key, value: value)
        return (key, value)
    }

    /// Why `key` is not a qualified name, nil when it is one.
    static func keyProblem(_ key: String) -> String? {
        let parts = key.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        if parts.count == 2 {
            if let p = dnsSubdomainProblem(String(parts[0])) { return "prefix: \(p)" }
            return nameProblem(String(parts[1]), what: "the name part")
        }
        return nameProblem(key, what: "a key")
    }

    /// Why `text` is not a label name (or non-empty label value).
    static func nameProblem(_ text: String, what: String) -> String? {
        if text.isEmpty { return "\(what) cannot be empty" }
        if text.utf8.count > 63 { return "\(what) has at most 63 characters (this one has \(text.utf8.count))" }
        let ok: (UInt8) -> Bool = { isAlnum($0) || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: ".") }
        let bytes = Array(text.utf8)
        if let bad = bytes.first(where: { !ok($0) }) {
            return "'\(Character(Unicode.Scalar(bad)))' is not allowed (letters, digits, '-', '_', '.')"
        }
        if !isAlnum(bytes.first!) || !isAlnum(bytes.last!) { return "\(what) must begin and end with a letter or digit" }
        return nil
    }

    /// Why `text` is not an RFC 1123 DNS subdomain.
    static func dnsSubdomainProblem(_ text: String) -> String? {
        if text.isEmpty { return "cannot be empty" }
        if text.utf8.count > 253 { return "has at most 253 characters" }
        for part in text.split(separator: ".", omittingEmptySubsequences: false) {
            if let p = DNSName.labelProblem(String(part)) { return p }
        }
        return nil
    }

    static func isAlnum(_ b: UInt8) -> Bool {
        (b >= UInt8(ascii: "a") && b <= UInt8(ascii: "z")) || (b >= UInt8(ascii: "A") && b <= UInt8(ascii: "Z"))
            || (b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9"))
    }
}

/// RFC 1123 DNS labels, the syntax of Kubernetes namespace names.
public enum DNSName {
    /// Why `text` is not an RFC 1123 label (1-63 lowercase letters, digits and '-',
    /// beginning and ending with a letter or digit); nil when it is one.
    public static func labelProblem(_ text: String) -> String? {
        if text.isEmpty { return "an empty name or name part" }
        if text.utf8.count > 63 { return "\"\(text)\" is longer than 63 characters" }
        let bytes = Array(text.utf8)
        let lowerAlnum: (UInt8) -> Bool = { ($0 >= UInt8(ascii: "a") && $0 <= UInt8(ascii: "z")) || ($0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9")) }
        if let bad = bytes.first(where: { !lowerAlnum($0) && $0 != UInt8(ascii: "-") }) {
            return "'\(Character(Unicode.Scalar(bad)))' is not allowed (lowercase letters, digits and '-')"
        }
        if !lowerAlnum(bytes.first!) || !lowerAlnum(bytes.last!) { return "\"\(text)\" must begin and end with a lowercase letter or digit" }
        return nil
    }
}

extension DNSName {
    /// Why `text` is not an RFC 1123 DNS subdomain (at most 253 characters, dot-separated
    /// RFC 1123 labels), the syntax of most Kubernetes object names; nil when it is one.
    public static func subdomainProblem(_ text: String) -> String? { Labels.dnsSubdomainProblem(text) }
}
