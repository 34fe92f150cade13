#!/usr/bin/env python3
"""A minimal BGP speaker that only listens: accepts one connection on ADDR:179, answers the
peer's OPEN with its own (AS 64513, IPv4 unicast, 4-octet AS), keeps the session up with
KEEPALIVEs, and writes every byte the peer sent, unchanged, to OUT once it has seen WANT
UPDATEs with NLRI (or after TIMEOUT seconds). Used by capture.sh; not part of Tern.

    bgp_listener.py ADDR OUT WANT [TIMEOUT]
"""
import socket, struct, sys, time

addr, out, want = sys.argv[1], sys.argv[2], int(sys.argv[3])
timeout = float(sys.argv[4]) if len(sys.argv) > 4 else 60.0
MY_AS, MY_ID = 64513, socket.inet_aton(addr)

def message(mtype, body=b""):
    return b"\xff" * 16 + struct.pack("!HB", 19 + len(body), mtype) + body

def cap(code, value):
    return struct.pack("!BB", code, len(value)) + value

caps = cap(1, struct.pack("!HBB", 1, 0, 1)) + cap(65, struct.pack("!I", MY_AS))
params = struct.pack("!BB", 2, len(caps)) + caps
OPEN = message(1, struct.pack("!BHH4sB", 4, MY_AS, 90, MY_ID, len(params)) + params)
KEEPALIVE = message(4)

srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
srv.bind((addr, 179))
srv.listen(1)
srv.settimeout(timeout)
conn, peer = srv.accept()
conn.settimeout(1.0)
deadline = time.monotonic() + timeout
stream, buf, updates, sent_open = b"", b"", 0, False
while updates < want and time.monotonic() < deadline:
    try:
        chunk = conn.recv(65536)
    except socket.timeout:
        continue
    if not chunk:
        break
    stream += chunk
    buf += chunk
    while len(buf) >= 19:
        length, mtype = struct.unpack("!HB", buf[16:19])
        if len(buf) < length:
            break
        body, buf = buf[19:length], buf[length:]
        if mtype == 1 and not sent_open:
            conn.sendall(OPEN + KEEPALIVE)
            sent_open = True
        elif mtype == 4:
            conn.sendall(KEEPALIVE)
        elif mtype == 2:
            wlen = struct.unpack("!H", body[:2])[0]
            alen = struct.unpack("!H", body[2 + wlen:4 + wlen])[0]
            if len(body) > 4 + wlen + alen:  # has NLRI (not End-of-RIB, not a withdrawal)
                updates += 1
conn.sendall(message(3, b"\x06\x02"))  # NOTIFICATION Cease / Administrative Shutdown
conn.close()
open(out, "wb").write(stream)
print(f"{peer[0]}: {len(stream)} bytes, {updates} UPDATEs with NLRI -> {out}")
sys.exit(0 if updates >= want else 1)
