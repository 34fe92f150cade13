import Testing
@testable import Model

@Suite struct CalicoSelectorTests {
    /// The labels every match case runs against.
    static let labels: [String: String] = [
        "app": "web", "tier": "frontend", "env": "prod", "in": "x",
        "projectcalico.org/name": "node-a", "kubernetes.io/metadata.name": "kube-system",
        "quote": "say \"hi\"", "apostrophe": "it's",
    ]

    static let matchCases: [(String, Bool)] = [
        // all(), global(), the empty selector
        ("", true), ("  \t ", true), ("all()", true), ("all ( )", true), ("!all()", false), ("global()", true),
        // has, !has
        ("has(app)", true), ("has(missing)", false), ("!has(missing)", true), ("!has(app)", false), ("has( tier )", true),
        // == and != with both quotes; != matches a missing key (Calico's evaluator)
        ("app == 'web'", true), ("app == \"web\"", true), ("app=='db'", false), ("app != 'db'", true),
        ("app != 'web'", false), ("missing != 'x'", true), ("missing == ''", false),
        // in, not in; not in matches a missing key
        ("app in {'web', 'db'}", true), ("app in {\"db\"}", false), ("missing in {'a'}", false), ("app in {}", false),
        ("app not in {'db', 'cache'}", true), ("app not in {'web'}", false), ("missing not in {'a'}", true),
        ("app in{'web'}", true),
        // contains, starts with, ends with
        ("tier contains 'ont'", true), ("tier starts with 'front'", true), ("tier ends with 'end'", true),
        ("tier ends with 'front'", false), ("tier starts  with\"f\"", true), ("missing contains ''", false),
        // prefixed keys
        ("projectcalico.org/name == 'node-a'", true), ("kubernetes.io/metadata.name in {'kube-system', 'default'}", true),
        ("has(kubernetes.io/metadata.name) && !has(projectcalico.org/namespace)", true),
        // quotes inside values
        ("quote == 'say \"hi\"'", true), ("apostrophe == \"it's\"", true),
        // operator words are keys where a key is expected
        ("in == 'x'", true), ("has == 'x'", false), ("!has(all)", true),
        // precedence: ! over &&, && over ||
        ("app == 'db' && tier == 'x' || env == 'prod'", true),
        ("app == 'db' && (tier == 'x' || env == 'prod')", false),
        ("env == 'prod' || app == 'db' && tier == 'x'", true),
        ("!app == 'web' || env == 'prod'", true),
        ("!(app == 'web' || env == 'prod')", false),
        ("!(app == 'web' && env == 'dev')", true),
        ("!!has(app)", true),
        ("has(app) && has(tier) && has(env) && !has(x)", true),
        ("has(x) || has(y) || has(env)", true),
        // whitespace anywhere between tokens
        ("\tapp==\n'web'&&has(tier)||has(x)", true), ("((app == 'web'))", true),
    ]

    @Test func matchTable() throws {
        #expect(Self.matchCases.count >= 30)
        for (text, expected) in Self.matchCases {
            let selector = try CalicoSelector(parsing: text)
            #expect(selector.matches(Self.labels) == expected, "\(text)")
            #expect(selector.text == text)
        }
    }

    @Test func emptyLabels() throws {
        #expect(try CalicoSelector(parsing: "").matches([:]))
        #expect(try CalicoSelector(parsing: "!has(a)").matches([:]))
        #expect(try CalicoSelector(parsing: "a != 'b' && a not in {'c'}").matches([:]))
        #expect(try !CalicoSelector(parsing: "a == ''").matches([:]))
        #expect(try CalicoSelector(parsing: "a == ''").matches(["a": ""]))
        #expect(CalicoSelector.all.matches([:]))
    }

    /// Each invalid selector and its whole message; every error has field `selector` and a hint.
    @Test(arguments: [
        ("a ==", "expected a quoted value at column 5"),
        ("a == b", "expected a quoted value at column 6"),
        ("a == 'b", "unterminated value at column 6"),
        ("a", "expected an operator after a (==, !=, in, not in, contains, starts with, ends with) at column 2"),
        ("a = 'b'", "expected an operator after a (==, !=, in, not in, contains, starts with, ends with) at column 3"),
        ("a inx {'b'}", "expected an operator after a (==, !=, in, not in, contains, starts with, ends with) at column 3"),
        ("(a == 'b'", "expected ')' at column 10"),
        ("a == 'b')", "expected && or || or the end at column 9"),
        ("a == 'b' & c == 'd'", "expected && or || or the end at column 10"),
        ("a == 'b' c == 'd'", "expected && or || or the end at column 10"),
        ("&& a == 'b'", "expected a label key, has(key), all(), global(), ! or ( at column 1"),
        ("a == 'b' &&", "expected a label key, has(key), all(), global(), ! or ( at column 12"),
        ("()", "expected a label key, has(key), all(), global(), ! or ( at column 2"),
        ("!", "expected a label key, has(key), all(), global(), ! or ( at column 2"),
        ("é == 'x'", "expected a label key, has(key), all(), global(), ! or ( at column 1"),
        ("has()", "expected a label key at column 5"),
        ("has(a", "expected ')' at column 6"),
        ("all(x)", "expected ')' at column 5"),
        ("a in 'b'", "expected '{' at column 6"),
        ("a in {'b' 'c'}", "expected ',' or '}' at column 11"),
        ("a in {'b',}", "expected a quoted value at column 11"),
        ("a not 'b'", "expected 'in' after 'not' at column 7"),
        ("a starts 'x'", "expected 'with' after 'starts' at column 10"),
        ("a ends wit 'x'", "expected 'with' after 'ends' at column 8"),
    ])
    func invalid(text: String, words: String) {
        do {
            let selector = try CalicoSelector(parsing: text)
            Issue.record("accepted \(text) as \(selector)")
        } catch {
            #expect(error.field == "selector")
            #expect(error.message == "selector \"\(text)\": \(words)")
            #expect(error.hint != nil)
        }
    }

