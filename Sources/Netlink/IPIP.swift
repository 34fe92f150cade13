import IPCore
/// What a dump says about an IPv4-in-IPv4 tunnel (RFC 2003; kind "ipip", IFLA_IPTUN_* in
/// `<linux/if_tunnel.h>`, written by `ipip_fill_info` in net/ipv4/ipip.c).
public struct IPIPInfo: Hashable, Sendable {
    /// IFLA_IPTUN_LOCAL: the outer source; `nil` for "any" (0.0.0.0), absent or malformed.
    public var local: IPAddress?
    /// IFLA_IPTUN_REMOTE: the outer destination; `nil` for "any" (a multipoint tunnel like Calico's tunl0).
    public var remote: IPAddress?
    /// IFLA_IPTUN_PMTUDISC: the DF bit is set on outer packets (path-MTU discovery).
    public var pmtudisc: Bool
    /// IFLA_IPTUN_TTL: the outer TTL; 0 means "inherit" from the inner packet.
    public var ttl: UInt8

    /// An ipip description.
    public init(local: IPAddress? = nil, remote: IPAddress? = nil, pmtudisc: Bool, ttl: UInt8 = 0) {
        self.local = local
        self.remote = remote
        self.pmtudisc = pmtudisc
        self.ttl = ttl
    }

    /// Reads IFLA_INFO_DATA. `nil` unless IFLA_IPTUN_PMTUDISC and IFLA_IPTUN_TTL (u8 each)
    /// are there: the kernel always sends both. Addresses must be exactly 4 bytes.
    static func parse(_ data: NetlinkAttributes) -> IPIPInfo? {
        guard let pmtudisc = data.u8(NL.iflaIPTunPMTUDisc), let ttl = data.u8(NL.iflaIPTunTTL) else { return nil }
        func v4(_ type: UInt16) -> IPAddress? {
            guard let b = data[type], b.count == 4, b.contains(where: { $0 != 0 }) else { return nil }
            return IPAddress(octets: b)
        }
        return IPIPInfo(local: v4(NL.iflaIPTunLocal), remote: v4(NL.iflaIPTunRemote), pmtudisc: pmtudisc != 0, ttl: ttl)
    }
}

extension LinkMessage {
    /// `ip link add name NAME [mtu M] type ipip mode ipip`, byte for byte as iproute2 6.1 sends it:
    /// IFLA_MTU, IFLA_IFNAME, IFLA_LINKINFO { IFLA_INFO_KIND "ipip" (no NUL), IFLA_INFO_DATA {...} }
    /// with the defaults `iptunnel_parse_opt` (ip/link_iptnl.c) writes, in its order:
    ///
    /// | attribute               | type | value | meaning                                   |
    /// |-------------------------|------|-------|-------------------------------------------|
    /// | IFLA_IPTUN_PROTO        | u8   | 4     | IPPROTO_IPIP (`mode ipip`)                |
    /// | IFLA_IPTUN_PMTUDISC     | u8   | 1     | DF on outer packets: path-MTU discovery   |
    /// | IFLA_IPTUN_TOS          | u8   | 0     | outer TOS 0 (1 would be `tos inherit`)    |
    /// | IFLA_IPTUN_TTL          | u8   | 0     | inherit the inner TTL                     |
    /// | IFLA_IPTUN_LINK         | u32  | 0     | no underlay device                        |
    /// | IFLA_IPTUN_FWMARK       | u32  | 0     | no fwmark on outer packets                |
    /// | IFLA_IPTUN_ENCAP_TYPE   | u16  | 0     | TUNNEL_ENCAP_NONE (no FOU/GUE)            |
    /// | IFLA_IPTUN_ENCAP_FLAGS  | u16  | 0     |                                           |
    /// | IFLA_IPTUN_ENCAP_SPORT  | be16 | 0     |                                           |
    /// | IFLA_IPTUN_ENCAP_DPORT  | be16 | 0     |                                           |
    ///
    /// No IFLA_IPTUN_LOCAL/REMOTE: "any", a multipoint tunnel like Calico's tunl0.
    ///
    /// Why `mode ipip` and not the bare `ip link add name tunl0 mtu 1480 type ipip`: iproute2
    /// only calls the ipip option parser when words follow `type ipip`, so the bare command
    /// sends no IFLA_INFO_DATA at all, and `ipip_netlink_parms` (net/ipv4/ipip.c) returns
    /// before its "PMTUDISC absent means on" default when there is no data: that device would
    /// get no DF bit (`nopmtudisc`). `mode ipip` sends the full default set above, with
    /// IFLA_IPTUN_PROTO 4, the same protocol the kernel picks without data.
    ///
    /// On a kernel without the ipip module the answer is EOPNOTSUPP, "Unknown device type"
    /// (`NetlinkError.isUnsupportedLinkKind`). Where the module is loaded every namespace
    /// already has a fallback `tunl0` (with `nopmtudisc`), so creating that name is EEXIST.
    public static func createIPIP(name: String, mtu: UInt32?) -> NetlinkRequest {
        var b = ifinfomsg(index: 0)
        if let mtu { b.appendAttribute(NL.iflaMTU, u32: mtu) }
        b.appendAttribute(NL.iflaIfname, string: name)
        let info = b.beginNested(NL.iflaLinkinfo)
        b.appendAttribute(NL.iflaInfoKind, string: "ipip", nul: false)
        let data = b.beginNested(NL.iflaInfoData)
        b.appendAttribute(NL.iflaIPTunProto, u8: NL.ipprotoIPIP)
        b.appendAttribute(NL.iflaIPTunPMTUDisc, u8: 1)
        b.appendAttribute(NL.iflaIPTunTOS, u8: 0)
        b.appendAttribute(NL.iflaIPTunTTL, u8: 0)
        b.appendAttribute(NL.iflaIPTunLink, u32: 0)
        b.appendAttribute(NL.iflaIPTunFwmark, u32: 0)
        b.appendAttribute(NL.iflaIPTunEncapType, u16: 0)
        b.appendAttribute(NL.iflaIPTunEncapFlags, u16: 0)
        b.appendAttribute(NL.iflaIPTunEncapSport, be16: 0)
        b.appendAttribute(NL.iflaIPTunEncapDport, be16: 0)
        b.endNested(data)
        b.endNested(info)
        return NetlinkRequest(type: NL.newLink, flags: NL.request | NL.ack | NL.create | NL.excl, body: b,
                              operation: "add link \(name) type ipip")
    }
}
