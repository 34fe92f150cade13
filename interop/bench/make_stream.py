#!/usr/bin/env python3
"""Write the pre-encoded BGP UPDATE streams for the receive-1m benchmark.

    make_stream.py --out DIR --next-hop 192.168.231.1 [--count 1000000] [--as 64513] [--plen 24|32]

Writes (deterministic for the same arguments; reused when already present):
    DIR/announce-<count>-<nexthop>.bgp   UPDATEs announcing COUNT distinct IPv4 /24s
                                         (10.0.0.0/24, 10.0.1.0/24, ... upward), packed
                                         into messages of at most 4096 bytes, one
                                         attribute set: ORIGIN IGP, AS_PATH [AS]
                                         (AS_SEQUENCE, 4-octet ASNs), NEXT_HOP, MED 0;
                                         followed by the IPv4 End-of-RIB marker
                                         (an UPDATE with no withdrawals and no attributes).
    DIR/withdraw-<count>.bgp             UPDATEs withdrawing the same prefixes.
With --plen 32 (kernel-routes benchmark) the prefixes are COUNT distinct host routes
10.0.0.0/32, 10.0.0.1/32, ... upward and the files are named announce-<count>-p32-...
and withdraw-<count>-p32.bgp (the /24 defaults and their names are unchanged).
The stream files are raw BGP messages back to back, exactly what goes on the wire.
Only the standard library is used.
"""
import argparse
import ipaddress
import os
import struct
import sys

MAX_MSG = 4096
HEADER = 19
MARKER = b"\xff" * 16
UPDATE = 2


def message(body: bytes) -> bytes:
    return MARKER + struct.pack("!HB", HEADER + len(body), UPDATE) + body


def attributes(asn: int, next_hop: str, med: int = 0) -> bytes:
    nh = ipaddress.IPv4Address(next_hop).packed
    origin = bytes([0x40, 1, 1, 0])                                    # well-known, IGP
    seg = bytes([2, 1]) + struct.pack("!I", asn)                        # AS_SEQUENCE, 1 ASN
    as_path = bytes([0x40, 2, len(seg)]) + seg
    next_hop_attr = bytes([0x40, 3, 4]) + nh
    med_attr = bytes([0x80, 4, 4]) + struct.pack("!I", med)             # optional non-transitive
    return origin + as_path + next_hop_attr + med_attr


def prefixes(count: int, plen: int = 24):
    """COUNT distinct /24s from 10.0.0.0/24 upward, each as its 4-byte NLRI encoding
    (plen 32: COUNT host routes 10.0.0.0/32, 10.0.0.1/32, ..., 5 bytes each)."""
    if plen == 32:
        base = int(ipaddress.IPv4Address("10.0.0.0"))
        if count > (1 << 24):
            raise SystemExit("too many /32s")
        for i in range(count):
            yield bytes([32]) + struct.pack("!I", base + i)
        return
    base = int(ipaddress.IPv4Address("10.0.0.0")) >> 8
    if base + count > (1 << 24):
        raise SystemExit("too many /24s")
    for i in range(count):
        n = base + i
        yield bytes([24, (n >> 16) & 0xFF, (n >> 8) & 0xFF, n & 0xFF])


def nlri_len(plen: int) -> int:
    return 1 + (plen + 7) // 8


def announce_stream(count: int, asn: int, next_hop: str, plen: int = 24) -> bytes:
    attrs = attributes(asn, next_hop)
    fixed = HEADER + 2 + 2 + len(attrs)
    per_msg = (MAX_MSG - fixed) // nlri_len(plen)
    out = bytearray()
    batch = []
    for p in prefixes(count, plen):
        batch.append(p)
        if len(batch) == per_msg:
            out += message(struct.pack("!H", 0) + struct.pack("!H", len(attrs)) + attrs + b"".join(batch))
            batch = []
    if batch:
        out += message(struct.pack("!H", 0) + struct.pack("!H", len(attrs)) + attrs + b"".join(batch))
    out += message(struct.pack("!HH", 0, 0))  # End-of-RIB, IPv4 unicast (RFC 4724)
    return bytes(out)


def withdraw_stream(count: int, plen: int = 24) -> bytes:
    per_msg = (MAX_MSG - HEADER - 4) // nlri_len(plen)
    out = bytearray()
    batch = []

    def flush():
        w = b"".join(batch)
        out.extend(message(struct.pack("!H", len(w)) + w + struct.pack("!H", 0)))

    for p in prefixes(count, plen):
        batch.append(p)
        if len(batch) == per_msg:
            flush()
            batch = []
    if batch:
        flush()
    return bytes(out)


def count_messages(data: bytes) -> int:
    n, off = 0, 0
    while off < len(data):
        (length,) = struct.unpack_from("!H", data, off + 16)
        assert data[off:off + 16] == MARKER and HEADER <= length <= MAX_MSG
        off += length
        n += 1
    assert off == len(data)
    return n


def write_atomic(path: str, data: bytes) -> None:
    tmp = f"{path}.tmp{os.getpid()}"
    with open(tmp, "wb") as f:
        f.write(data)
    os.replace(tmp, path)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", required=True)
    ap.add_argument("--next-hop", required=True)
    ap.add_argument("--count", type=int, default=1_000_000)
    ap.add_argument("--as", dest="asn", type=int, default=64513)
    ap.add_argument("--plen", type=int, default=24, choices=(24, 32),
                    help="prefix length: 24 (receive-1m, default) or 32 (host routes)")
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    tag = "" if args.plen == 24 else f"-p{args.plen}"
    ann = os.path.join(args.out, f"announce-{args.count}{tag}-as{args.asn}-{args.next_hop}.bgp")
    wd = os.path.join(args.out, f"withdraw-{args.count}{tag}.bgp")
    if not os.path.exists(ann):
        write_atomic(ann, announce_stream(args.count, args.asn, args.next_hop, args.plen))
    if not os.path.exists(wd):
        write_atomic(wd, withdraw_stream(args.count, args.plen))
    for path in (ann, wd):
        with open(path, "rb") as f:
            data = f.read()
        print(f"{path} {len(data)} bytes {count_messages(data)} messages", file=sys.stderr)
    print(ann)
    print(wd)
    return 0


if __name__ == "__main__":
    sys.exit(main())
