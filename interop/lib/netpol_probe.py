#!/usr/bin/env python3
"""NetworkPolicy e2e helper (interop/topologies/netpol-e2e.sh): a pod's server and the prober.

  netpol_probe.py serve NAME
      Run inside a pod's network namespace: TCP and UDP on 80 and 81. TCP: accept, send
      NAME, close. UDP: answer every datagram with NAME. TCP 8080: echo (long-lived
      connections). Prints "ready" once bound.

  netpol_probe.py check --pods FILE --expect FILE [--case NAME] [--retries 3] [--timeout 1]
      Probe every ordered pair of distinct pods (loopback ignored, as upstream) on 80/TCP,
      81/TCP, 80/UDP and 81/UDP, all at once: one thread per probe, each thread setns()es
      into the source pod's namespace first. Compare with the expected truth table; on a
      mismatch probe again (up to --retries more times, 1 s apart: the daemon applies
      asynchronously), then print the expected / observed / comparison tables (stderr)
      and a one-line summary (stdout); exit 1. Exit 0 when a probe round matches.

  netpol_probe.py matrix --pods FILE
      One probe round, the observed tables only (for a human).

  netpol_probe.py watch --netns NS --ip IP --port 80/TCP --want allowed|denied
                        [--mode hold|until] [--seconds 5] [--interval 0.1] [--timeout 0.1] [--run CMD]
      One pair probed again and again from namespace NS (a probe every --interval, each with
      --timeout). --run CMD (a shell command) runs right before the first probe; times are
      from then. hold: every probe for --seconds must give --want (exit 1 at the end when
      one did not; the mismatches' times are printed). until: probe until one gives --want
      and print after how many ms (from --run's start to that probe's start; exit 1 if not
      within --seconds).

  netpol_probe.py stamp CMD...
      Run CMD (e.g. nft monitor ruleset), each output line prefixed with the wall time
      (seconds.micros); SIGTERM ends CMD too.

  netpol_probe.py monitor-gap FILE
      Reads a stamp log of `nft monitor`: from the first "delete" line (a foreign flush or
      delete) to the last "add" line after it; prints "removed at T, rebuilt in N ms (K add
      lines)", exit 1 when no add line follows.

  netpol_probe.py stream --netns NS --ip IP [--port 8080] [--seconds 5] [--interval 0.1]
      One TCP connection to the echo port, a line every --interval for --seconds: every line
      must come back within 1 s (exit 1 otherwise; the largest gap is printed).

--pods FILE: one pod per line, "ns/pod NETNS IP" (NETNS under /run/netns).
--expect FILE: the expectation, written by hand per case; lines applied in order, starting
from "everything allowed" (upstream's NewReachability(pods, true)):
  deny-ingress SEL [PORTS]      every other pod -> SEL denied (ExpectAllIngress(SEL, false))
  deny-egress SEL [PORTS]       SEL -> every other pod denied (ExpectAllEgress(SEL, false))
  allow FROM TO [PORTS]         ExpectPeer(FROM, TO, true)
  deny FROM TO [PORTS]          ExpectPeer(FROM, TO, false)
SEL/FROM/TO: "x/a", "x/*" (a namespace), "*/a", "*" (every pod). PORTS: "all" (default) or a
comma list of 80/TCP, 81/UDP, ..., or TCP / UDP (both ports). "#" starts a comment.
Nothing here knows what a NetworkPolicy is: the expectations are the test's, not Tern's.
"""
import argparse
import ctypes
import errno
import os
import socket
import sys
import threading
import time

PORTS = [(80, "TCP"), (81, "TCP"), (80, "UDP"), (81, "UDP")]
CLONE_NEWNET = 0x40000000
_libc = ctypes.CDLL(None, use_errno=True)


def pp(p):
    return "%d/%s" % p


