import IPCore
/// A VXLAN device to create (RFC 7348; kind "vxlan", IFLA_VXLAN_* in `<linux/if_link.h>`).
/// Calico's is `vxlan.calico`: VNI 4096, port 4789, the node's address as `local`, the
/// underlay NIC as `underlayIndex`, learning off (the agent programs the FDB itself).
public struct VXLANDevice: Hashable, Sendable {
    /// IFLA_IFNAME.
    public var name: String
    /// IFLA_VXLAN_ID: the 24-bit VXLAN network identifier.
    public var vni: UInt32
    /// IFLA_VXLAN_PORT: the UDP destination port (4789 is IANA's; the kernel's default is 8472).
    public var port: UInt16
    /// IFLA_VXLAN_LOCAL (IPv4) or IFLA_VXLAN_LOCAL6 (IPv6): the outer source address.
    public var local: IPAddress?
    /// IFLA_VXLAN_LINK: the underlay device (`dev` in iproute2).
    public var underlayIndex: Int32?
    /// IFLA_VXLAN_LEARNING: learn remote MACs from received packets (the kernel's default is on).
    public var learning: Bool
    /// IFLA_MTU.
    public var mtu: UInt32?
    /// IFLA_ADDRESS: the device's MAC; the kernel picks a random one when absent.
    public var address: HardwareAddress?

    /// A VXLAN device; learning is off unless asked for (Calico's choice, not the kernel's default).
    public init(name: String, vni: UInt32, port: UInt16 = 4789, local: IPAddress? = nil, underlayIndex: Int32? = nil,
                learning: Bool = false, mtu: UInt32? = nil, address: HardwareAddress? = nil) {
        self.name = name
        self.vni = vni
        self.port = port
        self.local = local
        self.underlayIndex = underlayIndex
        self.learning = learning
        self.mtu = mtu
        self.address = address
    }
}

/// What a dump says about a VXLAN device (IFLA_LINKINFO/IFLA_INFO_DATA, written by
/// `vxlan_fill_info` in drivers/net/vxlan/vxlan_core.c).
public struct VXLANInfo: Hashable, Sendable {
    /// IFLA_VXLAN_ID.
    public var vni: UInt32
    /// IFLA_VXLAN_PORT (sent big-endian, kept here in host order).
    public var port: UInt16
    /// IFLA_VXLAN_LOCAL or IFLA_VXLAN_LOCAL6; `nil` when the kernel sent neither (no local address set).
    public var local: IPAddress?
    /// IFLA_VXLAN_LINK; `nil` when absent or 0 (no underlay device).
    public var underlayIndex: Int32?
    /// IFLA_VXLAN_LEARNING.
    public var learning: Bool

    /// A VXLAN description.
    public init(vni: UInt32, port: UInt16, local: IPAddress? = nil, underlayIndex: Int32? = nil, learning: Bool) {
        self.vni = vni
        self.port = port
        self.local = local
        self.underlayIndex = underlayIndex
        self.learning = learning
    }

    /// Reads IFLA_INFO_DATA. `nil` unless IFLA_VXLAN_ID (u32), IFLA_VXLAN_PORT (be16) and
    /// IFLA_VXLAN_LEARNING (u8) are there and long enough: the kernel always sends all three.
    /// A local address of the wrong length is dropped (`nil`), not guessed at.
    static func parse(_ data: NetlinkAttributes) -> VXLANInfo? {
        guard let vni = data.u32(NL.iflaVXLANID), let port = data.be16(NL.iflaVXLANPort),
              let learning = data.u8(NL.iflaVXLANLearning) else { return nil }
        var local: IPAddress?
        if let v4 = data[NL.iflaVXLANLocal], v4.count == 4 {
            local = IPAddress(octets: v4)
        } else if let v6 = data[NL.iflaVXLANLocal6], v6.count == 16 {
            local = IPAddress(octets: v6)
        }
        let link = data.i32(NL.iflaVXLANLink).flatMap { $0 == 0 ? nil : $0 }
        return VXLANInfo(vni: vni, port: port, local: local, underlayIndex: link, learning: learning != 0)
    }
}

extension LinkMessage {
    /// `ip link add name NAME [mtu M] [address MAC] type vxlan id VNI [local IP] [dev UNDERLAY]
    /// dstport PORT [no]learning`, byte for byte as iproute2 6.1 sends it:
    ///
    /// - IFLA_MTU, then IFLA_ADDRESS (iproute2 writes these in command-line order; this is
    ///   the order of the command above), then IFLA_IFNAME;
    /// - IFLA_LINKINFO { IFLA_INFO_KIND "vxlan" (no NUL), IFLA_INFO_DATA { IFLA_VXLAN_LINK (u32),
    ///   IFLA_VXLAN_ID (u32), IFLA_VXLAN_LOCAL (4 bytes) or IFLA_VXLAN_LOCAL6 (16 bytes),
    ///   IFLA_VXLAN_LEARNING (u8, always sent), IFLA_VXLAN_PORT (be16) } }. iproute2 emits the
    ///   data in this fixed order whatever the order of the words; absent fields are left out.
    ///
    /// NLM_F_CREATE|NLM_F_EXCL: an existing device of that name is EEXIST.
    public static func createVXLAN(_ spec: VXLANDevice) -> NetlinkRequest {
        var b = ifinfomsg(index: 0)
        if let mtu = spec.mtu { b.appendAttribute(NL.iflaMTU, u32: mtu) }
        if let mac = spec.address { b.appendAttribute(NL.iflaAddress, mac.bytes) }
        b.appendAttribute(NL.iflaIfname, string: spec.name)
        let info = b.beginNested(NL.iflaLinkinfo)
        b.appendAttribute(NL.iflaInfoKind, string: "vxlan", nul: false)
        let data = b.beginNested(NL.iflaInfoData)
        if let link = spec.underlayIndex { b.appendAttribute(NL.iflaVXLANLink, u32: UInt32(bitPattern: link)) }
        b.appendAttribute(NL.iflaVXLANID, u32: spec.vni)
        if let local = spec.local {
            b.appendAttribute(local.family == .v4 ? NL.iflaVXLANLocal : NL.iflaVXLANLocal6, local.octets)
        }
        b.appendAttribute(NL.iflaVXLANLearning, u8: spec.learning ? 1 : 0)
        b.appendAttribute(NL.iflaVXLANPort, be16: spec.port)
        b.endNested(data)
        b.endNested(info)
        return NetlinkRequest(type: NL.newLink, flags: NL.request | NL.ack | NL.create | NL.excl, body: b,
                              operation: "add link \(spec.name) type vxlan id \(spec.vni)")
    }
}
