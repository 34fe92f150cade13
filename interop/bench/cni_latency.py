#!/usr/bin/env python3
"""CNI set-up latency driver (cni-latency.sh, issue 13). Only the standard library.

    cni_latency.py monitor --gw IP
        Run inside node B's namespace. Subscribes to RTNLGRP_IPV4_ROUTE first, then dumps
        the IPv4 routes already there (printed as "0 PREFIX PROTO GW"), prints "READY", then
        "<CLOCK_REALTIME at receipt> PREFIX PROTO GW" for every RTM_NEWROUTE (any length)
        whose gateway is --gw (flushed, one line each). No `ip route` dumps while measuring.

    cni_latency.py drive --conflist FILE --cni-path DIRS --pods N --parallel P \
        --prefix NSPREFIX [--monitor-ns NS_B --gw IP_A --block-len L] --out FILE.json
        Run inside node A's namespace, as libcni runs a one-plugin conflist: the plugin
        named by plugins[0].type, found in --cni-path, gets plugins[0] plus the list's
        "name" and "cniVersion" on stdin and CNI_COMMAND / CNI_CONTAINERID / CNI_NETNS /
        CNI_IFNAME / CNI_ARGS / CNI_PATH in an otherwise empty environment.
        1. N pod namespaces NSPREFIX-0.. are made with one `ip -batch` (not timed).
        2. 100 (--version-calls) CNI_COMMAND=VERSION calls, one at a time: the plugin's own
           process start-up and exit, nothing else. Then ADD of every pod, P at a time (P=1: strictly one after another). Each sample is
           the plugin process's wall time, time.perf_counter() around subprocess.run (fork/
           exec of the plugin to its exit and the read of its stdout), plus the wall-clock
           start/end (time.time(), comparable with the monitor's timestamps).
        3. With --monitor-ns: waits (up to --route-wait s) until B's kernel holds a route via
           IP_A covering every pod address (a block of length >= L, or a /32), then
           computes for every pod: t_cover = the first RTM_NEWROUTE on B of a covering route
           (-inf when it was in B's kernel before the run); remote = max(0, t_cover -
           t_add_end). "new-block" pods are those whose ADD started before their covering
           route was on B (the pods that waited for a block claim); for them also
           t_cover - t_add_end unclamped (negative: on B before ADD returned).
        4. DEL of every pod, P at a time, timed the same way; then the namespaces go.
        Prints one JSON object (also written to --out), samples in --out's .samples file.
"""
import argparse
import concurrent.futures as cf
import ipaddress
import json
import os
import socket
import struct
import subprocess
import sys
import threading
import time

RTNLGRP_IPV4_ROUTE = 7
RTM_NEWROUTE, RTM_GETROUTE = 24, 26
NLM_F_REQUEST, NLM_F_DUMP = 0x1, 0x300
NLMSG_DONE = 3
RTA_DST, RTA_GATEWAY = 1, 5


def parse_routes(data, out, t, gw_filter):
    off = 0
    done = False
    while off + 16 <= len(data):
        length, mtype = struct.unpack_from("=IH", data, off)
        if length < 16:
            break
        if mtype == NLMSG_DONE:
            done = True
        if mtype == RTM_NEWROUTE and length >= 28:
            family, dst_len, _, _, table, proto = struct.unpack_from("=BBBBBB", data, off + 16)
            if family == socket.AF_INET:
                a = off + 28
                dst, gw = "0.0.0.0", "-"
                while a + 4 <= off + length:
                    alen, atype = struct.unpack_from("=HH", data, a)
                    if alen < 4:
                        break
                    if atype == RTA_DST and alen == 8:
                        dst = socket.inet_ntoa(data[a + 4:a + 8])
                    elif atype == RTA_GATEWAY and alen == 8:
                        gw = socket.inet_ntoa(data[a + 4:a + 8])
                    a += (alen + 3) & ~3
                if gw_filter is None or gw == gw_filter:
                    out.write(f"{t} {dst}/{dst_len} {proto} {gw}\n")
        off += (length + 3) & ~3
    return done


def monitor(args) -> int:
    ev = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 0)
    try:
        ev.setsockopt(socket.SOL_SOCKET, 33, 64 * 1024 * 1024)  # SO_RCVBUFFORCE
    except OSError:
        ev.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 8 * 1024 * 1024)
    ev.bind((0, 1 << (RTNLGRP_IPV4_ROUTE - 1)))
    d = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 0)
    d.bind((0, 0))
    req = struct.pack("=IHHII", 16 + 12, RTM_GETROUTE, NLM_F_REQUEST | NLM_F_DUMP, 1, 0)
    req += struct.pack("=BBBBBBBBI", socket.AF_INET, 0, 0, 0, 0, 0, 0, 0, 0)
    d.send(req)
    out = sys.stdout
    while not parse_routes(d.recv(1 << 20), out, "0", args.gw):
        pass
    d.close()
    print("READY", flush=True)
    while True:
        data = ev.recv(1 << 20)
        parse_routes(data, out, f"{time.time():.6f}", args.gw)
        out.flush()


