#!/usr/bin/env python3
"""Reassemble the BGP byte streams of a pcap, one file per direction (stdlib only).

Subcommands:
  extract --pcap P --session S --name IP=NAME [--name IP=NAME ...] --out DIR
          [--summary JSON]
      Reassembles the TCP payload (port 179) of each direction of the BGP
      connection and writes DIR/<S>-<NAME>.bgp with the bytes exactly as sent
      by the host with address IP. Each stream is validated (see `validate`).
      If the capture holds several TCP connections, the first one that carried
      payload in both directions is used and the others are reported.
  count --pcap P
      Tolerant progress view for polling a capture that is still being
      written: prints "<src-ip> <type-name> <count>" for complete messages.
  validate FILE [FILE ...]
      Walks each file by 19-byte BGP headers to its exact end, printing a
      per-type count; exits non-zero if a file is empty, has a bad marker,
      length or type, or does not end on a message boundary.

Handles pcap (both byte orders, micro/nano seconds) and pcapng, link types
Ethernet (1, with 802.1Q), Linux cooked v1/v2 (113/276) and raw IP (101),
IPv4 and IPv6, and TCP reassembly by sequence number (out-of-order segments,
retransmissions and overlaps are resolved; a hole in the stream is an error).
"""
import argparse
import ipaddress
import json
import os
import struct
import sys

BGP_PORT = 179
TYPE_NAMES = {1: "OPEN", 2: "UPDATE", 3: "NOTIFICATION", 4: "KEEPALIVE", 5: "ROUTE-REFRESH"}


# ---------------------------------------------------------------- pcap reading

def read_packets(path):
    """Yields (linktype, timestamp, frame bytes)."""
    with open(path, "rb") as f:
        data = f.read()
    if len(data) < 4:
        return
    magic = data[:4]
    if magic == b"\x0a\x0d\x0d\x0a":
        yield from _read_pcapng(data)
        return
    m_le = struct.unpack("<I", magic)[0]
    if m_le in (0xA1B2C3D4, 0xA1B23C4D):
        e = "<"
    elif struct.unpack(">I", magic)[0] in (0xA1B2C3D4, 0xA1B23C4D):
        e = ">"
    else:
        raise SystemExit(f"{path}: not a pcap/pcapng file")
    nano = struct.unpack(e + "I", magic)[0] == 0xA1B23C4D
    linktype = struct.unpack(e + "I", data[20:24])[0] & 0x0FFFFFFF
    off = 24
    while off + 16 <= len(data):
        sec, frac, incl, _orig = struct.unpack(e + "IIII", data[off:off + 16])
        off += 16
        if off + incl > len(data):
            break  # truncated last record (capture still being written)
        ts = sec + frac / (1e9 if nano else 1e6)
        yield linktype, ts, data[off:off + incl]
        off += incl


def _read_pcapng(data):
    off = 0
    e = "<"
    ifaces = []
    while off + 12 <= len(data):
        btype = struct.unpack(e + "I", data[off:off + 4])[0]
        if btype == 0x0A0D0D0A:
            bom = data[off + 8:off + 12]
            e = "<" if bom == b"\x4d\x3c\x2b\x1a" else ">"
            ifaces = []
        blen = struct.unpack(e + "I", data[off + 4:off + 8])[0]
        if blen < 12 or off + blen > len(data):
            break
        body = data[off + 8:off + blen - 4]
        if btype == 1:  # IDB
            ifaces.append(struct.unpack(e + "H", body[:2])[0])
        elif btype == 6:  # EPB
            iface, tsh, tsl, caplen, _ = struct.unpack(e + "IIIII", body[:20])
            ts = ((tsh << 32) | tsl) / 1e6
            yield ifaces[iface] if iface < len(ifaces) else 1, ts, body[20:20 + caplen]
        elif btype == 3:  # SPB
            yield (ifaces[0] if ifaces else 1), 0.0, body[4:]
        off += blen


