#!/usr/bin/env python3
"""K route-reflector clients in one process (stdlib asyncio): the receivers of rr-fanout.sh.

    rrclients.py --peer 172.30.0.1 --first 172.30.1.1 --count 500 --asn 64512 \
        --expect 100000 [--watch-pid PID] [--hold 240] [--verify 3] [--timeout 300]

Opens COUNT iBGP sessions to PEER:179, session i from the local address FIRST + i
(the addresses must exist on an interface of this namespace). Each sends OPEN (AS,
hold time, BGP ID = its address, capabilities MP IPv4 unicast, route refresh, 4-octet
AS), answers the peer's OPEN with a KEEPALIVE and is Established when the peer's
KEEPALIVE arrives; it then sends KEEPALIVEs every hold/3 s and counts the IPv4 prefixes
the peer announces (NLRI) minus those it withdraws. IPv4 /24 NLRI (the injector's
routes) are counted at C speed (4 bytes each); anything else prefix by prefix. The
first VERIFY sessions also keep a bitmap of the distinct /24s from 10.0.0.0/24 upward,
so the final line says whether they really have EXPECT distinct prefixes (the plain
counters would count a prefix announced twice twice).

Events on stdout, one line each, flushed, CLOCK_REALTIME seconds:
    ALL_ESTABLISHED <t> <count>
    PROGRESS <t> <sessions with >= EXPECT> <min count> <max count> <total count>
    ALL_DONE <t> <count>          every session has >= EXPECT prefixes
    PROC <t> cpu=<s> hwm_kb=<kB> rss_kb=<kB>   /proc of --watch-pid, read right at ALL_DONE
    SELF <t> cpu=<s>               this process' own CPU seconds at ALL_DONE
    VERIFY <session> distinct=<n> announced=<n> withdrawn=<n> attrs=<codes> nh=.. originator=.. cluster_list=..
                                   (attributes of the first UPDATE with NLRI the session got)
    FAILED <t> <why>               (timeout, session closed, NOTIFICATION)
Exit 0 after ALL_DONE, 1 on failure/timeout. SIGTERM: exit 1.
"""
import argparse
import asyncio
import ipaddress
import os
import resource
import signal
import struct
import sys
import time

MARKER = b"\xff" * 16
OPEN, UPDATE, NOTIFICATION, KEEPALIVE = 1, 2, 3, 4
BASE24 = int(ipaddress.IPv4Address("10.0.0.0")) >> 8


def event(*words):
    sys.stdout.write(" ".join(str(w) for w in words) + "\n")
    sys.stdout.flush()


def msg(mtype, body=b""):
    return MARKER + struct.pack("!HB", 19 + len(body), mtype) + body


def open_msg(asn, hold, bgp_id):
    caps = bytes([1, 4]) + struct.pack("!HBB", 1, 0, 1)  # MP IPv4 unicast
    caps += bytes([2, 0])                                # route refresh
    caps += bytes([65, 4]) + struct.pack("!I", asn)      # 4-octet AS
    params = bytes([2, len(caps)]) + caps
    body = struct.pack("!BHH", 4, asn if asn < 65536 else 23456, hold) + ipaddress.IPv4Address(bgp_id).packed
    return msg(OPEN, body + bytes([len(params)]) + params)


