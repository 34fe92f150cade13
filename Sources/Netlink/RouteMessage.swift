import IPCore
/// Builders and parser for RTM_NEWROUTE / RTM_DELROUTE / RTM_GETROUTE (`<linux/rtnetlink.h>`,
/// RFC 3549 §3.1.1). The attribute order matches iproute2's for the same command, so the
/// bytes compare equal to `ip route ...` captures (see NetlinkTests/IprouteFixtures.swift):
/// RTA_TABLE (tables > 255 only), RTA_DST, RTA_SRC, RTA_PREFSRC, RTA_GATEWAY, RTA_PRIORITY,
/// RTA_OIF, RTA_MULTIPATH.
public enum RouteMessage {
    /// `ip route add` (NLM_F_CREATE|NLM_F_EXCL) or `ip route replace` (NLM_F_CREATE|NLM_F_REPLACE),
    /// with NLM_F_REQUEST|NLM_F_ACK.
    public static func new(_ route: Route, replace: Bool = false) -> NetlinkRequest {
        let flags = NL.request | NL.ack | NL.create | (replace ? NL.replace : NL.excl)
        return NetlinkRequest(
            type: NL.newRoute, flags: flags,
            body: body(route, scope: route.scope, type: route.type),
            operation: "\(replace ? "replace" : "add") route \(route)")
    }

    /// `ip route del`: identifies the route by destination, table, tos, protocol (0 = any),
    /// metric, device and gateway. Like iproute2, the scope is a wildcard
    /// (RT_SCOPE_NOWHERE for IPv4, RT_SCOPE_UNIVERSE for IPv6, which has no scopes) and a
    /// unicast type is sent as RTN_UNSPEC (any type).
    public static func delete(_ route: Route) -> NetlinkRequest {
        let scope: RouteScope = route.family == .v4 ? .nowhere : .universe
        let type: RouteType = route.type == .unicast ? .unspec : route.type
        return NetlinkRequest(
            type: NL.delRoute, flags: NL.request | NL.ack,
            body: body(route, scope: scope, type: type),
            operation: "delete route \(route)")
    }

    /// RTM_GETROUTE with NLM_F_DUMP for one family (or `.unspec` for both).
    public static func dump(family: AddressFamily = .unspec) -> NetlinkRequest {
        var b = [UInt8](repeating: 0, count: NL.rtmsgLength)
        b[0] = family.rawValue
        return NetlinkRequest(type: NL.getRoute, flags: NL.request | NL.dump, body: b,
                              operation: "dump routes (\(family))")
    }

    static func body(_ r: Route, scope: RouteScope, type: RouteType) -> [UInt8] {
        var b: [UInt8] = []
        b.reserveCapacity(64)
        // struct rtmsg
        b.append(r.family.rawValue)
        b.append(r.destination.length)
        b.append(r.source?.length ?? 0)
        b.append(r.tos)
        b.append(r.table < 256 ? UInt8(r.table) : 0)  // RT_TABLE_UNSPEC + RTA_TABLE
        b.append(r.proto.rawValue)
        b.append(scope.rawValue)
        b.append(type.rawValue)
        b.appendNative(r.flags.rawValue)
        if r.table >= 256 { b.appendAttribute(NL.rtaTable, u32: r.table) }
        if r.destination.length > 0 { b.appendAttribute(NL.rtaDst, r.destination.address.octets) }
        if let s = r.source, s.length > 0 { b.appendAttribute(NL.rtaSrc, s.address.octets) }
        if let p = r.preferredSource { b.appendAttribute(NL.rtaPrefSrc, p.octets) }
        if let g = r.gateway { b.appendAttribute(NL.rtaGateway, g.octets) }
        if let m = r.metric { b.appendAttribute(NL.rtaPriority, u32: m) }
        if let o = r.outputInterface { b.appendAttribute(NL.rtaOIF, u32: UInt32(bitPattern: o)) }
        if !r.nextHops.isEmpty {
            let mp = b.beginNested(NL.rtaMultipath)
            for nh in r.nextHops {
                let start = b.count
                b.appendNative(UInt16(0))  // rtnh_len, patched below
                b.append(UInt8(truncatingIfNeeded: nh.flags.rawValue))
                b.append(UInt8(truncatingIfNeeded: max(1, Int(nh.weight)) - 1))
                b.appendNative(nh.interfaceIndex)
                if let g = nh.gateway { b.appendAttribute(NL.rtaGateway, g.octets) }
                let len = UInt16(b.count - start)
                b[start] = UInt8(len & 0xFF)
                b[start + 1] = UInt8(len >> 8)
            }
            b.endNested(mp)
        }
        return b
    }

    /// Parses RTM_NEWROUTE/RTM_DELROUTE. `nil` for other types, families other than
    /// IPv4/IPv6 (multicast tables, MPLS) or a payload shorter than `struct rtmsg`.
    /// Attributes that are malformed are ignored rather than trusted.
    public static func parse(_ m: NetlinkMessage) -> Route? {
        guard m.type == NL.newRoute || m.type == NL.delRoute, m.payload.count >= NL.rtmsgLength else { return nil }
        let p = m.payload
        let family = AddressFamily(rawValue: p[0])
        guard family == .v4 || family == .v6 else { return nil }
        let size = family == .v4 ? 4 : 16
        let attrs = NetlinkAttributes(p[NL.rtmsgLength...])
        let dstAddr = attrs.address(NL.rtaDst).flatMap { $0.octets.count == size ? $0 : nil }
            ?? (family == .v4 ? IPAddress.v4(IPv4Address(0)) : IPAddress.v6(IPv6Address(high: 0, low: 0)))
        guard let dst = IPPrefix(address: dstAddr, length: p[1]) else { return nil }
        var r = Route(destination: dst)
        r.tos = p[3]
        r.table = attrs.u32(NL.rtaTable) ?? UInt32(p[4])
        r.proto = RouteProtocol(rawValue: p[5])
        r.scope = RouteScope(rawValue: p[6])
        r.type = RouteType(rawValue: p[7])
        r.flags = RouteFlags(rawValue: p.readNative(UInt32.self, at: 8) ?? 0)
        r.metric = attrs.u32(NL.rtaPriority)
        r.outputInterface = attrs.i32(NL.rtaOIF)
        r.gateway = attrs.address(NL.rtaGateway)
        r.preferredSource = attrs.address(NL.rtaPrefSrc)
        if p[2] > 0, let s = attrs.address(NL.rtaSrc) { r.source = IPPrefix(address: s, length: p[2]) }
        if let mp = attrs[NL.rtaMultipath] { r.nextHops = parseNextHops(mp) }
        return r
    }

    /// Walks `struct rtnexthop` records, each checked against the remaining length.
    static func parseNextHops(_ bytes: ArraySlice<UInt8>) -> [NextHop] {
        var out: [NextHop] = []
        var off = bytes.startIndex
        while bytes.endIndex - off >= NL.rtnexthopLength {
            let rec = bytes[off...]
            guard let len16 = rec.readNative(UInt16.self, at: 0), let ifindex = rec.readNative(Int32.self, at: 4) else { break }
            let len = Int(len16)
            guard len >= NL.rtnexthopLength, len <= bytes.endIndex - off else { break }
            let attrs = NetlinkAttributes(bytes[(off + NL.rtnexthopLength)..<(off + len)])
            out.append(NextHop(gateway: attrs.address(NL.rtaGateway), interfaceIndex: ifindex,
                               flags: RouteFlags(rawValue: UInt32(bytes[off + 2])),
                               weight: UInt16(bytes[off + 3]) + 1))
            off += NL.align(len)
        }
        return out
    }
}
