#!/usr/bin/env bash
# CNI set-up latency benchmark (issue 13): how long a CNI ADD takes, and how long after ADD
# returns the pod's address is routed by another node's kernel; next to Debian's `bridge` +
# `host-local` plugins (containernetworking-plugins, /usr/lib/cni), which do no routing.
#
#   sudo interop/bench/cni-latency.sh [PODS]        # PODS default 500
#
# Rounds (ROUNDS, default all six), each in fresh namespaces, a fresh datastore and fresh
# daemons (one sub-invocation of this script per round):
#   bridge-seq / bridge-par   node a only; conflist {bridge cni0, isGateway, no ipMasq;
#                             ipam host-local 10.88.0.0/16, dataDir in the work directory}
#   tern26-seq / tern26-par   nodes a and b (segment 192.168.233.0/24, .1 and .2) on a file
#                             datastore, IPPool 10.244.0.0/16 with /26 blocks (`tern apply`);
#                             conflist {tern, ipam tern-ipam}; the plugin runs in a's namespace
#   tern29-seq / tern29-par   the same with a 10.245.0.0/16 pool of /29 blocks, so that a new
#                             block is claimed every 8 pods: the remote-route figure
# "-seq" = one ADD at a time, "-par" = PARALLEL (50) at once. Every round: PODS ADDs, then
# (Tern) the wait for b's kernel to route every pod address, then PODS DELs, driven by
# cni_latency.py (see its docstring for exactly what is timed). A netlink monitor in b's
# namespace timestamps every RTM_NEWROUTE via a.
#
# Environment: TERN (default .build/release/tern; tern-cni next to it), PARALLEL=50,
# ROUNDS="bridge-seq tern26-seq tern29-seq bridge-par tern26-par tern29-par", KEEP=1,
# PERF=1 (record `perf record -e cpu-clock -g` of the PERF_ROUND (tern26-seq) round's plugin processes
# and of daemon a, reports in the work directory), STRACE_EVERY=K (diagnostics: every K-th
# ADD runs under `strace -f -ttt -T`, left out of the figures, traces in the work directory).
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
export TERN=${TERN:-$ROOT/.build/release/tern}
DRV=$HERE/cni_latency.py
PARALLEL=${PARALLEL:-50}

if [ "${1:-}" = --round ]; then
  # --- one round: ./cni-latency.sh --round NAME PODS OUTFILE ---------------------------
  ROUND=$2 NPODS=$3 OUT=$4
  SCRIPT_NAME=cni-latency-$ROUND
  set +eu   # the interop library is written for scripts without -e/-u
  # shellcheck source=../lib/netns.sh
  . "$HERE/../lib/netns.sh"
  # shellcheck source=../lib/datastore.sh
  . "$HERE/../lib/datastore.sh"
  # shellcheck source=../lib/cni.sh
  . "$HERE/../lib/cni.sh"
  case $ROUND in *-par) par=$PARALLEL ;; *) par=1 ;; esac
  seg_create 192.168.233 || abort "cannot create segment"
  DS_DIR="$WORK/datastore"
  DS_YAML="{type: file, path: $DS_DIR}"
  DS_FLAGS=(--datastore-dir "$DS_DIR")
  monitor=()
  case $ROUND in
    bridge-*)
      node_ns_add a 1 || abort "node a"
      node_default_route a
      cat >"$WORK/conflist.json" <<EOF
{"cniVersion": "1.0.0", "name": "bench-bridge", "plugins": [
  {"type": "bridge", "bridge": "cni0", "isGateway": true, "ipMasq": false,
   "ipam": {"type": "host-local", "subnet": "10.88.0.0/16", "dataDir": "$WORK/host-local"}}]}
