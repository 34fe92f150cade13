import CMNL

/// Netlink: the kernel's routing interface (NETLINK_ROUTE, RFC 3549) through libmnl.
///
/// Message layout (RFC 3549 §2.3.2, `<linux/netlink.h>`):
/// ```
///  0                   1                   2                   3
///  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |                          Length                             |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |            Type              |           Flags              |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |                      Sequence Number                        |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |                      Process ID (PID)                       |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// ```
/// followed by a family header (rtmsg, ifinfomsg, ifaddrmsg, ndmsg) and attributes
/// (`struct rtattr`/`nlattr`: u16 length, u16 type, value, padded to 4 bytes).
/// All integers are in host byte order; addresses are in network byte order.
/// The constants come from the kernel headers through CMNL so they cannot drift.
enum NL {
    // <linux/netlink.h>: nlmsghdr flags
    static let request = UInt16(NLM_F_REQUEST)
    static let multi = UInt16(NLM_F_MULTI)
    static let ack = UInt16(NLM_F_ACK)
    static let dumpIntr = UInt16(NLM_F_DUMP_INTR)
    static let root = UInt16(NLM_F_ROOT)
    static let match = UInt16(NLM_F_MATCH)
    static let dump = UInt16(NLM_F_DUMP)
    static let replace = UInt16(NLM_F_REPLACE)
    static let excl = UInt16(NLM_F_EXCL)
    static let create = UInt16(NLM_F_CREATE)
    static let capped = UInt16(NLM_F_CAPPED)
    static let ackTLVs = UInt16(NLM_F_ACK_TLVS)

    // <linux/netlink.h>: control message types
    static let noop = UInt16(NLMSG_NOOP)
    static let error = UInt16(NLMSG_ERROR)
    static let done = UInt16(NLMSG_DONE)
    static let overrun = UInt16(NLMSG_OVERRUN)

    // <linux/rtnetlink.h>: rtnetlink message types
    static let newLink = UInt16(RTM_NEWLINK)
    static let delLink = UInt16(RTM_DELLINK)
    static let getLink = UInt16(RTM_GETLINK)
    static let newAddr = UInt16(RTM_NEWADDR)
    static let delAddr = UInt16(RTM_DELADDR)
    static let getAddr = UInt16(RTM_GETADDR)
    static let newRoute = UInt16(RTM_NEWROUTE)
    static let delRoute = UInt16(RTM_DELROUTE)
    static let getRoute = UInt16(RTM_GETROUTE)
    static let newNeigh = UInt16(RTM_NEWNEIGH)
    static let delNeigh = UInt16(RTM_DELNEIGH)
    static let getNeigh = UInt16(RTM_GETNEIGH)

    // <linux/netlink.h>: struct nlmsgerr extended ACK attributes
    static let errAttrMsg = UInt16(NLMSGERR_ATTR_MSG.rawValue)

    // <linux/rtnetlink.h>: enum rtattr_type_t
    static let rtaDst = UInt16(RTA_DST.rawValue)
    static let rtaSrc = UInt16(RTA_SRC.rawValue)
    static let rtaIIF = UInt16(RTA_IIF.rawValue)
    static let rtaOIF = UInt16(RTA_OIF.rawValue)
    static let rtaGateway = UInt16(RTA_GATEWAY.rawValue)
    static let rtaPriority = UInt16(RTA_PRIORITY.rawValue)
    static let rtaPrefSrc = UInt16(RTA_PREFSRC.rawValue)
    static let rtaMultipath = UInt16(RTA_MULTIPATH.rawValue)
    static let rtaTable = UInt16(RTA_TABLE.rawValue)

    // <linux/if_link.h>: IFLA_*
    static let iflaAddress = UInt16(IFLA_ADDRESS)
    static let iflaIfname = UInt16(IFLA_IFNAME)
    static let iflaMTU = UInt16(IFLA_MTU)
    static let iflaLink = UInt16(IFLA_LINK)
    static let iflaMaster = UInt16(IFLA_MASTER)
    static let iflaLinkinfo = UInt16(IFLA_LINKINFO)
    static let iflaNetNSPid = UInt16(IFLA_NET_NS_PID)
    static let iflaNetNSFd = UInt16(IFLA_NET_NS_FD)
    static let iflaInfoKind = UInt16(IFLA_INFO_KIND)
    static let iflaInfoData = UInt16(IFLA_INFO_DATA)
    /// `<linux/veth.h>`: VETH_INFO_PEER (= 1), the nested peer `ifinfomsg` + attributes.
    static let vethInfoPeer: UInt16 = 1

    // <linux/if_link.h>: IFLA_VXLAN_* inside IFLA_INFO_DATA of kind "vxlan"
    static let iflaVXLANID = UInt16(IFLA_VXLAN_ID)
    static let iflaVXLANLink = UInt16(IFLA_VXLAN_LINK)
    static let iflaVXLANLocal = UInt16(IFLA_VXLAN_LOCAL)
    static let iflaVXLANLearning = UInt16(IFLA_VXLAN_LEARNING)
    static let iflaVXLANPort = UInt16(IFLA_VXLAN_PORT)
    static let iflaVXLANLocal6 = UInt16(IFLA_VXLAN_LOCAL6)

    // <linux/if_tunnel.h> (not in the CMNL shim): IFLA_IPTUN_* inside IFLA_INFO_DATA of kind "ipip"
    static let iflaIPTunLink: UInt16 = 1
    static let iflaIPTunLocal: UInt16 = 2
    static let iflaIPTunRemote: UInt16 = 3
    static let iflaIPTunTTL: UInt16 = 4
    static let iflaIPTunTOS: UInt16 = 5
    static let iflaIPTunProto: UInt16 = 9
    static let iflaIPTunPMTUDisc: UInt16 = 10
    static let iflaIPTunEncapType: UInt16 = 15
    static let iflaIPTunEncapFlags: UInt16 = 16
    static let iflaIPTunEncapSport: UInt16 = 17
    static let iflaIPTunEncapDport: UInt16 = 18
    static let iflaIPTunFwmark: UInt16 = 20
    /// `<netinet/in.h>`: IPPROTO_IPIP, the inner protocol of an ipip tunnel.
    static let ipprotoIPIP: UInt8 = 4

    // <linux/if_addr.h>: IFA_*
    static let ifaAddress: UInt16 = 1
    static let ifaLocal: UInt16 = 2
    static let ifaLabel: UInt16 = 3

    // <linux/neighbour.h>: NDA_*
    static let ndaDst = UInt16(NDA_DST)
    static let ndaLladdr = UInt16(NDA_LLADDR)
    static let ndaMaster = UInt16(NDA_MASTER)
    static let ndaVNI = UInt16(NDA_VNI)
    /// `<linux/neighbour.h>`: NTF_SELF (1 << 1), the entry lives in the device's own FDB (vxlan), not a bridge's.
    static let ntfSelf: UInt8 = 0x02

    /// `NLA_TYPE_MASK`: strips NLA_F_NESTED and NLA_F_NET_BYTEORDER.
    static let attributeTypeMask: UInt16 = 0x3FFF

    static let headerLength = 16
    static let rtmsgLength = 12
    static let ifinfomsgLength = 16
    static let ifaddrmsgLength = 8
    static let ndmsgLength = 12
    static let rtnexthopLength = 8

    /// NLMSG_ALIGN / RTA_ALIGN: 4-byte alignment.
    @inline(__always) static func align(_ n: Int) -> Int { (n + 3) & ~3 }
}
