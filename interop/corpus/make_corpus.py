#!/usr/bin/env python3
"""Builds Tern's malformed-BGP-message corpus (RFC 4271 §4/§6, RFC 7606, RFC 4760,
RFC 4456, RFC 6793, RFC 8092, RFC 9072, RFC 7313, RFC 7911, RFC 8654).

    python3 interop/corpus/make_corpus.py            # write corpus.json, then self-check
    python3 interop/corpus/make_corpus.py --check    # self-check only; fails if the file is stale
    python3 interop/corpus/make_corpus.py --table    # print the README coverage table

Every message is assembled from the small builders below (header, open_msg, capability,
update, attr, prefix, as_path, ...), so each case reads as what it is. The output is
deterministic: cases keep the order they are defined in, and nothing is random.

The --check self-test re-parses every message with an independent little classifier
(written against the RFC text, not against the builders) and confirms that its verdict
agrees with the case's "expect", that lengths and headers are consistent for every
non-framing case, and that each treat-as-withdraw case lists exactly the prefixes the
UPDATE carried.
"""
from __future__ import annotations

import ipaddress
import json
import struct
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "Tests" / "BGPWireTests" / "Fixtures" / "malformed" / "corpus.json"
README = Path(__file__).resolve().parent / "README.md"

# ---------------------------------------------------------------------------------------
# Constants (RFC 4271 §4.1, §4.3, §5; IANA "BGP Path Attributes")
# ---------------------------------------------------------------------------------------
OPEN, UPDATE, NOTIFICATION, KEEPALIVE, ROUTE_REFRESH = 1, 2, 3, 4, 5

# Attribute flag bits.
OPTIONAL, TRANSITIVE, PARTIAL, EXTENDED = 0x80, 0x40, 0x20, 0x10
WELL_KNOWN = TRANSITIVE                  # 0x40: well-known attributes are always transitive
OPT_TRANS = OPTIONAL | TRANSITIVE        # 0xC0
OPT_NON_TRANS = OPTIONAL                 # 0x80

# Attribute type codes.
ORIGIN_T, AS_PATH_T, NEXT_HOP_T, MED_T, LOCAL_PREF_T = 1, 2, 3, 4, 5
ATOMIC_AGGREGATE_T, AGGREGATOR_T, COMMUNITIES_T = 6, 7, 8
ORIGINATOR_ID_T, CLUSTER_LIST_T = 9, 10
MP_REACH_T, MP_UNREACH_T, EXT_COMMUNITIES_T = 14, 15, 16
AS4_PATH_T, AS4_AGGREGATOR_T = 17, 18
TUNNEL_ENCAP_T = 23                      # RFC 9012
LARGE_COMMUNITY_T = 32                   # RFC 8092
PREFIX_SID_T = 40                        # RFC 8669
UNKNOWN_T = 99                           # unassigned

# ORIGIN values, AS_PATH segment types.
IGP, EGP, INCOMPLETE = 0, 1, 2
AS_SET, AS_SEQUENCE, AS_CONFED_SEQUENCE, AS_CONFED_SET = 1, 2, 3, 4

# AFI / SAFI.
AFI_IPV4, AFI_IPV6, SAFI_UNICAST = 1, 2, 1

# Capability codes (IANA "Capability Codes").
CAP_MP, CAP_ROUTE_REFRESH, CAP_EXT_MESSAGE, CAP_AS4, CAP_ADD_PATH = 1, 2, 6, 65, 69

AS_TRANS = 23456


# ---------------------------------------------------------------------------------------
# Byte builders
# ---------------------------------------------------------------------------------------
def u8(v: int) -> bytes: return struct.pack("!B", v)
def u16(v: int) -> bytes: return struct.pack("!H", v)
def u32(v: int) -> bytes: return struct.pack("!I", v)
def ipv4(a: str) -> bytes: return ipaddress.IPv4Address(a).packed
def ipv6(a: str) -> bytes: return ipaddress.IPv6Address(a).packed


MARKER = b"\xff" * 16


def header(msg_type: int, body: bytes, length: int | None = None, marker: bytes = MARKER) -> bytes:
    """RFC 4271 §4.1: marker, 2-byte length of the whole message, type; then the body.
    `length` overrides the length field (framing cases); the bytes are written as given."""
    total = 19 + len(body) if length is None else length
    return marker + u16(total) + u8(msg_type) + body


# --- OPEN (RFC 4271 §4.2, RFC 5492, RFC 9072) ------------------------------------------
def capability(code: int, value: bytes = b"", length: int | None = None) -> bytes:
    """One capability TLV (RFC 5492 §4): code, 1-byte length, value."""
    return u8(code) + u8(len(value) if length is None else length) + value


def cap_mp(afi: int, safi: int) -> bytes:
    return capability(CAP_MP, u16(afi) + u8(0) + u8(safi))


def cap_as4(asn: int) -> bytes:
    return capability(CAP_AS4, u32(asn))


def cap_route_refresh() -> bytes:
    return capability(CAP_ROUTE_REFRESH)


def cap_add_path(afi: int, safi: int, send_receive: int = 3) -> bytes:
    return capability(CAP_ADD_PATH, u16(afi) + u8(safi) + u8(send_receive))


def opt_param(ptype: int, value: bytes, length: int | None = None, extended: bool = False) -> bytes:
    """One optional parameter: type, length (1 byte, or 2 bytes in RFC 9072 form), value."""
    n = len(value) if length is None else length
    return u8(ptype) + (u16(n) if extended else u8(n)) + value


def capabilities(*caps: bytes, extended: bool = False) -> bytes:
    """Optional parameter type 2 holding the given capabilities."""
    return opt_param(2, b"".join(caps), extended=extended)


def open_msg(version: int = 4, my_as: int = 65001, hold: int = 90, bgp_id: str = "192.0.2.1",
             params: bytes | None = None, opt_len: int | None = None, extended: bool = False,
             ext_len: int | None = None) -> bytes:
    """A whole OPEN message. `params` defaults to a usual capability set; `opt_len`
    overrides the Optional Parameters Length. With `extended`, the RFC 9072 form is used:
    Non-Ext OP Len 255, Non-Ext OP Type 255, 2-byte Extended Opt. Parm. Length."""
    if params is None:
        params = capabilities(cap_mp(AFI_IPV4, SAFI_UNICAST), cap_route_refresh(), cap_as4(65001))
    fixed = u8(version) + u16(my_as) + u16(hold) + ipv4(bgp_id)
    if extended:
        body = fixed + u8(255) + u8(255) + u16(len(params) if ext_len is None else ext_len) + params
    else:
        body = fixed + u8(len(params) if opt_len is None else opt_len) + params
    return header(OPEN, body)


# --- UPDATE (RFC 4271 §4.3) --------------------------------------------------------------
def prefix(cidr: str, path_id: int | None = None) -> bytes:
    """One NLRI entry: [4-byte path id (RFC 7911)], length in bits, significant octets."""
    net = ipaddress.ip_network(cidr)
    n = (net.prefixlen + 7) // 8
    pid = b"" if path_id is None else u32(path_id)
    return pid + u8(net.prefixlen) + net.network_address.packed[:n]


def prefixes(*cidrs: str) -> bytes:
    return b"".join(prefix(c) for c in cidrs)


def raw_prefix(length_bits: int, octets: bytes, path_id: int | None = None) -> bytes:
    """An NLRI entry written byte by byte, for malformed ones (length > 32, truncated)."""
    return (b"" if path_id is None else u32(path_id)) + u8(length_bits) + octets


def attr(flags: int, code: int, value: bytes, length: int | None = None) -> bytes:
    """One path attribute: flags, type code, length (2 bytes when the Extended Length flag
    is set), value. `length` overrides the length field (overrun cases)."""
    n = len(value) if length is None else length
    return u8(flags) + u8(code) + (u16(n) if flags & EXTENDED else u8(n)) + value


def update(withdrawn: bytes = b"", attrs: list[bytes] | bytes = b"", nlri: bytes = b"",
           withdrawn_len: int | None = None, attrs_len: int | None = None) -> bytes:
    """A whole UPDATE: withdrawn routes length + withdrawn, total path attribute length +
    attributes, NLRI. The two length fields can be overridden (3/1 cases)."""
    a = b"".join(attrs) if isinstance(attrs, list) else attrs
    body = (u16(len(withdrawn) if withdrawn_len is None else withdrawn_len) + withdrawn
            + u16(len(a) if attrs_len is None else attrs_len) + a + nlri)
    return header(UPDATE, body)


def segment(seg_type: int, *asns: int, four: bool = True, count: int | None = None) -> bytes:
    """One AS_PATH segment: type, number of ASes, the ASes (4 or 2 bytes each)."""
    pack = u32 if four else u16
    return u8(seg_type) + u8(len(asns) if count is None else count) + b"".join(pack(a) for a in asns)


def as_path(*segments: bytes) -> bytes:
    return b"".join(segments)


def seq(*asns: int, four: bool = True) -> bytes:
    return segment(AS_SEQUENCE, *asns, four=four)


# Well-formed attributes.
def origin(value: int = IGP, flags: int = WELL_KNOWN) -> bytes:
    return attr(flags, ORIGIN_T, u8(value))


def as_path_attr(value: bytes, flags: int = WELL_KNOWN) -> bytes:
    return attr(flags, AS_PATH_T, value)


def next_hop(addr: str = "192.0.2.1", flags: int = WELL_KNOWN) -> bytes:
    return attr(flags, NEXT_HOP_T, ipv4(addr))


def med(value: int = 50, flags: int = OPT_NON_TRANS) -> bytes:
    return attr(flags, MED_T, u32(value))


def local_pref(value: int = 100, flags: int = WELL_KNOWN) -> bytes:
    return attr(flags, LOCAL_PREF_T, u32(value))


def atomic_aggregate() -> bytes:
    return attr(WELL_KNOWN, ATOMIC_AGGREGATE_T, b"")


def aggregator(asn: int = 65001, addr: str = "192.0.2.1", four: bool = True) -> bytes:
    return attr(OPT_TRANS, AGGREGATOR_T, (u32(asn) if four else u16(asn)) + ipv4(addr))


def communities(*values: int, flags: int = OPT_TRANS) -> bytes:
    return attr(flags, COMMUNITIES_T, b"".join(u32(v) for v in values))


def community(asn: int, value: int) -> int:
    return asn << 16 | value


def originator_id(addr: str = "198.51.100.7") -> bytes:
    return attr(OPT_NON_TRANS, ORIGINATOR_ID_T, ipv4(addr))


def cluster_list(*ids: str) -> bytes:
    return attr(OPT_NON_TRANS, CLUSTER_LIST_T, b"".join(ipv4(i) for i in ids))


def ext_community_route_target(asn: int, value: int) -> bytes:
    return u8(0x00) + u8(0x02) + u16(asn) + u32(value)   # RFC 4360 two-octet-AS RT


def ext_communities(*values: bytes) -> bytes:
    return attr(OPT_TRANS, EXT_COMMUNITIES_T, b"".join(values))