# --- server ---------------------------------------------------------------------------
def serve(name):
    reply = name.encode()
    socks = []
    for port, proto in PORTS:
        if proto == "TCP":
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.bind(("0.0.0.0", port))
            s.listen(256)
        else:
            s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            s.bind(("0.0.0.0", port))
        socks.append((s, proto))

    def tcp_loop(s):
        while True:
            try:
                c, _ = s.accept()
            except OSError:
                continue
            try:
                c.sendall(reply)
            except OSError:
                pass
            finally:
                c.close()

    def udp_loop(s):
        while True:
            try:
                _, addr = s.recvfrom(2048)
                s.sendto(reply, addr)
            except OSError:
                continue

    def echo_conn(c):
        try:
            while True:
                d = c.recv(4096)
                if not d:
                    break
                c.sendall(d)
        except OSError:
            pass
        finally:
            c.close()

    def echo_loop(s):
        while True:
            try:
                c, _ = s.accept()
            except OSError:
                continue
            threading.Thread(target=echo_conn, args=(c,), daemon=True).start()

    e = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    e.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    e.bind(("0.0.0.0", 8080))
    e.listen(16)
    threads = [threading.Thread(target=tcp_loop if proto == "TCP" else udp_loop, args=(s,), daemon=True)
               for s, proto in socks]
    threads.append(threading.Thread(target=echo_loop, args=(e,), daemon=True))
    for t in threads:
        t.start()
    print("ready", name, flush=True)
    for t in threads:
        t.join()


# --- probing --------------------------------------------------------------------------
def read_pods(path):
    pods = []
    with open(path) as f:
        for line in f:
            line = line.split("#", 1)[0].split()
            if not line:
                continue
            pods.append((line[0], line[1], line[2]))
    return pods


def probe_one(nsfd, ip, port, proto, want, timeout, out, key):
    """True: the destination answered with its name; False: no answer / refused;
    a string: something else happened (always a mismatch)."""
    if _libc.setns(nsfd, CLONE_NEWNET) != 0:
        out[key] = "setns: " + os.strerror(ctypes.get_errno())
        return
    deadline = time.monotonic() + timeout
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM if proto == "TCP" else socket.SOCK_DGRAM)
    try:
        s.settimeout(timeout)
        if proto == "TCP":
            s.connect((ip, port))
            s.settimeout(max(0.05, deadline - time.monotonic()))
            data = b""
            while True:
                chunk = s.recv(256)
                if not chunk:
                    break
                data += chunk
        else:
            s.connect((ip, port))
            s.send(b"probe")
            data = s.recv(256)
        got = data.decode(errors="replace")
        out[key] = True if got == want else ("answered %r, not %r" % (got, want) if got else False)
    except (socket.timeout, ConnectionRefusedError, ConnectionResetError):
        out[key] = False
    except OSError as e:
        out[key] = False if e.errno in (errno.EHOSTUNREACH, errno.ENETUNREACH, errno.ECONNREFUSED, errno.EPERM) else str(e)
    finally:
        s.close()


def probe_all(pods, timeout):
    fds = {name: os.open("/run/netns/" + ns, os.O_RDONLY) for name, ns, _ in pods}
    out = {}
    threads = []
    try:
        for src, _, _ in pods:
            for dst, _, dip in pods:
                if src == dst:
                    continue
                for port, proto in PORTS:
                    key = (src, dst, (port, proto))
                    t = threading.Thread(target=probe_one, args=(fds[src], dip, port, proto, dst, timeout, out, key))
                    while True:
                        try:
                            t.start()
                            break
                        except RuntimeError:
                            # "can't start new thread" (a loaded machine's pid limit): wait
                            # for the oldest probe, then try again; slower, not wrong.
                            running = [x for x in threads if x.is_alive()]
                            if not running:
                                raise
                            running[0].join()
                    threads.append(t)
        for t in threads:
            t.join()
    finally:
        for fd in fds.values():
            os.close(fd)
    return out


