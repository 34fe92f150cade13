#!/usr/bin/env python3
"""Poll a BGP receiver's own CLI until its count of accepted prefixes reaches a target.

    measure.py --kind tern|bird|gobgp --pid PID --target N --cmp ge|eq \
        (--since T | --events INJ_LOG --event ESTABLISHED|WITHDRAW_START) [--kick INJ_PID] \
        --deadline SECONDS [--socket PATH] [--proto NAME] [--ns NS --neighbor ADDR] \
        [--tern BIN] [--trace FILE]

It is started before the phase begins (before the injector, or with --kick it sends the
injector SIGUSR1 itself), so no start-up latency of the harness enters the figure; the
interval starts at the injector's event timestamp. Every --interval (50 ms) it asks the receiver how many prefixes it accepted from the
injector:
    tern   `tern status --socket PATH --json` -> peers[0].prefixesAccepted
    bird   `birdc -s PATH show protocols all NAME` -> "Routes: N imported"
    gobgp  `ip netns exec NS gobgp global rib summary` -> "Path: N" (the only peer, import all)
           (`gobgp neighbor ADDR` is not used: it takes 5-7 s at 1M routes and slows gobgpd)
With --gap-factor F the pause after a poll is at least F times that poll's duration, so a
receiver whose query is expensive spends at most 1/(F+1) of the time answering it.
When the count satisfies the target (>= N, or == N) it reads the receiver's CPU time
(utime+stime of /proc/PID/stat, all threads, / CLK_TCK) and peak RSS (VmHWM of
/proc/PID/status) and prints one JSON object on stdout:
    {"ok": true, "t": <realtime>, "elapsed": t - since, "cpu": s, "cpu_phase": s,
     "hwm_kb": n, "count": n, "polls": n, "resolution": s, ...}
On deadline or when PID dies: "ok": false with the last count and the last CLI output.
Exit status 0 when reached, 1 otherwise. --trace appends "elapsed count" per poll.
"""
import argparse
import json
import os
import re
import signal
import subprocess
import sys
import time

CLK_TCK = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    # fields[0] is field 3 (state); utime is field 14, stime 15
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


def hwm_kb(pid: int) -> int:
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return -1


def alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def query(args) -> (int, str):
    """(count or -1, raw output)"""
    if args.kind == "tern":
        cmd = [args.tern, "status", "--socket", args.socket, "--json"]
    elif args.kind == "bird":
        cmd = ["birdc", "-s", args.socket, "show", "protocols", "all", args.proto]
    else:
        cmd = ["ip", "netns", "exec", args.ns, "gobgp", "global", "rib", "summary", "-a", "ipv4"]
    try:
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=10)
    except subprocess.TimeoutExpired:
        return -1, "timeout"
    out = p.stdout + p.stderr
    try:
        if args.kind == "tern":
            peers = json.loads(p.stdout)["peers"]
            return int(peers[0]["prefixesAccepted"]), out
        if args.kind == "bird":
            m = re.search(r"Routes:\s+(\d+) imported", out)
            if m:
                return int(m.group(1)), out
            # BIRD prints no Routes: line while the session is down
            return (0 if "Established" not in out else -1), out
        m = re.search(r"Path:\s+(\d+)", out)
        return (int(m.group(1)) if m else -1), out
    except (ValueError, KeyError, IndexError, TypeError):
        return -1, out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--kind", choices=["tern", "bird", "gobgp"], required=True)
    ap.add_argument("--pid", type=int, required=True)
    ap.add_argument("--target", type=int, required=True)
    ap.add_argument("--cmp", choices=["ge", "eq"], default="ge")
    ap.add_argument("--since", type=float, help="start of the measured interval (realtime)")
    ap.add_argument("--events", help="injector event log: take --since from EVENT's timestamp")
    ap.add_argument("--event", default="ESTABLISHED")
    ap.add_argument("--kick", type=int, help="send SIGUSR1 to this pid (the injector) before polling")
    ap.add_argument("--deadline", type=float, required=True, help="seconds from now")
    ap.add_argument("--interval", type=float, default=0.05)
    ap.add_argument("--gap-factor", type=float, default=0.0)
    ap.add_argument("--socket")
    ap.add_argument("--proto")
    ap.add_argument("--ns")
    ap.add_argument("--neighbor")
    ap.add_argument("--tern", default="tern")
    ap.add_argument("--trace")
    args = ap.parse_args()

    def since():
        if args.since is not None:
            return args.since
        try:
            with open(args.events) as f:
                for line in f:
                    w = line.split()
                    if w and w[0] == args.event:
                        args.since = float(w[1])
                        return args.since
        except OSError:
            pass
        return None

    end = time.monotonic() + args.deadline
    cpu_start = cpu_seconds(args.pid)
    if args.kick:
        os.kill(args.kick, signal.SIGUSR1)
    trace = open(args.trace, "a") if args.trace else None
    polls, count, out, prev = 0, -1, "", None
    while True:
        tick, qstart = time.monotonic(), time.time()
        count, out = query(args)
        now = time.time()
        polls += 1
        if trace:
            t0 = since()
            trace.write(f"{now - t0:.3f} {count}\n" if t0 is not None else f"before {count}\n")
        hit = count >= args.target if args.cmp == "ge" else count == args.target
        if hit and count >= 0:
            try:
                cpu, hwm = cpu_seconds(args.pid), hwm_kb(args.pid)
            except OSError:
                cpu, hwm = -1.0, -1
            while since() is None and time.monotonic() < end:
                time.sleep(0.01)
            if since() is None:
                print(json.dumps({"ok": False, "why": f"no {args.event} event", "count": count}))
                return 1
            # resolution: the target was reached after the previous poll's answer
            res = now - max(prev, args.since) if prev is not None else now - args.since
            print(json.dumps({"ok": True, "t": now, "elapsed": now - args.since, "cpu": cpu,
                              "cpu_start": cpu_start, "cpu_phase": cpu - cpu_start,
                              "hwm_kb": hwm, "count": count, "polls": polls,
                              "resolution": res, "query_s": now - qstart}))
            return 0
        if not alive(args.pid):
            why = "receiver process exited"
            break
        if time.monotonic() >= end:
            why = f"timed out after {args.deadline:.0f}s"
            break
        took = time.monotonic() - tick
        prev = now
        time.sleep(max(args.interval - took, args.gap_factor * took, 0.0))
    res = {"ok": False, "why": why, "t": time.time(), "elapsed": time.time() - (since() or time.time()),
           "count": count, "polls": polls, "last_output": out[-2000:]}
    try:
        res["cpu"], res["hwm_kb"] = cpu_seconds(args.pid), hwm_kb(args.pid)
    except OSError:
        pass
    print(json.dumps(res))
    return 1


if __name__ == "__main__":
    sys.exit(main())