def large_community(gadmin: int, d1: int, d2: int) -> bytes:
    return u32(gadmin) + u32(d1) + u32(d2)


def large_communities(*values: bytes) -> bytes:
    return attr(OPT_TRANS, LARGE_COMMUNITY_T, b"".join(values))


def as4_path(value: bytes) -> bytes:
    return attr(OPT_TRANS, AS4_PATH_T, value)


def as4_aggregator(asn: int = 4200000001, addr: str = "192.0.2.1") -> bytes:
    return attr(OPT_TRANS, AS4_AGGREGATOR_T, u32(asn) + ipv4(addr))


def mp_reach(afi: int, safi: int, nh: bytes, nlri: bytes, nh_len: int | None = None,
             length: int | None = None) -> bytes:
    """MP_REACH_NLRI (RFC 4760 §3): AFI, SAFI, next-hop length, next hop, reserved, NLRI."""
    value = u16(afi) + u8(safi) + u8(len(nh) if nh_len is None else nh_len) + nh + u8(0) + nlri
    return attr(OPT_NON_TRANS, MP_REACH_T, value, length=length)


def mp_unreach(afi: int, safi: int, withdrawn: bytes) -> bytes:
    """MP_UNREACH_NLRI (RFC 4760 §4): AFI, SAFI, withdrawn routes."""
    return attr(OPT_NON_TRANS, MP_UNREACH_T, u16(afi) + u8(safi) + withdrawn)


def mp_reach_v6(nlri: bytes, nh: str = "2001:db8::1") -> bytes:
    return mp_reach(AFI_IPV6, SAFI_UNICAST, ipv6(nh), nlri)


# --- NOTIFICATION, KEEPALIVE, ROUTE-REFRESH ---------------------------------------------
def notification(code: int, subcode: int, data: bytes = b"") -> bytes:
    return header(NOTIFICATION, u8(code) + u8(subcode) + data)


def keepalive() -> bytes:
    return header(KEEPALIVE, b"")


def route_refresh(afi: int = AFI_IPV4, subtype: int = 0, safi: int = SAFI_UNICAST, extra: bytes = b"") -> bytes:
    """RFC 2918 / RFC 7313: AFI, message subtype (was Reserved), SAFI."""
    return header(ROUTE_REFRESH, u16(afi) + u8(subtype) + u8(safi) + extra)


# ---------------------------------------------------------------------------------------
# Attribute sets used again and again
# ---------------------------------------------------------------------------------------
PATH4 = as_path(seq(65010, 65020))                 # 4-octet encoding
PATH2 = as_path(seq(65010, 65020, four=False))     # 2-octet encoding


def ibgp_base(path: bytes = PATH4) -> list[bytes]:
    """ORIGIN, AS_PATH, NEXT_HOP, LOCAL_PREF: a complete set from an internal peer."""
    return [origin(IGP), as_path_attr(path), next_hop("192.0.2.1"), local_pref(100)]


def ebgp_base(path: bytes = PATH4) -> list[bytes]:
    """ORIGIN, AS_PATH, NEXT_HOP: a complete set from an external peer."""
    return [origin(IGP), as_path_attr(path), next_hop("192.0.2.1")]


def mp_only_base() -> list[bytes]:
    """ORIGIN, AS_PATH, LOCAL_PREF: what goes with MP_REACH (no NEXT_HOP needed)."""
    return [origin(IGP), as_path_attr(PATH4), local_pref(100)]


NLRI_A = ("10.0.0.0/24", "10.0.1.0/24")
V6_A = ("2001:db8:1::/48", "2001:db8:2::/48")


# ---------------------------------------------------------------------------------------
# Expectations
# ---------------------------------------------------------------------------------------
def reset(code: int, subcode: int, data: bytes | None = None) -> dict:
    e = {"action": "session-reset", "code": code, "subcode": subcode}
    if data is not None:
        e["data"] = data.hex()
    return e


def withdraw(*cidrs: str) -> dict:
    return {"action": "treat-as-withdraw", "withdrawn": list(cidrs)}


def discard(code: int) -> dict:
    return {"action": "attribute-discard", "discardedAttribute": code}


def ok() -> dict:
    return {"action": "ok"}


# ---------------------------------------------------------------------------------------
# Coverage rows: the REFERENCE table ("RFC 7606 and friends"), one key per row, plus the
# rows the brief added. The README table is generated from these.
# ---------------------------------------------------------------------------------------
ROWS = [
    ("marker", "Framing: marker not all ones -> 1/1"),
    ("length-range", "Framing: length < 19 or > 4096 without RFC 8654 -> 1/2 (data: the length); RFC 8654 lifts the limit"),
    ("length-type", "Framing: length wrong for the type (OPEN < 29, UPDATE < 23, KEEPALIVE != 19, NOTIFICATION < 21, ROUTE-REFRESH < 23) -> 1/2"),
    ("type", "Framing: unknown type -> 1/3 (data: the type)"),
    ("open-version", "OPEN: version != 4 -> 2/1 (data: 0004)"),
    ("open-peer-as", "OPEN: bad peer AS (0; AS4 capability 0 or AS_TRANS) -> 2/2"),
    ("open-bgp-id", "OPEN: bad BGP identifier -> 2/3"),
    ("open-opt-param", "OPEN: unknown optional parameter -> 2/4"),
    ("open-hold", "OPEN: hold time 1 or 2 -> 2/6"),
    ("open-required-cap", "OPEN: missing required capability -> 2/7 (session layer; wire decode is ok)"),
    ("open-overrun", "OPEN: length overruns (incl. RFC 9072 extended parameters) -> 2/0, never an out-of-bounds read"),
    ("update-lengths", "UPDATE: withdrawn-routes length or total attribute length overrunning -> 3/1"),
    ("attr-overrun", "Attribute length overruns the attribute area -> treat-as-withdraw"),
    ("attr-flags", "Attribute flags conflict with the type -> treat-as-withdraw"),
    ("missing-mandatory", "Missing ORIGIN / AS_PATH / NEXT_HOP (NEXT_HOP only with IPv4 NLRI) -> treat-as-withdraw"),
    ("origin", "Bad ORIGIN value (or length) -> treat-as-withdraw"),
    ("as-path", "Malformed AS_PATH -> treat-as-withdraw"),
    ("next-hop", "NEXT_HOP length != 4 -> treat-as-withdraw"),
    ("med-local-pref", "MED / LOCAL_PREF length != 4 -> treat-as-withdraw"),
    ("communities", "COMMUNITIES length not a (non-zero) multiple of 4 -> treat-as-withdraw"),
    ("originator-id", "ORIGINATOR_ID length != 4 -> treat-as-withdraw (from eBGP: discard)"),
    ("cluster-list", "CLUSTER_LIST length not a (non-zero) multiple of 4 -> treat-as-withdraw (from eBGP: discard)"),
    ("local-pref-ebgp", "LOCAL_PREF from an eBGP peer -> attribute discard"),
    ("aggregate", "Bad ATOMIC_AGGREGATE or AGGREGATOR -> attribute discard"),
    ("duplicate", "Duplicate attribute -> keep the first (discard later copies); duplicate MP_REACH/MP_UNREACH -> 3/1"),
    ("well-known", "Unrecognized well-known attribute -> 3/2"),
    ("nlri", "NLRI / withdrawn prefix length > 32 or truncated -> 3/10"),
    ("rr-loop", "Route-reflector loop (own ORIGINATOR_ID / cluster ID) -> ignore the route (RIB level; wire decode is ok)"),
    ("hold-expiry", "Hold timer expiry -> 4/0 (received NOTIFICATION decodes)"),
    ("send-hold", "Send hold timer (RFC 9687) -> 8/0 (received NOTIFICATION decodes)"),
    ("cease", "Cease subcodes 1-8 (RFC 4486) (received NOTIFICATION decodes)"),
    ("incident-2023", "Incident 2023: corrupt attribute 23 must never reset"),
    ("incident-2025", "Incident 2025: zero-filled Prefix-SID (40) must never reset"),
    ("unknown-optional", "Unknown optional attribute: non-transitive dropped, transitive carried (brief)"),
    ("route-refresh", "ROUTE-REFRESH subtype 1/2 with body length != 4 -> 7/1 (data: the whole message) (brief, RFC 7313)"),
    ("mp", "MP_REACH / MP_UNREACH malformed -> 3/9 (data: the attribute); IPv6 and add-path (brief, RFC 4760 / 7606 §7.11 / 7911)"),
    ("ext-large", "EXTENDED_COMMUNITIES not a multiple of 8, LARGE_COMMUNITY not a multiple of 12 -> treat-as-withdraw (brief)"),
    ("as4", "AS4_PATH / AS4_AGGREGATOR malformed in 2-octet mode -> attribute discard (brief, RFC 6793)"),
    ("precedence", "Several problems in one UPDATE: reset > treat-as-withdraw > discard (brief)"),
    ("valid", "Well-formed regression cases that must decode cleanly (brief)"),
]

CASES: list[dict] = []


def case(name: str, rows: str, description: str, rfc: str, msg: bytes, expect: dict, *,
         four: bool = True, add_path: tuple[str, ...] = (), extended: bool = False,
         external: bool = False) -> None:
    CASES.append({
        "name": name,
        "description": description,
        "rfc": rfc,
        "hex": msg.hex(),
        "context": {"fourOctetAS": four, "addPath": list(add_path),
                    "extendedMessage": extended, "peerIsExternal": external},
        "expect": expect,
        "_rows": rows.split(),
    })


# ---------------------------------------------------------------------------------------
# The cases
# ---------------------------------------------------------------------------------------
def fill_nlri(total_length: int, fixed_body: int) -> tuple[bytes, list[str]]:
    """IPv4 /24s (4 bytes each) plus at most three /32s (5 bytes each) that make the
    UPDATE exactly `total_length` bytes long, given `fixed_body` body bytes before NLRI."""
    need = total_length - 19 - fixed_body
    n32 = need % 4             # 5*n32 + 4*n24 == need, so n32 == need (mod 4)
    n24 = (need - 5 * n32) // 4
    cidrs = [f"10.{i // 256}.{i % 256}.0/24" for i in range(n24)]
    cidrs += [f"172.16.0.{i + 1}/32" for i in range(n32)]
    return prefixes(*cidrs), cidrs