# --- expectations ---------------------------------------------------------------------
def sel_match(sel, pod):
    if sel == "*":
        return True
    ns, _, name = sel.partition("/")
    pns, _, pname = pod.partition("/")
    return (ns in ("*", pns)) and (name in ("*", pname))


def parse_ports(spec):
    if spec in (None, "all"):
        return list(PORTS)
    res = []
    for item in spec.split(","):
        if item in ("TCP", "UDP"):
            res += [p for p in PORTS if p[1] == item]
            continue
        num, _, proto = item.partition("/")
        p = (int(num), proto or "TCP")
        if p not in PORTS:
            raise ValueError("unknown port %s (probed: %s)" % (item, ", ".join(map(pp, PORTS))))
        res.append(p)
    return res


def expected_table(pods, path):
    names = [p[0] for p in pods]
    exp = {(s, d, p): True for s in names for d in names if s != d for p in PORTS}
    with open(path) as f:
        for n, line in enumerate(f, 1):
            w = line.split("#", 1)[0].split()
            if not w:
                continue
            op = w[0]
            try:
                if op in ("deny-ingress", "deny-egress"):
                    sel, ports = w[1], parse_ports(w[2] if len(w) > 2 else None)
                    for key in exp:
                        if key[2] in ports and sel_match(sel, key[1] if op == "deny-ingress" else key[0]):
                            exp[key] = False
                elif op in ("allow", "deny"):
                    fr, to, ports = w[1], w[2], parse_ports(w[3] if len(w) > 3 else None)
                    for key in exp:
                        if key[2] in ports and sel_match(fr, key[0]) and sel_match(to, key[1]):
                            exp[key] = op == "allow"
                else:
                    raise ValueError("unknown operation %r" % op)
            except (IndexError, ValueError) as e:
                sys.exit("%s:%d: %s: %s" % (path, n, line.strip(), e))
    return exp


# --- truth tables ---------------------------------------------------------------------
def cell(v):
    return "." if v is True else ("X" if v is False else "?")


def table(title, names, port, get):
    w = max(4, max(len(n) for n in names) + 1)
    lines = [title, "%-*s" % (w, "-") + "".join("%-*s" % (w, n) for n in names)]
    for s in names:
        lines.append("%-*s" % (w, s) + "".join("%-*s" % (w, "-" if s == d else get(s, d, port)) for d in names))
    return "\n".join(lines)


def report(names, exp, obs, case, attempt):
    bad = {k for k in exp if obs.get(k) is not exp[k]}
    out = ["=== %s: %d of %d probes wrong after %d rounds (rows: from, columns: to; . allowed, X denied, ? error)"
           % (case, len(bad), len(exp), attempt)]
    for port in PORTS:
        if not any(k[2] == port for k in bad):
            continue
        out.append(table("expected %s:" % pp(port), names, port, lambda s, d, p: cell(exp[(s, d, p)])))
        out.append(table("observed %s:" % pp(port), names, port, lambda s, d, p: cell(obs.get((s, d, p)))))
        out.append(table("comparison %s (X = mismatch):" % pp(port), names, port,
                         lambda s, d, p: "." if (s, d, p) not in bad else "X"))
    odd = sorted((k, obs[k]) for k in bad if isinstance(obs.get(k), str))
    for k, v in odd[:10]:
        out.append("%s -> %s %s: %s" % (k[0], k[1], pp(k[2]), v))
    return "\n".join(out), bad


def summary(bad, exp, obs):
    parts = []
    for port in PORTS:
        ks = sorted(k for k in bad if k[2] == port)
        if not ks:
            continue
        opened = sum(1 for k in ks if exp[k] is False)
        shut = len(ks) - opened
        ex = ", ".join("%s->%s" % (k[0], k[1]) for k in ks[:3])
        parts.append("%s: %d allowed but expected denied, %d denied but expected allowed (e.g. %s)"
                     % (pp(port), opened, shut, ex))
    return "; ".join(parts)