    @Test func briefExample() {
        #expect(throws: ModelError(field: "selector", "selector \"a ==\": expected a quoted value at column 5",
                                   hint: "quote values with ' or \", e.g. app == 'web'")) {
            try CalicoSelector(parsing: "a ==")
        }
    }

    @Test func nestingAndLengthAreBounded() throws {
        func nested(_ n: Int) -> String { String(repeating: "(", count: n) + "a == 'b'" + String(repeating: ")", count: n) }
        let max = CalicoSelector.maxDepth
        #expect(try CalicoSelector(parsing: nested(max)) == CalicoSelector(parsing: "a == 'b'"))
        #expect(try CalicoSelector(parsing: String(repeating: "!", count: max) + "has(a)").matches(["a": "x"]) == max.isMultiple(of: 2))
        for (text, column) in [(nested(max + 1), max + 1), (nested(64), max + 1), (nested(2000), max + 1),
                               (String(repeating: "!", count: 4000) + "has(a)", max + 1),
                               (String(repeating: "(!", count: 2000), max + 1)] {
            do {
                _ = try CalicoSelector(parsing: text)
                Issue.record("accepted \(text.count) characters nested too deep")
            } catch {
                #expect(error.message.hasSuffix("nested deeper than \(max) levels at column \(column)"), "\(error.message)")
            }
        }
        // Long flat chains are not nesting.
        let chain = Array(repeating: "has(a)", count: 400).joined(separator: " && ")
        #expect(try CalicoSelector(parsing: chain).matches(["a": ""]))

        let longest = "a == '" + String(repeating: "x", count: CalicoSelector.maxLength - 7) + "'"
        #expect(longest.count == CalicoSelector.maxLength)
        #expect(try CalicoSelector(parsing: longest).matches(["a": String(repeating: "x", count: CalicoSelector.maxLength - 7)]))
        #expect(throws: ModelError.self) { try CalicoSelector(parsing: longest + " ") }
        do {
            _ = try CalicoSelector(parsing: String(repeating: " ", count: 100_000))
            Issue.record("accepted 100000 characters")
        } catch {
            #expect(error.message == "selector is longer than 4096 characters")
        }
    }

    @Test(arguments: [
        ("", "all()"),
        ("app=='web'", "app == \"web\""),
        ("a == 'say \"hi\"'", "a == 'say \"hi\"'"),
        ("a in {'c','b','c'}", "a in {\"b\", \"c\"}"),
        ("k not in {}", "k not in {}"),
        ("!has( a )", "!has(a)"),
        ("!(has(a) || has(b))", "!(has(a) || has(b))"),
        ("!(has(a) && has(b))", "!(has(a) && has(b))"),
        ("!a=='x'", "!a == \"x\""),
        ("(a == 'x' || b == 'y') && c == 'z'", "(a == \"x\" || b == \"y\") && c == \"z\""),
        ("a == 'x' || (b == 'y' && c == 'z')", "a == \"x\" || b == \"y\" && c == \"z\""),
        ("((a == 'x') && (b == 'y')) && c == 'z'", "a == \"x\" && b == \"y\" && c == \"z\""),
        ("has(a) || (has(b) || has(c))", "has(a) || has(b) || has(c)"),
        ("k starts with'a'&&k ends with 'z'||k contains 'm'", "k starts with \"a\" && k ends with \"z\" || k contains \"m\""),
        ("!!global()", "!!global()"),
        ("projectcalico.org/name != \"n\"", "projectcalico.org/name != \"n\""),
    ])
    func canonicalDescription(text: String, canonical: String) throws {
        let selector = try CalicoSelector(parsing: text)
        #expect(selector.description == canonical)
        let again = try CalicoSelector(parsing: selector.description)
        #expect(again == selector)
        #expect(again.description == canonical)
    }

    /// Every selector of the match table renders to text that parses back to it.
    @Test func descriptionsReparse() throws {
        for (text, expected) in Self.matchCases {
            let selector = try CalicoSelector(parsing: text)
            let again = try CalicoSelector(parsing: selector.description)
            #expect(again == selector, "\(text) → \(selector)")
            #expect(again.description == selector.description)
            #expect(again.matches(Self.labels) == expected)
        }
    }

    @Test func equalityIgnoresSpellingButTextKeepsIt() throws {
        let a = try CalicoSelector(parsing: "a=='x'&&b in {'2','1'}")
        let b = try CalicoSelector(parsing: "a == \"x\" && b in {\"1\", '2', '1'}")
        #expect(a == b && a.hashValue == b.hashValue)
        #expect(Set([a, b]).count == 1)
        #expect(a.text == "a=='x'&&b in {'2','1'}")
        #expect(try CalicoSelector(parsing: "") == .all && CalicoSelector.all.description == "all()")
        #expect(try CalicoSelector(parsing: "a == 'x'") != CalicoSelector(parsing: "a != 'x'"))
        #expect(try CalicoSelector(parsing: "all()") != CalicoSelector(parsing: "global()"))
    }
}
