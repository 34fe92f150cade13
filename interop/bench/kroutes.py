#!/usr/bin/env python3
"""Count kernel routes fast (netlink dump) and wait for a count: kernel-routes benchmark.

Run inside the namespace to look at (`ip netns exec NS kroutes.py ...`):

    kroutes.py count --proto 199 [--gw 192.168.231.3] [--scope universe|link]
    kroutes.py trie                        # prefixes in the main FIB trie (cheap)
    kroutes.py wait  --proto 199 [--gw IP] --target N --cmp ge|eq \
        (--since T | --events INJ_LOG --event ANNOUNCE_START) [--kick PID --signal USR1|USR2] \
        --deadline SECONDS [--interval 0.05] [--trace FILE] [--pid RECEIVER_PID]

What is counted: IPv4 /32 unicast routes of the main table with rtm_protocol PROTO and
the given scope (default universe: `via` routes), i.e. the dump messages whose rtmsg is
exactly (AF_INET, dst_len 32, src_len 0, tos 0, table 254, PROTO, scope, RTN_UNICAST);
with --gw only those that also carry RTA_GATEWAY = IP. The dump (RTM_GETROUTE, NLM_F_DUMP)
is read in large pieces and the 8-byte rtmsg pattern / the 8-byte RTA_GATEWAY attribute is
counted with bytes.count (C speed), so one count of 1M routes costs about as much as the
kernel's own dump, not a Python loop over a million messages.

--metric trie counts instead the prefixes of the main table's FIB trie as
/proc/net/fib_triestat reports them ("Main: ... Prefixes: N"), minus --base: about 15 ms at
1M routes where a dump takes ~0.5 s, but blind to the protocol and the gateway. The
benchmark uses it for install/withdraw progress in a namespace that holds nothing else and
checks the protocol with a dump afterwards (untimed).

`wait` polls until the count reaches the target (>= N, or == N; "eq 0" for withdrawals),
starting its clock at the injector's event timestamp (the interval starts there, not at the
first poll), and prints one JSON object: {"ok", "t", "elapsed", "count", "polls",
"resolution" (time between the last poll below target and the one at it), "poll_s" (the
duration of the last poll), "cpu" (receiver CPU s at that moment, when --pid)}. With --kick
it sends the injector the signal itself after its first poll (so the harness start-up is
not in the figure). Exit 0 when reached, 1 on deadline or when --pid dies.
Only the standard library is used.
"""
import argparse
import ipaddress
import json
import os
import signal
import socket
import struct
import sys
import time

NETLINK_ROUTE = 0
RTM_GETROUTE = 26
NLM_F_REQUEST, NLM_F_DUMP = 0x1, 0x300
NLMSG_ERROR, NLMSG_DONE = 2, 3
SCOPES = {"universe": 0, "link": 253, "host": 254}
CLK_TCK = os.sysconf("SC_CLK_TCK")


def trie_prefixes() -> int:
    with open("/proc/net/fib_triestat") as f:
        text = f.read()
    main = text.split("Main:", 1)[1].split("Local:", 1)[0]
    for line in main.splitlines():
        w = line.split()
        if len(w) == 2 and w[0] == "Prefixes:":
            return int(w[1])
    raise ValueError("no Main Prefixes in /proc/net/fib_triestat")


class TrieCounter:
    def __init__(self, base: int):
        self.base = base

    def count(self) -> int:
        return trie_prefixes() - self.base


class Counter:
    def __init__(self, proto: int, scope: int, gw: str | None):
        self.sock = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, NETLINK_ROUTE)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 8 * 1024 * 1024)
        self.sock.bind((0, 0))
        self.pattern = struct.pack("=BBBBBBBB", socket.AF_INET, 32, 0, 0, 254, proto, scope, 1)
        self.gw = struct.pack("=HH", 8, 5) + ipaddress.IPv4Address(gw).packed if gw else None
        self.seq = int(time.time()) & 0xFFFF
        self.buf = bytearray(1 << 20)

    def count(self) -> int:
        self.seq += 1
        rtmsg = struct.pack("=BBBBBBBBI", socket.AF_INET, 0, 0, 0, 0, 0, 0, 0, 0)
        hdr = struct.pack("=IHHII", 16 + len(rtmsg), RTM_GETROUTE, NLM_F_REQUEST | NLM_F_DUMP, self.seq, 0)
        self.sock.send(hdr + rtmsg)
        done = struct.pack("=IHHI", 20, NLMSG_DONE, 2, self.seq)
        n = 0
        view = memoryview(self.buf)
        while True:
            got = self.sock.recv_into(self.buf)
            chunk = view[:got].tobytes()
            if got >= 16 and struct.unpack_from("=H", chunk, 4)[0] == NLMSG_ERROR:
                err = struct.unpack_from("=i", chunk, 16)[0]
                raise OSError(-err, "netlink dump error")
            if self.gw is None:
                n += chunk.count(self.pattern)
            else:
                n += chunk.count(self.gw)
            if done in chunk:
                return n