def enter_netns(ns):
    fd = os.open("/run/netns/" + ns, os.O_RDONLY)
    try:
        if _libc.setns(fd, CLONE_NEWNET) != 0:
            raise OSError(ctypes.get_errno(), "setns " + ns)
    finally:
        os.close(fd)


def probe_pair(nsfd, ip, port, proto, timeout):
    """One probe from a fresh thread in namespace nsfd: True (answered), False, or a string."""
    out = {}
    t = threading.Thread(target=probe_one, args=(nsfd, ip, port, proto, None, timeout, out, 0))
    t.start()
    t.join()
    v = out.get(0)
    # probe_one compares with the destination's name; here any answer counts
    if isinstance(v, str) and v.startswith("answered"):
        return True
    return v


def watch(a):
    import subprocess
    port, proto = parse_ports(a.port)[0]
    want = a.want == "allowed"
    fd = os.open("/run/netns/" + a.netns, os.O_RDONLY)
    t0 = time.monotonic()
    if a.run:
        subprocess.run(a.run, shell=True, check=False)
    probes, bad, seen_other = 0, [], False
    try:
        while True:
            now = time.monotonic() - t0
            if now > a.seconds:
                break
            at = int((time.monotonic() - t0) * 1000)  # when the probe was sent
            v = probe_pair(fd, a.ip, port, proto, a.timeout)
            probes += 1
            if a.mode == "until":
                if v is want:
                    print("%s %s:%d %s after %d ms (%d probes; the other state seen: %s)"
                          % (a.netns, a.ip, port, a.want, at, probes, "yes" if seen_other else "no"))
                    return 0
                seen_other = True
            elif v is not want:
                bad.append((at, v))
            time.sleep(max(0.0, a.interval - ((time.monotonic() - t0) - now)))
    finally:
        os.close(fd)
    if a.mode == "until":
        print("%s:%d/%s never %s in %.1f s (%d probes)" % (a.ip, port, proto, a.want, a.seconds, probes))
        return 1
    if bad:
        print("%d of %d probes not %s, at ms %s" % (len(bad), probes, a.want, ", ".join("%d (%s)" % b for b in bad[:20])))
        return 1
    print("%d probes in %.1f s, all %s" % (probes, a.seconds, a.want))
    return 0


def stream(a):
    enter_netns(a.netns)
    s = socket.create_connection((a.ip, a.port), timeout=1.0)
    s.settimeout(1.0)
    t0 = time.monotonic()
    last_ok, max_gap, n, lost = t0, 0.0, 0, 0
    while time.monotonic() - t0 < a.seconds:
        n += 1
        msg = ("%d\n" % n).encode()
        try:
            s.sendall(msg)
            got = b""
            while len(got) < len(msg):
                chunk = s.recv(len(msg) - len(got))
                if not chunk:
                    raise OSError("connection closed")
                got += chunk
            if got != msg:
                raise OSError("echo %r, not %r" % (got, msg))
            now = time.monotonic()
            max_gap = max(max_gap, now - last_ok)
            last_ok = now
        except (OSError, socket.timeout) as e:
            lost += 1
            print("line %d at %d ms: %s" % (n, int((time.monotonic() - t0) * 1000), e), flush=True)
            if "closed" in str(e) or isinstance(e, (ConnectionResetError, BrokenPipeError)):
                break
        time.sleep(a.interval)
    s.close()
    print("%d lines, %d lost, largest gap between echoes %d ms" % (n, lost, int(max_gap * 1000)), flush=True)
    return 1 if lost else 0


def stamp(cmd):
    import signal
    import subprocess
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True)
    signal.signal(signal.SIGTERM, lambda *_: (p.terminate(), sys.exit(0)))
    for line in p.stdout:
        sys.stdout.write("%.6f %s" % (time.time(), line))
        sys.stdout.flush()
    return p.wait()


