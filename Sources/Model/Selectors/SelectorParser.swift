/// A recursive-descent parser for ``CalicoSelector``, reading characters directly (the
/// tokens are few and context decides them: `in` is an operator after a key, a key
/// elsewhere; `has` is a function only when `(` follows).
///
/// ```
/// selector   := or? end                      (empty = all())
/// or         := and ('||' and)*
/// and        := unary ('&&' unary)*
/// unary      := '!' unary | primary
/// primary    := '(' or ')' | 'all' '(' ')' | 'global' '(' ')' | 'has' '(' key ')'
///             | key ('==' | '!=' | 'contains' | 'starts' 'with' | 'ends' 'with') value
///             | key ('in' | 'not' 'in') '{' (value (',' value)*)? '}'
/// key        := [A-Za-z0-9_./-]+
/// value      := "'" [^']* "'" | '"' [^"]* '"'
/// ```
///
/// Input is bounded (``maxLength`` characters) and so is recursion (``maxDepth`` nested
/// `(` and `!`): hostile input gets an error, never a stack overflow.
struct SelectorParser {
    static let maxLength = 4096
    static let maxDepth = 32

    private let text: String
    private let chars: [Character]
    private var pos = 0
    private var depth = 0

    private init(_ text: String) {
        self.text = text
        chars = Array(text)
    }

    /// Parses a whole selector.
    static func parse(_ text: String) throws(ModelError) -> SelectorExpression {
        let length = text.prefix(maxLength + 1).count
        guard length <= maxLength else {
            throw ModelError(field: "selector", "selector is longer than \(maxLength) characters",
                             hint: "split it, or select on a label that groups the resources")
        }
        var parser = SelectorParser(text)
        parser.skipSpace()
        if parser.atEnd { return .all }
        let expression = try parser.parseOr()
        parser.skipSpace()
        guard parser.atEnd else {
            throw parser.error("expected && or || or the end", hint: "join conditions with && or ||, e.g. a == 'x' && b == 'y'")
        }
        return expression
    }

    // MARK: Grammar

    private mutating func parseOr() throws(ModelError) -> SelectorExpression {
        var terms = [try parseAnd()]
        while eat("||") { terms.append(try parseAnd()) }
        if terms.count == 1 { return terms[0] }
        return .or(terms.flatMap { term -> [SelectorExpression] in
            if case .or(let inner) = term { inner } else { [term] }
        })
    }

    private mutating func parseAnd() throws(ModelError) -> SelectorExpression {
        var terms = [try parseUnary()]
        while eat("&&") { terms.append(try parseUnary()) }
        if terms.count == 1 { return terms[0] }
        return .and(terms.flatMap { term -> [SelectorExpression] in
            if case .and(let inner) = term { inner } else { [term] }
        })
    }

    private mutating func parseUnary() throws(ModelError) -> SelectorExpression {
        skipSpace()
        guard peek == "!" else { return try parsePrimary() }
        try enter()
        defer { depth -= 1 }
        pos += 1
        return .not(try parseUnary())
    }

    private mutating func parsePrimary() throws(ModelError) -> SelectorExpression {
        skipSpace()
        if peek == "(" {
            try enter()
            defer { depth -= 1 }
            pos += 1
            let inner = try parseOr()
            try expect(")", hint: "every ( needs a matching )")
            return inner
        }
        guard let key = scanKey() else {
            throw error("expected a label key, has(key), all(), global(), ! or (", hint: "e.g. app == 'web' or has(app)")
        }
        if ["all", "global", "has"].contains(key), eat("(") {
            switch key {
            case "all":
                try expect(")", hint: "all() takes no argument")
                return .all
            case "global":
                try expect(")", hint: "global() takes no argument")
                return .global
            default:
                skipSpace()
                guard let name = scanKey() else { throw error("expected a label key", hint: "e.g. has(app)") }
                try expect(")", hint: "has() takes one label key, e.g. has(app)")
                return .has(name)
            }
        }
        return try parseComparison(key)
    }

