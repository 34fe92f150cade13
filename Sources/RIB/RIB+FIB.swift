import BGPWire

// MARK: - FIB tracking for the dataplane

extension RIB {
    /// From now on every ``RIBChanges`` carries ``RIBChanges/fib``: the kernel route changes
    /// (``FIBChange``) each mutation causes, computed from each touched prefix's candidates
    /// before and after (O(paths of the prefix), nothing stored per prefix). Off by default,
    /// so a route reflector without a dataplane pays nothing. Routes learned before this call
    /// are in ``fibSnapshot()``.
    public mutating func trackFIBChanges() { tracksFIBChanges = true }

    /// The kernel route every prefix calls for now, as ``FIBChange/set(_:nextHops:)``
    /// changes (one per prefix with a route, in no particular order): what a dataplane that
    /// starts after routes were learned installs before applying ``RIBChanges/fib``.
    /// O(prefixes). Works whether or not the FIB is tracked.
    public func fibSnapshot() -> [FIBChange] {
        let ctx = decisionContext
        var out: [FIBChange] = []
        for (k, list) in v4 {
            let r = ctx.fibRoute(list)
            if r != .none { out.append(r.change(for: .v4(k.prefix))) }
        }
        for (k, list) in v6 {
            let r = ctx.fibRoute(list)
            if r != .none { out.append(r.change(for: .v6(k.prefix))) }
        }
        return out
    }
}
