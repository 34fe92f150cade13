import IPCore
/// `ndm_state` (NUD_*, `<linux/neighbour.h>`).
public struct NeighbourState: OptionSet, Hashable, Sendable {
    public var rawValue: UInt16
    public init(rawValue: UInt16) { self.rawValue = rawValue }
    /// NUD_INCOMPLETE.
    public static let incomplete = NeighbourState(rawValue: 0x01)
    /// NUD_REACHABLE.
    public static let reachable = NeighbourState(rawValue: 0x02)
    /// NUD_STALE.
    public static let stale = NeighbourState(rawValue: 0x04)
    /// NUD_DELAY.
    public static let delay = NeighbourState(rawValue: 0x08)
    /// NUD_PROBE.
    public static let probe = NeighbourState(rawValue: 0x10)
    /// NUD_FAILED.
    public static let failed = NeighbourState(rawValue: 0x20)
    /// NUD_NOARP.
    public static let noarp = NeighbourState(rawValue: 0x40)
    /// NUD_PERMANENT: Calico's static entries for pods and remote VTEPs.
    public static let permanent = NeighbourState(rawValue: 0x80)
}

/// A neighbour (ARP/NDP) or bridge FDB entry (`struct ndmsg` + NDA_* attributes).
///
/// ```
/// struct ndmsg { __u8 ndm_family; __u8 ndm_pad1; __u16 ndm_pad2;
///                __s32 ndm_ifindex; __u16 ndm_state; __u8 ndm_flags; __u8 ndm_type; };
/// ```
/// For FDB entries the family is AF_BRIDGE, `lladdr` the MAC and `ip` the remote VTEP (NDA_DST).
public struct Neighbour: Hashable, Sendable {
    /// AF_INET, AF_INET6 or AF_BRIDGE.
    public var family: AddressFamily
    /// `ndm_ifindex`.
    public var interfaceIndex: Int32
    /// NDA_DST.
    public var ip: IPAddress?
    /// NDA_LLADDR.
    public var lladdr: HardwareAddress?
    /// `ndm_state`.
    public var state: NeighbourState
    /// `ndm_flags` (NTF_SELF = 2, NTF_MASTER = 4, NTF_ROUTER = 0x80...).
    public var flags: UInt8

    /// A neighbour; the family defaults to the IP's.
    public init(interfaceIndex: Int32, ip: IPAddress?, lladdr: HardwareAddress?, state: NeighbourState = .permanent,
                flags: UInt8 = 0, family: AddressFamily? = nil) {
        self.family = family ?? ip?.kernelFamily ?? .bridge
        self.interfaceIndex = interfaceIndex
        self.ip = ip
        self.lladdr = lladdr
        self.state = state
        self.flags = flags
    }

    /// A static VXLAN FDB entry, as `bridge fdb replace MAC dev DEV dst IP self permanent` makes it:
    /// family AF_BRIDGE, NTF_SELF (the vxlan device's own FDB, not a bridge's), NDA_LLADDR = `mac`
    /// (the inner destination MAC, a remote VTEP's), NDA_DST = `destination` (the remote VTEP's
    /// underlay address). The state is NUD_PERMANENT|NUD_NOARP (0xC0): `bridge` starts every
    /// entry at NUD_NOARP and `permanent` adds NUD_PERMANENT, and this matches its bytes.
    public static func fdb(interfaceIndex: Int32, mac: HardwareAddress, destination: IPAddress) -> Neighbour {
        Neighbour(interfaceIndex: interfaceIndex, ip: destination, lladdr: mac, state: [.permanent, .noarp],
                  flags: NL.ntfSelf, family: .bridge)
    }
}

/// Builders and parser for RTM_NEWNEIGH / RTM_DELNEIGH / RTM_GETNEIGH.
public enum NeighbourMessage {
    /// `ip neigh add` (NLM_F_CREATE|NLM_F_EXCL) or `ip neigh replace` (NLM_F_CREATE|NLM_F_REPLACE);
    /// for AF_BRIDGE `bridge fdb add` / `bridge fdb replace`.
    public static func new(_ n: Neighbour, replace: Bool = false) -> NetlinkRequest {
        NetlinkRequest(type: NL.newNeigh, flags: NL.request | NL.ack | NL.create | (replace ? NL.replace : NL.excl),
                       body: body(n, lladdr: true),
                       operation: "\(replace ? "replace" : "add") neighbour \(describe(n))")
    }

    /// `ip neigh del IP dev N`: no NDA_LLADDR; the state is sent as given (iproute2 sends NUD_PERMANENT).
    /// For AF_BRIDGE, `bridge fdb del MAC dev N [dst IP] self`: the MAC is the FDB key, so
    /// NDA_LLADDR is sent (and the state as given: `bridge` sends NUD_PERMANENT|NUD_NOARP).
    public static func delete(_ n: Neighbour) -> NetlinkRequest {
        NetlinkRequest(type: NL.delNeigh, flags: NL.request | NL.ack, body: body(n, lladdr: n.family == .bridge),
                       operation: "delete neighbour \(describe(n))")
    }

    /// RTM_GETNEIGH with NLM_F_DUMP. `.unspec` returns ARP and NDP entries but no FDB
    /// entries; those come only with `.bridge` (`rtnl_fdb_dump`, net/core/rtnetlink.c).
    public static func dump(family: AddressFamily = .unspec) -> NetlinkRequest {
        var b = [UInt8](repeating: 0, count: NL.ndmsgLength)
        b[0] = family.rawValue
        return NetlinkRequest(type: NL.getNeigh, flags: NL.request | NL.dump, body: b, operation: "dump neighbours (\(family))")
    }

    static func describe(_ n: Neighbour) -> String {
        "\(n.ip.map { "\($0)" } ?? "-") lladdr \(n.lladdr.map { "\($0)" } ?? "-") dev \(n.interfaceIndex)"
    }

    static func body(_ n: Neighbour, lladdr: Bool) -> [UInt8] {
        var b: [UInt8] = [n.family.rawValue, 0, 0, 0]
        b.appendNative(n.interfaceIndex)
        b.appendNative(n.state.rawValue)
        b.append(n.flags)
        b.append(0)  // ndm_type
        if n.family == .bridge {
            // bridge/fdb.c writes NDA_LLADDR first, then NDA_DST; ip/ipneigh.c the other way round.
            if lladdr, let l = n.lladdr { b.appendAttribute(NL.ndaLladdr, l.bytes) }
            if let ip = n.ip { b.appendAttribute(NL.ndaDst, ip.octets) }
        } else {
            if let ip = n.ip { b.appendAttribute(NL.ndaDst, ip.octets) }
            if lladdr, let l = n.lladdr { b.appendAttribute(NL.ndaLladdr, l.bytes) }
        }
        return b
    }

    /// Parses RTM_NEWNEIGH/RTM_DELNEIGH; `nil` if shorter than `struct ndmsg`.
    public static func parse(_ m: NetlinkMessage) -> Neighbour? {
        guard m.type == NL.newNeigh || m.type == NL.delNeigh, m.payload.count >= NL.ndmsgLength,
              let index = m.payload.readNative(Int32.self, at: 4),
              let state = m.payload.readNative(UInt16.self, at: 8) else { return nil }
        let attrs = NetlinkAttributes(m.payload[NL.ndmsgLength...])
        return Neighbour(interfaceIndex: index, ip: attrs.address(NL.ndaDst),
                         lladdr: attrs[NL.ndaLladdr].map { HardwareAddress(bytes: Array($0)) },
                         state: NeighbourState(rawValue: state), flags: m.payload[10],
                         family: AddressFamily(rawValue: m.payload[0]))
    }
}
