#!/usr/bin/env python3
"""rawpeer: a tiny BGP speaker (stdlib only) that sends hand-made bytes.

Used by the interop tests for malformed messages ExaBGP cannot produce (e.g. an
NLRI prefix length > 32). It connects to PEER:PORT (retrying until --deadline),
sends an OPEN (4-octet AS, MP IPv4 unicast and route-refresh capabilities),
answers the peer's OPEN with a KEEPALIVE, prints ESTABLISHED once the peer's
KEEPALIVE arrives, keeps the session alive (KEEPALIVE every hold/3), and then
executes commands read line by line from the control FIFO:

    send HEX      send these bytes as they are (a whole BGP message or several)
    close         send Cease/administrative shutdown (6/2) and exit

Everything it sees is printed to stdout, one event per line, flushed:

    CONNECTED / OPEN-RECEIVED as=.. hold=.. id=.. / ESTABLISHED / SENT n bytes
    UPDATE len=.. / KEEPALIVE-RECEIVED n / NOTIFICATION code/subcode data=HEX
    CLOSED (peer closed the connection) / ERROR ...

It exits after a NOTIFICATION or a close (status 0), or on errors (status 1).
"""
import argparse
import os
import select
import socket
import struct
import sys
import time

MARKER = b"\xff" * 16


def out(msg):
    sys.stdout.write("%s %s\n" % (time.strftime("%H:%M:%S"), msg))
    sys.stdout.flush()


def message(mtype, body):
    return MARKER + struct.pack("!HB", 19 + len(body), mtype) + body


def open_message(asn, hold, router_id):
    caps = b""
    caps += bytes([1, 4]) + struct.pack("!HBB", 1, 0, 1)          # MP: IPv4 unicast
    caps += bytes([2, 0])                                         # route refresh
    caps += bytes([65, 4]) + struct.pack("!I", asn)               # 4-octet AS
    params = bytes([2, len(caps)]) + caps
    my_as = asn if asn <= 0xFFFF else 23456
    body = struct.pack("!BHH", 4, my_as, hold) + socket.inet_aton(router_id)
    body += bytes([len(params)]) + params
    return message(1, body)


class Conn:
    def __init__(self, sock):
        self.sock = sock
        self.buf = b""

    def read_messages(self):
        data = self.sock.recv(65536)
        if not data:
            return None
        self.buf += data
        msgs = []
        while len(self.buf) >= 19:
            length = struct.unpack("!H", self.buf[16:18])[0]
            if length < 19:
                msgs.append((-1, self.buf))
                self.buf = b""
                break
            if len(self.buf) < length:
                break
            msgs.append((self.buf[18], self.buf[19:length]))
            self.buf = self.buf[length:]
        return msgs


def describe_notification(body):
    code = body[0] if len(body) > 0 else -1
    sub = body[1] if len(body) > 1 else -1
    return "NOTIFICATION %d/%d data=%s" % (code, sub, body[2:].hex())


def connect(args):
    """Connect and bring the session to Established; returns Conn or None."""
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if args.local:
        s.bind((args.local, 0))
    s.settimeout(5)
    try:
        s.connect((args.peer, args.port))
    except OSError as e:
        out("CONNECT-FAILED %s" % e)
        s.close()
        return None
    out("CONNECTED %s:%d" % (args.peer, args.port))
    c = Conn(s)
    s.sendall(open_message(args.asn, args.hold, args.router_id))
    got_open = False
    end = time.time() + 15
    while time.time() < end:
        try:
            msgs = c.read_messages()
        except socket.timeout:
            continue
        except OSError as e:
            out("ERROR during open: %s" % e)
            s.close()
            return None
        if msgs is None:
            out("CLOSED during open")
            s.close()
            return None
        for t, body in msgs:
            if t == 1:
                asn, hold = struct.unpack("!HH", body[1:5])
                out("OPEN-RECEIVED as=%d hold=%d id=%s" % (asn, hold, socket.inet_ntoa(body[5:9])))
                got_open = True
                s.sendall(message(4, b""))
            elif t == 4 and got_open:
                out("ESTABLISHED")
                s.settimeout(None)
                return c
            elif t == 3:
                out(describe_notification(body) + " (before Established)")
                s.close()
                return None
            else:
                out("UNEXPECTED type %d during open" % t)
    out("ERROR open timed out")
    s.close()
    return None


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--peer", required=True)
    ap.add_argument("--port", type=int, default=179)
    ap.add_argument("--local")
    ap.add_argument("--asn", type=int, required=True)
    ap.add_argument("--router-id", required=True)
    ap.add_argument("--hold", type=int, default=9)
    ap.add_argument("--control", required=True, help="FIFO to read commands from")
    ap.add_argument("--deadline", type=float, default=40, help="seconds to keep retrying the connection")
    args = ap.parse_args()

    if not os.path.exists(args.control):
        os.mkfifo(args.control)
    ctl = os.open(args.control, os.O_RDWR | os.O_NONBLOCK)  # RDWR: never sees EOF

    end = time.time() + args.deadline
    conn = None
    while conn is None:
        conn = connect(args)
        if conn is None:
            if time.time() > end:
                out("ERROR gave up connecting")
                return 1
            time.sleep(1)

    keep_every = max(1.0, args.hold / 3.0) if args.hold else 30.0
    next_ka = time.time() + keep_every
    kas = 0
    cbuf = b""
    sock = conn.sock
    while True:
        timeout = max(0.0, next_ka - time.time())
        r, _, _ = select.select([sock, ctl], [], [], timeout)
        if time.time() >= next_ka:
            try:
                sock.sendall(message(4, b""))
            except OSError as e:
                out("ERROR sending keepalive: %s" % e)
                return 1
            next_ka = time.time() + keep_every
        if sock in r:
            try:
                msgs = conn.read_messages()
            except OSError as e:
                out("CLOSED (%s)" % e)
                return 0
            if msgs is None:
                out("CLOSED")
                return 0
            for t, body in msgs:
                if t == 2:
                    out("UPDATE len=%d" % (19 + len(body)))
                elif t == 4:
                    kas += 1
                    if kas <= 3 or kas % 10 == 0:
                        out("KEEPALIVE-RECEIVED %d" % kas)
                elif t == 3:
                    out(describe_notification(body))
                    sock.close()
                    return 0
                else:
                    out("MESSAGE type=%d len=%d" % (t, 19 + len(body)))
        if ctl in r:
            try:
                cbuf += os.read(ctl, 65536)
            except BlockingIOError:
                pass
            while b"\n" in cbuf:
                line, cbuf = cbuf.split(b"\n", 1)
                words = line.decode().split()
                if not words:
                    continue
                if words[0] == "send":
                    data = bytes.fromhex("".join(words[1:]))
                    try:
                        sock.sendall(data)
                    except OSError as e:
                        out("ERROR send: %s" % e)
                        return 1
                    out("SENT %d bytes" % len(data))
                elif words[0] == "close":
                    sock.sendall(message(3, bytes([6, 2])))
                    out("SENT NOTIFICATION 6/2, closing")
                    sock.close()
                    return 0
                else:
                    out("ERROR unknown command %r" % line)


if __name__ == "__main__":
    sys.exit(main())