def monitor_gap(path):
    t_del, t_add, adds = None, None, 0
    with open(path) as f:
        for line in f:
            t, _, what = line.partition(" ")
            if t_del is None:
                if what.startswith("delete"):
                    t_del = float(t)
            elif what.startswith("add"):
                t_add, adds = float(t), adds + 1
    if t_del is None:
        print("no delete seen in the monitor output")
        return 1
    if not adds:
        print("removed at %.3f, nothing added after it" % t_del)
        return 1
    print("removed at %.3f, rebuilt in %d ms (%d add lines)" % (t_del, int((t_add - t_del) * 1000), adds))
    return 0


def main():
    if len(sys.argv) > 2 and sys.argv[1] == "stamp":
        return stamp(sys.argv[2:])
    if len(sys.argv) == 3 and sys.argv[1] == "monitor-gap":
        return monitor_gap(sys.argv[2])
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("serve")
    s.add_argument("name")
    c = sub.add_parser("check")
    c.add_argument("--pods", required=True)
    c.add_argument("--expect", required=True)
    c.add_argument("--case", default="case")
    c.add_argument("--retries", type=int, default=3)
    c.add_argument("--timeout", type=float, default=1.0)
    m = sub.add_parser("matrix")
    m.add_argument("--pods", required=True)
    m.add_argument("--timeout", type=float, default=1.0)
    w = sub.add_parser("watch")
    w.add_argument("--netns", required=True)
    w.add_argument("--ip", required=True)
    w.add_argument("--port", default="80/TCP")
    w.add_argument("--want", choices=["allowed", "denied"], required=True)
    w.add_argument("--mode", choices=["hold", "until"], default="hold")
    w.add_argument("--seconds", type=float, default=5.0)
    w.add_argument("--interval", type=float, default=0.1)
    w.add_argument("--timeout", type=float, default=0.1)
    w.add_argument("--run")
    st = sub.add_parser("stream")
    st.add_argument("--netns", required=True)
    st.add_argument("--ip", required=True)
    st.add_argument("--port", type=int, default=8080)
    st.add_argument("--seconds", type=float, default=5.0)
    st.add_argument("--interval", type=float, default=0.1)
    a = ap.parse_args()
    if a.cmd == "watch":
        return watch(a)
    if a.cmd == "stream":
        return stream(a)

    if a.cmd == "serve":
        serve(a.name)
        return 0
    pods = read_pods(a.pods)
    names = [p[0] for p in pods]
    if a.cmd == "matrix":
        obs = probe_all(pods, a.timeout)
        for port in PORTS:
            print(table("observed %s:" % pp(port), names, port, lambda s, d, p: cell(obs.get((s, d, p)))))
        return 0
    exp = expected_table(pods, a.expect)
    t0 = time.monotonic()
    for attempt in range(1, a.retries + 2):
        r0 = time.monotonic()
        obs = probe_all(pods, a.timeout)
        took = time.monotonic() - r0
        bad = {k for k in exp if obs.get(k) is not exp[k]}
        if not bad:
            print("%s: %d probes as expected (round %d, %.2f s; %.2f s in all)"
                  % (a.case, len(exp), attempt, took, time.monotonic() - t0))
            return 0
        print("%s: round %d (%.2f s): %d wrong" % (a.case, attempt, took, len(bad)), file=sys.stderr)
        if attempt <= a.retries:
            time.sleep(1.0)
    text, bad = report(names, exp, obs, a.case, a.retries + 1)
    print(text, file=sys.stderr)
    print("%d of %d wrong: %s" % (len(bad), len(exp), summary(bad, exp, obs)))
    return 1


if __name__ == "__main__":
    try:
        sys.exit(main())
    except Exception as e:  # the caller shows stdout: say what broke instead of nothing
        print("netpol_probe: %s: %s" % (type(e).__name__, e))
        raise
