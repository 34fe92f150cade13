import IPCore
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
/// those. The input of ``RIB/exports(for:)``.
///
/// With FIB tracking on (``RIB/trackFIBChanges()``) it also carries ``fib``: the kernel
/// route changes the same mutation caused, the input of the dataplane.
public struct RIBChanges: Sendable, Equatable {
    /// The best-path changes, in order.
    public private(set) var changes: [BestChange] = []
    /// The kernel route changes (rules in ``FIBChange``), in the order they happened; at
    /// most one per prefix. Empty unless the RIB tracks the FIB (``RIB/trackFIBChanges()``).
    /// Applying them in order to what the earlier ones (or ``RIB/fibSnapshot()``) built
    /// gives the route every prefix calls for now.
    public private(set) var fib: [FIBChange] = []
    /// The route each entry of ``fib`` replaces (same indices), so ``merge(_:)`` can drop a
    /// change that ends where it started.
    private(set) var fibBefore: [FIBRoute] = []
    /// Record ``fib`` (set by the RIB from ``RIB/tracksFIBChanges``).
    var trackFIB = false
    /// The one peer every old and new path comes from, while there is only one (lets
    /// ``RIB/exports(for:)`` skip a peer that could only be sent its own paths back).
    private(set) var soleSource: PeerID?
    /// Paths from two or more peers (or local and a peer) appear.
    private(set) var mixedSources = false
    /// Prefixes whose candidate paths changed while the best path stayed (recorded only
    /// with `trackTouched`, set by the RIB while an update group sends several paths per
    /// prefix, RFC 7911): the add-path exports need them.
    private(set) var touched: [IPPrefix] = []
    var trackTouched = false

    public init() {}

    /// Equal best-path and FIB changes (the source summary is derived from them).
    public static func == (a: RIBChanges, b: RIBChanges) -> Bool { a.changes == b.changes && a.fib == b.fib }

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

    /// No best path, no other candidate and no kernel route changed.
    public var isEmpty: Bool { changes.isEmpty && touched.isEmpty && fib.isEmpty }
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

    /// Records that the kernel route of `prefix` goes from `old` to `new` (no-op when equal).
    @inline(__always)
    mutating func recordFIB(_ prefix: IPPrefix, old: FIBRoute, new: FIBRoute) {
        guard old != new else { return }
        fib.append(new.change(for: prefix))
        fibBefore.append(old)
    }

    /// Leaves one FIB change per prefix: at the position of its first change, with the route
    /// before the first and after the last; dropped when those are equal. O(changes).
    mutating func foldFIB() {
        guard fib.count > 1 else { return }
        var slot: [IPPrefix: Int] = [:]
        slot.reserveCapacity(fib.count)
        var out: [FIBChange] = [], before: [FIBRoute] = []
        out.reserveCapacity(fib.count)
        before.reserveCapacity(fib.count)
        for (k, c) in fib.enumerated() {
            if let i = slot[c.prefix] {
                out[i] = c
            } else {
                slot[c.prefix] = out.count
                out.append(c)
                before.append(fibBefore[k])
            }
        }
        fib = []
        fibBefore = []
        for i in out.indices where before[i] != FIBRoute(out[i]) {
            fib.append(out[i])
            fibBefore.append(before[i])
        }
    }

    /// Folds `later` into these changes: a prefix in both keeps the first `old` and the last
    /// `new`, and disappears when those are equal; likewise for its FIB change.
    public mutating func merge(_ later: RIBChanges) {
        guard !later.isEmpty else { return }
        guard !isEmpty else { self = later; return }
        touched += later.touched
        trackTouched = trackTouched || later.trackTouched
        trackFIB = trackFIB || later.trackFIB
        if !later.fib.isEmpty {
            let fold = !fib.isEmpty
            fib += later.fib
            fibBefore += later.fibBefore
            if fold { foldFIB() }
        }
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