def framing_cases() -> None:
    bad_marker = b"\x00" + b"\xff" * 15
    case("header-marker-first-byte-zero", "marker",
         "KEEPALIVE whose marker starts with 0x00", "RFC 4271 §6.1",
         header(KEEPALIVE, b"", marker=bad_marker), reset(1, 1))
    case("header-marker-last-byte-fe-open", "marker",
         "Well-formed OPEN whose last marker byte is 0xfe", "RFC 4271 §6.1",
         b"\xff" * 15 + b"\xfe" + open_msg()[16:], reset(1, 1))
    case("header-marker-all-zero-rfc1771-auth", "marker",
         "KEEPALIVE with an all-zero marker (old RFC 1771 authentication style)", "RFC 4271 §6.1",
         header(KEEPALIVE, b"", marker=b"\x00" * 16), reset(1, 1))
    case("header-length-18", "length-range",
         "Header claiming a length of 18, below the 19-byte minimum", "RFC 4271 §6.1",
         header(KEEPALIVE, b"", length=18), reset(1, 2, u16(18)))
    case("header-length-0", "length-range",
         "Header claiming a length of 0", "RFC 4271 §6.1",
         header(UPDATE, b"", length=0), reset(1, 2, u16(0)))
    body_fixed = len(u16(0) + u16(len(b"".join(ebgp_base()))) + b"".join(ebgp_base()))
    nlri_4097, _ = fill_nlri(4097, body_fixed)
    case("header-length-4097-update", "length-range",
         "Otherwise well-formed UPDATE of 4097 bytes without extended messages", "RFC 4271 §6.1, RFC 8654 §4",
         update(attrs=ebgp_base(), nlri=nlri_4097), reset(1, 2, u16(4097)), external=True)
    nlri_5000, _ = fill_nlri(5000, body_fixed)
    case("update-extended-message-5000-ok", "length-range valid",
         "UPDATE of 5000 bytes with extended messages negotiated", "RFC 8654 §3",
         update(attrs=ebgp_base(), nlri=nlri_5000), ok(), extended=True, external=True)
    case("header-length-5000-without-extended-message", "length-range",
         "The same 5000-byte UPDATE without extended messages", "RFC 8654 §4, RFC 4271 §6.1",
         update(attrs=ebgp_base(), nlri=nlri_5000), reset(1, 2, u16(5000)), external=True)
    case("keepalive-length-20", "length-type",
         "KEEPALIVE of 20 bytes (one trailing byte)", "RFC 4271 §4.4, §6.1",
         header(KEEPALIVE, b"\x00"), reset(1, 2, u16(20)))
    case("open-length-28", "length-type",
         "OPEN of 28 bytes: fixed fields without the Optional Parameters Length", "RFC 4271 §4.2, §6.1",
         header(OPEN, u8(4) + u16(65001) + u16(90) + ipv4("192.0.2.1")), reset(1, 2, u16(28)))
    case("update-length-22", "length-type",
         "UPDATE of 22 bytes: no room for the Total Path Attribute Length", "RFC 4271 §4.3, §6.1",
         header(UPDATE, u16(0) + b"\x00"), reset(1, 2, u16(22)))
    case("notification-length-20", "length-type",
         "NOTIFICATION of 20 bytes: error code without subcode", "RFC 4271 §4.5, §6.1",
         header(NOTIFICATION, u8(6)), reset(1, 2, u16(20)))
    case("route-refresh-length-22", "length-type",
         "ROUTE-REFRESH of 22 bytes: AFI and subtype, no SAFI", "RFC 2918 §3, RFC 4271 §6.1",
         header(ROUTE_REFRESH, u16(AFI_IPV4) + u8(0)), reset(1, 2, u16(22)))
    case("header-type-0", "type", "Message type 0", "RFC 4271 §6.1",
         header(0, b""), reset(1, 3, u8(0)))
    case("header-type-6", "type", "Message type 6 (first unassigned)", "RFC 4271 §6.1",
         header(6, b""), reset(1, 3, u8(6)))
    case("header-type-255", "type", "Message type 255 with a 4-byte body", "RFC 4271 §6.1",
         header(255, b"\x00" * 4), reset(1, 3, u8(255)))
    case("keepalive-ok", "valid", "Plain 19-byte KEEPALIVE", "RFC 4271 §4.4",
         keepalive(), ok())


def open_cases() -> None:
    case("open-baseline-ok", "valid",
         "OPEN with MP IPv4, route refresh and 4-octet AS capabilities", "RFC 4271 §4.2, RFC 5492",
         open_msg(), ok())
    case("open-version-3", "open-version", "OPEN with version 3", "RFC 4271 §6.2",
         open_msg(version=3), reset(2, 1, u16(4)))
    case("open-version-5", "open-version", "OPEN with version 5", "RFC 4271 §6.2",
         open_msg(version=5), reset(2, 1, u16(4)))
    case("open-my-as-zero", "open-peer-as", "OPEN with My Autonomous System 0 and no AS4 capability",
         "RFC 4271 §6.2, RFC 7607 §2",
         open_msg(my_as=0, params=capabilities(cap_mp(AFI_IPV4, SAFI_UNICAST))), reset(2, 2))
    case("open-as4-capability-zero", "open-peer-as", "4-octet AS capability carrying AS 0",
         "RFC 6793 §4.1, RFC 7607 §2",
         open_msg(params=capabilities(cap_mp(AFI_IPV4, SAFI_UNICAST), cap_as4(0))), reset(2, 2))
    case("open-as4-capability-as-trans", "open-peer-as", "4-octet AS capability carrying AS_TRANS (23456)",
         "RFC 6793 §4.1, §9",
         open_msg(my_as=AS_TRANS, params=capabilities(cap_mp(AFI_IPV4, SAFI_UNICAST), cap_as4(AS_TRANS))),
         reset(2, 2))
    case("open-as-trans-with-as4-ok", "open-peer-as valid",
         "My AS = AS_TRANS with the 4-octet AS capability carrying 4200000001", "RFC 6793 §4.1",
         open_msg(my_as=AS_TRANS, params=capabilities(cap_mp(AFI_IPV4, SAFI_UNICAST), cap_as4(4200000001))),
         ok())
    case("open-bgp-identifier-zero", "open-bgp-id", "OPEN with BGP Identifier 0.0.0.0", "RFC 4271 §6.2, RFC 6286 §2.2",
         open_msg(bgp_id="0.0.0.0"), reset(2, 3))
    case("open-optional-parameter-type-1", "open-opt-param",
         "Optional parameter type 1 (deprecated Authentication Information)", "RFC 4271 §6.2, RFC 5492 §3",
         open_msg(params=opt_param(1, b"\x00\x01\x02")), reset(2, 4))
    case("open-optional-parameter-type-3-after-capabilities", "open-opt-param",
         "Valid capabilities followed by unknown optional parameter type 3", "RFC 4271 §6.2",
         open_msg(params=capabilities(cap_as4(65001)) + opt_param(3, b"\xaa")), reset(2, 4))
    case("open-hold-time-1", "open-hold", "OPEN with hold time 1", "RFC 4271 §6.2",
         open_msg(hold=1), reset(2, 6))
    case("open-hold-time-2", "open-hold", "OPEN with hold time 2", "RFC 4271 §6.2",
         open_msg(hold=2), reset(2, 6))
    case("open-hold-time-0-ok", "open-hold valid", "OPEN with hold time 0 (no keepalives)", "RFC 4271 §4.2",
         open_msg(hold=0), ok())
    case("open-hold-time-3-ok", "open-hold valid", "OPEN with hold time 3, the smallest non-zero allowed",
         "RFC 4271 §4.2", open_msg(hold=3), ok())
    case("open-no-optional-parameters-ok", "open-required-cap",
         "OPEN with no optional parameters at all: decodes; refusing it for a missing required "
         "capability (2/7) is the session's decision, not the decoder's", "RFC 5492 §5, RFC 4271 §4.2",
         open_msg(my_as=65001, params=b""), ok())
    case("open-unknown-capability-ok", "open-required-cap valid",
         "OPEN with unknown capability 200 next to known ones: the capability is ignored", "RFC 5492 §3",
         open_msg(params=capabilities(capability(200, b"\x01\x02\x03"), cap_as4(65001))), ok())
    case("open-opt-param-len-overruns-message", "open-overrun",
         "Optional Parameters Length 40 with 8 bytes of parameters", "RFC 4271 §4.2, §6.2",
         open_msg(params=capabilities(cap_mp(AFI_IPV4, SAFI_UNICAST)), opt_len=40), reset(2, 0))
    case("open-parameter-length-overruns-area", "open-overrun",
         "Capabilities parameter claiming 20 bytes inside an 8-byte parameter area", "RFC 4271 §4.2, RFC 5492 §4",
         open_msg(params=opt_param(2, cap_as4(65001), length=20)), reset(2, 0))
    case("open-capability-length-overruns-parameter", "open-overrun",
         "4-octet AS capability claiming 10 bytes inside a 6-byte capabilities parameter", "RFC 5492 §4",
         open_msg(params=opt_param(2, capability(CAP_AS4, u32(65001), length=10))), reset(2, 0))
    case("open-capability-header-truncated", "open-overrun",
         "Capabilities parameter whose last byte is a lone capability code", "RFC 5492 §4",
         open_msg(params=opt_param(2, cap_as4(65001) + u8(CAP_ROUTE_REFRESH))), reset(2, 0))
    case("open-rfc9072-extended-parameters-ok", "open-overrun valid",
         "OPEN in RFC 9072 form (Non-Ext OP Len 255, Type 255, 2-byte lengths)", "RFC 9072 §2",
         open_msg(extended=True, params=capabilities(cap_mp(AFI_IPV6, SAFI_UNICAST), cap_as4(65001),
                                                       cap_add_path(AFI_IPV6, SAFI_UNICAST), extended=True)),
         ok())
    case("open-rfc9072-extended-length-overruns", "open-overrun",
         "RFC 9072 OPEN whose Extended Opt. Parm. Length (300) overruns the message", "RFC 9072 §2",
         open_msg(extended=True, ext_len=300, params=capabilities(cap_as4(65001), extended=True)), reset(2, 0))
    case("open-rfc9072-parameter-length-overruns", "open-overrun",
         "RFC 9072 OPEN with a 2-byte parameter length (0x0100) overrunning the area", "RFC 9072 §2",
         open_msg(extended=True, params=opt_param(2, cap_as4(65001), length=256, extended=True)), reset(2, 0))
    case("open-rfc9072-length-field-missing", "open-overrun",
         "Non-Ext OP Len 255 and Type 255, then the message ends: no Extended Opt. Parm. Length",
         "RFC 9072 §2",
         header(OPEN, u8(4) + u16(65001) + u16(90) + ipv4("192.0.2.1") + u8(255) + u8(255)), reset(2, 0))