def parse_frame(linktype, frame):
    """Returns (src, dst, sport, dport, seq, flags, payload) or None."""
    if linktype == 1:
        if len(frame) < 14:
            return None
        et = struct.unpack("!H", frame[12:14])[0]
        off = 14
        while et in (0x8100, 0x88A8) and len(frame) >= off + 4:
            et = struct.unpack("!H", frame[off + 2:off + 4])[0]
            off += 4
        ip = frame[off:]
    elif linktype == 113:
        et = struct.unpack("!H", frame[14:16])[0]
        ip = frame[16:]
    elif linktype == 276:
        et = struct.unpack("!H", frame[0:2])[0]
        ip = frame[20:]
    elif linktype in (101, 12, 228, 229):
        ip = frame
        et = 0x0800 if ip and ip[0] >> 4 == 4 else 0x86DD
    else:
        raise SystemExit(f"unsupported link type {linktype}")
    if et == 0x0800:
        if len(ip) < 20:
            return None
        ihl = (ip[0] & 0x0F) * 4
        total = struct.unpack("!H", ip[2:4])[0]
        frag = struct.unpack("!H", ip[6:8])[0]
        if frag & 0x3FFF:
            raise SystemExit("IPv4 fragments are not supported")
        if ip[9] != 6:
            return None
        src, dst = ipaddress.ip_address(ip[12:16]), ipaddress.ip_address(ip[16:20])
        tcp = ip[ihl:total]
    elif et == 0x86DD:
        if len(ip) < 40:
            return None
        plen = struct.unpack("!H", ip[4:6])[0]
        nxt = ip[6]
        src, dst = ipaddress.ip_address(ip[8:24]), ipaddress.ip_address(ip[24:40])
        rest = ip[40:40 + plen]
        while nxt in (0, 43, 60):  # hop-by-hop, routing, destination options
            nxt, hlen = rest[0], (rest[1] + 1) * 8
            rest = rest[hlen:]
        if nxt != 6:
            return None
        tcp = rest
    else:
        return None
    if len(tcp) < 20:
        return None
    sport, dport, seq = struct.unpack("!HHI", tcp[:8])
    doff = (tcp[12] >> 4) * 4
    flags = tcp[13]
    return src, dst, sport, dport, seq, flags, tcp[doff:]


# ------------------------------------------------------------- TCP reassembly

SYN, FIN, RST = 0x02, 0x01, 0x04


class Direction:
    def __init__(self):
        self.isn = None     # sequence number of the first payload byte
        self.segments = []  # (seq, payload)
        self.fin = False
        self.rst = False

    def add(self, seq, flags, payload):
        if flags & SYN:
            self.isn = (seq + 1) & 0xFFFFFFFF
        if flags & FIN:
            self.fin = True
        if flags & RST:
            self.rst = True
        if payload:
            self.segments.append((seq, payload))

    def stream(self, tolerant=False):
        if not self.segments:
            return b""
        base = self.isn
        if base is None:  # no SYN captured: start at the lowest sequence number
            first = self.segments[0][0]
            base = min(self.segments, key=lambda s: (s[0] - first) & 0xFFFFFFFF)[0]
        segs = sorted(((s - base) & 0xFFFFFFFF, p) for s, p in self.segments)
        out = bytearray()
        for rel, payload in segs:
            if rel > len(out):
                if tolerant:
                    break
                raise ValueError(f"hole in TCP stream: bytes {len(out)}..{rel} missing")
            tail = payload[len(out) - rel:]
            out += tail
        return bytes(out)


