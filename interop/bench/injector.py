#!/usr/bin/env python3
"""A fast BGP injector for the receive-1m benchmark: replays pre-encoded UPDATE streams.

    injector.py --local 192.168.231.1 --peer 192.168.231.2 --as 64513 \
        --announce FILE [--withdraw FILE] [--replace FILE] [--connect-timeout 30]

Connects to PEER:179 from LOCAL, sends OPEN (AS, hold time 90, BGP ID = LOCAL,
capabilities: multiprotocol IPv4 unicast, route refresh, 4-octet AS), answers the peer's
OPEN with a KEEPALIVE and waits for the peer's KEEPALIVE: that is Established. Then it
sends the announce stream (raw UPDATE messages back to back, End-of-RIB included) with
sendall in large chunks, and keeps sending KEEPALIVEs every 10 s while connected. On
SIGUSR1 it sends the withdraw stream (phase 2). On SIGUSR2 it sends the --replace stream
(e.g. the same prefixes with another NEXT_HOP; kernel-routes benchmark).
SIGTERM/SIGINT: close and exit 0.

Events go to stdout, one line each, flushed, with CLOCK_REALTIME seconds:
    ESTABLISHED <t>        peer's KEEPALIVE after OPEN received
    ANNOUNCE_START <t> / ANNOUNCE_SENT <t> <bytes>
    WITHDRAW_START <t> / WITHDRAW_SENT <t> <bytes>
    REPLACE_START <t> / REPLACE_SENT <t> <bytes>
    NOTIFICATION <t> <code> <subcode> <hexdata>     (from the peer)
    CLOSED <t> <why>
Only the standard library is used. The reader thread drains everything the peer sends.
"""
import argparse
import ipaddress
import os
import signal
import socket
import struct
import sys
import threading
import time

MARKER = b"\xff" * 16
OPEN, UPDATE, NOTIFICATION, KEEPALIVE, ROUTE_REFRESH = 1, 2, 3, 4, 5
CHUNK = 256 * 1024  # bytes per sendall while holding the send lock (aligned to messages)

out_lock = threading.Lock()


def event(*words) -> None:
    with out_lock:
        sys.stdout.write(" ".join(str(w) for w in words) + "\n")
        sys.stdout.flush()


def msg(mtype: int, body: bytes = b"") -> bytes:
    return MARKER + struct.pack("!HB", 19 + len(body), mtype) + body


def open_msg(asn: int, hold: int, bgp_id: str) -> bytes:
    caps = b""
    caps += bytes([1, 4]) + struct.pack("!HBB", 1, 0, 1)      # MP: AFI 1, SAFI 1
    caps += bytes([2, 0])                                     # route refresh
    caps += bytes([65, 4]) + struct.pack("!I", asn)           # 4-octet AS
    params = bytes([2, len(caps)]) + caps                     # one capabilities parameter
    my_as = asn if asn < 65536 else 23456
    body = struct.pack("!BHH", 4, my_as, hold) + ipaddress.IPv4Address(bgp_id).packed
    body += bytes([len(params)]) + params
    return msg(OPEN, body)


def chunks(data: bytes, size: int):
    """Split a stream of BGP messages into pieces of about SIZE bytes on message boundaries."""
    off = 0
    while off < len(data):
        end = off
        while end < len(data) and end - off < size:
            (length,) = struct.unpack_from("!H", data, end + 16)
            end += length
        yield memoryview(data)[off:end]
        off = end