EOF
      cni_path=/usr/lib/cni
      ;;
    tern26-* | tern29-*)
      bl=${ROUND#tern}; bl=${bl%%-*}
      cidr=10.244.0.0/16; [ "$bl" = 29 ] && cidr=10.245.0.0/16
      cni_install || abort "cannot install the plugin"
      for n in a:1 b:2; do ds_node_add "${n%:*}" "${n#*:}" || abort "cannot create node ${n%:*}"; done
      for n in a b; do node_default_route "$n"; done
      printf 'apiVersion: projectcalico.org/v3\nkind: IPPool\nmetadata: {name: bench}\nspec: {cidr: %s, blockSize: %s}\n' \
        "$cidr" "$bl" >"$WORK/pool.yaml"
      tern_ds seg apply -f "$WORK/pool.yaml" >&2 || abort "tern apply failed"
      for n in a b; do
        # ds_cfg's settings, at log level warning (a benchmark, not a debugging session)
        printf 'nodeName: %s\ncontrolSocket: %s\nholdTime: 9\nconnectRetryTime: 1\ndatastore: %s\nlogLevel: warning\n' \
          "$n" "$WORK/$n.sock" "$DS_YAML" >"$WORK/$n.yaml"
        start_bg "$n" "$n" "$TERN" run --config "$WORK/$n.yaml" --log-format text
        wait_for "$n: tern control socket answers" 20 tern_status_json "$n" "$WORK/$n.sock" || abort "tern $n did not start"
      done
      wait_for "a and b mesh" 30 ds_full_mesh || abort "no mesh"
      cat >"$WORK/conflist.json" <<EOF
{"cniVersion": "1.0.0", "name": "bench-tern", "plugins": [
  {"type": "tern", "controlSocket": "$WORK/a.sock", "ipam": {"type": "tern-ipam"}}]}
EOF
      cni_path=$CNI_BIN:/usr/lib/cni
      monitor=(--monitor-ns "$(ns_name b)" --gw 192.168.233.1 --block-len "$bl")
      ;;
    *) abort "unknown round $ROUND" ;;
  esac
  log "round $ROUND: $NPODS pods, $par at a time"
  perf_pid=
  if [ -n "${PERF:-}" ] && [ "$ROUND" = "${PERF_ROUND:-tern26-seq}" ]; then
    perf record -e cpu-clock -g -o "$WORK/perf-daemon-a.data" -p "${PID_OF[a]}" >/dev/null 2>&1 &
    perf_pid=$!
    PIDS+=("$perf_pid")
    drv=(perf record -e cpu-clock -g -o "$WORK/perf-plugin.data" -- python3 "$DRV")
  else
    drv=(python3 "$DRV")
  fi
  rc=0
  ns_exec a "${drv[@]}" drive --conflist "$WORK/conflist.json" --cni-path "$cni_path" --pods "$NPODS" \
    --parallel "$par" --prefix "${NS_PREFIX}-pod" "${monitor[@]}" --out "$WORK/result.json" >/dev/null || rc=$?
  if [ -n "$perf_pid" ]; then
    kill -INT "$perf_pid"; wait "$perf_pid" 2>/dev/null
    perf report -i "$WORK/perf-plugin.data" --no-children --sort dso,sym --stdio 2>/dev/null | head -80 >"$WORK/perf-plugin.txt"
    perf report -i "$WORK/perf-plugin.data" --no-children --sort comm,dso --stdio 2>/dev/null | grep -v '^$' | head -40 >"$WORK/perf-plugin-dso.txt"
    perf report -i "$WORK/perf-daemon-a.data" --no-children --sort dso,sym --stdio 2>/dev/null | head -80 >"$WORK/perf-daemon.txt"
    cp "$WORK"/perf-*.txt "$(dirname "$OUT")/" 2>/dev/null
    log "perf reports: $(dirname "$OUT")/perf-*.txt"
  fi
  cp "$WORK"/result.json.strace.* "$(dirname "$OUT")/" 2>/dev/null
  if [ -f "$WORK/result.json" ]; then
    python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); d["round"]=sys.argv[2]; print(json.dumps(d))' \
      "$WORK/result.json" "$ROUND" >"$OUT"
    cp "$WORK/result.json.samples" "$OUT.samples"
  else
    printf '{"round": "%s", "ok": false, "why": "driver exited %s without a result"}\n' "$ROUND" "$rc" >"$OUT"
  fi
  # leftovers of a driver that died: its pod namespaces
  ip netns list | awk -v p="${NS_PREFIX}-pod-" 'index($1, p) == 1 {print "netns del " $1}' | ip -force -batch - 2>/dev/null
  grep -iE ' (error|fault|fatal)' "$WORK/a.log" "$WORK/b.log" 2>/dev/null | head -5 >&2
  exit 0