def receiver_cpu(pid: int) -> float:
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / CLK_TCK
    except OSError:
        return -1.0


def alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def event_time(path: str, name: str, deadline: float) -> float:
    while time.monotonic() < deadline:
        try:
            with open(path) as f:
                for line in f:
                    w = line.split()
                    if len(w) >= 2 and w[0] == name:
                        return float(w[1])
        except OSError:
            pass
        time.sleep(0.005)
    raise TimeoutError(f"no {name} event in {path}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("mode", choices=("count", "wait", "trie"))
    ap.add_argument("--metric", choices=("dump", "trie"), default="dump")
    ap.add_argument("--base", type=int, default=0)
    ap.add_argument("--gap-factor", type=float, default=0.0,
                    help="pause after a poll at least this many times its duration")
    ap.add_argument("--proto", type=int, default=199)
    ap.add_argument("--scope", choices=tuple(SCOPES), default="universe")
    ap.add_argument("--gw")
    ap.add_argument("--target", type=int)
    ap.add_argument("--cmp", choices=("ge", "eq"), default="ge")
    ap.add_argument("--since", type=float)
    ap.add_argument("--events")
    ap.add_argument("--event")
    ap.add_argument("--kick", type=int)
    ap.add_argument("--signal", default="USR1")
    ap.add_argument("--deadline", type=float, default=120.0)
    ap.add_argument("--interval", type=float, default=0.05)
    ap.add_argument("--trace")
    ap.add_argument("--pid", type=int)
    args = ap.parse_args()
    if args.mode == "trie":
        print(trie_prefixes())
        return 0
    c = TrieCounter(args.base) if args.metric == "trie" else Counter(args.proto, SCOPES[args.scope], args.gw)
    if args.mode == "count":
        t0 = time.monotonic()
        n = c.count()
        print(n)
        print(f"dump took {time.monotonic() - t0:.3f} s", file=sys.stderr)
        return 0

    end = time.monotonic() + args.deadline
    reached = (lambda n: n >= args.target) if args.cmp == "ge" else (lambda n: n == args.target)
    trace = open(args.trace, "a") if args.trace else None
    polls, last_below, n, poll_s = 0, None, -1, 0.0
    kicked = False
    since = args.since
    cpu0 = receiver_cpu(args.pid) if args.pid else None
    while True:
        t_start = time.time()
        n = c.count()
        t = time.time()
        poll_s = t - t_start
        polls += 1
        if args.kick and not kicked:
            os.kill(args.kick, getattr(signal, "SIG" + args.signal))
            kicked = True
            if since is None:
                try:
                    since = event_time(args.events, args.event, max(end, time.monotonic() + 5))
                except TimeoutError as e:
                    print(json.dumps({"ok": False, "why": str(e), "count": n, "polls": polls}))
                    return 1
            continue
        if since is None and args.events:
            try:
                since = event_time(args.events, args.event, time.monotonic() + 0.001)
            except TimeoutError:
                since = None
        if trace and since is not None:
            trace.write(f"{t - since:.3f} {n}\n")
        if since is not None and reached(n):
            out = {"ok": True, "t": t, "elapsed": t - since, "count": n, "polls": polls,
                   "resolution": (t - last_below) if last_below else None, "poll_s": poll_s}
            if args.pid:
                out["cpu"] = receiver_cpu(args.pid)
                out["cpu_phase"] = out["cpu"] - cpu0
            print(json.dumps(out))
            return 0
        if since is not None:
            last_below = t
        if time.monotonic() >= end or (args.pid and not alive(args.pid)):
            out = {"ok": False, "t": t, "elapsed": (t - since) if since else None, "count": n,
                   "polls": polls, "poll_s": poll_s,
                   "why": "deadline" if time.monotonic() >= end else "receiver died"}
            print(json.dumps(out))
            return 1
        time.sleep(max(args.interval, args.gap_factor * poll_s))


if __name__ == "__main__":
    sys.exit(main())