def notification_route_refresh_cases() -> None:
    case("notification-hold-timer-expired-ok", "hold-expiry",
         "Received NOTIFICATION Hold Timer Expired (4/0)", "RFC 4271 §6.5",
         notification(4, 0), ok())
    case("notification-send-hold-timer-expired-ok", "send-hold",
         "Received NOTIFICATION Send Hold Timer Expired (8/0)", "RFC 9687 §3",
         notification(8, 0), ok())
    ceases = [
        (1, "maximum-prefixes", u16(AFI_IPV4) + u8(SAFI_UNICAST) + u32(1000)),
        (2, "administrative-shutdown", u8(11) + b"maintenance"),
        (3, "peer-deconfigured", b""),
        (4, "administrative-reset", u8(0)),
        (5, "connection-rejected", b""),
        (6, "other-configuration-change", b""),
        (7, "connection-collision-resolution", b""),
        (8, "out-of-resources", b""),
    ]
    for sub, label, data in ceases:
        case(f"notification-cease-{sub}-{label}-ok", "cease",
             f"Received NOTIFICATION Cease / {label.replace('-', ' ')} (6/{sub})"
             + (" with data" if data else ""),
             "RFC 4486 §4" + (", RFC 9003 §2" if sub in (2, 4) else ""),
             notification(6, sub, data), ok())
    case("route-refresh-ok", "route-refresh valid", "ROUTE-REFRESH for IPv4 unicast", "RFC 2918 §3",
         route_refresh(), ok())
    borr = route_refresh(subtype=1, extra=b"\x00")
    case("route-refresh-borr-length-5", "route-refresh",
         "Enhanced route refresh BoRR (subtype 1) with a 5-byte body", "RFC 7313 §5",
         borr, reset(7, 1, borr))
    eorr = route_refresh(afi=AFI_IPV6, subtype=2, extra=b"\x00\x00\x00\x00")
    case("route-refresh-eorr-length-8", "route-refresh",
         "Enhanced route refresh EoRR (subtype 2) with an 8-byte body", "RFC 7313 §5",
         eorr, reset(7, 1, eorr))
    case("route-refresh-unknown-subtype-ok", "route-refresh valid",
         "ROUTE-REFRESH with subtype 3: ignored, not an error", "RFC 7313 §5",
         route_refresh(subtype=3), ok())


def update_structure_cases() -> None:
    case("update-baseline-ok", "valid", "Well-formed iBGP UPDATE with two IPv4 prefixes", "RFC 4271 §4.3",
         update(attrs=ibgp_base(), nlri=prefixes(*NLRI_A)), ok())
    case("update-end-of-rib-ok", "valid", "Empty UPDATE (IPv4 End-of-RIB)", "RFC 4724 §2",
         update(), ok())
    case("update-withdraw-only-ok", "valid", "Only withdrawn routes, no attributes", "RFC 4271 §4.3",
         update(withdrawn=prefixes("10.9.0.0/16", "10.8.0.0/24")), ok())
    case("update-mp-unreach-only-ok", "valid mp", "Only MP_UNREACH_NLRI for two IPv6 prefixes", "RFC 4760 §4",
         update(attrs=[mp_unreach(AFI_IPV6, SAFI_UNICAST, prefixes(*V6_A))]), ok())
    case("update-attributes-without-nlri-ok", "valid",
         "Complete attributes but no NLRI of any kind: nothing to install", "RFC 7606 §5.2",
         update(attrs=ibgp_base()), ok())
    case("update-origin-extended-length-ok", "valid",
         "ORIGIN written with the Extended Length bit (2-byte length 1)", "RFC 4271 §4.3",
         update(attrs=[origin(IGP, flags=WELL_KNOWN | EXTENDED)] + ibgp_base()[1:], nlri=prefixes(*NLRI_A)), ok())
    # 3/1: the two length fields of the UPDATE.
    case("update-withdrawn-length-overruns", "update-lengths",
         "Withdrawn Routes Length 255 in a 30-byte UPDATE", "RFC 4271 §6.3, RFC 7606 §4",
         update(withdrawn=prefixes("10.9.0.0/16"), withdrawn_len=255, nlri=prefixes("10.0.0.0/24")), reset(3, 1))
    case("update-withdrawn-length-leaves-no-attribute-length", "update-lengths",
         "Withdrawn Routes Length 2 uses the last bytes: no Total Path Attribute Length left", "RFC 4271 §6.3",
         header(UPDATE, u16(2) + prefix("10.0.0.0/8")), reset(3, 1))
    case("update-total-attribute-length-overruns", "update-lengths",
         "Total Path Attribute Length 200 with 31 bytes of attributes and no NLRI", "RFC 4271 §6.3, RFC 7606 §4",
         update(attrs=ibgp_base(), attrs_len=200), reset(3, 1))
    case("update-total-attribute-length-overruns-by-one", "update-lengths",
         "Total Path Attribute Length one more than the bytes left", "RFC 4271 §6.3, RFC 7606 §4",
         update(attrs=ebgp_base(), attrs_len=len(b"".join(ebgp_base())) + 1), reset(3, 1), external=True)
    # 3/10: NLRI and withdrawn prefixes.
    case("update-nlri-prefix-length-33", "nlri", "NLRI entry with prefix length 33", "RFC 4271 §6.3, RFC 7606 §5.3",
         update(attrs=ibgp_base(), nlri=prefix("10.0.0.0/24") + raw_prefix(33, b"\x0a\x00\x00\x00\x00")),
         reset(3, 10))
    case("update-nlri-truncated", "nlri", "Last NLRI entry says /24 but only 2 octets follow",
         "RFC 4271 §6.3, RFC 7606 §5.3",
         update(attrs=ibgp_base(), nlri=prefix("10.0.0.0/24") + raw_prefix(24, b"\x0a\x01")), reset(3, 10))
    case("update-withdrawn-prefix-length-33", "nlri", "Withdrawn entry with prefix length 33",
         "RFC 4271 §6.3, RFC 7606 §5.3",
         update(withdrawn=raw_prefix(33, b"\x0a\x00\x00\x00\x00")), reset(3, 10))
    case("update-withdrawn-truncated", "nlri", "Withdrawn entry /16 with one octet inside the withdrawn length",
         "RFC 4271 §6.3, RFC 7606 §5.3",
         update(withdrawn=prefix("10.9.0.0/16") + raw_prefix(16, b"\x0a")), reset(3, 10))
    case("update-addpath-ipv4-nlri-without-path-id", "nlri mp",
         "Add-path negotiated for IPv4 but the NLRI carries no path identifier: the 4-byte id swallows "
         "the prefix and the length octet is missing", "RFC 7911 §3, RFC 7606 §5.3",
         update(attrs=ibgp_base(), nlri=prefix("10.0.0.0/24")), reset(3, 10), add_path=("ipv4-unicast",))