fi

# --- the benchmark: every round, then the table ----------------------------------------
NPODS=${1:-500}
ROUNDS=${ROUNDS:-"bridge-seq tern26-seq tern29-seq bridge-par tern26-par tern29-par"}   # interleaved: the load of a shared machine drifts
[ "$(id -u)" = 0 ] || { echo "SKIP: needs root (network namespaces)"; exit 77; }
for t in ip python3; do command -v "$t" >/dev/null || { echo "SKIP: $t not installed"; exit 77; }; done
if ! [ -x "$TERN" ] || ! [ -x "$(dirname "$TERN")/tern-cni" ]; then echo "SKIP: no $TERN / tern-cni (swift build -c release)"; exit 77; fi
[ -x /usr/lib/cni/bridge ] || echo "note: no /usr/lib/cni/bridge (containernetworking-plugins): no anchor" >&2
RES=$(mktemp -d /tmp/tern-cnibench.XXXX)
CMDLINE="$0${*:+ $*}"
for r in $ROUNDS; do
  echo "[cni-latency $(date +%T)] round $r" >&2
  bash "$0" --round "$r" "$NPODS" "$RES/$r.json" || echo "{\"round\": \"$r\", \"ok\": false, \"why\": \"round exited $?\"}" >"$RES/$r.json"
