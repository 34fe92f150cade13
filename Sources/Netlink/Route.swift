import IPCore
/// `rtm_protocol` (`<linux/rtnetlink.h>` RTPROT_*): who installed a route. Tern marks
/// its routes with its own number and only ever touches routes carrying it.
public struct RouteProtocol: RawRepresentable, Hashable, Sendable, ExpressibleByIntegerLiteral {
    public var rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }
    public init(integerLiteral value: UInt8) { rawValue = value }
    /// RTPROT_UNSPEC (0): in a delete, "any protocol".
    public static let unspec: RouteProtocol = 0
    /// RTPROT_REDIRECT (1).
    public static let redirect: RouteProtocol = 1
    /// RTPROT_KERNEL (2): installed by the kernel (connected routes).
    public static let kernel: RouteProtocol = 2
    /// RTPROT_BOOT (3): iproute2's default; Felix's workload routes.
    public static let boot: RouteProtocol = 3
    /// RTPROT_STATIC (4).
    public static let `static`: RouteProtocol = 4
    /// RTPROT_BIRD (12).
    public static let bird: RouteProtocol = 12
}

/// `rtm_scope` (`enum rt_scope_t`).
public struct RouteScope: RawRepresentable, Hashable, Sendable, ExpressibleByIntegerLiteral {
    public var rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }
    public init(integerLiteral value: UInt8) { rawValue = value }
    /// RT_SCOPE_UNIVERSE (0): via a gateway; the only scope IPv6 uses.
    public static let universe: RouteScope = 0
    /// RT_SCOPE_LINK (253): directly on the device (`dev caliX scope link`).
    public static let link: RouteScope = 253
    /// RT_SCOPE_HOST (254): local addresses.
    public static let host: RouteScope = 254
    /// RT_SCOPE_NOWHERE (255): in an IPv4 delete, "any scope".
    public static let nowhere: RouteScope = 255
}

/// `rtm_type` (RTN_*).
public struct RouteType: RawRepresentable, Hashable, Sendable, ExpressibleByIntegerLiteral, CustomStringConvertible {
    public var rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }
    public init(integerLiteral value: UInt8) { rawValue = value }
    /// RTN_UNSPEC (0): in a delete, "any type".
    public static let unspec: RouteType = 0
    /// RTN_UNICAST (1).
    public static let unicast: RouteType = 1
    /// RTN_LOCAL (2).
    public static let local: RouteType = 2
    /// RTN_BROADCAST (3).
    public static let broadcast: RouteType = 3
    /// RTN_BLACKHOLE (6): Calico's route for a whole local IPAM block.
    public static let blackhole: RouteType = 6
    /// RTN_UNREACHABLE (7).
    public static let unreachable: RouteType = 7
    /// RTN_PROHIBIT (8).
    public static let prohibit: RouteType = 8
    public var description: String {
        switch self {
        case .unicast: "unicast"
        case .local: "local"
        case .broadcast: "broadcast"
        case .blackhole: "blackhole"
        case .unreachable: "unreachable"
        case .prohibit: "prohibit"
        default: "type\(rawValue)"
        }
    }
}

/// `rtm_flags` / `rtnh_flags` (RTNH_F_*, `<linux/rtnetlink.h>`).
public struct RouteFlags: OptionSet, Hashable, Sendable {
    public var rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }
    /// RTNH_F_DEAD (1): next hop is dead (reported by the kernel).
    public static let dead = RouteFlags(rawValue: 1)
    /// RTNH_F_PERVASIVE (2).
    public static let pervasive = RouteFlags(rawValue: 2)
    /// RTNH_F_ONLINK (4): the gateway is on the link even without a matching subnet
    /// (Calico's `via <node> dev tunl0 onlink`, VXLAN).
    public static let onlink = RouteFlags(rawValue: 4)
    /// RTNH_F_LINKDOWN (16): reported by the kernel when the device has no carrier.
    public static let linkDown = RouteFlags(rawValue: 16)
}