def connections(pcap):
    """Returns an ordered list of (id, {(src, sport): Direction}) for TCP/179 connections."""
    current = {}  # 4-tuple -> connection record
    order = []
    for linktype, ts, frame in read_packets(pcap):
        p = parse_frame(linktype, frame)
        if p is None:
            continue
        src, dst, sport, dport, seq, flags, payload = p
        if BGP_PORT not in (sport, dport):
            continue
        tup = frozenset([(src, sport), (dst, dport)])
        c = current.get(tup)
        is_syn = flags & SYN and not flags & 0x10
        if c is None or (is_syn and c["closed"]):
            # a new connection (a reused 4-tuple after a close starts another one)
            c = {"dirs": {}, "closed": False, "start": ts}
            current[tup] = c
            order.append(c)
        d = c["dirs"].setdefault((src, sport), Direction())
        d.add(seq, flags, payload)
        if flags & (FIN | RST):
            c["closed"] = True
    return [(i, c["dirs"]) for i, c in enumerate(order)]


# ------------------------------------------------------------- BGP validation

def walk(data, tolerant=False):
    """Walks BGP messages. Returns list of (type, body) and the end offset."""
    msgs = []
    off = 0
    while off < len(data):
        if len(data) - off < 19:
            if tolerant:
                break
            raise ValueError(f"{len(data) - off} trailing bytes at offset {off}: not a whole header")
        hdr = data[off:off + 19]
        if hdr[:16] != b"\xff" * 16:
            raise ValueError(f"bad marker at offset {off}")
        length, mtype = struct.unpack("!HB", hdr[16:19])
        if length < 19 or length > 65535:
            raise ValueError(f"bad length {length} at offset {off}")
        if mtype not in TYPE_NAMES:
            raise ValueError(f"bad type {mtype} at offset {off}")
        if off + length > len(data):
            if tolerant:
                break
            raise ValueError(f"message at offset {off} (length {length}) runs past the end ({len(data)})")
        msgs.append((mtype, data[off + 19:off + length]))
        off += length
    return msgs, off


def describe(msgs):
    """Per-type counts plus a few details an eye (or a test) wants to check."""
    counts = {}
    details = {
        "open_capabilities": [], "end_of_rib": 0, "updates_with_withdrawals": 0,
        "mp_reach": 0, "mp_unreach": 0, "ipv4_nlri_updates": 0,
        "communities": 0, "large_communities": 0, "ext_communities": 0, "med": 0,
        "notifications": [], "route_refresh": [],
    }
    for mtype, body in msgs:
        name = TYPE_NAMES[mtype]
        counts[name] = counts.get(name, 0) + 1
        if mtype == 1:
            caps = []
            optlen = body[9]
            params = body[10:10 + optlen]
            i = 0
            while i + 2 <= len(params):
                ptype, plen = params[i], params[i + 1]
                pval = params[i + 2:i + 2 + plen]
                if ptype == 2:
                    j = 0
                    while j + 2 <= len(pval):
                        caps.append(pval[j])
                        j += 2 + pval[j + 1]
                i += 2 + plen
            details["open_capabilities"].append(caps)
        elif mtype == 2:
            wlen = struct.unpack("!H", body[:2])[0]
            alen = struct.unpack("!H", body[2 + wlen:4 + wlen])[0]
            attrs = body[4 + wlen:4 + wlen + alen]
            nlri = body[4 + wlen + alen:]
            types = {}
            i = 0
            while i < len(attrs):
                flags, atype = attrs[i], attrs[i + 1]
                if flags & 0x10:
                    l = struct.unpack("!H", attrs[i + 2:i + 4])[0]
                    i += 4
                else:
                    l = attrs[i + 2]
                    i += 3
                types[atype] = attrs[i:i + l]
                i += l
            if i != len(attrs):
                raise ValueError("path attributes overrun their length")
            if wlen == 0 and alen == 0 and not nlri:
                details["end_of_rib"] += 1
                continue
            if wlen == 0 and not nlri and list(types) == [15] and len(types[15]) == 3:
                details["end_of_rib"] += 1
                continue
            if wlen or (15 in types and len(types[15]) > 3):
                details["updates_with_withdrawals"] += 1
            details["mp_reach"] += 14 in types
            details["mp_unreach"] += 15 in types
            details["ipv4_nlri_updates"] += bool(nlri)
            details["communities"] += 8 in types
            details["large_communities"] += 32 in types
            details["ext_communities"] += 16 in types
            details["med"] += 4 in types
        elif mtype == 3:
            details["notifications"].append(
                {"code": body[0], "subcode": body[1], "data": body[2:].hex()})
        elif mtype == 5:
            afi, sub, safi = struct.unpack("!HBB", body[:4])
            details["route_refresh"].append({"afi": afi, "subtype": sub, "safi": safi})
    return counts, details