def count_nlri(b):
    """Number of IPv4 prefixes in an NLRI / withdrawn-routes field (bytes)."""
    n = len(b)
    if n % 4 == 0 and b[0::4] == b"\x18" * (n // 4):
        return n // 4
    i = c = 0
    while i < n:
        i += 1 + (b[i] + 7) // 8
        c += 1
    return c


def mark24(bm, b, value):
    """Set (value 1) or clear the bitmap entries of the /24s under 10.0.0.0/8.. in field b;
    returns the change of the number of set entries."""
    i, n, d = 0, len(b), 0
    while i < n:
        plen = b[i]
        if plen == 24 and i + 4 <= n:
            idx = ((b[i + 1] << 16) | (b[i + 2] << 8) | b[i + 3]) - BASE24
            if 0 <= idx < len(bm) and bm[idx] != value:
                bm[idx] = value
                d += 1 if value else -1
        i += 1 + (plen + 7) // 8
    return d


class Stats:
    def __init__(self, k, expect, stall=0):
        self.k, self.expect = k, expect
        self.stall_count = stall
        self.need = k - stall  # stalled sessions never read, so never finish
        self.established = 0
        self.done = 0
        self.sessions = []
        loop = asyncio.get_running_loop()
        self.all_done = loop.create_future()
        self.all_est = loop.create_future()
        self.failed = None

    def fail(self, why):
        if self.failed is None:
            self.failed = why
            event("FAILED", f"{time.time():.6f}", why.replace(" ", "_"))
        if not self.all_done.done():
            self.all_done.set_result(False)
        if not self.all_est.done():
            self.all_est.set_result(False)


class Client(asyncio.Protocol):
    def __init__(self, stats, idx, local, asn, hold, verify):
        self.stats, self.idx, self.local, self.asn, self.hold = stats, idx, local, asn, hold
        self.buf = bytearray()
        self.state = "connect"
        self.count = self.announced = self.withdrawn = 0
        self.is_done = False
        self.bm = bytearray(stats.expect) if verify else None
        self.distinct = 0
        self.transport = None
        self.ka_task = None
        self.negotiated = 0
        self.attrs = None
        self.stalled = idx < stats.stall_count

    def connection_made(self, transport):
        self.transport = transport
        transport.write(open_msg(self.asn, self.hold, self.local))
        self.state = "opensent"

    def connection_lost(self, exc):
        if self.ka_task:
            self.ka_task.cancel()
        if self.state != "closing":
            self.stats.fail(f"session {self.local} closed ({exc})")

    def close(self):
        self.state = "closing"
        if self.transport:
            self.transport.close()

    async def keepalives(self, interval):
        while True:
            await asyncio.sleep(interval)
            self.transport.write(msg(KEEPALIVE))

    def data_received(self, data):
        buf = self.buf
        buf += data
        off, n = 0, len(buf)
        while n - off >= 19:
            length = (buf[off + 16] << 8) | buf[off + 17]
            if length < 19:
                self.stats.fail(f"session {self.local}: bad length {length}")
                self.close()
                return
            if n - off < length:
                break
            mtype = buf[off + 18]
            if mtype == UPDATE:
                self.update(bytes(buf[off + 19:off + length]))
            elif mtype == KEEPALIVE:
                if self.state == "openconfirm":
                    self.state = "established"
                    self.stats.established += 1
                    ka = max(1.0, self.negotiated / 3) if self.negotiated else 30.0
                    self.ka_task = asyncio.ensure_future(self.keepalives(ka))
                    if self.stalled:
                        # A slow client: keeps its session (KEEPALIVEs go out) but stops
                        # reading, so the reflector's socket buffer toward it fills up.
                        self.transport.pause_reading()
                        event("STALLED", self.local)
                    if self.stats.established == self.stats.k and not self.stats.all_est.done():
                        self.stats.all_est.set_result(True)
            elif mtype == OPEN:
                peer_hold = struct.unpack_from("!H", buf, off + 19 + 3)[0]
                self.negotiated = min(peer_hold, self.hold)
                self.transport.write(msg(KEEPALIVE))
                self.state = "openconfirm"
            elif mtype == NOTIFICATION:
                b = buf[off + 19:off + length]
                self.stats.fail(f"session {self.local}: NOTIFICATION {b[0]}/{b[1]} {bytes(b[2:]).hex()}")
                self.close()
                return
            off += length
        del buf[:off]

    def update(self, body):
        wl = (body[0] << 8) | body[1]
        wd = body[2:2 + wl]
        al = (body[2 + wl] << 8) | body[3 + wl]
        nlri = body[4 + wl + al:]
        w = count_nlri(wd) if wl else 0
        a = count_nlri(nlri) if nlri else 0
        self.withdrawn += w
        self.announced += a
        self.count += a - w
        if self.bm is not None:
            if self.attrs is None and nlri:
                self.attrs = describe_attrs(body[4 + wl:4 + wl + al])
            if wl:
                self.distinct += mark24(self.bm, wd, 0)
            if nlri:
                self.distinct += mark24(self.bm, nlri, 1)
        st = self.stats
        if self.stalled:
            return
        if not self.is_done and self.count >= st.expect:
            self.is_done = True
            st.done += 1
            if st.done == st.need and not st.all_done.done():
                st.all_done.set_result(True)
        elif self.is_done and self.count < st.expect:
            self.is_done = False
            st.done -= 1


def describe_attrs(a):
    """'codes=1,2,3,... nh=X originator=Y cluster_list=Z,..' of a path attribute field."""
    i, codes, extra = 0, [], []
    while i + 3 <= len(a):
        flags, code = a[i], a[i + 1]
        if flags & 0x10:
            ln, hl = (a[i + 2] << 8) | a[i + 3], 4
        else:
            ln, hl = a[i + 2], 3
        v = a[i + hl:i + hl + ln]
        codes.append(str(code))
        if code == 3 and ln == 4:
            extra.append("nh=" + str(ipaddress.IPv4Address(v)))
        elif code == 9 and ln == 4:
            extra.append("originator=" + str(ipaddress.IPv4Address(v)))
        elif code == 10:
            extra.append("cluster_list=" + ",".join(str(ipaddress.IPv4Address(v[j:j + 4])) for j in range(0, ln, 4)))
        i += hl + ln
    return " ".join(["attrs=" + ",".join(codes)] + extra)


def proc_sample(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    cpu = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    hwm = rss = -1
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                hwm = int(line.split()[1])
            elif line.startswith("VmRSS:"):
                rss = int(line.split()[1])
    return cpu, hwm, rss


async def connect(stats, args, idx, local, deadline):
    loop = asyncio.get_running_loop()
    while True:
        try:
            _, proto = await loop.create_connection(
                lambda: Client(stats, idx, local, args.asn, args.hold, idx < args.verify),
                args.peer, args.port, local_addr=(local, 0))
            return proto
        except OSError as e:
            if time.monotonic() >= deadline:
                stats.fail(f"session {local}: connect failed: {e}")
                return None
            await asyncio.sleep(0.3)


async def main_async(args):
    stats = Stats(args.count, args.expect, args.stall)
    loop = asyncio.get_running_loop()
    loop.add_signal_handler(signal.SIGTERM, lambda: stats.fail("SIGTERM"))
    deadline = time.monotonic() + args.timeout
    first = int(ipaddress.IPv4Address(args.first))
    locals_ = [str(ipaddress.IPv4Address(first + i)) for i in range(args.count)]
    sem = asyncio.Semaphore(64)  # do not open hundreds of connections in one burst

    async def one(i, a):
        async with sem:
            return await connect(stats, args, i, a, deadline)

    protos = await asyncio.gather(*(one(i, a) for i, a in enumerate(locals_)))
    stats.sessions = [p for p in protos if p]

    async def progress():
        while True:
            await asyncio.sleep(args.progress)
            cs = [p.count for p in stats.sessions] or [0]
            event("PROGRESS", f"{time.time():.6f}", stats.done, min(cs), max(cs), sum(cs))

    ptask = asyncio.ensure_future(progress())
    try:
        left = deadline - time.monotonic()
        ok = await asyncio.wait_for(asyncio.shield(stats.all_est), max(0.1, left))
        if not ok:
            return 1
        event("ALL_ESTABLISHED", f"{time.time():.6f}", stats.established)
        left = deadline - time.monotonic()
        ok = await asyncio.wait_for(asyncio.shield(stats.all_done), max(0.1, left))
        if not ok:
            return 1
        t = time.time()
        event("ALL_DONE", f"{t:.6f}", stats.done)
        if args.watch_pid:
            cpu, hwm, rss = proc_sample(args.watch_pid)
            event("PROC", f"{t:.6f}", f"cpu={cpu:.2f}", f"hwm_kb={hwm}", f"rss_kb={rss}")
        ru = resource.getrusage(resource.RUSAGE_SELF)
        event("SELF", f"{t:.6f}", f"cpu={ru.ru_utime + ru.ru_stime:.2f}", f"maxrss_kb={ru.ru_maxrss}")
        for p in stats.sessions:
            if p.bm is not None:
                event("VERIFY", p.local, f"distinct={p.distinct}", f"announced={p.announced}", f"withdrawn={p.withdrawn}", p.attrs or "attrs=?")
        cs = [p.count for p in stats.sessions if not p.stalled]
        event("COUNTS", f"min={min(cs)}", f"max={max(cs)}", f"announced_max={max(p.announced for p in stats.sessions)}")
        stalled = [p.count for p in stats.sessions if p.stalled]
        if stalled:
            event("STALLED_COUNTS", f"max={max(stalled)}", f"expect={args.expect}")
        return 0
    except asyncio.TimeoutError:
        cs = [p.count for p in stats.sessions] or [0]
        stats.fail(f"timeout after {args.timeout}s: established={stats.established}/{args.count} "
                   f"done={stats.done} min={min(cs)} max={max(cs)}")
        return 1
    finally:
        ptask.cancel()
        for p in stats.sessions:
            p.close()


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--peer", required=True)
    ap.add_argument("--port", type=int, default=179)
    ap.add_argument("--first", required=True, help="local address of session 0; session i uses FIRST+i")
    ap.add_argument("--count", type=int, required=True)
    ap.add_argument("--asn", type=int, default=64512)
    ap.add_argument("--hold", type=int, default=240)
    ap.add_argument("--expect", type=int, required=True)
    ap.add_argument("--stall", type=int, default=0,
                    help="the first N sessions stop reading once Established (slow clients)")
    ap.add_argument("--watch-pid", type=int)
    ap.add_argument("--verify", type=int, default=3)
    ap.add_argument("--timeout", type=float, default=300)
    ap.add_argument("--progress", type=float, default=2.0)
    args = ap.parse_args()
    return asyncio.run(main_async(args))


if __name__ == "__main__":
    sys.exit(main())
