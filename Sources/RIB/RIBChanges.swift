import BGPWire

// MARK: - RIBChanges

/// One prefix whose best path changed.
public struct BestChange: Sendable, Equatable {
    public var prefix: IPPrefix
    /// The best path before (nil: the prefix was not in the Loc-RIB).
    public var old: Path?
    /// The best path now (nil: the prefix is gone).
    public var new: Path?

    public init(prefix: IPPrefix, old: Path?, new: Path?) {
        self.prefix = prefix
        self.old = old
        self.new = new
    }
}

/// The prefixes whose best path changed (a new best, or none any more), in the order the
/// changes happened. A prefix appears once per call, except when one UPDATE names it twice
/// (withdrawn and announced): then both steps are listed, in order. ``merge(_:)`` folds
/// those. The input of the dataplane and of ``RIB/exports(for:)``.
public struct RIBChanges: Sendable, Equatable {
    public private(set) var changes: [BestChange] = []
    /// The one peer every old and new path comes from, while there is only one (lets
    /// ``RIB/exports(for:)`` skip a peer that could only be sent its own paths back).
    private(set) var soleSource: PeerID?
    /// Paths from two or more peers (or local and a peer) appear.
    private(set) var mixedSources = false
    /// Prefixes whose candidate paths changed while the best path stayed (recorded only
    /// with `trackTouched`, set by the RIB while an update group sends several paths per
    /// prefix, RFC 7911, or when ``RIB/trackCandidateChanges()`` was called for ECMP).
    public private(set) var touched: [IPPrefix] = []
    var trackTouched = false

    public init() {}

    /// Equal changes (the source summary is derived from them).
    public static func == (a: RIBChanges, b: RIBChanges) -> Bool { a.changes == b.changes }

    /// True when every old and new path in these changes is from `peer`.
    func onlyFrom(_ peer: PeerID) -> Bool { !mixedSources && soleSource == peer }

    /// The peers of the old and new paths.
    var sources: Set<PeerID> {
        if !mixedSources { return soleSource.map { [$0] } ?? [] }
        var s = Set<PeerID>()
        for c in changes {
            if let p = c.old?.peer { s.insert(p) }
            if let p = c.new?.peer { s.insert(p) }
        }
        return s
    }

    @inline(__always)
    private mutating func noteSource(_ p: PeerID) {
        if mixedSources { return }
        if let s = soleSource { if s != p { mixedSources = true } } else { soleSource = p }
    }

    /// No best path and no other candidate changed.
    public var isEmpty: Bool { changes.isEmpty && touched.isEmpty }
    public var count: Int { changes.count }
    public var prefixes: [IPPrefix] { changes.map(\.prefix) }

    /// The change for `prefix`, if any.
    public func change(for prefix: IPPrefix) -> BestChange? { changes.first { $0.prefix == prefix } }

    /// Records a change (no-op when the best path did not change).
    mutating func record(_ prefix: IPPrefix, old: Path?, new: Path?) {
        if old == new {
            if trackTouched { touched.append(prefix) }
            return
        }
        if let o = old { noteSource(o.peer) }
        if let n = new { noteSource(n.peer) }
        changes.append(BestChange(prefix: prefix, old: old, new: new))
    }

    /// Folds `later` into these changes: a prefix in both keeps the first `old` and the last
    /// `new`, and disappears when those are equal.
    public mutating func merge(_ later: RIBChanges) {
        guard !later.isEmpty else { return }
        guard !isEmpty else { self = later; return }
        touched += later.touched
        trackTouched = trackTouched || later.trackTouched
        if later.mixedSources { mixedSources = true } else if let p = later.soleSource { noteSource(p) }
        var index: [IPPrefix: Int] = [:]
        index.reserveCapacity(changes.count)
        for (i, c) in changes.enumerated() { index[c.prefix] = i }
        var drop: [Int] = []
        for c in later.changes {
            if let i = index[c.prefix] {
                changes[i].new = c.new
                if changes[i].old == c.new {
                    drop.append(i)
                    if trackTouched { touched.append(c.prefix) }  // other paths may have changed
                }
            } else {
                index[c.prefix] = changes.count
                changes.append(c)
            }
        }
        if !drop.isEmpty {
            let gone = Set(drop)
            changes = changes.enumerated().filter { !gone.contains($0.offset) }.map(\.element)
        }
    }
}
