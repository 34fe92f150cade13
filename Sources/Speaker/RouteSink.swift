import RIB

/// Where the speaker's kernel route decisions go (the dataplane, in `tern run`). Called on
/// the speaker's event loop; the sink must not call back into the speaker synchronously.
public protocol RouteSink: AnyObject {
    /// Kernel route changes decided by the RIB, in order (best path plus equally good paths
    /// as one ECMP route; locally originated prefixes never appear).
    func fibChanged(_ changes: [FIBChange])
    /// Every configured peer has sent End-of-RIB (RFC 4724 §4.2): kernel routes left from a
    /// previous run that the RIB did not re-learn may be removed now.
    func staleRoutesMayGo()
}
