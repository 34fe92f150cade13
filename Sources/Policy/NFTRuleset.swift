/// The desired content of Tern's nftables table, as nft text pieces: what ``NFTRenderer``
/// makes of a ``PolicyModel`` and what ``transaction(from:)`` turns into one atomic batch
/// (the whole table, or only what changed since the previous ruleset).
public struct NFTRuleset: Sendable, Equatable {
    /// A named set: its `type` (and `flags`) and elements as nft text.
    public struct NamedSet: Sendable, Equatable {
        public var type: String
        public var flags: String?
        public var elements: Set<String>
    }

    /// A verdict map: key (nft text) → verdict (nft text).
    public struct VerdictMap: Sendable, Equatable {
        public var type: String
        public var elements: [String: String]
    }

    /// The table's family and name (`inet tern`).
    public var family: String
    public var table: String
    public var sets: [String: NamedSet] = [:]
    public var maps: [String: VerdictMap] = [:]
    /// Regular and base chains' rules, in order.
    public var chains: [String: [String]] = [:]
    /// Base chains' declarations (`type filter hook forward priority filter; policy accept;`).
    public var baseChains: [String: String] = [:]
    /// Named counter objects.
    public var counters: Set<String> = []

    public init(family: String = "inet", table: String = "tern") {
        self.family = family
        self.table = table
    }

    /// `inet tern`.
    var qualified: String { "\(family) \(table)" }

    /// The most elements one `add element` line carries (keeps lines, and the parser's work
    /// per line, bounded).
    static let elementsPerLine = 512

    /// One batch that turns the kernel's table from `old` (what the previous batch made) into
    /// this ruleset; with `old` nil the table is replaced whole (created when missing, other
    /// tables untouched). nft runs a batch as one transaction: all of it or none.
    public func transaction(from old: NFTRuleset?) -> String {
        var out: [String] = []
        guard let old else {
            out.append("add table \(qualified)")
            out.append("delete table \(qualified)")
            out.append("add table \(qualified)")
            appendCreation(into: &out, after: NFTRuleset(family: family, table: table))
            return out.joined(separator: "\n") + "\n"
        }
        appendCreation(into: &out, after: old)
        return out.isEmpty ? "" : out.joined(separator: "\n") + "\n"
    }

    /// The commands from `old` to `self`, in an order where every reference exists when made
    /// and nothing is deleted while referenced.
    private func appendCreation(into out: inout [String], after old: NFTRuleset) {
        let q = qualified
        for c in counters.subtracting(old.counters).sorted() { out.append("add counter \(q) \(c)") }
        // Only what differs is sorted (for a stable batch): most passes change a few sets.
        let changedSets = sets.filter { name, s in old.sets[name] != s }.keys.sorted()
        for name in changedSets {
            let s = sets[name]!
            if let o = old.sets[name], o.type == s.type, o.flags == s.flags {
                appendElements("delete", name, o.elements.subtracting(s.elements), into: &out)
                appendElements("add", name, s.elements.subtracting(o.elements), into: &out)
            } else {
                if old.sets[name] != nil { out.append("delete set \(q) \(name)") }
                out.append("add set \(q) \(name) { type \(s.type);\(s.flags.map { " flags \($0);" } ?? "") }")
                appendElements("add", name, s.elements, into: &out)
            }
        }
        for (name, m) in maps.sorted(by: { $0.key < $1.key }) where old.maps[name] == nil {
            out.append("add map \(q) \(name) { type \(m.type); }")
        }
        let changedChains = chains.filter { name, rules in old.chains[name] != rules }.keys
        for name in changedChains.sorted() where old.chains[name] == nil {
            if let base = baseChains[name] { out.append("add chain \(q) \(name) { \(base) }") }
            else { out.append("add chain \(q) \(name)") }
        }
        // Regular chains before base chains, so that dispatch changes last.
        for name in changedChains.sorted(by: { (baseChains[$0] != nil ? 1 : 0, $0) < (baseChains[$1] != nil ? 1 : 0, $1) }) {
            let rules = chains[name]!
            if old.chains[name] != nil { out.append("flush chain \(q) \(name)") }
            for r in rules { out.append("add rule \(q) \(name) \(r)") }
        }
        for (name, m) in maps.sorted(by: { $0.key < $1.key }) {
            let o = old.maps[name]?.elements ?? [:]
            if o == m.elements { continue }
            let gone = o.filter { m.elements[$0.key] != $0.value }.keys.sorted()
            for chunk in gone.chunked(NFTRuleset.elementsPerLine) {
                out.append("delete element \(q) \(name) { \(chunk.joined(separator: ", ")) }")
            }
            let new = m.elements.filter { o[$0.key] != $0.value }.sorted { $0.key < $1.key }.map { "\($0.key) : \($0.value)" }
            for chunk in new.chunked(NFTRuleset.elementsPerLine) {
                out.append("add element \(q) \(name) { \(chunk.joined(separator: ", ")) }")
            }
        }
        for name in old.maps.keys.sorted() where maps[name] == nil { out.append("delete map \(q) \(name)") }
        let goneChains = old.chains.keys.filter { chains[$0] == nil }.sorted()
        for name in goneChains { out.append("flush chain \(q) \(name)") }
        for name in goneChains { out.append("delete chain \(q) \(name)") }
        for name in old.sets.keys.sorted() where sets[name] == nil { out.append("delete set \(q) \(name)") }
        for c in old.counters.subtracting(counters).sorted() { out.append("delete counter \(q) \(c)") }
    }

    private func appendElements(_ verb: String, _ set: String, _ elements: Set<String>, into out: inout [String]) {
        for chunk in elements.sorted().chunked(NFTRuleset.elementsPerLine) {
            out.append("\(verb) element \(qualified) \(set) { \(chunk.joined(separator: ", ")) }")
        }
    }

    /// The number of rules of every chain (for comparing with the kernel's listing).
    public var ruleCounts: [String: Int] { chains.mapValues(\.count) }
}

extension Array {
    /// Consecutive pieces of at most `size` elements.
    func chunked(_ size: Int) -> [ArraySlice<Element>] {
        stride(from: 0, to: count, by: size).map { self[$0..<Swift.min($0 + size, count)] }
    }
}