done
cat "$RES"/*.json >"$RES/all.jsonl" 2>/dev/null || true

python3 - "$RES/all.jsonl" "$CMDLINE" "$TERN" "$PARALLEL" <<'EOF'
import json, os, platform, subprocess, sys, time
rows = {}
for line in open(sys.argv[1]):
    line = line.strip()
    if line:
        d = json.loads(line); rows[d["round"]] = d
par = sys.argv[4]
ms = lambda v: "-" if v is None else f"{v * 1000:.1f}"
def g(r, *path):
    v = rows.get(r)
    for p in path:
        if not isinstance(v, dict):
            return None
        v = v.get(p)
    return v
out = []
def line(*cells): out.append("| " + " | ".join(str(c) for c in cells) + " |")
hdr = ["figure", "Tern /26 blocks", "Tern /29 blocks", "bridge + host-local", "Tern/bridge (/26)"]
line(*hdr); out.append("|" + "|".join(" --- " for _ in hdr) + "|")
def ratio(a, b):
    return "-" if a is None or b is None or b == 0 else f"{a / b:.2f}x"
for k in ("p50", "p99"):
    t26, br = g("tern26-seq", "version", k), g("bridge-seq", "version", k)
    line(f"VERSION (process start + exit only) {k} ms", ms(t26), ms(g("tern29-seq", "version", k)), ms(br), ratio(t26, br))
for mode, label in (("seq", "one at a time"), ("par", f"{par} in parallel")):
    for op in ("add", "del"):
        for k in ("p50", "p99", "max"):
            t26, t29, br = g(f"tern26-{mode}", op, k), g(f"tern29-{mode}", op, k), g(f"bridge-{mode}", op, k)
            line(f"{op.upper()} {k} ms, {label}", ms(t26), ms(t29), ms(br), ratio(t26, br))
        t26, t29, br = g(f"tern26-{mode}", op, "per_s"), g(f"tern29-{mode}", op, "per_s"), g(f"bridge-{mode}", op, "per_s")
        f = lambda v: "-" if v is None else f"{v:.1f}"
        line(f"{op.upper()} throughput pods/s, {label}", f(t26), f(t29), f(br), ratio(t26, br))
        fails = [g(f"{k}-{mode}", op, "failed") for k in ("tern26", "tern29", "bridge")]
        if any(fails):
            line(f"{op.upper()} failures, {label}", *fails, "")
for mode, label in (("seq", "one at a time"), ("par", f"{par} in parallel")):
    for k in ("p50", "p99", "max"):
        line(f"remote route after ADD returned, all pods, {k} ms ({label})", ms(g(f"tern26-{mode}", "remote", "all", k)),
             ms(g(f"tern29-{mode}", "remote", "all", k)), "n/a (no routing)", "")
    have = lambda r: g(f"{r}-{mode}", "remote") is not None
    line(f"pods routed by b when ADD returned ({label})",
         *[f"{g(f'{r}-{mode}', 'remote', 'reachable_at_add_return')} of {g(f'{r}-{mode}', 'pods')}" if have(r) else "-" for r in ("tern26", "tern29")], "n/a", "")
    line(f"not-yet-routed pods (b had no route covering the address when ADD started), covering routes ({label})",
         *[f"{g(f'{r}-{mode}', 'remote', 'new_block', 'n')}, {g(f'{r}-{mode}', 'remote', 'covering_routes_new')} routes" if have(r) else "-" for r in ("tern26", "tern29")], "", "")
    for k in ("p50", "p99", "max"):
        line(f"not-yet-routed pods: remote route after ADD returned, {k} ms ({label})",
             ms(g(f"tern26-{mode}", "remote", "new_block", k)), ms(g(f"tern29-{mode}", "remote", "new_block", k)), "", "")
    for k in ("p50", "p99"):
        line(f"not-yet-routed pods: covering route on b, from ADD start, {k} ms ({label})",
             ms(g(f"tern26-{mode}", "remote", "new_block_from_add_start", k)), ms(g(f"tern29-{mode}", "remote", "new_block_from_add_start", k)), "", "")
    line(f"not-yet-routed pods: earliest (covering route on b - ADD return), ms ({label})",
         ms(g(f"tern26-{mode}", "remote", "new_block_min_raw")), ms(g(f"tern29-{mode}", "remote", "new_block_min_raw")), "", "")
notes = []
for r, d in rows.items():
    if not d.get("ok"):
        notes.append(f"{r}: NOT OK: {d.get('why') or ''} add errors {g(r, 'add', 'errors')} del errors {g(r, 'del', 'errors')} missing {g(r, 'remote', 'missing')}")
    lens = g(r, "remote", "routes_on_b_by_len")
    if lens:
        notes.append(f"{r}: routes via a on b by prefix length: {lens}")
# verdict
addp99 = [v for v in (g("tern26-seq", "add", "p99"), g("tern26-par", "add", "p99"), g("tern29-seq", "add", "p99"), g("tern29-par", "add", "p99")) if v is not None]
remp99 = [v for v in (g("tern29-seq", "remote", "all", "p99"), g("tern29-par", "remote", "all", "p99"),
                      g("tern26-seq", "remote", "all", "p99"), g("tern26-par", "remote", "all", "p99")) if v is not None]
def verdict(xs):
    if not xs: return "not measured"
    return ("MET" if max(xs) <= 0.050 else "NOT MET") + f" (worst p99 {max(xs) * 1000:.1f} ms)"
cpu = "?"
for l in open("/proc/cpuinfo"):
    if l.startswith("model name"):
        cpu = l.split(":", 1)[1].strip(); break
try:
    ver = subprocess.run(["dpkg-query", "-W", "-f", "${Version}", "containernetworking-plugins"], capture_output=True, text=True).stdout
except OSError:
    ver = "?"
print()
print(f"Command: `{sys.argv[2]}`  ")
print(f"Date: {time.strftime('%Y-%m-%d %H:%M %Z')}; nproc {os.cpu_count()}; CPU \"{cpu}\"; kernel {platform.release()}; "
      f"load {os.getloadavg()[0]:.1f}; tern {sys.argv[3]}; containernetworking-plugins {ver or '?'}")
print()
print("\n".join(out))
print()
print(f"Goal ADD p99 <= 50 ms (all Tern rounds): {verdict(addp99)}")
print(f"Goal remote route p99 <= 50 ms after ADD (all pods, all Tern rounds): {verdict(remp99)}")
for n in notes:
    print("- " + n)
EOF
echo "[cni-latency] results in $RES" >&2
