/// A network device (`struct ifinfomsg` + IFLA_* attributes, `<linux/if_link.h>`).
///
/// ```
/// struct ifinfomsg { unsigned char ifi_family; unsigned char __ifi_pad;
///                    unsigned short ifi_type; int ifi_index;
///                    unsigned ifi_flags; unsigned ifi_change; };
/// ```
public struct Link: Hashable, Sendable {
    /// `ifi_index`.
    public var index: Int32
    /// IFLA_IFNAME.
    public var name: String
    /// IFLA_LINKINFO/IFLA_INFO_KIND: "veth", "vxlan", "ipip", "bridge", "dummy"...; `nil` for plain devices.
    public var kind: String?
    /// `ifi_flags` (IFF_UP = 1, IFF_LOWER_UP = 0x10000, ... `<linux/if.h>`).
    public var flags: UInt32
    /// IFLA_MTU.
    public var mtu: UInt32?
    /// IFLA_ADDRESS.
    public var address: HardwareAddress?
    /// IFLA_MASTER: the bridge or bond this device is enslaved to.
    public var master: Int32?
    /// IFLA_LINKINFO/IFLA_INFO_DATA of a "vxlan" device; `nil` for other kinds or malformed data.
    public var vxlan: VXLANInfo?
    /// IFLA_LINKINFO/IFLA_INFO_DATA of an "ipip" device; `nil` for other kinds or malformed data.
    public var ipip: IPIPInfo?

    /// A link value.
    public init(index: Int32, name: String, kind: String? = nil, flags: UInt32 = 0, mtu: UInt32? = nil,
                address: HardwareAddress? = nil, master: Int32? = nil, vxlan: VXLANInfo? = nil, ipip: IPIPInfo? = nil) {
        self.index = index
        self.name = name
        self.kind = kind
        self.flags = flags
        self.mtu = mtu
        self.address = address
        self.master = master
        self.vxlan = vxlan
        self.ipip = ipip
    }

    /// IFF_UP is set.
    public var isUp: Bool { flags & 1 != 0 }
}

/// Where the peer end of a new veth goes (IFLA_NET_NS_PID / IFLA_NET_NS_FD in the peer's attributes).
public enum NamespaceReference: Hashable, Sendable {
    /// The network namespace of this process id.
    case pid(Int32)
    /// An open file descriptor of a namespace (e.g. of /var/run/netns/NAME).
    case fd(Int32)
}

/// Builders and parser for RTM_NEWLINK / RTM_DELLINK / RTM_GETLINK (RFC 3549 §3.1.1).
public enum LinkMessage {
    /// `ip link add NAME type veth peer name PEER [netns PID|NAME]`: NLM_F_CREATE|NLM_F_EXCL.
    /// The peer is a nested `ifinfomsg` + IFLA_NET_NS_* + IFLA_IFNAME under
    /// IFLA_LINKINFO/IFLA_INFO_DATA/VETH_INFO_PEER (`<linux/veth.h>`). As iproute2 does,
    /// IFLA_INFO_KIND carries no NUL and nested attributes carry no NLA_F_NESTED bit.
    public static func createVeth(name: String, peerName: String, peerNamespace: NamespaceReference? = nil) -> NetlinkRequest {
        var b = ifinfomsg(index: 0)
        b.appendAttribute(NL.iflaIfname, string: name)
        let info = b.beginNested(NL.iflaLinkinfo)
        b.appendAttribute(NL.iflaInfoKind, string: "veth", nul: false)
        let data = b.beginNested(NL.iflaInfoData)
        let peer = b.beginNested(NL.vethInfoPeer)
        b.append(contentsOf: ifinfomsg(index: 0))
        switch peerNamespace {
        case .pid(let pid)?: b.appendAttribute(NL.iflaNetNSPid, u32: UInt32(bitPattern: pid))
        case .fd(let fd)?: b.appendAttribute(NL.iflaNetNSFd, u32: UInt32(bitPattern: fd))
        case nil: break
        }
        b.appendAttribute(NL.iflaIfname, string: peerName)
        b.endNested(peer)
        b.endNested(data)
        b.endNested(info)
        return NetlinkRequest(type: NL.newLink, flags: NL.request | NL.ack | NL.create | NL.excl, body: b,
                              operation: "add link \(name) type veth peer \(peerName)")
    }

