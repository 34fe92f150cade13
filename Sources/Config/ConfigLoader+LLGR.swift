import Yams

// MARK: - longLivedStaleTime (per peer) and nodeMeshLongLivedStaleTime (the mesh)

extension Reader {
    /// A long-lived stale time (RFC 9494 §3): whole seconds, 0...16777215 (24 bits); 0 is off.
    func longLivedStaleTime(_ v: Node, _ path: String) -> UInt32? {
        integer(v, path).flatMap { n in
            if (0...0xFF_FFFF).contains(n) { return UInt32(n) }
            fail(v, path, "longLivedStaleTime \(n) is out of range 0-16777215 seconds",
                 hint: "seconds the peer's routes stay usable as LLGR_STALE after its restart time (3600 is usual; 0 is off)")
            return nil
        }
    }
}
