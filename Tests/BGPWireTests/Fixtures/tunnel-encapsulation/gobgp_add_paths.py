#!/usr/bin/env python3
"""Adds IPv4 unicast routes carrying a Tunnel Encapsulation attribute to a running gobgpd
(v3 API, package apipb) through its gRPC AddPath call. The `gobgp` CLI cannot put attribute
23 on a route (its `encap vxlan` keyword adds an Encapsulation *extended community*), so the
protobuf messages are encoded here by hand, with the field numbers of GoBGP's api/gobgp.proto
and api/attribute.proto. GoBGP builds the attribute bytes itself from these messages.
Needs the `grpcio` package. Used by capture.sh; not part of Tern.

    gobgp_add_paths.py HOST:PORT NEXT_HOP
"""
import struct, sys
import grpc

target, next_hop = sys.argv[1], sys.argv[2]

def varint(n):
    out = b""
    while True:
        b, n = n & 0x7F, n >> 7
        out += bytes([b | (0x80 if n else 0)])
        if not n:
            return out

def f_int(num, v):   # varint field (omitted when 0, as proto3 does)
    return varint(num << 3) + varint(v) if v else b""

def f_bytes(num, v):  # length-delimited field
    if isinstance(v, str):
        v = v.encode()
    return varint(num << 3 | 2) + varint(len(v)) + v

def any_(name, body):  # google.protobuf.Any{type_url = 1, value = 2}
    return f_bytes(1, "type.googleapis.com/apipb." + name) + f_bytes(2, body)

def tlv(tunnel_type, *subs):  # TunnelEncapTLV{type = 1, tlvs = 2 (Any)}
    return f_int(1, tunnel_type) + b"".join(f_bytes(2, s) for s in subs)

def encapsulation(key, cookie):  # TunnelEncapSubTLVEncapsulation{key = 1, cookie = 2}
    return any_("TunnelEncapSubTLVEncapsulation", f_int(1, key) + f_bytes(2, cookie))

def egress(address):  # TunnelEncapSubTLVEgressEndpoint{address = 1}
    return any_("TunnelEncapSubTLVEgressEndpoint", f_bytes(1, address) if address else b"")

def color(c):  # TunnelEncapSubTLVColor{color = 1}
    return any_("TunnelEncapSubTLVColor", f_int(1, c))

def udp_port(p):  # TunnelEncapSubTLVUDPDestPort{port = 1}
    return any_("TunnelEncapSubTLVUDPDestPort", f_int(1, p))

def unknown_sub(t, value):  # TunnelEncapSubTLVUnknown{type = 1, value = 2}
    return any_("TunnelEncapSubTLVUnknown", f_int(1, t) + f_bytes(2, value))

def add_path(stub, prefix, plen, *tlvs):
    nlri = any_("IPAddressPrefix", f_int(1, plen) + f_bytes(2, prefix))
    pattrs = [
        any_("OriginAttribute", f_int(1, 0)),
        any_("NextHopAttribute", f_bytes(1, next_hop)),
        any_("TunnelEncapAttribute", b"".join(f_bytes(1, t) for t in tlvs)),
    ]
    family = f_int(1, 1) + f_int(2, 1)  # Family{afi = 1 (AFI_IP), safi = 2 (SAFI_UNICAST = 1)}
    path = f_bytes(1, nlri) + b"".join(f_bytes(2, a) for a in pattrs) + f_bytes(9, family)
    request = f_int(1, 0) + f_bytes(3, path)  # AddPathRequest{table_type = 1 (GLOBAL), path = 3}
    stub(request, timeout=10)
    print(f"added {prefix}/{plen}")

channel = grpc.insecure_channel(target)
stub = channel.unary_unary("/apipb.GobgpApi/AddPath")  # raw bytes in and out

VNI, MAC = 4096, bytes.fromhex("02740a000002")
# Route 1: VXLAN. GoBGP's Encapsulation sub-TLV is RFC 5512's generic Key (4 octets) + Cookie;
# RFC 9012 §3.2.1 lays the VXLAN one out as flags (V=0x80, M=0x40) + VN-ID (3) + MAC (6) +
# Reserved (2), so Key = 0xC0 << 24 | VNI and Cookie = MAC + two zero octets.
add_path(stub, "10.244.2.0", 26,
         tlv(8, encapsulation(0xC0 << 24 | VNI, MAC + b"\x00\x00"), egress("192.168.79.1"),
             color(100), udp_port(4789)))
# Route 2: IP-in-IP to an IPv6 endpoint, and a tunnel type Tern has no name for (19) with an
# unknown sub-TLV of type 200 (2-octet length field, RFC 9012 §2).
add_path(stub, "10.244.3.0", 26,
         tlv(7, egress("2001:db8:79::1")),
         tlv(19, unknown_sub(200, bytes(range(1, 6))), egress("192.168.79.1")))
# Route 3: IP-in-IP with address family 0 (the tunnel ends at the next hop).
add_path(stub, "10.244.4.0", 26, tlv(7, egress("")))