    /// `ip link del` by index (iproute2 resolves the name and sends only `ifi_index`).
    public static func delete(index: Int32) -> NetlinkRequest {
        NetlinkRequest(type: NL.delLink, flags: NL.request | NL.ack, body: ifinfomsg(index: index),
                       operation: "delete link \(index)")
    }

    /// `ip link set dev up|down`: RTM_NEWLINK with IFF_UP in `ifi_flags` and `ifi_change`.
    public static func setUp(index: Int32, _ up: Bool = true) -> NetlinkRequest {
        NetlinkRequest(type: NL.newLink, flags: NL.request | NL.ack,
                       body: ifinfomsg(index: index, flags: up ? 1 : 0, change: 1),
                       operation: "set link \(index) \(up ? "up" : "down")")
    }

    /// `ip link set dev mtu N`.
    public static func setMTU(index: Int32, _ mtu: UInt32) -> NetlinkRequest {
        var b = ifinfomsg(index: index)
        b.appendAttribute(NL.iflaMTU, u32: mtu)
        return NetlinkRequest(type: NL.newLink, flags: NL.request | NL.ack, body: b,
                              operation: "set link \(index) mtu \(mtu)")
    }

    /// `ip link set dev address MAC` (IFLA_ADDRESS); the link should be down, as a
    /// link-local IPv6 address is derived from the MAC when it comes up.
    public static func setAddress(index: Int32, _ address: HardwareAddress) -> NetlinkRequest {
        var b = ifinfomsg(index: index)
        b.appendAttribute(NL.iflaAddress, address.bytes)
        return NetlinkRequest(type: NL.newLink, flags: NL.request | NL.ack, body: b,
                              operation: "set link \(index) address \(address)")
    }

    /// `ip link show dev NAME`: RTM_GETLINK for one link by IFLA_IFNAME (no dump: the kernel
    /// answers with that link alone, or ENODEV).
    public static func get(name: String) -> NetlinkRequest {
        var b = ifinfomsg(index: 0)
        b.appendAttribute(NL.iflaIfname, string: name)
        return NetlinkRequest(type: NL.getLink, flags: NL.request, body: b, operation: "get link \(name)")
    }

    /// RTM_GETLINK with NLM_F_DUMP.
    public static func dump() -> NetlinkRequest {
        NetlinkRequest(type: NL.getLink, flags: NL.request | NL.dump, body: ifinfomsg(index: 0), operation: "dump links")
    }

    static func ifinfomsg(index: Int32, flags: UInt32 = 0, change: UInt32 = 0) -> [UInt8] {
        var b: [UInt8] = [0, 0, 0, 0]  // family, pad, type
        b.appendNative(index)
        b.appendNative(flags)
        b.appendNative(change)
        return b
    }

    /// Parses RTM_NEWLINK/RTM_DELLINK; `nil` if too short or without IFLA_IFNAME.
    /// IFLA_INFO_DATA is read for kinds "vxlan" and "ipip" (`Link.vxlan`, `Link.ipip`).
    public static func parse(_ m: NetlinkMessage) -> Link? {
        guard m.type == NL.newLink || m.type == NL.delLink, m.payload.count >= NL.ifinfomsgLength,
              let index = m.payload.readNative(Int32.self, at: 4),
              let flags = m.payload.readNative(UInt32.self, at: 8) else { return nil }
        let attrs = NetlinkAttributes(m.payload[NL.ifinfomsgLength...])
        guard let name = attrs.string(NL.iflaIfname) else { return nil }
        var link = Link(index: index, name: name, flags: flags)
        link.mtu = attrs.u32(NL.iflaMTU)
        link.address = attrs[NL.iflaAddress].map { HardwareAddress(bytes: Array($0)) }
        link.master = attrs.i32(NL.iflaMaster)
        if let info = attrs[NL.iflaLinkinfo] {
            let linkinfo = NetlinkAttributes(info)
            link.kind = linkinfo.string(NL.iflaInfoKind)
            if let data = linkinfo[NL.iflaInfoData] {
                switch link.kind {
                case "vxlan": link.vxlan = VXLANInfo.parse(NetlinkAttributes(data))
                case "ipip": link.ipip = IPIPInfo.parse(NetlinkAttributes(data))
                default: break
                }
            }
        }
        return link
    }

    /// `ifi_change` of a message; the kernel sends 0xFFFFFFFF when a device is registered.
    static func change(_ m: NetlinkMessage) -> UInt32? { m.payload.readNative(UInt32.self, at: 12) }
}