    /// The operator and operand after `key`.
    private mutating func parseComparison(_ key: String) throws(ModelError) -> SelectorExpression {
        if eat("==") { return .equals(key, try parseValue()) }
        if eat("!=") { return .notEquals(key, try parseValue()) }
        skipSpace()
        let operatorStart = pos
        switch scanKey() {
        case "in": return .inSet(key, try parseSet())
        case "not": try expectWord("in", after: "not"); return .notInSet(key, try parseSet())
        case "contains": return .contains(key, try parseValue())
        case "starts": try expectWord("with", after: "starts"); return .startsWith(key, try parseValue())
        case "ends": try expectWord("with", after: "ends"); return .endsWith(key, try parseValue())
        default:
            pos = operatorStart
            throw error("expected an operator after \(key) (==, !=, in, not in, contains, starts with, ends with)",
                        hint: "e.g. \(key) == 'web', or has(\(key)) to test for the key")
        }
    }

    /// A quoted value: `'...'` or `"..."`, no escapes.
    private mutating func parseValue() throws(ModelError) -> String {
        skipSpace()
        guard let quote = peek, quote == "'" || quote == "\"" else {
            throw error("expected a quoted value", hint: "quote values with ' or \", e.g. app == 'web'")
        }
        let open = pos
        pos += 1
        guard let close = chars[pos...].firstIndex(of: quote) else {
            pos = open
            throw error("unterminated value", hint: "end the value with the quote it starts with (\(quote))")
        }
        pos = close + 1
        return String(chars[(open + 1)..<close])
    }

    /// `{value, ...}`, possibly empty; sorted and deduplicated.
    private mutating func parseSet() throws(ModelError) -> [String] {
        try expect("{", hint: "sets are written {'a', 'b'}")
        var values = Set<String>()
        if !eat("}") {
            repeat { values.insert(try parseValue()) } while eat(",")
            try expect("}", what: "',' or '}'", hint: "separate values with commas: {'a', 'b'}")
        }
        return values.sorted()
    }

    // MARK: Scanning

    private var atEnd: Bool { pos == chars.count }
    private var peek: Character? { atEnd ? nil : chars[pos] }

    private mutating func skipSpace() {
        while let c = peek, c.isWhitespace { pos += 1 }
    }

    /// After blanks, consumes `literal` when it comes next.
    private mutating func eat(_ literal: String) -> Bool {
        skipSpace()
        let end = pos + literal.count
        guard end <= chars.count, chars[pos..<end].elementsEqual(literal) else { return false }
        pos = end
        return true
    }

    private mutating func expect(_ literal: String, what: String? = nil, hint: String) throws(ModelError) {
        guard eat(literal) else { throw error("expected \(what ?? "'\(literal)'")", hint: hint) }
    }

    private mutating func expectWord(_ word: String, after previous: String) throws(ModelError) {
        skipSpace()
        let start = pos
        guard scanKey() == word else {
            pos = start
            throw error("expected '\(word)' after '\(previous)'", hint: "the operator is '\(previous) \(word)'")
        }
    }

    /// A label key (or a word: the operator words are key-shaped), nil when none starts here.
    private mutating func scanKey() -> String? {
        let start = pos
        while let c = peek, Self.isKeyCharacter(c) { pos += 1 }
        return pos > start ? String(chars[start..<pos]) : nil
    }

    private static func isKeyCharacter(_ c: Character) -> Bool {
        c.isASCII && (c.isLetter || c.isNumber || c == "_" || c == "." || c == "/" || c == "-")
    }

    /// One level deeper into `(` or `!`, refused past ``maxDepth``.
    private mutating func enter() throws(ModelError) {
        guard depth < Self.maxDepth else {
            throw error("nested deeper than \(Self.maxDepth) levels", hint: "remove redundant parentheses or negations")
        }
        depth += 1
    }

    /// `selector "<text>": <what> at column <n>`, the column 1-based in characters.
    private func error(_ what: String, hint: String) -> ModelError {
        ModelError(field: "selector", "selector \"\(text)\": \(what) at column \(pos + 1)", hint: hint)
    }
}