def pct(xs, p):
    xs = sorted(xs)
    if not xs:
        return None
    k = max(0, min(len(xs) - 1, int(round(p / 100.0 * len(xs) + 0.5)) - 1))
    return xs[k]


def stats(xs):
    return {"n": len(xs), "p50": pct(xs, 50), "p90": pct(xs, 90), "p99": pct(xs, 99),
            "max": max(xs) if xs else None, "mean": sum(xs) / len(xs) if xs else None}


def ip_batch(lines):
    subprocess.run(["ip", "-force", "-batch", "-"], input="".join(l + "\n" for l in lines), text=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def drive(args) -> int:
    conflist = json.load(open(args.conflist))
    plugin = dict(conflist["plugins"][0])
    plugin["name"] = conflist["name"]
    plugin["cniVersion"] = conflist["cniVersion"]
    stdin = json.dumps(plugin).encode()
    exe = next((os.path.join(d, plugin["type"]) for d in args.cni_path.split(":")
                if os.access(os.path.join(d, plugin["type"]), os.X_OK)), None)
    if exe is None:
        print(json.dumps({"ok": False, "why": f"no plugin {plugin['type']} in {args.cni_path}"}))
        return 1
    n, par = args.pods, args.parallel
    names = [f"{args.prefix}-{i}" for i in range(n)]
    t = time.perf_counter()
    ip_batch([f"netns add {x}" for x in names])
    netns_s = time.perf_counter() - t

    mon, seen, cond = None, {}, threading.Condition()
    if args.monitor_ns:
        mon = subprocess.Popen(["ip", "netns", "exec", args.monitor_ns, sys.executable, __file__, "monitor",
                                "--gw", args.gw], stdout=subprocess.PIPE, text=True, bufsize=1)

        def reader():
            for line in mon.stdout:
                w = line.split()
                with cond:
                    if w and w[0] == "READY":
                        seen["READY"] = True
                    elif len(w) == 4:
                        seen.setdefault(w[1], float(w[0]) if w[0] != "0" else float("-inf"))
                    cond.notify_all()

        threading.Thread(target=reader, daemon=True).start()
        with cond:
            if not cond.wait_for(lambda: "READY" in seen, timeout=10):
                print(json.dumps({"ok": False, "why": "monitor did not start"}))
                return 1

    trace_every = int(os.environ.get("STRACE_EVERY", "0"))

    def call(cmd, i):
        env = {"PATH": os.environ.get("PATH", "/usr/sbin:/usr/bin:/sbin:/bin"), "CNI_COMMAND": cmd,
               "CNI_CONTAINERID": names[i], "CNI_NETNS": f"/run/netns/{names[i]}", "CNI_IFNAME": "eth0",
               "CNI_ARGS": f"IgnoreUnknown=1;K8S_POD_NAMESPACE=bench;K8S_POD_NAME=pod{i}", "CNI_PATH": args.cni_path}
        argv = [exe]
        traced = trace_every > 0 and cmd == "ADD" and i % trace_every == trace_every - 1
        if traced:  # diagnostics only: this sample is left out of the figures
            argv = ["strace", "-f", "-ttt", "-T", "-o", f"{args.out}.strace.{i}"] + argv
        w0 = time.time()
        p0 = time.perf_counter()
        r = subprocess.run(argv, input=stdin, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        dt = time.perf_counter() - p0
        w1 = time.time()
        addr = None
        if cmd == "ADD" and r.returncode == 0:
            try:
                addr = json.loads(r.stdout)["ips"][0]["address"].split("/")[0]
            except (ValueError, KeyError, IndexError):
                pass
        err = None if r.returncode == 0 else (r.stdout + r.stderr).decode(errors="replace")[-300:]
        return {"i": i, "w0": w0, "w1": w1, "dt": dt, "rc": r.returncode, "addr": addr, "err": err, "traced": traced}

    def phase(cmd):
        t0 = time.perf_counter()
        if par <= 1:
            res = [call(cmd, i) for i in range(n)]
        else:
            with cf.ThreadPoolExecutor(max_workers=par) as ex:
                res = list(ex.map(lambda i: call(cmd, i), range(n)))
        wall = time.perf_counter() - t0
        ok = [r["dt"] for r in res if r["rc"] == 0 and not r["traced"]]
        return res, {"wall_s": wall, "per_s": n / wall, "failed": sum(1 for r in res if r["rc"] != 0),
                     "errors": [r["err"] for r in res if r["err"]][:3], **stats(ok)}

    # VERSION, one at a time: the plugin's process start and exit with no work (no daemon, no netns)
    vers = [call("VERSION", i % n)["dt"] for i in range(args.version_calls)]
    adds, add_stats = phase("ADD")
    result = {"ok": add_stats["failed"] == 0, "plugin": plugin["type"], "pods": n, "parallel": par,
              "netns_create_s": netns_s, "version": stats(vers), "add": add_stats}

    if mon is not None:
        net_len = args.block_len

        def covering(addr):
            a = ipaddress.IPv4Address(addr)
            best = None
            for pfx, ts in seen.items():
                if "/" not in pfx:
                    continue
                net = ipaddress.IPv4Network(pfx, strict=False)
                if net.prefixlen >= net_len and a in net and (best is None or ts < best[1]):
                    best = (pfx, ts)
            return best

        addrs = [r for r in adds if r["addr"]]
        deadline = time.time() + args.route_wait
        with cond:
            cond.wait_for(lambda: all(covering(r["addr"]) for r in addrs) or time.time() > deadline,
                          timeout=args.route_wait)
            snap = dict(seen)
        seen_copy = snap
        remote_all, remote_new, remote_new_raw, from_start_new, missing = [], [], [], [], []
        blocks_new = set()
        for r in addrs:
            with cond:
                c = covering(r["addr"])
            if c is None:
                missing.append(r["addr"])
                continue
            pfx, ts = c
            r["cover"], r["t_cover"] = pfx, ts
            remote_all.append(max(0.0, ts - r["w1"]))
            if ts > r["w0"]:
                remote_new.append(max(0.0, ts - r["w1"]))
                remote_new_raw.append(ts - r["w1"])
                from_start_new.append(ts - r["w0"])
                blocks_new.add(pfx)
        lens = {}
        for pfx in seen_copy:
            if "/" in pfx:
                lens[pfx.split("/")[1]] = lens.get(pfx.split("/")[1], 0) + 1
        result["remote"] = {"all": stats(remote_all), "new_block": stats(remote_new),
                            "new_block_raw": stats(remote_new_raw), "new_block_from_add_start": stats(from_start_new),
                            "new_block_min_raw": min(remote_new_raw) if remote_new_raw else None,
                            "reachable_at_add_return": sum(1 for x in remote_all if x == 0.0),
                            "covering_routes_new": len(blocks_new), "missing": missing[:5], "n_missing": len(missing),
                            "routes_on_b_by_len": lens}
        if missing:
            result["ok"] = False

    dels, del_stats = phase("DEL")
    result["del"] = del_stats
    if del_stats["failed"]:
        result["ok"] = False
    if mon is not None:
        mon.terminate()
        try:
            mon.wait(5)
        except subprocess.TimeoutExpired:
            mon.kill()
    ip_batch([f"netns del {x}" for x in names])
    with open(args.out + ".samples", "w") as f:
        f.write("# i add_w0 add_s add_rc addr cover t_cover del_s del_rc\n")
        for a, d in zip(adds, dels):
            f.write(f"{a['i']} {a['w0']:.6f} {a['dt']:.6f} {a['rc']} {a['addr'] or '-'} {a.get('cover', '-')} "
                    f"{a.get('t_cover', '-')} {d['dt']:.6f} {d['rc']}\n")
    with open(args.out, "w") as f:
        json.dump(result, f)
    print(json.dumps(result))
    return 0 if result["ok"] else 1


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("mode", choices=("monitor", "drive"))
    ap.add_argument("--gw")
    ap.add_argument("--conflist")
    ap.add_argument("--cni-path", default="/usr/lib/cni")
    ap.add_argument("--pods", type=int, default=500)
    ap.add_argument("--parallel", type=int, default=1)
    ap.add_argument("--prefix", default="cnib")
    ap.add_argument("--monitor-ns")
    ap.add_argument("--block-len", type=int, default=26)
    ap.add_argument("--route-wait", type=float, default=10.0)
    ap.add_argument("--version-calls", type=int, default=100)
    ap.add_argument("--out", default="/dev/null")
    args = ap.parse_args()
    return monitor(args) if args.mode == "monitor" else drive(args)


if __name__ == "__main__":
    sys.exit(main())
