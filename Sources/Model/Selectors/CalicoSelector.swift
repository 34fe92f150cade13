/// A Calico label selector: the expression language of `selector`, `nodeSelector`,
/// `peerSelector` and `namespaceSelector` in Calico resources ("Selectors" in the Calico
/// NetworkPolicy reference).
///
/// | Syntax                 | Matches labels that …                                        |
/// |------------------------|--------------------------------------------------------------|
/// | `all()`                | always match (also the empty selector)                       |
/// | `global()`             | always match (see below)                                     |
/// | `has(k)`               | have `k`                                                     |
/// | `k == 'v'`             | have `k` with the value `v`                                  |
/// | `k != 'v'`             | lack `k`, or have it with another value                      |
/// | `k in {'a', 'b'}`      | have `k` with one of the values                              |
/// | `k not in {'a', 'b'}`  | lack `k`, or have it with none of the values                 |
/// | `k contains 's'`       | have `k` with a value containing `s`                         |
/// | `k starts with 's'`    | have `k` with a value beginning with `s`                     |
/// | `k ends with 's'`      | have `k` with a value ending with `s`                        |
/// | `!e`, `e && f`, `e \|\| f`, `(e)` | negation, conjunction, disjunction, grouping      |
///
/// `!` binds tighter than `&&`, which binds tighter than `||`. Values are quoted with `'`
/// or `"` (no escapes, so a value cannot hold its own quote). Keys are runs of letters,
/// digits and `_ . / -`, so prefixed keys such as `projectcalico.org/name` and
/// `kubernetes.io/metadata.name` need no quoting. Whitespace between tokens is free.
/// `!=` and `not in` match labels that lack the key, as Calico's evaluator does (its
/// documentation's table says otherwise; the code is what runs).
///
/// `global()` evaluates to true for any labels, as in Calico's evaluator: its meaning,
/// "the non-namespaced resources", belongs to the caller that applies a
/// `namespaceSelector`, not to label matching.
///
/// Values are compared as Swift strings (Unicode canonical equivalence); for the ASCII
/// values Kubernetes allows in labels that is Calico's byte comparison.
///
/// Two selectors are equal when they parse to the same expression, however they are
/// spaced or quoted; `a && b && c` equals `(a && b) && c`, and sets are compared as sets.
/// ``text`` keeps what was written; ``description`` is a canonical rendering that parses
/// back to an equal selector.
public struct CalicoSelector: Sendable, Hashable, CustomStringConvertible {
    /// The selector as written.
    public let text: String
    /// The parsed expression.
    let expression: SelectorExpression

    /// The most input ``init(parsing:)`` accepts, in characters.
    public static let maxLength = SelectorParser.maxLength
    /// The deepest nesting of `(` and `!` ``init(parsing:)`` accepts.
    public static let maxDepth = SelectorParser.maxDepth

    /// Matches everything (`all()`), as a missing or empty selector does.
    public static let all = CalicoSelector(text: "all()", expression: .all)

    /// Parses `text`; the empty (or all-blank) selector is `all()`.
    ///
    /// - Throws: a ``ModelError`` with field `selector` naming the 1-based column at fault,
    ///   e.g. `selector "a ==": expected a quoted value at column 5`, with a hint.
    public init(parsing text: String) throws(ModelError) {
        self.init(text: text, expression: try SelectorParser.parse(text))
    }

    init(text: String, expression: SelectorExpression) {
        self.text = text
        self.expression = expression
    }

    /// Whether labels (a resource's, a node's, a namespace's) satisfy the selector.
    public func matches(_ labels: [String: String]) -> Bool {
        expression.matches(labels)
    }

    /// The canonical rendering: double quotes (single when the value holds `"`), one space
    /// around operators, sets sorted, parentheses only where precedence needs them.
    public var description: String { expression.description }

    public static func == (a: CalicoSelector, b: CalicoSelector) -> Bool {
        a.expression == b.expression
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(expression)
    }
}

/// A parsed selector. `and` and `or` hold two or more operands and never an operand of
/// their own kind (the parser flattens them); sets are sorted and free of duplicates.
indirect enum SelectorExpression: Sendable, Hashable, CustomStringConvertible {
    case all
    case global
    case has(String)
    case equals(String, String)
    case notEquals(String, String)
    case inSet(String, [String])
    case notInSet(String, [String])
    case contains(String, String)
    case startsWith(String, String)
    case endsWith(String, String)
    case not(SelectorExpression)
    case and([SelectorExpression])
    case or([SelectorExpression])

    func matches(_ labels: [String: String]) -> Bool {
        switch self {
        case .all, .global: true
        case .has(let k): labels[k] != nil
        case .equals(let k, let v): labels[k] == v
        case .notEquals(let k, let v): labels[k] != v
        case .inSet(let k, let vs): labels[k].map(vs.contains) ?? false
        case .notInSet(let k, let vs): !(labels[k].map(vs.contains) ?? false)
        case .contains(let k, let s): labels[k]?.contains(s) ?? false
        case .startsWith(let k, let s): labels[k]?.hasPrefix(s) ?? false
        case .endsWith(let k, let s): labels[k]?.hasSuffix(s) ?? false
        case .not(let e): !e.matches(labels)
        case .and(let es): es.allSatisfy { $0.matches(labels) }
        case .or(let es): es.contains { $0.matches(labels) }
        }
    }

    var description: String {
        switch self {
        case .all: "all()"
        case .global: "global()"
        case .has(let k): "has(\(k))"
        case .equals(let k, let v): "\(k) == \(Self.quote(v))"
        case .notEquals(let k, let v): "\(k) != \(Self.quote(v))"
        case .inSet(let k, let vs): "\(k) in \(Self.set(vs))"
        case .notInSet(let k, let vs): "\(k) not in \(Self.set(vs))"
        case .contains(let k, let s): "\(k) contains \(Self.quote(s))"
        case .startsWith(let k, let s): "\(k) starts with \(Self.quote(s))"
        case .endsWith(let k, let s): "\(k) ends with \(Self.quote(s))"
        case .not(let e): e.isCompound ? "!(\(e))" : "!\(e)"
        case .and(let es): es.map { $0.isCompound ? "(\($0))" : $0.description }.joined(separator: " && ")
        case .or(let es): es.map(\.description).joined(separator: " || ")
        }
    }

    /// `&&` or `||`: parenthesized under `!`, and under `&&` (where only `||` occurs).
    private var isCompound: Bool {
        switch self {
        case .and, .or: true
        default: false
        }
    }

    private static func quote(_ v: String) -> String {
        v.contains("\"") ? "'\(v)'" : "\"\(v)\""
    }

    private static func set(_ vs: [String]) -> String {
        "{" + vs.map(quote).joined(separator: ", ") + "}"
    }
}
