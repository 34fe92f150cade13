import IPCore
import Model
import Netlink

/// Dataplane: the Felix-like agent that converges the kernel's routing table to the
/// desired state computed from workloads, local IPAM blocks and the best BGP routes.
///
/// - ``DesiredState``: pure, inputs to the routes Tern wants (keyed by prefix).
/// - ``RouteReconciler``: pure, desired state and a kernel dump to netlink operations and
///   the FIB view (`tern fib`). Only routes with Tern's protocol number are ever touched.
/// - ``SysctlWriter``: /proc/sys writes (per network namespace).
/// - ``DataplaneAgent``: the agent on its own queue behind a message boundary: inbox,
///   monitor, passes, resyncs; its managers (``OverlayManager``, ``WorkloadManager``,
///   ``RouteManager``) share a ``KernelView`` and run in one make-before-break order.
///
/// Kernel interfaces: rtnetlink (RFC 3549, `<linux/rtnetlink.h>`), ip-sysctl.rst.

/// How the agent programs the kernel (the `dataplane` configuration section).
public struct DataplaneConfig: Hashable, Sendable {
    /// `rtm_protocol` of Tern's routes; routes with any other protocol are never touched.
    public var routeProtocol: UInt8
    /// The routing table (254 = main).
    public var routeTable: UInt32
    /// Seconds between full resyncs against a kernel dump.
    public var resyncInterval: Double
    /// Seconds after `start()` after which stale routes are removed even without
    /// `allowStaleRemoval()`.
    public var staleRouteTimeout: Double
    /// rp_filter policy for workload interfaces.
    public var rpFilter: RPFilter
    /// Where sysctls live; tests may point it elsewhere. Default /proc/sys.
    public var sysctlRoot: String
    /// Write sysctls at all (turn off where /proc/sys is read-only).
    public var manageSysctls: Bool
    /// IP pools and tunnels (IPIP, VXLAN); empty: plain routing.
    public var overlay: OverlayConfig
    /// Seconds between attempts to create a tunnel device that failed (e.g. no ipip module).
    public var tunnelRetryInterval: Double
    /// Seconds between checks of the forwarding sysctls (`ip_forward`, the workload
    /// interfaces' `proxy_arp` and `forwarding`); a changed one is restored at once.
    public var sysctlCheckInterval: Double = 2

    /// A configuration; defaults are those of the config file.
    public init(routeProtocol: UInt8 = 199, routeTable: UInt32 = 254, resyncInterval: Double = 90,
                staleRouteTimeout: Double = 120, rpFilter: RPFilter = .copy,
                sysctlRoot: String = "/proc/sys", manageSysctls: Bool = true, overlay: OverlayConfig = OverlayConfig(),
                tunnelRetryInterval: Double = 10) {
        self.overlay = overlay
        self.tunnelRetryInterval = tunnelRetryInterval
        self.routeProtocol = routeProtocol
        self.routeTable = routeTable
        self.resyncInterval = resyncInterval
        self.staleRouteTimeout = staleRouteTimeout
        self.rpFilter = rpFilter
        self.sysctlRoot = sysctlRoot
        self.manageSysctls = manageSysctls
    }
}
