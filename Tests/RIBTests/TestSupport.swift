import IPCore
import BGPWire
@testable import RIB

// Shared builders for the RIB tests.

let localAS: UInt32 = 64512
let ourRouterID = IPv4Address("192.0.2.1")!
let testConfig = RIBConfig(localAS: localAS, routerID: ourRouterID)

func ip4(_ s: String) -> IPv4Address { IPv4Address(s)! }
func pfx(_ s: String) -> IPPrefix { IPPrefix(s)! }
func v4(_ s: String) -> IPAddress { .v4(IPv4Address(s)!) }
func v6(_ s: String) -> IPAddress { .v6(IPv6Address(s)!) }

/// Attributes as a peer would send them.
func attrs(_ path: [UInt32] = [64513], nextHop: String? = "198.51.100.1", origin: Origin = .igp,
           med: UInt32? = nil, localPref: UInt32? = nil, communities: [Community] = [],
           originatorID: String? = nil, clusterList: [String]? = nil) -> PathAttributes {
    PathAttributes(origin: origin, asPath: .sequence(path), nextHop: nextHop.map(ip4), multiExitDisc: med,
                   localPref: localPref, communities: communities, originatorID: originatorID.map(ip4),
                   clusterList: clusterList?.map(ip4))
}

/// An UPDATE announcing IPv4 `prefixes` (and withdrawing `withdrawn`).
func announce(_ prefixes: [String], _ a: PathAttributes = attrs(), withdrawn: [String] = [], pathID: UInt32? = nil) -> UpdateMessage {
    UpdateMessage(withdrawn: withdrawn.map { NLRI(pfx($0), pathID: pathID) }, attributes: a,
                  nlri: prefixes.map { NLRI(pfx($0), pathID: pathID) })
}

func withdraw(_ prefixes: [String], pathID: UInt32? = nil) -> UpdateMessage {
    UpdateMessage(withdrawn: prefixes.map { NLRI(pfx($0), pathID: pathID) })
}

/// An UPDATE announcing IPv6 prefixes in MP_REACH_NLRI.
func announce6(_ prefixes: [String], _ a: PathAttributes = attrs(nextHop: nil), nextHop: String = "2001:db8::1") -> UpdateMessage {
    UpdateMessage(attributes: a, mpReach: MPReachNLRI(family: .ipv6Unicast, nextHops: [v6(nextHop)],
                                                      nlri: prefixes.map { NLRI(pfx($0)) }))
}

func ebgpPeer(_ id: UInt32, address: String, asn: UInt32 = 64513, routerID: String? = nil,
              local: String = "192.0.2.1", context: CodecContext = CodecContext(fourOctetAS: true),
              families: Set<AddressFamily> = [.ipv4Unicast]) -> PeerDescriptor {
    PeerDescriptor(id: PeerID(id), address: v4(address), asNumber: asn, routerID: ip4(routerID ?? address),
                   isExternal: true, localAddress: v4(local), encodeContext: context, families: families)
}

func ibgpPeer(_ id: UInt32, address: String, routerID: String? = nil, local: String = "192.0.2.1",
              context: CodecContext = CodecContext(fourOctetAS: true), reflectorClient: Bool = false,
              families: Set<AddressFamily> = [.ipv4Unicast]) -> PeerDescriptor {
    PeerDescriptor(id: PeerID(id), address: v4(address), asNumber: localAS, routerID: ip4(routerID ?? address),
                   isExternal: false, localAddress: v4(local), encodeContext: context,
                   reflectorClient: reflectorClient, families: families)
}

struct DecodeFailure: Error { var reason: String }

/// Decodes one whole UPDATE produced by the RIB.
func decodeUpdate(_ bytes: [UInt8], context: CodecContext = CodecContext(fourOctetAS: true)) throws -> UpdateMessage {
    let d = try BGPMessage.decode(bytes: bytes, context: context)
    guard case .update(let u) = d.message else { throw DecodeFailure(reason: "not an UPDATE: \(d.message)") }
    guard d.issues.isEmpty else { throw DecodeFailure(reason: "issues: \(d.issues)") }
    return u
}

/// All announced / withdrawn prefixes of a list of messages, in order.
func announced(_ messages: [[UInt8]], context: CodecContext = CodecContext(fourOctetAS: true)) throws -> [IPPrefix] {
    try messages.flatMap { m -> [IPPrefix] in
        let u = try decodeUpdate(m, context: context)
        return u.nlri.map(\.prefix) + (u.mpReach?.nlri.map(\.prefix) ?? [])
    }
}

func withdrawn(_ messages: [[UInt8]], context: CodecContext = CodecContext(fourOctetAS: true)) throws -> [IPPrefix] {
    try messages.flatMap { m -> [IPPrefix] in
        let u = try decodeUpdate(m, context: context)
        return u.withdrawn.map(\.prefix) + (u.mpUnreach?.withdrawn.map(\.prefix) ?? [])
    }
}