class Session:
    def __init__(self, sock: socket.socket):
        self.sock = sock
        self.send_lock = threading.Lock()
        self.closed = threading.Event()
        self.buf = bytearray()

    def send(self, data) -> None:
        with self.send_lock:
            self.sock.sendall(data)

    def read_msg(self):
        while True:
            if len(self.buf) >= 19:
                (length,) = struct.unpack_from("!H", self.buf, 16)
                if self.buf[:16] != MARKER or length < 19 or length > 65535:
                    raise ConnectionError("bad framing from peer")
                if len(self.buf) >= length:
                    m = bytes(self.buf[:length])
                    del self.buf[:length]
                    return m[18], m[19:]
            data = self.sock.recv(65536)
            if not data:
                raise ConnectionError("peer closed the connection")
            self.buf += data

    def reader(self) -> None:
        try:
            while True:
                mtype, body = self.read_msg()
                if mtype == NOTIFICATION:
                    event("NOTIFICATION", f"{time.time():.6f}", body[0], body[1], body[2:].hex() or "-")
        except (OSError, ConnectionError) as e:
            if not self.closed.is_set():
                event("CLOSED", f"{time.time():.6f}", str(e).replace(" ", "_"))
            self.closed.set()

    def keepalives(self, interval: float) -> None:
        while not self.closed.wait(interval):
            try:
                self.send(msg(KEEPALIVE))
            except OSError:
                self.closed.set()

    def stream(self, data: bytes) -> None:
        for piece in chunks(data, CHUNK):
            if self.closed.is_set():
                raise ConnectionError("session closed while sending")
            self.send(piece)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--local", required=True)
    ap.add_argument("--peer", required=True)
    ap.add_argument("--port", type=int, default=179)
    ap.add_argument("--as", dest="asn", type=int, default=64513)
    ap.add_argument("--hold", type=int, default=90)
    ap.add_argument("--announce", required=True)
    ap.add_argument("--withdraw")
    ap.add_argument("--replace", help="stream sent on SIGUSR2")
    ap.add_argument("--connect-timeout", type=float, default=30.0)
    args = ap.parse_args()

    with open(args.announce, "rb") as f:
        announce = f.read()
    withdraw = b""
    if args.withdraw:
        with open(args.withdraw, "rb") as f:
            withdraw = f.read()

    replace = b""
    if args.replace:
        with open(args.replace, "rb") as f:
            replace = f.read()

    go_withdraw = threading.Event()
    go_replace = threading.Event()
    signal.signal(signal.SIGUSR2, lambda *_: (go_replace.set(), go_withdraw.set()))
    stop = threading.Event()
    signal.signal(signal.SIGUSR1, lambda *_: go_withdraw.set())
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())

    # The receiver may not listen yet: retry the connection until the deadline.
    deadline = time.monotonic() + args.connect_timeout
    while True:
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4 * 1024 * 1024)
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        s.bind((args.local, 0))
        s.settimeout(2.0)
        try:
            s.connect((args.peer, args.port))
            break
        except OSError as e:
            s.close()
            if time.monotonic() >= deadline or stop.is_set():
                event("CLOSED", f"{time.time():.6f}", f"connect_failed:{e}".replace(" ", "_"))
                return 1
            time.sleep(0.2)
    s.settimeout(None)
    sess = Session(s)
    try:
        sess.send(open_msg(args.asn, args.hold, args.local))
        mtype, body = sess.read_msg()
        if mtype != OPEN:
            raise ConnectionError(f"expected OPEN, got type {mtype}: {body.hex()}")
        peer_caps = body[10:].hex()
        event("PEER_OPEN", f"{time.time():.6f}", f"as={struct.unpack_from('!H', body, 1)[0]}",
              f"hold={struct.unpack_from('!H', body, 3)[0]}", f"params={peer_caps}")
        if "4104" not in peer_caps:  # crude: 4-octet AS capability (code 65, length 4)
            event("WARNING", "peer did not advertise 4-octet AS; the AS_PATH is 4-octet encoded")
        sess.send(msg(KEEPALIVE))
        while True:
            mtype, body = sess.read_msg()
            if mtype == KEEPALIVE:
                break
            if mtype == NOTIFICATION:
                raise ConnectionError(f"NOTIFICATION {body[0]}/{body[1]} {body[2:].hex()}")
        event("ESTABLISHED", f"{time.time():.6f}")
    except (OSError, ConnectionError) as e:
        event("CLOSED", f"{time.time():.6f}", str(e).replace(" ", "_"))
        return 1

    threading.Thread(target=sess.reader, daemon=True).start()
    threading.Thread(target=sess.keepalives, args=(10.0,), daemon=True).start()
    try:
        event("ANNOUNCE_START", f"{time.time():.6f}")
        sess.stream(announce)
        event("ANNOUNCE_SENT", f"{time.time():.6f}", len(announce))
        while not stop.is_set() and not sess.closed.is_set():
            if go_withdraw.wait(0.2):
                go_withdraw.clear()
                if go_replace.is_set():
                    go_replace.clear()
                    if replace:
                        event("REPLACE_START", f"{time.time():.6f}")
                        sess.stream(replace)
                        event("REPLACE_SENT", f"{time.time():.6f}", len(replace))
                    continue
                if withdraw:
                    event("WITHDRAW_START", f"{time.time():.6f}")
                    sess.stream(withdraw)
                    event("WITHDRAW_SENT", f"{time.time():.6f}", len(withdraw))
    except (OSError, ConnectionError) as e:
        event("CLOSED", f"{time.time():.6f}", str(e).replace(" ", "_"))
        return 1
    sess.closed.set()
    try:
        sess.sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
    sess.sock.close()
    event("CLOSED", f"{time.time():.6f}", "stopped")
    return 0


if __name__ == "__main__":
    sys.exit(main())