def update_attribute_cases() -> None:
    nl = prefixes(*NLRI_A)
    base = ibgp_base()
    o, p, nh, lp = base
    # Attribute overrun (RFC 7606 §4): the last attribute's length runs past the area.
    case("update-attribute-length-overruns-area", "attr-overrun",
         "MED is the last attribute and claims 4 bytes; 2 remain in the attribute area", "RFC 7606 §4",
         update(attrs=base + [attr(OPT_NON_TRANS, MED_T, b"\x00\x32", length=4)], nlri=nl), withdraw(*NLRI_A))
    case("update-attribute-extended-length-overruns-area", "attr-overrun",
         "COMMUNITIES with the Extended Length bit claims 256 bytes; 8 remain", "RFC 7606 §4",
         update(attrs=base + [attr(OPT_TRANS | EXTENDED, COMMUNITIES_T, u32(community(65001, 1)) * 2, length=256)],
                nlri=nl), withdraw(*NLRI_A))
    case("update-attribute-header-truncated", "attr-overrun",
         "Attribute area ends with flags and type code but no length octet", "RFC 7606 §4",
         update(attrs=base + [u8(OPT_TRANS) + u8(COMMUNITIES_T)], nlri=nl), withdraw(*NLRI_A))
    case("update-attribute-overrun-with-withdrawn-and-nlri", "attr-overrun",
         "Withdrawn routes, IPv4 NLRI and an overrunning LOCAL_PREF: every prefix is withdrawn", "RFC 7606 §4, §2",
         update(withdrawn=prefixes("10.9.0.0/16", "10.8.0.0/24"),
                attrs=[o, p, nh, attr(WELL_KNOWN, LOCAL_PREF_T, b"\x00", length=4)], nlri=nl),
         withdraw("10.9.0.0/16", "10.8.0.0/24", *NLRI_A))
    case("update-mp-reach-then-attribute-overrun", "attr-overrun mp",
         "MP_REACH (IPv6) parsed first, then an overrunning COMMUNITIES: IPv6 prefixes withdrawn too",
         "RFC 7606 §4, §5.3",
         update(attrs=[o, p, mp_reach_v6(prefixes(*V6_A)), nh, lp,
                       attr(OPT_TRANS, COMMUNITIES_T, b"\x00" * 4, length=40)], nlri=nl),
         withdraw(*V6_A, *NLRI_A))
    # Flag conflicts (RFC 7606 §3 c).
    for name, bad, code, what in [
        ("origin-optional", attr(OPT_TRANS, ORIGIN_T, u8(IGP)), ORIGIN_T, "ORIGIN with the Optional bit set"),
        ("as-path-non-transitive", attr(0x00, AS_PATH_T, PATH4), AS_PATH_T, "AS_PATH with the Transitive bit clear"),
        ("next-hop-optional", attr(OPT_TRANS, NEXT_HOP_T, ipv4("192.0.2.1")), NEXT_HOP_T,
         "NEXT_HOP with the Optional bit set"),
        ("local-pref-optional", attr(OPT_NON_TRANS, LOCAL_PREF_T, u32(100)), LOCAL_PREF_T,
         "LOCAL_PREF with the Optional bit set and Transitive clear"),
    ]:
        attrs = [bad if a[1] == code else a for a in base]
        case(f"update-flags-{name}", "attr-flags", f"{what} (flags 0x{bad[0]:02x})", "RFC 7606 §3 (c)",
             update(attrs=attrs, nlri=nl), withdraw(*NLRI_A))
    case("update-flags-med-transitive", "attr-flags", "MULTI_EXIT_DISC with the Transitive bit set (flags 0xc0)",
         "RFC 7606 §3 (c)", update(attrs=base + [med(10, flags=OPT_TRANS)], nlri=nl), withdraw(*NLRI_A))
    case("update-flags-communities-non-transitive", "attr-flags",
         "COMMUNITIES with the Transitive bit clear (flags 0x80)", "RFC 7606 §3 (c)",
         update(attrs=base + [communities(community(65001, 7), flags=OPT_NON_TRANS)], nlri=nl), withdraw(*NLRI_A))
    # Missing mandatory attributes (RFC 7606 §3 d).
    case("update-missing-origin", "missing-mandatory", "IPv4 NLRI without ORIGIN", "RFC 7606 §3 (d)",
         update(attrs=[p, nh, lp], nlri=nl), withdraw(*NLRI_A))
    case("update-missing-as-path", "missing-mandatory", "IPv4 NLRI without AS_PATH", "RFC 7606 §3 (d)",
         update(attrs=[o, nh, lp], nlri=nl), withdraw(*NLRI_A))
    case("update-missing-next-hop", "missing-mandatory", "IPv4 NLRI without NEXT_HOP", "RFC 7606 §3 (d)",
         update(attrs=[o, p, lp], nlri=nl), withdraw(*NLRI_A))
    case("update-nlri-without-any-attribute", "missing-mandatory",
         "IPv4 NLRI and withdrawn routes with Total Path Attribute Length 0", "RFC 7606 §3 (d)",
         update(withdrawn=prefixes("10.9.0.0/16"), nlri=nl), withdraw("10.9.0.0/16", *NLRI_A))
    case("update-mp-reach-missing-origin", "missing-mandatory mp",
         "MP_REACH (IPv6) without ORIGIN", "RFC 7606 §3 (d), RFC 4760 §3",
         update(attrs=[p, lp, mp_reach_v6(prefixes(*V6_A))]), withdraw(*V6_A))
    case("update-mp-reach-without-next-hop-ok", "missing-mandatory mp valid",
         "MP_REACH (IPv6) only, no NEXT_HOP attribute: NEXT_HOP is not needed", "RFC 4760 §3, RFC 7606 §3 (d)",
         update(attrs=mp_only_base() + [mp_reach_v6(prefixes(*V6_A))]), ok())
    case("update-ipv4-nlri-and-mp-reach-missing-next-hop", "missing-mandatory mp",
         "MP_REACH (IPv6) and IPv4 NLRI, no NEXT_HOP: the IPv4 NLRI needs it, every prefix is withdrawn",
         "RFC 7606 §3 (d)",
         update(attrs=mp_only_base() + [mp_reach_v6(prefixes(*V6_A))], nlri=nl), withdraw(*V6_A, *NLRI_A))
    # ORIGIN (RFC 7606 §7.1).
    case("update-origin-value-3", "origin", "ORIGIN value 3 (only 0, 1, 2 are defined)", "RFC 7606 §7.1",
         update(attrs=[origin(3), p, nh, lp], nlri=nl), withdraw(*NLRI_A))
    case("update-origin-length-2", "origin", "ORIGIN of length 2", "RFC 7606 §7.1",
         update(attrs=[attr(WELL_KNOWN, ORIGIN_T, b"\x00\x00"), p, nh, lp], nlri=nl), withdraw(*NLRI_A))
    # AS_PATH (RFC 7606 §7.2).
    bad_paths = [
        ("segment-type-0", segment(0, 65010), "segment type 0"),
        ("segment-type-5", seq(65010) + segment(5, 65020), "a valid AS_SEQUENCE then segment type 5"),
        ("zero-length-segment", seq(65010) + segment(AS_SEQUENCE), "a segment with zero ASes"),
        ("segment-overrun", segment(AS_SEQUENCE, 65010, 65020, count=3), "a segment claiming 3 ASes holding 2"),
        ("trailing-byte", seq(65010) + b"\x02", "one byte after the last segment"),
        ("2-octet-encoding-in-4-octet-session", seq(65010, 65020, four=False),
         "2-octet encoding in a 4-octet session (2 ASes in 4 bytes)"),
    ]
    for label, value, what in bad_paths:
        case(f"update-as-path-{label}", "as-path", f"AS_PATH with {what}", "RFC 7606 §7.2",
             update(attrs=[o, as_path_attr(value), nh, lp], nlri=nl), withdraw(*NLRI_A))
    case("update-as-path-2-octet-odd-length", "as-path",
         "2-octet session: AS_PATH of 5 bytes (one 2-octet AS plus a stray byte)", "RFC 7606 §7.2, RFC 6793 §4.2",
         update(attrs=[o, as_path_attr(seq(65010, four=False) + b"\xfd"), nh, lp], nlri=nl),
         withdraw(*NLRI_A), four=False)
    case("update-as-path-2-octet-session-ok", "as-path valid",
         "2-octet session: well-formed 2-octet AS_PATH", "RFC 4271 §4.3",
         update(attrs=ibgp_base(PATH2), nlri=nl), ok(), four=False)
    case("update-as-path-all-segment-types-ok", "as-path valid",
         "AS_PATH with AS_CONFED_SEQUENCE, AS_CONFED_SET, AS_SEQUENCE and AS_SET", "RFC 5065 §3, RFC 4271 §4.3",
         update(attrs=[o, as_path_attr(segment(AS_CONFED_SEQUENCE, 64512) + segment(AS_CONFED_SET, 64513, 64514)
                                       + seq(65010) + segment(AS_SET, 65020, 65030)), nh, lp], nlri=nl), ok())
    case("update-as-path-empty-ibgp-ok", "as-path valid", "Empty AS_PATH from an internal peer", "RFC 4271 §5.1.2",
         update(attrs=[o, as_path_attr(b""), nh, lp], nlri=nl), ok())
    # NEXT_HOP (RFC 7606 §7.3).
    for n in (3, 5, 0):
        case(f"update-next-hop-length-{n}", "next-hop", f"NEXT_HOP of length {n}", "RFC 7606 §7.3",
             update(attrs=[o, p, attr(WELL_KNOWN, NEXT_HOP_T, bytes([192, 0, 2, 1, 0])[:n]), lp], nlri=nl),
             withdraw(*NLRI_A))
    # MED / LOCAL_PREF (RFC 7606 §7.4, §7.5).
    for n in (3, 0, 8):
        case(f"update-med-length-{n}", "med-local-pref", f"MULTI_EXIT_DISC with length {n}", "RFC 7606 §7.4",
             update(attrs=base + [attr(OPT_NON_TRANS, MED_T, bytes(n))], nlri=nl), withdraw(*NLRI_A))
    case("update-local-pref-length-3", "med-local-pref", "LOCAL_PREF of length 3 from an internal peer",
         "RFC 7606 §7.5", update(attrs=[o, p, nh, attr(WELL_KNOWN, LOCAL_PREF_T, b"\x00\x00\x64")], nlri=nl),
         withdraw(*NLRI_A))
    case("update-local-pref-length-5", "med-local-pref", "LOCAL_PREF of length 5 from an internal peer",
         "RFC 7606 §7.5", update(attrs=[o, p, nh, attr(WELL_KNOWN, LOCAL_PREF_T, bytes(5))], nlri=nl),
         withdraw(*NLRI_A))
    case("update-local-pref-from-external", "local-pref-ebgp",
         "Well-formed LOCAL_PREF from an external peer", "RFC 7606 §7.5",
         update(attrs=ebgp_base() + [local_pref(200)], nlri=nl), discard(LOCAL_PREF_T), external=True)
    case("update-local-pref-length-3-from-external", "local-pref-ebgp",
         "LOCAL_PREF of length 3 from an external peer: discarded whatever its length", "RFC 7606 §7.5",
         update(attrs=ebgp_base() + [attr(WELL_KNOWN, LOCAL_PREF_T, b"\x00\x00\xc8")], nlri=nl),
         discard(LOCAL_PREF_T), external=True)
    # ATOMIC_AGGREGATE / AGGREGATOR (RFC 7606 §7.6, §7.7).
    case("update-atomic-aggregate-length-1", "aggregate", "ATOMIC_AGGREGATE of length 1", "RFC 7606 §7.6",
         update(attrs=base + [attr(WELL_KNOWN, ATOMIC_AGGREGATE_T, b"\x00")], nlri=nl), discard(ATOMIC_AGGREGATE_T))
    case("update-atomic-aggregate-ok", "aggregate valid", "ATOMIC_AGGREGATE of length 0 and a 4-octet AGGREGATOR",
         "RFC 4271 §5.1.6, RFC 6793 §3", update(attrs=base + [atomic_aggregate(), aggregator()], nlri=nl), ok())
    case("update-aggregator-length-6-in-4-octet-session", "aggregate",
         "AGGREGATOR of 6 bytes (2-octet form) in a 4-octet session", "RFC 7606 §7.7",
         update(attrs=base + [aggregator(65001, four=False)], nlri=nl), discard(AGGREGATOR_T))
    case("update-aggregator-length-8-in-2-octet-session", "aggregate",
         "AGGREGATOR of 8 bytes (4-octet form) in a 2-octet session", "RFC 7606 §7.7",
         update(attrs=ibgp_base(PATH2) + [aggregator(65001, four=True)], nlri=nl), discard(AGGREGATOR_T), four=False)
    case("update-aggregator-length-7", "aggregate", "AGGREGATOR of 7 bytes in a 4-octet session", "RFC 7606 §7.7",
         update(attrs=base + [attr(OPT_TRANS, AGGREGATOR_T, u32(65001) + b"\xc0\x00\x02")], nlri=nl),
         discard(AGGREGATOR_T))
    # COMMUNITIES (RFC 7606 §7.8).
    for n in (5, 2, 0):
        case(f"update-communities-length-{n}", "communities", f"COMMUNITIES of length {n}", "RFC 7606 §7.8",
             update(attrs=base + [attr(OPT_TRANS, COMMUNITIES_T, (u32(community(65001, 1)) + b"\x00")[:n])],
                    nlri=nl), withdraw(*NLRI_A))
    # Route reflection (RFC 7606 §7.9, §7.10; RFC 4456).
    for n in (3, 8, 0):
        case(f"update-originator-id-length-{n}", "originator-id", f"ORIGINATOR_ID of length {n} from an internal peer",
             "RFC 7606 §7.9", update(attrs=base + [attr(OPT_NON_TRANS, ORIGINATOR_ID_T, bytes(range(1, n + 1)))],
                                      nlri=nl), withdraw(*NLRI_A))
    for n in (6, 0):
        case(f"update-cluster-list-length-{n}", "cluster-list", f"CLUSTER_LIST of length {n} from an internal peer",
             "RFC 7606 §7.10", update(attrs=base + [attr(OPT_NON_TRANS, CLUSTER_LIST_T, bytes(range(1, n + 1)))],
                                       nlri=nl), withdraw(*NLRI_A))
    case("update-originator-id-from-external", "originator-id",
         "Well-formed ORIGINATOR_ID from an external peer", "RFC 7606 §7.9",
         update(attrs=ebgp_base() + [originator_id()], nlri=nl), discard(ORIGINATOR_ID_T), external=True)
    case("update-cluster-list-from-external", "cluster-list",
         "CLUSTER_LIST of length 6 from an external peer: discarded whatever its length", "RFC 7606 §7.10",
         update(attrs=ebgp_base() + [attr(OPT_NON_TRANS, CLUSTER_LIST_T, bytes(6))], nlri=nl),
         discard(CLUSTER_LIST_T), external=True)
    case("update-route-reflector-attributes-ok", "rr-loop valid",
         "Well-formed ORIGINATOR_ID and 2-entry CLUSTER_LIST: decodes; loop detection against our own "
         "router ID / cluster ID is the RIB's job", "RFC 4456 §8",
         update(attrs=base + [originator_id("198.51.100.7"), cluster_list("198.51.100.1", "198.51.100.2")], nlri=nl),
         ok())
    # EXTENDED_COMMUNITIES (RFC 7606 §7.14) and LARGE_COMMUNITY (RFC 8092 §6).
    for n in (12, 0):
        case(f"update-extended-communities-length-{n}", "ext-large", f"EXTENDED_COMMUNITIES of length {n}",
             "RFC 7606 §7.14", update(attrs=base + [attr(OPT_TRANS, EXT_COMMUNITIES_T,
                                                          (ext_community_route_target(65001, 1) * 2)[:n])], nlri=nl),
             withdraw(*NLRI_A))
    for n in (8, 16, 0):
        case(f"update-large-community-length-{n}", "ext-large", f"LARGE_COMMUNITY of length {n}", "RFC 8092 §6",
             update(attrs=base + [attr(OPT_TRANS, LARGE_COMMUNITY_T,
                                       (large_community(4200000001, 1, 2) * 2)[:n])], nlri=nl),
             withdraw(*NLRI_A))
    case("update-communities-ext-large-ok", "ext-large valid",
         "Well-formed COMMUNITIES, EXTENDED_COMMUNITIES and LARGE_COMMUNITY", "RFC 1997, RFC 4360, RFC 8092",
         update(attrs=base + [communities(community(65001, 1), community(65001, 2)),
                              ext_communities(ext_community_route_target(65001, 100)),
                              large_communities(large_community(4200000001, 1, 2))], nlri=nl), ok())
    # AS4_PATH / AS4_AGGREGATOR in a 2-octet session (RFC 6793 §6, RFC 7606 §7.7).
    path_trans = as_path(seq(65010, AS_TRANS, four=False))
    b2 = [o, as_path_attr(path_trans), nh, lp]
    case("update-as4-path-2-octet-session-ok", "as4 valid",
         "2-octet session: AS_PATH with AS_TRANS plus a matching AS4_PATH", "RFC 6793 §4.2.3",
         update(attrs=b2 + [as4_path(seq(65010, 4200000001))], nlri=nl), ok(), four=False)
    case("update-as4-path-bad-segment-type", "as4",
         "2-octet session: AS4_PATH with segment type 9", "RFC 6793 §6",
         update(attrs=b2 + [as4_path(segment(9, 65010, 4200000001))], nlri=nl), discard(AS4_PATH_T), four=False)
    case("update-as4-path-segment-overrun", "as4",
         "2-octet session: AS4_PATH segment claiming 3 ASes holding 2", "RFC 6793 §6",
         update(attrs=b2 + [as4_path(segment(AS_SEQUENCE, 65010, 4200000001, count=3))], nlri=nl),
         discard(AS4_PATH_T), four=False)
    case("update-as4-aggregator-length-6", "as4",
         "2-octet session: AS4_AGGREGATOR of 6 bytes", "RFC 6793 §6, RFC 7606 §7.7",
         update(attrs=b2 + [aggregator(AS_TRANS, four=False), attr(OPT_TRANS, AS4_AGGREGATOR_T, u16(65001) + ipv4("192.0.2.1"))],
                nlri=nl), discard(AS4_AGGREGATOR_T), four=False)
    case("update-as4-aggregator-2-octet-session-ok", "as4 valid",
         "2-octet session: AGGREGATOR AS_TRANS plus AS4_AGGREGATOR", "RFC 6793 §4.2.3",
         update(attrs=b2 + [aggregator(AS_TRANS, four=False), as4_aggregator()], nlri=nl), ok(), four=False)
    # Duplicates (RFC 7606 §3 g).
    case("update-duplicate-origin", "duplicate", "ORIGIN twice (IGP then INCOMPLETE): the second is discarded",
         "RFC 7606 §3 (g)", update(attrs=base + [origin(INCOMPLETE)], nlri=nl), discard(ORIGIN_T))
    case("update-duplicate-med", "duplicate", "MULTI_EXIT_DISC twice: the second is discarded", "RFC 7606 §3 (g)",
         update(attrs=base + [med(10), med(20)], nlri=nl), discard(MED_T))
    case("update-duplicate-communities", "duplicate", "COMMUNITIES twice: the second is discarded", "RFC 7606 §3 (g)",
         update(attrs=base + [communities(community(65001, 1)), communities(community(65001, 2))], nlri=nl),
         discard(COMMUNITIES_T))
    case("update-duplicate-mp-reach", "duplicate mp", "MP_REACH_NLRI twice", "RFC 7606 §3 (g)",
         update(attrs=mp_only_base() + [mp_reach_v6(prefix(V6_A[0])), mp_reach_v6(prefix(V6_A[1]))]), reset(3, 1))
    case("update-duplicate-mp-unreach", "duplicate mp", "MP_UNREACH_NLRI twice", "RFC 7606 §3 (g)",
         update(attrs=[mp_unreach(AFI_IPV6, SAFI_UNICAST, prefix(V6_A[0])),
                       mp_unreach(AFI_IPV6, SAFI_UNICAST, prefix(V6_A[1]))]), reset(3, 1))
    # Unrecognized well-known (RFC 4271 §6.3): data = the attribute.
    wk = attr(WELL_KNOWN, UNKNOWN_T, b"\x01\x02\x03\x04")
    case("update-unrecognized-well-known-99", "well-known",
         "Type code 99 with the Optional bit clear (flags 0x40)", "RFC 4271 §6.3, RFC 7606 §3",
         update(attrs=base + [wk], nlri=nl), reset(3, 2, wk))
    wk0 = attr(0x00, 200, b"\xff")
    case("update-unrecognized-well-known-flags-zero", "well-known",
         "Type code 200 with flags 0x00", "RFC 4271 §6.3",
         update(attrs=[o, wk0, p, nh, lp], nlri=nl), reset(3, 2, wk0))


