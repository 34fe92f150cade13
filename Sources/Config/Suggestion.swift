// Suggestions for a mistyped key or value.

/// The candidate closest to `word` (case, '_' and '-' ignored), when close enough to be
/// a likely typo, or when `word` is a prefix of it ("warn" -> "warning").
func suggestion(for word: String, among candidates: [String]) -> String? {
    func norm(_ s: String) -> [Character] { Array(s.lowercased().filter { $0 != "_" && $0 != "-" }) }
    let w = norm(word)
    guard !w.isEmpty else { return nil }
    if let same = candidates.first(where: { norm($0) == w }) { return same }
    if w.count >= 3, let longer = candidates.first(where: { norm($0).starts(with: w) }) { return longer }
    let limit = min(3, max(1, w.count / 3))
    let best = candidates.map { ($0, editDistance(w, norm($0))) }.min { $0.1 < $1.1 }
    guard let best, best.1 <= limit else { return nil }
    return best.0
}

/// Levenshtein distance.
func editDistance(_ a: [Character], _ b: [Character]) -> Int {
    if a.isEmpty { return b.count }
    if b.isEmpty { return a.count }
    var previous = Array(0...b.count)
    var current = previous
    for i in 1...a.count {
        current[0] = i
        for j in 1...b.count {
            let cost = a[i - 1] == b[j - 1] ? 0 : 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
        }
        swap(&previous, &current)
    }
    return previous[b.count]
}
