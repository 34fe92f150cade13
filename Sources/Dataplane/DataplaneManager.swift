import IPCore
import Model
import Logging
import Netlink

/// How much work a manager has after an update: the agent runs one pass of the largest.
enum DeferredWork: Int, Comparable, Sendable {
    /// Nothing to do.
    case none
    /// Some keys changed (the route manager's dirty prefixes): a pass over those alone, so a
    /// BGP change or a kernel event costs O(1), not O(routes).
    case incremental
    /// Every manager recomputes and re-asserts everything it owns.
    case full
    /// A full pass after fresh kernel dumps.
    case resync

    static func < (a: Self, b: Self) -> Bool { a.rawValue < b.rawValue }
}

/// One change of the dataplane's inputs, or a kernel event; every manager sees every update
/// and keeps what it needs (Felix's `OnUpdate(msg)`).
enum DataplaneUpdate {
    /// The local workloads (replaces the set).
    case workloads([Workload])
    /// The local IPAM blocks (replaces the set).
    case localBlocks([IPPrefix])
    /// Best BGP routes that changed since the last update: next hops per prefix, an empty
    /// list for a removed route. One batch per drain of the agent's inbox.
    case routes([IPPrefix: [IPAddress]])
    /// Pools and tunnel settings (replaces them).
    case overlay(OverlayConfig)
    /// Routes of ours no longer desired may now be removed (End-of-RIB or the stale timeout).
    case staleRemovalAllowed
    /// A forced resync (periodic, or asked for): re-assert everything, sysctls included.
    case resync
    /// A netlink monitor event, already applied to the kernel view.
    case kernel(NetlinkEvent)
}

/// What one pass gives its managers: the socket, the shared kernel view, and what the
/// managers before in the order decided for the others.
///
/// Made by the agent for each pass, on its queue; gone at the end of the pass.
final class DataplanePass {
    /// The netlink socket (synchronous requests: each batch waits for its ACKs).
    let socket: NetlinkSocket
    /// The kernel as last dumped and kept by the monitor (see ``KernelView``).
    let kernel: KernelView
    /// A full pass (every manager, every key); otherwise only the route manager's dirty prefixes.
    let full: Bool
    /// The overlay as the overlay manager made it in this pass (devices ready, underlay):
    /// it decides how remote routes are built. Set by the first manager of the order.
    var overlayPlan: OverlayPlan
    /// Work the next pass must do, found during this one (e.g. ENOBUFS: a resync). Not
    /// scheduled by itself: the next pass for any reason picks it up (no hot loop on a
    /// persistent error).
    var followUp: DeferredWork = .none
    private let computeDesired: (DataplanePass) -> DesiredState
    private var cachedDesired: DesiredState?

    init(socket: NetlinkSocket, kernel: KernelView, full: Bool, overlayPlan: OverlayPlan,
         desired: @escaping (DataplanePass) -> DesiredState) {
        self.socket = socket
        self.kernel = kernel
        self.full = full
        self.overlayPlan = overlayPlan
        computeDesired = desired
    }

    /// The whole desired state (workloads, blocks, BGP routes through `overlayPlan`),
    /// computed once per full pass on first use, i.e. after the overlay manager has set the
    /// plan. Only full passes use it.
    var desired: DesiredState {
        if let d = cachedDesired { return d }
        let d = computeDesired(self)
        cachedDesired = d
        return d
    }
}

/// One part of the dataplane with Felix's manager shape (`felix/dataplane/linux/*_mgr.go`:
/// `OnUpdate(msg)`, `CompleteDeferredWork()`): it takes updates as they come and does its
/// kernel work once per pass.
///
/// The agent calls, on its queue: ``onUpdate(_:kernel:)`` for every update (cheap: record,
/// say how much work is due); then, once per pass, ``completeDeferredWork(_:)`` of every
/// manager in ``DataplaneAgent/order`` (make: add and change), then
/// ``completeDeferredCleanup(_:)`` in the reverse order (break: remove what is no longer
/// wanted). So what a later manager uses exists before it, and is removed only after it
/// stopped using it (make-before-break).
///
/// A manager never blocks on anything but its own netlink or /proc/sys requests and never
/// calls another manager; what managers share goes through ``DataplanePass`` and the
/// ``KernelView``. Routes, overlay and workloads exist; a policy manager (nftables) takes
/// this shape too.
protocol DataplaneManager: AnyObject {
    /// For logs ("routes", "overlay", "workloads").
    var name: String { get }
    /// Records one update; returns the work it now has (`.none` when it does not care).
    func onUpdate(_ update: DataplaneUpdate, kernel: KernelView) -> DeferredWork
    /// Make: adds and corrects what this manager wants in the kernel.
    func completeDeferredWork(_ pass: DataplanePass)
    /// Break: removes what this manager no longer wants (after every manager's make step).
    func completeDeferredCleanup(_ pass: DataplanePass)
}

extension DataplaneManager {
    func completeDeferredCleanup(_ pass: DataplanePass) {}
}