def update_mp_cases() -> None:
    o, p, lp = mp_only_base()
    v6 = prefixes(*V6_A)
    case("update-mp-reach-ipv6-ok", "mp valid", "MP_REACH IPv6 unicast, 16-byte next hop", "RFC 4760 §3, RFC 2545 §3",
         update(attrs=[o, p, lp, mp_reach_v6(v6)]), ok())
    case("update-mp-reach-ipv6-global-and-link-local-ok", "mp valid",
         "MP_REACH IPv6 with a 32-byte next hop (global + link-local)", "RFC 2545 §3",
         update(attrs=[o, p, lp, mp_reach(AFI_IPV6, SAFI_UNICAST, ipv6("2001:db8::1") + ipv6("fe80::1"), v6)]), ok())
    case("update-mp-reach-ipv4-ok", "mp valid", "MP_REACH for IPv4 unicast with a 4-byte next hop", "RFC 4760 §3",
         update(attrs=[o, p, lp, mp_reach(AFI_IPV4, SAFI_UNICAST, ipv4("192.0.2.1"), prefixes(*NLRI_A))]), ok())
    bad = mp_reach(AFI_IPV6, SAFI_UNICAST, ipv6("2001:db8::1")[:15], v6)
    case("update-mp-reach-ipv6-next-hop-length-15", "mp", "MP_REACH IPv6 with a 15-byte next hop",
         "RFC 7606 §7.11, RFC 4760 §7", update(attrs=[o, p, lp, bad]), reset(3, 9, bad))
    bad = mp_reach(AFI_IPV6, SAFI_UNICAST, ipv4("192.0.2.1"), v6)
    case("update-mp-reach-ipv6-next-hop-length-4", "mp", "MP_REACH IPv6 with a 4-byte (IPv4) next hop",
         "RFC 7606 §7.11, RFC 4760 §7", update(attrs=[o, p, lp, bad]), reset(3, 9, bad))
    bad = mp_reach(AFI_IPV4, SAFI_UNICAST, ipv4("192.0.2.1")[:3], prefixes(*NLRI_A))
    case("update-mp-reach-ipv4-next-hop-length-3", "mp", "MP_REACH IPv4 with a 3-byte next hop",
         "RFC 7606 §7.11, RFC 4760 §7", update(attrs=[o, p, lp, bad]), reset(3, 9, bad))
    bad = attr(OPT_NON_TRANS, MP_REACH_T, u16(AFI_IPV6) + u8(SAFI_UNICAST))
    case("update-mp-reach-length-3", "mp", "MP_REACH of 3 bytes: AFI and SAFI, no next-hop length",
         "RFC 7606 §7.11, RFC 4760 §7", update(attrs=[o, p, lp, bad]), reset(3, 9, bad))
    bad = mp_reach(AFI_IPV6, SAFI_UNICAST, ipv6("2001:db8::1"), b"", nh_len=32)
    case("update-mp-reach-next-hop-length-overruns-attribute", "mp",
         "MP_REACH IPv6 whose next-hop length 32 runs past its 21-byte value", "RFC 7606 §7.11, RFC 4760 §7",
         update(attrs=[o, p, lp, bad]), reset(3, 9, bad))
    bad = mp_reach_v6(prefix(V6_A[0]) + raw_prefix(129, bytes(16) + b"\x00"))
    case("update-mp-reach-ipv6-prefix-length-129", "mp nlri", "MP_REACH IPv6 NLRI entry with prefix length 129",
         "RFC 7606 §5.3, RFC 4760 §7", update(attrs=[o, p, lp, bad]), reset(3, 9, bad))
    bad = mp_unreach(AFI_IPV6, SAFI_UNICAST, prefix(V6_A[0]) + raw_prefix(64, ipv6("2001:db8:3::")[:5]))
    case("update-mp-unreach-ipv6-truncated", "mp nlri", "MP_UNREACH IPv6 entry /64 with only 5 octets",
         "RFC 7606 §5.3, RFC 4760 §7", update(attrs=[bad]), reset(3, 9, bad))
    # add-path (RFC 7911) in MP_REACH / MP_UNREACH and in the IPv4 fields.
    ap6 = ("ipv6-unicast",)
    v6ap = prefix(V6_A[0], path_id=1) + prefix(V6_A[1], path_id=2)
    case("update-mp-reach-ipv6-addpath-ok", "mp valid", "Add-path IPv6: MP_REACH NLRI with path identifiers 1 and 2",
         "RFC 7911 §3", update(attrs=[o, p, lp, mp_reach_v6(v6ap)]), ok(), add_path=ap6)
    case("update-mp-reach-ipv6-addpath-med-length-3", "mp med-local-pref",
         "Add-path IPv6 MP_REACH plus MULTI_EXIT_DISC of length 3", "RFC 7606 §7.4, RFC 7911 §3",
         update(attrs=[o, p, lp, mp_reach_v6(v6ap), attr(OPT_NON_TRANS, MED_T, bytes(3))]), withdraw(*V6_A),
         add_path=ap6)
    case("update-mp-unreach-ipv6-addpath-ok", "mp valid", "Add-path IPv6: MP_UNREACH with path identifiers",
         "RFC 7911 §3", update(attrs=[mp_unreach(AFI_IPV6, SAFI_UNICAST, v6ap)]), ok(), add_path=ap6)
    bad = mp_reach_v6(prefix(V6_A[0], path_id=1) + u16(0))
    case("update-mp-reach-ipv6-addpath-truncated-path-id", "mp nlri",
         "Add-path IPv6 MP_REACH whose second entry has only 2 bytes of path identifier", "RFC 7911 §3, RFC 4760 §7",
         update(attrs=[o, p, lp, bad]), reset(3, 9, bad), add_path=ap6)
    case("update-mp-reach-ipv6-without-path-id-in-addpath-session", "mp nlri",
         "Add-path negotiated for IPv6 but MP_REACH NLRI has no path identifiers: the entry is misparsed",
         "RFC 7911 §3, RFC 4760 §7",
         update(attrs=[o, p, lp, mp_reach_v6(prefix(V6_A[0]))]),
         reset(3, 9, mp_reach_v6(prefix(V6_A[0]))), add_path=ap6)
    ap4 = ("ipv4-unicast",)
    case("update-addpath-ipv4-withdrawn-and-nlri-bad-med", "med-local-pref mp",
         "Add-path IPv4: withdrawn routes and NLRI with path ids, MULTI_EXIT_DISC of length 3",
         "RFC 7606 §7.4, RFC 7911 §3",
         update(withdrawn=prefix("10.9.0.0/16", path_id=7),
                attrs=ibgp_base() + [attr(OPT_NON_TRANS, MED_T, bytes(3))],
                nlri=prefix(NLRI_A[0], path_id=1) + prefix(NLRI_A[1], path_id=2)),
         withdraw("10.9.0.0/16", *NLRI_A), add_path=ap4)
    case("update-addpath-ipv4-ok", "mp valid", "Add-path IPv4: two paths for different prefixes", "RFC 7911 §3",
         update(attrs=ibgp_base(), nlri=prefix(NLRI_A[0], path_id=1) + prefix(NLRI_A[1], path_id=2)), ok(),
         add_path=ap4)
    case("update-every-kind-of-prefix-bad-communities", "communities mp",
         "IPv4 withdrawn + NLRI, MP_REACH and MP_UNREACH IPv6, COMMUNITIES of length 6: all withdrawn",
         "RFC 7606 §7.8, §2",
         update(withdrawn=prefixes("10.9.0.0/16"),
                attrs=[mp_unreach(AFI_IPV6, SAFI_UNICAST, prefixes("2001:db8:9::/48"))] + ibgp_base()
                + [mp_reach_v6(v6), attr(OPT_TRANS, COMMUNITIES_T, bytes(6))],
                nlri=prefixes(*NLRI_A)),
         withdraw("10.9.0.0/16", "2001:db8:9::/48", *V6_A, *NLRI_A))


