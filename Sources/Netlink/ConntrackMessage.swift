import CMNL
import Glibc
import IPCore

/// ctnetlink messages (`<linux/netfilter/nfnetlink_conntrack.h>`, net/netfilter/nf_conntrack_netlink.c):
/// `nlmsg_type` is `(NFNL_SUBSYS_CTNETLINK << 8) | IPCTNL_MSG_CT_*`, the payload a
/// `struct nfgenmsg` (u8 family, u8 version NFNETLINK_V0, __be16 res_id) and attributes.
/// An entry's original tuple is CTA_TUPLE_ORIG { CTA_TUPLE_IP { CTA_IP_V4_SRC/DST |
/// CTA_IP_V6_SRC/DST }, CTA_TUPLE_PROTO { CTA_PROTO_NUM u8, CTA_PROTO_SRC_PORT/DST_PORT __be16 |
/// CTA_PROTO_ICMP(V6)_ID __be16, _TYPE u8, _CODE u8 } }, the zone CTA_ZONE __be16.
enum ConntrackMessage {
    static let subsystem = UInt16(NFNL_SUBSYS_CTNETLINK)
    static let getType = subsystem << 8 | UInt16(IPCTNL_MSG_CT_GET.rawValue)
    static let deleteType = subsystem << 8 | UInt16(IPCTNL_MSG_CT_DELETE.rawValue)
    static let newType = subsystem << 8 | UInt16(IPCTNL_MSG_CT_NEW.rawValue)
    /// NLA_F_NESTED (`<linux/netlink.h>`), set on nested attributes as conntrack-tools does.
    static let nested = UInt16(NLA_F_NESTED)

    static func a(_ v: UInt32) -> UInt16 { UInt16(v) }

    /// `struct nfgenmsg` for `family` (AF_UNSPEC in a dump: every l3 protocol).
    static func header(family: UInt8) -> [UInt8] { [family, UInt8(NFNETLINK_V0), 0, 0] }

    /// IPCTNL_MSG_CT_GET with NLM_F_DUMP: every entry of the namespace, IPv4 and IPv6.
    static func dump() -> NetlinkRequest {
        NetlinkRequest(type: getType, flags: NL.request | NL.dump, body: header(family: 0), operation: "dump conntrack")
    }

    /// IPCTNL_MSG_CT_DELETE for one entry by its original tuple and zone. Always carries a tuple:
    /// a delete without one flushes the whole table (`ctnetlink_del_conntrack`).
    static func delete(_ e: ConntrackEntry) -> NetlinkRequest {
        var body = header(family: e.family == .v4 ? UInt8(AF_INET) : UInt8(AF_INET6))
        let tuple = body.beginNested(a(CTA_TUPLE_ORIG.rawValue) | nested)
        let ip = body.beginNested(a(CTA_TUPLE_IP.rawValue) | nested)
        if e.family == .v4 {
            body.appendAttribute(a(CTA_IP_V4_SRC.rawValue), e.source.octets)
            body.appendAttribute(a(CTA_IP_V4_DST.rawValue), e.destination.octets)
        } else {
            body.appendAttribute(a(CTA_IP_V6_SRC.rawValue), e.source.octets)
            body.appendAttribute(a(CTA_IP_V6_DST.rawValue), e.destination.octets)
        }
        body.endNested(ip)
        let proto = body.beginNested(a(CTA_TUPLE_PROTO.rawValue) | nested)
        body.appendAttribute(a(CTA_PROTO_NUM.rawValue), u8: e.proto)
        if e.hasPorts {
            body.appendAttribute(a(CTA_PROTO_SRC_PORT.rawValue), be16: e.sourcePort)
            body.appendAttribute(a(CTA_PROTO_DST_PORT.rawValue), be16: e.destinationPort)
        } else if e.proto == 1 {
            body.appendAttribute(a(CTA_PROTO_ICMP_ID.rawValue), be16: e.icmpID)
            body.appendAttribute(a(CTA_PROTO_ICMP_TYPE.rawValue), u8: e.icmpType)
            body.appendAttribute(a(CTA_PROTO_ICMP_CODE.rawValue), u8: e.icmpCode)
        } else if e.proto == 58 {
            body.appendAttribute(a(CTA_PROTO_ICMPV6_ID.rawValue), be16: e.icmpID)
            body.appendAttribute(a(CTA_PROTO_ICMPV6_TYPE.rawValue), u8: e.icmpType)
            body.appendAttribute(a(CTA_PROTO_ICMPV6_CODE.rawValue), u8: e.icmpCode)
        }
        body.endNested(proto)
        body.endNested(tuple)
        if e.zone != 0 { body.appendAttribute(a(CTA_ZONE.rawValue), be16: e.zone) }
        return NetlinkRequest(type: deleteType, flags: NL.request, body: body, operation: "delete conntrack \(e)")
    }

    /// An entry from a CT_NEW message (a dump reply); nil when it has no usable original tuple.
    static func parse(_ m: NetlinkMessage) -> ConntrackEntry? {
        guard m.type == newType, m.payload.count >= 4 else { return nil }
        let attrs = NetlinkAttributes(m.payload[4...])
        guard let tupleBytes = attrs[a(CTA_TUPLE_ORIG.rawValue)] else { return nil }
        let tuple = NetlinkAttributes(tupleBytes)
        guard let ipBytes = tuple[a(CTA_TUPLE_IP.rawValue)], let protoBytes = tuple[a(CTA_TUPLE_PROTO.rawValue)] else { return nil }
        let ip = NetlinkAttributes(ipBytes)
        let source: IPAddress
        let destination: IPAddress
        if let s = ip.address(a(CTA_IP_V4_SRC.rawValue)), let d = ip.address(a(CTA_IP_V4_DST.rawValue)) {
            (source, destination) = (s, d)
        } else if let s = ip.address(a(CTA_IP_V6_SRC.rawValue)), let d = ip.address(a(CTA_IP_V6_DST.rawValue)) {
            (source, destination) = (s, d)
        } else {
            return nil
        }
        let proto = NetlinkAttributes(protoBytes)
        guard let number = proto.u8(a(CTA_PROTO_NUM.rawValue)) else { return nil }
        var e = ConntrackEntry(proto: number, source: source, destination: destination)
        e.sourcePort = proto.be16(a(CTA_PROTO_SRC_PORT.rawValue)) ?? 0
        e.destinationPort = proto.be16(a(CTA_PROTO_DST_PORT.rawValue)) ?? 0
        if number == 1 {
            e.icmpID = proto.be16(a(CTA_PROTO_ICMP_ID.rawValue)) ?? 0
            e.icmpType = proto.u8(a(CTA_PROTO_ICMP_TYPE.rawValue)) ?? 0
            e.icmpCode = proto.u8(a(CTA_PROTO_ICMP_CODE.rawValue)) ?? 0
        } else if number == 58 {
            e.icmpID = proto.be16(a(CTA_PROTO_ICMPV6_ID.rawValue)) ?? 0
            e.icmpType = proto.u8(a(CTA_PROTO_ICMPV6_TYPE.rawValue)) ?? 0
            e.icmpCode = proto.u8(a(CTA_PROTO_ICMPV6_CODE.rawValue)) ?? 0
        }
        e.zone = attrs.be16(a(CTA_ZONE.rawValue)) ?? 0
        return e
    }
}