/// One path of a multipath route (`struct rtnexthop` + RTA_GATEWAY inside RTA_MULTIPATH).
///
/// ```
/// struct rtnexthop { unsigned short rtnh_len; unsigned char rtnh_flags;
///                    unsigned char rtnh_hops; int rtnh_ifindex; };  // + attributes
/// ```
public struct NextHop: Hashable, Sendable {
    /// RTA_GATEWAY inside the rtnexthop.
    public var gateway: IPAddress?
    /// `rtnh_ifindex`; 0 lets the kernel find the device from the gateway.
    public var interfaceIndex: Int32
    /// `rtnh_flags` (onlink).
    public var flags: RouteFlags
    /// Weight 1...256 (`rtnh_hops` + 1).
    public var weight: UInt16

    /// A next hop.
    public init(gateway: IPAddress?, interfaceIndex: Int32 = 0, flags: RouteFlags = [], weight: UInt16 = 1) {
        self.gateway = gateway
        self.interfaceIndex = interfaceIndex
        self.flags = flags
        self.weight = weight
    }
}

/// A kernel route (`struct rtmsg` + RTA_* attributes, `<linux/rtnetlink.h>`).
///
/// ```
/// struct rtmsg { unsigned char rtm_family, rtm_dst_len, rtm_src_len, rtm_tos;
///                unsigned char rtm_table, rtm_protocol, rtm_scope, rtm_type;
///                unsigned rtm_flags; };
/// ```
public struct Route: Hashable, Sendable, CustomStringConvertible {
    /// RTA_DST with `rtm_dst_len`.
    public var destination: IPPrefix
    /// Routing table; 254 is main. Tables above 255 travel in RTA_TABLE.
    public var table: UInt32
    /// Who owns the route (`rtm_protocol`).
    public var proto: RouteProtocol
    /// `rtm_scope`.
    public var scope: RouteScope
    /// `rtm_type`.
    public var type: RouteType
    /// RTA_PRIORITY (the metric); `nil` leaves the kernel's default (0 for IPv4, 1024 for IPv6).
    public var metric: UInt32?
    /// RTA_OIF.
    public var outputInterface: Int32?
    /// RTA_GATEWAY.
    public var gateway: IPAddress?
    /// `rtm_flags` (onlink).
    public var flags: RouteFlags
    /// RTA_MULTIPATH paths; empty for a single-path route.
    public var nextHops: [NextHop]
    /// RTA_SRC with `rtm_src_len` (source-specific routing).
    public var source: IPPrefix?
    /// RTA_PREFSRC: the source address the host uses for this route.
    public var preferredSource: IPAddress?
    /// `rtm_tos`.
    public var tos: UInt8

    /// A route; defaults match `ip route add PREFIX` (table main, proto boot, unicast).
    public init(
        destination: IPPrefix, table: UInt32 = 254, proto: RouteProtocol = .boot,
        scope: RouteScope = .universe, type: RouteType = .unicast, metric: UInt32? = nil,
        outputInterface: Int32? = nil, gateway: IPAddress? = nil, flags: RouteFlags = [],
        nextHops: [NextHop] = [], source: IPPrefix? = nil, preferredSource: IPAddress? = nil,
        tos: UInt8 = 0
    ) {
        self.destination = destination
        self.table = table
        self.proto = proto
        self.scope = scope
        self.type = type
        self.metric = metric
        self.outputInterface = outputInterface
        self.gateway = gateway
        self.flags = flags
        self.nextHops = nextHops
        self.source = source
        self.preferredSource = preferredSource
        self.tos = tos
    }

    /// v4 or v6.
    public var family: AddressFamily { destination.kernelFamily }

    /// `ip route`-like text: "blackhole 10.244.1.0/26 proto 80", "10.244.1.5/32 dev 3 scope link".
    public var description: String {
        var s = type == .unicast ? "\(destination)" : "\(type) \(destination)"
        if let g = gateway { s += " via \(g)" }
        if let o = outputInterface { s += " dev \(o)" }
        for nh in nextHops {
            s += " nexthop"
            if let g = nh.gateway { s += " via \(g)" }
            if nh.interfaceIndex != 0 { s += " dev \(nh.interfaceIndex)" }
            if nh.flags.contains(.onlink) { s += " onlink" }
        }
        if table != 254 { s += " table \(table)" }
        if proto != .boot { s += " proto \(proto.rawValue)" }
        if scope == .link { s += " scope link" } else if scope == .host { s += " scope host" }
        if let m = metric { s += " metric \(m)" }
        if flags.contains(.onlink) { s += " onlink" }
        return s
    }
}