def unknown_and_incident_cases() -> None:
    nl = prefixes(*NLRI_A)
    base = ibgp_base()
    case("update-unknown-optional-non-transitive-ok", "unknown-optional valid",
         "Unknown optional non-transitive attribute 99: dropped quietly", "RFC 4271 §5, §9",
         update(attrs=base + [attr(OPT_NON_TRANS, UNKNOWN_T, b"\xde\xad\xbe\xef")], nlri=nl), ok())
    case("update-unknown-optional-transitive-ok", "unknown-optional valid",
         "Unknown optional transitive attribute 99: carried on (Partial set when passed)", "RFC 4271 §5, §9",
         update(attrs=base + [attr(OPT_TRANS, UNKNOWN_T, b"\xde\xad\xbe\xef")], nlri=nl), ok())
    case("update-unknown-optional-transitive-partial-ok", "unknown-optional valid",
         "Unknown optional transitive attribute 250 already marked Partial, extended length", "RFC 4271 §4.3, §5",
         update(attrs=base + [attr(OPT_TRANS | PARTIAL | EXTENDED, 250, bytes(300))], nlri=nl), ok())
    # 2023: corrupt attribute 23 (Tunnel Encapsulation, RFC 9012).
    garbage = (u16(0x0008) + u16(0x00ff)              # tunnel TLV: type VXLAN, length 255 (only 10 follow)
               + u8(0x01) + u8(0x40) + b"\xba\xad\xf0\x0d\x13\x37\x00\x17")
    case("update-incident-2023-attribute-23-garbage-ok", "incident-2023 unknown-optional",
         "Attribute 23 (optional transitive) whose Tunnel TLV claims 255 bytes of 10: carried opaque, no reset",
         "RFC 7606 §2, RFC 9012",
         update(attrs=base + [attr(OPT_TRANS, TUNNEL_ENCAP_T, garbage)], nlri=nl), ok())
    case("update-incident-2023-attribute-23-partial-ok", "incident-2023",
         "Attribute 23 with flags 0xe0 (Partial) and 3 stray bytes", "RFC 7606 §2, RFC 9012",
         update(attrs=base + [attr(OPT_TRANS | PARTIAL, TUNNEL_ENCAP_T, b"\x00\x07\xff")], nlri=nl), ok())
    case("update-incident-2023-attribute-23-overruns-area", "incident-2023 attr-overrun",
         "Attribute 23 whose own length (64) overruns the attribute area: treat-as-withdraw, never reset",
         "RFC 7606 §4", update(attrs=base + [attr(OPT_TRANS, TUNNEL_ENCAP_T, garbage, length=64)], nlri=nl),
         withdraw(*NLRI_A))
    case("update-incident-2023-attribute-23-overrun-with-withdrawn", "incident-2023 attr-overrun",
         "Withdrawn routes + NLRI, attribute 23 with extended length 0x0400 overrunning: all withdrawn",
         "RFC 7606 §4",
         update(withdrawn=prefixes("10.9.0.0/16"),
                attrs=base + [attr(OPT_TRANS | EXTENDED, TUNNEL_ENCAP_T, garbage, length=1024)], nlri=nl),
         withdraw("10.9.0.0/16", *NLRI_A))
    # 2025: zero-filled Prefix-SID (attribute 40, RFC 8669).
    case("update-incident-2025-attribute-40-zero-filled-ok", "incident-2025 unknown-optional",
         "Attribute 40 (optional transitive) of 32 zero bytes: carried opaque, no reset",
         "RFC 7606 §2, RFC 8669 §6",
         update(attrs=base + [attr(OPT_TRANS, PREFIX_SID_T, bytes(32))], nlri=nl), ok())
    case("update-incident-2025-attribute-40-zero-filled-ipv6-ok", "incident-2025",
         "Zero-filled attribute 40 (extended length, 40 bytes) with MP_REACH IPv6", "RFC 7606 §2, RFC 8669 §6",
         update(attrs=mp_only_base() + [mp_reach_v6(prefixes(*V6_A)),
                                        attr(OPT_TRANS | EXTENDED, PREFIX_SID_T, bytes(40))]), ok())
    case("update-incident-2025-attribute-40-overruns-area", "incident-2025 attr-overrun",
         "Zero-filled attribute 40 whose length (48) overruns the attribute area: treat-as-withdraw, never reset",
         "RFC 7606 §4",
         update(attrs=base + [attr(OPT_TRANS, PREFIX_SID_T, bytes(32), length=48)], nlri=nl), withdraw(*NLRI_A))
    case("update-incident-2025-attribute-40-overrun-ipv6", "incident-2025 attr-overrun mp",
         "MP_REACH IPv6, then attribute 40 overrunning: the IPv6 prefixes are withdrawn", "RFC 7606 §4",
         update(attrs=mp_only_base() + [mp_reach_v6(prefixes(*V6_A)),
                                        attr(OPT_TRANS, PREFIX_SID_T, bytes(8), length=32)]),
         withdraw(*V6_A))


def precedence_cases() -> None:
    nl = prefixes(*NLRI_A)
    base = ibgp_base()
    wk = attr(WELL_KNOWN, UNKNOWN_T, b"\x00")
    case("update-withdraw-then-unrecognized-well-known", "precedence well-known",
         "MULTI_EXIT_DISC of length 3, then an unrecognized well-known attribute: the reset wins",
         "RFC 7606 §3, RFC 4271 §6.3",
         update(attrs=base + [attr(OPT_NON_TRANS, MED_T, bytes(3)), wk], nlri=nl), reset(3, 2, wk))
    case("update-withdraw-then-duplicate-mp-reach", "precedence duplicate",
         "ORIGIN value 7 and MP_REACH twice: the reset wins", "RFC 7606 §3 (g)",
         update(attrs=[origin(7), as_path_attr(PATH4), local_pref(100)]
                + [mp_reach_v6(prefix(V6_A[0])), mp_reach_v6(prefix(V6_A[1]))]), reset(3, 1))
    case("update-discard-and-withdraw", "precedence aggregate med-local-pref",
         "AGGREGATOR of length 6 (discard) and MULTI_EXIT_DISC of length 2 (withdraw): treat-as-withdraw",
         "RFC 7606 §2",
         update(attrs=base + [aggregator(65001, four=False), attr(OPT_NON_TRANS, MED_T, bytes(2))], nlri=nl),
         withdraw(*NLRI_A))
    case("update-malformed-attribute-without-nlri", "precedence origin",
         "ORIGIN value 5 in an UPDATE with no prefixes at all: treat-as-withdraw of nothing", "RFC 7606 §5.2",
         update(attrs=[origin(5)] + base[1:]), withdraw())
    case("update-withdraw-then-bad-nlri", "precedence nlri",
         "NEXT_HOP of length 3 and an NLRI entry /40: the NLRI cannot be parsed, so reset", "RFC 7606 §5.3",
         update(attrs=[base[0], base[1], attr(WELL_KNOWN, NEXT_HOP_T, b"\xc0\x00\x02"), base[3]],
                nlri=prefix("10.0.0.0/24") + raw_prefix(40, bytes(5))), reset(3, 10))


def build() -> list[dict]:
    CASES.clear()
    framing_cases()
    open_cases()
    notification_route_refresh_cases()
    update_structure_cases()
    update_attribute_cases()
    update_mp_cases()
    unknown_and_incident_cases()
    precedence_cases()
    names = [c["name"] for c in CASES]
    dupes = {n for n in names if names.count(n) > 1}
    assert not dupes, f"duplicate case names: {dupes}"
    return CASES


def public(cases: list[dict]) -> list[dict]:
    return [{k: v for k, v in c.items() if not k.startswith("_")} for c in cases]


def render(cases: list[dict]) -> str:
    return json.dumps(public(cases), indent=2, ensure_ascii=False) + "\n"


# ---------------------------------------------------------------------------------------
# --check: an independent re-parse. It shares no code with the builders above except the
# numeric constants, and classifies each message from the RFC rules directly.
# ---------------------------------------------------------------------------------------
class Reset(Exception):
    def __init__(self, code: int, subcode: int, data: bytes | None = None):
        super().__init__(f"{code}/{subcode}")
        self.code, self.subcode, self.data = code, subcode, data


MIN_LEN = {1: 29, 2: 23, 3: 21, 4: 19, 5: 23}


def chk_header(m: bytes, ctx: dict) -> tuple[int, bytes]:
    if len(m) < 19:
        raise AssertionError("message shorter than a header")
    if m[:16] != b"\xff" * 16:
        raise Reset(1, 1)
    length = int.from_bytes(m[16:18], "big")
    mtype = m[18]
    maxlen = 65535 if ctx["extendedMessage"] else 4096
    if length < 19 or length > maxlen:
        raise Reset(1, 2, m[16:18])
    if mtype not in MIN_LEN:
        raise Reset(1, 3, m[18:19])
    if length < MIN_LEN[mtype] or (mtype == 4 and length != 19):
        raise Reset(1, 2, m[16:18])
    # From here on the message is framed: the case must hold exactly one whole message.
    assert length == len(m), f"length field {length} != {len(m)} bytes"
    return mtype, m[19:]