def validate_bytes(label, data):
    if not data:
        raise ValueError(f"{label}: empty stream")
    msgs, end = walk(data)
    assert end == len(data)
    counts, details = describe(msgs)
    print(f"{label}: {len(data)} bytes, {len(msgs)} messages, ends on a message boundary")
    print("  " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))
    return counts, details


# ------------------------------------------------------------------- commands

def cmd_extract(a):
    names = {}
    for n in a.name:
        ip, _, nm = n.partition("=")
        names[ipaddress.ip_address(ip)] = nm
    conns = connections(a.pcap)
    chosen = None
    for key, dirs in conns:
        if len(dirs) == 2 and all(d.segments for d in dirs.values()):
            if chosen is None:
                chosen = (key, dirs)
            else:
                print(f"note: ignoring later connection {sorted(map(str, dict(dirs)))}", file=sys.stderr)
    if chosen is None:
        raise SystemExit(f"{a.pcap}: no TCP/179 connection with payload in both directions "
                         f"({len(conns)} connection(s) seen)")
    summary = {"session": a.session, "pcap": os.path.basename(a.pcap),
               "tcp_connections_in_pcap": len(conns), "streams": {}}
    ok = True
    for (src, sport), d in sorted(chosen[1].items(), key=lambda kv: str(kv[0][0])):
        if src not in names:
            raise SystemExit(f"no --name for sender {src}")
        fname = f"{a.session}-{names[src]}.bgp"
        data = d.stream()
        with open(os.path.join(a.out, fname), "wb") as f:
            f.write(data)
        try:
            counts, details = validate_bytes(fname, data)
        except ValueError as e:
            print(f"FAIL {e}", file=sys.stderr)
            ok = False
            continue
        summary["streams"][fname] = {"sender": str(src), "sender_port": sport, "bytes": len(data),
                                     "counts": counts, "details": details,
                                     "closed_with": "FIN" if d.fin else ("RST" if d.rst else "open")}
    if a.summary:
        with open(a.summary, "w") as f:
            json.dump(summary, f, indent=1)
    if not ok:
        sys.exit(1)


def cmd_count(a):
    try:
        conns = connections(a.pcap)
    except Exception as e:  # capture may be mid-write
        print(f"# {e}")
        return
    for key, dirs in conns:
        for (src, _), d in dirs.items():
            msgs, _ = walk(d.stream(tolerant=True), tolerant=True)
            counts, _ = describe(msgs)
            for name in TYPE_NAMES.values():
                print(f"{src} {name} {counts.get(name, 0)}")
            print(f"{src} FIN {int(d.fin or d.rst)}")


def cmd_validate(a):
    ok = True
    for path in a.files:
        with open(path, "rb") as f:
            data = f.read()
        try:
            validate_bytes(os.path.basename(path), data)
        except ValueError as e:
            print(f"FAIL {path}: {e}", file=sys.stderr)
            ok = False
    sys.exit(0 if ok else 1)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    e = sub.add_parser("extract")
    e.add_argument("--pcap", required=True)
    e.add_argument("--session", required=True)
    e.add_argument("--name", action="append", required=True, help="IP=NAME")
    e.add_argument("--out", required=True)
    e.add_argument("--summary")
    e.set_defaults(fn=cmd_extract)
    c = sub.add_parser("count")
    c.add_argument("--pcap", required=True)
    c.set_defaults(fn=cmd_count)
    v = sub.add_parser("validate")
    v.add_argument("files", nargs="+")
    v.set_defaults(fn=cmd_validate)
    a = ap.parse_args()
    a.fn(a)


if __name__ == "__main__":
    main()
