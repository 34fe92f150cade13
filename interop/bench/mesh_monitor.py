#!/usr/bin/env python3
"""Kernel-side observer of mesh-scale.sh (issue 16). Only the standard library.

    mesh_monitor.py --nodes FILE [--victim NAME] [--timeout S]

FILE has one line per node: "NAMESPACE NAME BLOCK" (BLOCK = the node's /26). From ONE
process, the monitor opens a NETLINK_ROUTE socket inside every namespace (setns, socket,
setns back: a socket stays in the namespace it was made in), subscribes each to
RTNLGRP_IPV4_ROUTE, then dumps each namespace's routes once. From then on it only reads
events: no `ip route` dumps, no polling, so the observer costs next to nothing while the
daemons converge on the same two cores. A node "has" another node's block when its main
table holds a unicast route (any protocol) for exactly that /26; the node's own block
(a blackhole) never counts.

Lines on stdout (t = CLOCK_REALTIME at receipt, seconds):
    READY t                     every socket subscribed and every dump read
    NODE NAME t                 NAME's kernel holds the blocks of all the other nodes
    ALL t                       every node's kernel holds every other node's block
    GONE NAME t                 (after ALL, for --victim) NAME's kernel lost the victim's block
    ALL_GONE t                  no node but the victim holds the victim's block any more
    PROGRESS t have/need        every 5 s until ALL: routes present / routes needed
    TIMEOUT have/need           --timeout reached first
"""
import argparse
import ctypes
import os
import select
import socket
import struct
import sys
import time

RTM_NEWROUTE, RTM_DELROUTE, RTM_GETROUTE = 24, 25, 26
NLMSG_ERROR, NLMSG_DONE = 2, 3
NLM_F_REQUEST, NLM_F_DUMP = 0x1, 0x300
RTMGRP_IPV4_ROUTE = 0x40
RTA_DST, RTA_TABLE = 1, 15
RTN_UNICAST = 1
CLONE_NEWNET = 0x40000000
MAIN = 254

libc = ctypes.CDLL(None, use_errno=True)


def setns(fd: int) -> None:
    if libc.setns(fd, CLONE_NEWNET) != 0:
        e = ctypes.get_errno()
        raise OSError(e, os.strerror(e))


def now() -> float:
    return time.clock_gettime(time.CLOCK_REALTIME)


def parse(data, on_route):
    """Calls on_route(kind, prefix) for every IPv4 /26 unicast route in the main table."""
    off = 0
    done = False
    while off + 16 <= len(data):
        length, mtype = struct.unpack_from("=IH", data, off)
        if length < 16:
            break
        if mtype == NLMSG_DONE:
            done = True
        elif mtype in (RTM_NEWROUTE, RTM_DELROUTE) and length >= 28:
            family, dst_len, _, _, table, _proto, _scope, rtype = struct.unpack_from("=BBBBBBBB", data, off + 16)
            if family == socket.AF_INET and dst_len == 26 and rtype == RTN_UNICAST:
                dst = None
                a = off + 28
                while a + 4 <= off + length:
                    alen, atype = struct.unpack_from("=HH", data, a)
                    if alen < 4:
                        break
                    if atype == RTA_DST and alen >= 8:
                        dst = socket.inet_ntoa(data[a + 4:a + 8])
                    elif atype == RTA_TABLE and alen >= 8:
                        table = struct.unpack_from("=I", data, a + 4)[0]
                    a += (alen + 3) & ~3
                if dst is not None and table == MAIN:
                    on_route(mtype, "%s/26" % dst)
        off += (length + 3) & ~3
    return done


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--nodes", required=True)
    ap.add_argument("--victim")
    ap.add_argument("--timeout", type=float, default=300)
    args = ap.parse_args()
    nodes = [l.split() for l in open(args.nodes) if l.strip()]
    blocks = {b for _, _, b in nodes}
    need = len(nodes) - 1
    victim_block = next((b for _, n, b in nodes if n == args.victim), None)

    home = os.open("/proc/self/ns/net", os.O_RDONLY)
    socks = {}
    for ns, name, block in nodes:
        fd = os.open("/run/netns/" + ns, os.O_RDONLY)
        setns(fd)
        s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW | socket.SOCK_NONBLOCK, socket.NETLINK_ROUTE)
        setns(home)
        os.close(fd)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
        s.bind((0, RTMGRP_IPV4_ROUTE))
        socks[s.fileno()] = (s, name, block)
    os.close(home)

    have = {name: set() for _, name, _ in nodes}
    own = {name: block for _, name, block in nodes}
    complete = set()
    state = {"all": False, "gone": set(), "all_gone": False}

    def out(line):
        sys.stdout.write(line + "\n")
        sys.stdout.flush()

    def handler(name):
        def on_route(kind, prefix):
            if prefix not in blocks or prefix == own[name]:
                return
            if kind == RTM_NEWROUTE:
                have[name].add(prefix)
            else:
                have[name].discard(prefix)
            t = now()
            if len(have[name]) == need and name not in complete:
                complete.add(name)
                out("NODE %s %.6f" % (name, t))
                if len(complete) == len(nodes) and not state["all"]:
                    state["all"] = True
                    out("ALL %.6f" % t)
            if state["all"] and victim_block and name != args.victim and name not in state["gone"] \
                    and victim_block not in have[name]:
                state["gone"].add(name)
                out("GONE %s %.6f" % (name, t))
                if len(state["gone"]) == len(nodes) - 1:
                    state["all_gone"] = True
                    out("ALL_GONE %.6f" % t)
        return on_route

    handlers = {fd: handler(name) for fd, (_, name, _) in socks.items()}
    # One dump per namespace, read to its end (events arriving meanwhile are applied too).
    for fd, (s, name, _) in socks.items():
        s.send(struct.pack("=IHHII", 16 + 12, RTM_GETROUTE, NLM_F_REQUEST | NLM_F_DUMP, 1, 0)
               + struct.pack("=BBBBBBBBI", socket.AF_INET, 0, 0, 0, 0, 0, 0, 0, 0))
        while True:
            select.select([s], [], [], 5)
            try:
                data = s.recv(1 << 20)
            except BlockingIOError:
                continue
            if parse(data, handlers[fd]):
                break
    out("READY %.6f" % now())

    poll = select.epoll()
    for fd in socks:
        poll.register(fd, select.EPOLLIN)
    end = time.monotonic() + args.timeout
    next_progress = time.monotonic() + 5
    while time.monotonic() < end:
        if state["all"] and (state["all_gone"] or not victim_block):
            if not victim_block:
                return 0
        for fd, _ in poll.poll(1.0):
            s = socks[fd][0]
            while True:
                try:
                    data = s.recv(1 << 20)
                except BlockingIOError:
                    break
                except OSError as e:   # ENOBUFS: events lost; report it, carry on
                    out("OVERRUN %s %s" % (socks[fd][1], e))
                    break
                parse(data, handlers[fd])
        if state["all_gone"]:
            return 0
        if not state["all"] and time.monotonic() >= next_progress:
            next_progress += 5
            out("PROGRESS %.6f %d/%d" % (now(), sum(len(v) for v in have.values()), need * len(nodes)))
    out("TIMEOUT %d/%d" % (sum(len(v) for v in have.values()), need * len(nodes)))
    return 1


if __name__ == "__main__":
    sys.exit(main())