def chk_open(b: bytes) -> None:
    version, my_as, hold = b[0], int.from_bytes(b[1:3], "big"), int.from_bytes(b[3:5], "big")
    bgp_id, opt_len = b[5:9], b[9]
    rest = b[10:]
    params: list[tuple[int, bytes]] = []
    if opt_len == 255 and rest[:1] == b"\xff":          # RFC 9072
        if len(rest) < 3:
            raise Reset(2, 0)
        ext = int.from_bytes(rest[1:3], "big")
        area = rest[3:]
        if ext != len(area):
            raise Reset(2, 0)
        i = 0
        while i < len(area):
            if i + 3 > len(area):
                raise Reset(2, 0)
            t, n = area[i], int.from_bytes(area[i + 1:i + 3], "big")
            if i + 3 + n > len(area):
                raise Reset(2, 0)
            params.append((t, area[i + 3:i + 3 + n]))
            i += 3 + n
    else:
        if opt_len != len(rest):
            raise Reset(2, 0)
        i = 0
        while i < len(rest):
            if i + 2 > len(rest):
                raise Reset(2, 0)
            t, n = rest[i], rest[i + 1]
            if i + 2 + n > len(rest):
                raise Reset(2, 0)
            params.append((t, rest[i + 2:i + 2 + n]))
            i += 2 + n
    caps: list[tuple[int, bytes]] = []
    for t, v in params:
        if t != 2:
            continue
        j = 0
        while j < len(v):
            if j + 2 > len(v) or j + 2 + v[j + 1] > len(v):
                raise Reset(2, 0)
            caps.append((v[j], v[j + 2:j + 2 + v[j + 1]]))
            j += 2 + v[j + 1]
    if version != 4:
        raise Reset(2, 1, b"\x00\x04")
    if any(t != 2 for t, _ in params):
        raise Reset(2, 4)
    if my_as == 0:
        raise Reset(2, 2)
    for c, v in caps:
        if c == 65 and int.from_bytes(v, "big") in (0, 23456):
            raise Reset(2, 2)
    if bgp_id == b"\x00" * 4:
        raise Reset(2, 3)
    if hold in (1, 2):
        raise Reset(2, 6)


def chk_prefixes(buf: bytes, v6: bool, addpath: bool, err: Reset) -> list[str]:
    out, i, maxbits = [], 0, 128 if v6 else 32
    while i < len(buf):
        if addpath:
            if i + 4 > len(buf):
                raise err
            i += 4
        if i >= len(buf):
            raise err
        bits = buf[i]
        n = (bits + 7) // 8
        if bits > maxbits or i + 1 + n > len(buf):
            raise err
        raw = buf[i + 1:i + 1 + n] + bytes((16 if v6 else 4) - n)
        addr = ipaddress.IPv6Address(raw) if v6 else ipaddress.IPv4Address(raw)
        out.append(str(ipaddress.ip_network(f"{addr}/{bits}", strict=False)))
        i += 1 + n
    return out


WELL_KNOWN_FLAGS = {1: 0x40, 2: 0x40, 3: 0x40, 5: 0x40, 6: 0x40}
OPTIONAL_FLAGS = {4: 0x80, 7: 0xC0, 8: 0xC0, 9: 0x80, 10: 0x80, 14: 0x80, 15: 0x80, 16: 0xC0,
                  17: 0xC0, 18: 0xC0, 32: 0xC0}


def chk_as_path(v: bytes, width: int) -> bool:
    i = 0
    while i < len(v):
        if i + 2 > len(v):
            return False
        t, n = v[i], v[i + 1]
        if t not in (1, 2, 3, 4) or n == 0 or i + 2 + n * width > len(v):
            return False
        i += 2 + n * width
    return True


def chk_update(b: bytes, ctx: dict) -> dict:
    """Returns the verdict dict for an UPDATE body, or raises Reset."""
    ap4 = "ipv4-unicast" in ctx["addPath"]
    ap6 = "ipv6-unicast" in ctx["addPath"]
    wl = int.from_bytes(b[0:2], "big")
    if 2 + wl + 2 > len(b):
        raise Reset(3, 1)
    wdr = b[2:2 + wl]
    al = int.from_bytes(b[2 + wl:4 + wl], "big")
    if 4 + wl + al > len(b):
        raise Reset(3, 1)
    area = b[4 + wl:4 + wl + al]
    nlri = b[4 + wl + al:]
    withdrawn_prefixes = chk_prefixes(wdr, False, ap4, Reset(3, 10))
    mp_prefixes: list[str] = []
    nlri_prefixes = chk_prefixes(nlri, False, ap4, Reset(3, 10))
    withdraw_flag, discards, seen = False, [], set()
    has_mp_reach = False
    i = 0
    while i < len(area):
        if i + 3 > len(area):
            withdraw_flag = True
            break
        flags, code = area[i], area[i + 1]
        hl = 4 if flags & 0x10 else 3
        if i + hl > len(area):
            withdraw_flag = True
            break
        n = int.from_bytes(area[i + 2:i + hl], "big")
        if i + hl + n > len(area):
            withdraw_flag = True
            break
        whole, v = area[i:i + hl + n], area[i + hl:i + hl + n]
        i += hl + n
        if code in seen:
            if code in (14, 15):
                raise Reset(3, 1)
            discards.append(code)
            continue
        seen.add(code)
        known = code in WELL_KNOWN_FLAGS or code in OPTIONAL_FLAGS
        if not known:
            if not flags & 0x80:
                raise Reset(3, 2, whole)
            continue
        want = WELL_KNOWN_FLAGS.get(code, OPTIONAL_FLAGS.get(code))
        if (flags & 0xC0) != want:
            if ctx["peerIsExternal"] and code in (5, 9, 10):
                discards.append(code)
            else:
                withdraw_flag = True
            continue
        if code in (14, 15):
            err = Reset(3, 9, whole)
            if len(v) < 3:
                raise err
            afi, safi = int.from_bytes(v[0:2], "big"), v[2]
            v6 = afi == 2
            addpath = ap6 if v6 else ap4
            if code == 14:
                if len(v) < 5:
                    raise err
                nhl = v[3]
                if nhl not in ((16, 32) if v6 else (4,)) or 4 + nhl + 1 > len(v):
                    raise err
                mp_prefixes += chk_prefixes(v[5 + nhl:], v6, addpath, err)
                has_mp_reach = True
            else:
                mp_prefixes += chk_prefixes(v[3:], v6, addpath, err)
            continue
        width = 4 if ctx["fourOctetAS"] else 2
        bad = {
            1: lambda: len(v) != 1 or v[0] > 2,
            2: lambda: not chk_as_path(v, width),
            3: lambda: len(v) != 4,
            4: lambda: len(v) != 4,
            5: lambda: len(v) != 4,
            8: lambda: len(v) == 0 or len(v) % 4 != 0,
            9: lambda: len(v) != 4,
            10: lambda: len(v) == 0 or len(v) % 4 != 0,
            16: lambda: len(v) == 0 or len(v) % 8 != 0,
            32: lambda: len(v) == 0 or len(v) % 12 != 0,
        }
        if code in (5, 9, 10) and ctx["peerIsExternal"]:
            discards.append(code)
        elif code == 6:
            if len(v) != 0:
                discards.append(code)
        elif code == 7:
            if len(v) != (8 if ctx["fourOctetAS"] else 6):
                discards.append(code)
        elif code == 17:
            if ctx["fourOctetAS"] or not chk_as_path(v, 4):
                discards.append(code)
        elif code == 18:
            if ctx["fourOctetAS"] or len(v) != 8:
                discards.append(code)
        elif bad[code]():
            withdraw_flag = True
    everything = withdrawn_prefixes + mp_prefixes + nlri_prefixes   # wire order
    if not withdraw_flag:
        if nlri_prefixes and not {1, 2, 3} <= seen:
            withdraw_flag = True
        elif has_mp_reach and not {1, 2} <= seen:
            withdraw_flag = True
    if withdraw_flag:
        return {"action": "treat-as-withdraw", "withdrawn": everything}
    if discards:
        assert len(discards) == 1, f"several discards {discards}: corpus cases have one"
        return {"action": "attribute-discard", "discardedAttribute": discards[0]}
    return {"action": "ok"}


def classify(m: bytes, ctx: dict) -> dict:
    try:
        mtype, body = chk_header(m, ctx)
        if mtype == 1:
            chk_open(body)
        elif mtype == 2:
            return chk_update(body, ctx)
        elif mtype == 5 and body[2] in (1, 2) and len(body) != 4:
            raise Reset(7, 1, m)
        return {"action": "ok"}
    except Reset as r:
        e = {"action": "session-reset", "code": r.code, "subcode": r.subcode}
        if r.data is not None:
            e["data"] = r.data.hex()
        return e


def self_check(cases: list[dict]) -> list[str]:
    problems = []
    row_keys = {k for k, _ in ROWS}
    covered = set()
    for c in cases:
        m = bytes.fromhex(c["hex"])
        if c["hex"] != c["hex"].lower():
            problems.append(f"{c['name']}: hex not lower-case")
        e = c["expect"]
        for r in c["_rows"]:
            if r not in row_keys:
                problems.append(f"{c['name']}: unknown row {r}")
            covered.add(r)
        is_framing = e["action"] == "session-reset" and e["code"] == 1
        if not is_framing:
            # Header consistency for every non-framing case.
            if m[:16] != b"\xff" * 16 or int.from_bytes(m[16:18], "big") != len(m):
                problems.append(f"{c['name']}: header inconsistent")
        try:
            got = classify(m, c["context"])
        except AssertionError as exc:
            problems.append(f"{c['name']}: {exc}")
            continue
        want = dict(e)
        if got.get("action") == "treat-as-withdraw" and want.get("action") == "treat-as-withdraw":
            if sorted(got["withdrawn"]) != sorted(want["withdrawn"]):
                problems.append(f"{c['name']}: withdrawn {want['withdrawn']} but the message carries {got['withdrawn']}")
            continue
        if got != want:
            problems.append(f"{c['name']}: expected {want}, independent parse says {got}")
    for k in row_keys - covered:
        problems.append(f"row {k} has no case")
    return problems


def table(cases: list[dict]) -> str:
    lines = ["| Row (REFERENCE \"RFC 7606 and friends\" + brief) | Cases |", "|---|---|"]
    for key, text in ROWS:
        names = [c["name"] for c in cases if key in c["_rows"]]
        lines.append(f"| {text} | " + ", ".join(f"`{n}`" for n in names) + " |")
    return "\n".join(lines) + "\n"


def main(argv: list[str]) -> int:
    cases = build()
    text = render(cases)
    if "--table" in argv:
        sys.stdout.write(table(cases))
        return 0
    if "--check" not in argv:
        OUT.parent.mkdir(parents=True, exist_ok=True)
        OUT.write_text(text, encoding="utf-8")
        print(f"wrote {len(cases)} cases to {OUT.relative_to(ROOT)}")
    problems = self_check(cases)
    if not OUT.exists() or OUT.read_text(encoding="utf-8") != text:
        problems.append(f"{OUT.relative_to(ROOT)} is missing or stale: run make_corpus.py")
    if README.exists() and table(cases) not in README.read_text(encoding="utf-8"):
        problems.append("README.md coverage table is stale: paste the output of --table")
    for p in problems:
        print("FAIL", p)
    if problems:
        return 1
    print(f"check ok: {len(cases)} cases, every row covered, independent parse agrees")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
