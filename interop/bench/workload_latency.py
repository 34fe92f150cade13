#!/usr/bin/env python3
"""Workload-to-remote-kernel latency driver (workload-latency.sh).

    workload_latency.py monitor
        Run inside node B's namespace: subscribes to RTNLGRP_IPV4_ROUTE and prints
        "READY" once, then "<CLOCK_REALTIME> <prefix> <proto>" for every RTM_NEWROUTE of an
        IPv4 /32 (flushed, one line each).
    workload_latency.py drive --monitor-ns NS_B --count N --ip-base 10.65.0.0 \
        --add 'TEMPLATE' [--timeout 5] [--out FILE]
        Run inside node A's namespace. Starts the monitor in NS_B (`ip netns exec`), then
        for i in 0..N-1, one by one: t0 = time.time() just before running the add command
        (TEMPLATE with {i}, {ip}, {ifname} substituted; run without a shell), then waits
        until the monitor reports {ip}/32 in B's kernel (or --timeout): latency = t_seen - t0.
        Also records how long the add command itself took. Prints one JSON object with
        p50/p90/p99/max of both and every sample in --out.
Only the standard library is used.
"""
import argparse
import ipaddress
import json
import queue
import shlex
import socket
import struct
import subprocess
import sys
import threading
import time

RTNLGRP_IPV4_ROUTE = 7
RTM_NEWROUTE = 24


def monitor() -> int:
    s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 0)
    try:
        s.setsockopt(socket.SOL_SOCKET, 33, 64 * 1024 * 1024)  # SO_RCVBUFFORCE
    except OSError:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 8 * 1024 * 1024)
    s.bind((0, 1 << (RTNLGRP_IPV4_ROUTE - 1)))
    print("READY", flush=True)
    out = sys.stdout
    while True:
        data = s.recv(1 << 20)
        t = time.time()
        off = 0
        while off + 16 <= len(data):
            length, mtype = struct.unpack_from("=IH", data, off)
            if length < 16:
                break
            if mtype == RTM_NEWROUTE and length >= 28:
                family, dst_len, _, _, table, proto = struct.unpack_from("=BBBBBB", data, off + 16)
                if family == socket.AF_INET and dst_len == 32:
                    a = off + 28
                    dst = None
                    while a + 4 <= off + length:
                        alen, atype = struct.unpack_from("=HH", data, a)
                        if alen < 4:
                            break
                        if atype == 1 and alen == 8:  # RTA_DST
                            dst = socket.inet_ntoa(data[a + 4:a + 8])
                        a += (alen + 3) & ~3
                    if dst:
                        out.write(f"{t:.6f} {dst} {proto}\n")
            off += (length + 3) & ~3
        out.flush()


def pct(xs, p):
    xs = sorted(xs)
    if not xs:
        return None
    k = max(0, min(len(xs) - 1, int(round(p / 100.0 * len(xs) + 0.5)) - 1))
    return xs[k]


def drive(args) -> int:
    mon = subprocess.Popen(["ip", "netns", "exec", args.monitor_ns, sys.executable, __file__, "monitor"],
                           stdout=subprocess.PIPE, text=True, bufsize=1)
    seen = {}
    cond = threading.Condition()

    def reader():
        for line in mon.stdout:
            w = line.split()
            if w and w[0] == "READY":
                with cond:
                    seen["READY"] = time.time()
                    cond.notify_all()
                continue
            if len(w) == 3:
                with cond:
                    seen.setdefault(w[1], float(w[0]))
                    cond.notify_all()

    threading.Thread(target=reader, daemon=True).start()
    with cond:
        if not cond.wait_for(lambda: "READY" in seen, timeout=10):
            print(json.dumps({"ok": False, "why": "monitor did not start"}))
            return 1
    base = int(ipaddress.IPv4Address(args.ip_base))
    lat, cli, missing, failed = [], [], [], []
    samples = []
    try:
        for i in range(args.count):
            ip = str(ipaddress.IPv4Address(base + (i // 250) * 256 + (i % 250) + 1))
            cmd = [w.format(i=i, ip=ip, ifname=args.ifname.format(i=i)) for w in shlex.split(args.add)]
            t0 = time.time()
            r = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
            t1 = time.time()
            if r.returncode != 0:
                failed.append((i, r.stderr.strip()[-200:]))
            cli.append(t1 - t0)
            with cond:
                ok = cond.wait_for(lambda: ip in seen, timeout=args.timeout)
                ts = seen.get(ip)
            if ok:
                lat.append(ts - t0)
                samples.append((i, ip, t0, t1 - t0, ts - t0))
            else:
                missing.append(ip)
                samples.append((i, ip, t0, t1 - t0, None))
            if len(failed) > 5 or len(missing) > 5:
                break
    finally:
        mon.terminate()
        try:
            mon.wait(5)
        except subprocess.TimeoutExpired:
            mon.kill()
    if args.out:
        with open(args.out, "w") as f:
            for s in samples:
                f.write(" ".join("-" if x is None else (f"{x:.6f}" if isinstance(x, float) else str(x)) for x in s) + "\n")
    res = {"ok": not missing and not failed and len(lat) == args.count, "count": args.count, "seen": len(lat),
           "missing": missing[:5], "failed": failed[:5]}
    for name, xs in (("lat", lat), ("cli", cli)):
        for p in (50, 90, 99):
            res[f"{name}_p{p}"] = pct(xs, p)
        res[f"{name}_max"] = max(xs) if xs else None
        res[f"{name}_mean"] = sum(xs) / len(xs) if xs else None
    print(json.dumps(res))
    return 0 if res["ok"] else 1


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("mode", choices=("monitor", "drive"))
    ap.add_argument("--monitor-ns")
    ap.add_argument("--count", type=int, default=1000)
    ap.add_argument("--ip-base", default="10.65.0.0")
    ap.add_argument("--ifname", default="cali{i}")
    ap.add_argument("--add")
    ap.add_argument("--timeout", type=float, default=5.0)
    ap.add_argument("--out")
    args = ap.parse_args()
    if args.mode == "monitor":
        return monitor()
    return drive(args)


if __name__ == "__main__":
    sys.exit(main())
