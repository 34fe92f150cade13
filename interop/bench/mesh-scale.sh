#!/usr/bin/env bash
# Mesh-scale benchmark (issue 16): N Tern nodes in a full node-to-node mesh vs N BIRD 2
# nodes in Calico's configuration, same N, same run.
#
#   sudo interop/bench/mesh-scale.sh            # N="25 50 100"
#   sudo N=10 KINDS=tern interop/bench/mesh-scale.sh
#
# For each N and each kind (tern, then bird): N namespaces on one bridge (a namespace
# "seg" holding br0; node i is 192.168.240.i/24 on eth0), each node with one /26 block
# (node i: the i-th /26 of 10.244.0.0/16) and a mesh with all N nodes (iBGP AS 64512,
# hold time HOLD = 9 s):
#   tern  `tern run` (release build), `nodeToNodeMesh: true` listing all N nodes, the
#         dataplane on (its defaults: BGP routes into the main table, proto 199), the
#         default connectRetryTime (5 s, as Calico's BIRD), logLevel warning
#   bird  BIRD 2 with the config interop/lib/netns.sh's bird_cfg writes (Calico's mesh:
#         static blackhole for the block, Mesh_* protocols, passive towards greater IPs,
#         graceful restart, connect retry time 5), plus Calico's kernel protocol
#         (learn; persist; scan time 2; import all; export all; graceful restart; merge
#         paths on); its `log stderr all` becomes warnings and errors only (as Tern's
#         logLevel warning)
# Measured:
#   converge s   a cold start of all N daemons (t0 = just before the first is started;
#                they are started one after the other, as fast as bash can) until every
#                node's kernel holds every other node's /26 as a unicast route
#   first/median/last node s   when single kernels got there
#   CPU s        utime+stime of all N daemons (/proc/PID/stat), at convergence and SETTLE s
#                later ("total")
#   memory       /proc/PID/smaps_rollup of each daemon SETTLE s after convergence:
#                private = Private_Clean + Private_Dirty (summed over N: "private MB all"),
#                Pss (summed), Rss (mean per process: what one real node pays, its shared
#                libraries included)
#   kill s       one node (the last) dies: with KILL_MODE=crash (default) its bridge port
#                goes down, then SIGKILL (a machine that vanishes: nothing tells the peers,
#                their hold timers expire); KILL_MODE=sigkill only SIGKILLs it (its kernel
#                closes the TCP sessions, so peers see the close at once and graceful
#                restart keeps its routes for the restart time). Time until no other
#                node's kernel holds its block (first/last)
# Routes are observed by mesh_monitor.py: ONE python process with a netlink socket in every
# namespace, subscribed to route events after one initial dump, so nothing polls `ip route`
# on the two cores the daemons use (see its docstring).
#
# The kernel's neighbour table is shared by every namespace (gc_thresh3 defaults to 1024:
# past ~30 meshed nodes `neighbor table overflow` stalls connects), so
# net.ipv4.neigh.default.gc_thresh1/2/3 are raised to GC_THRESH (4096 8192 16384) for the
# run and put back at exit.
#
# A benchmark, not a test: it prints figures and asserts nothing about them.
#
# Environment:
#   TERN=path      tern binary (default: .build/release/tern)   TERN_LABEL=tern  row label
#   TERN_BASE=path a second tern binary, run as kind "base" (KINDS="base tern bird"), e.g. the
#                  build before a change, in the same run; TERN_BASE_LABEL=tern-base
#   N="25 50 100"  KINDS="tern bird"   HOLD=9   SETTLE=3   BUDGET=180 (s per phase)
#   KILL_MODE=crash|sigkill   GC_THRESH="4096 8192 16384"
#   PERF=1         `perf record -e cpu-clock -g` of node 2 (tern) during the cold start;
#                  `perf report --no-children` top lines into the work directory
#   RESULTS_OUT=file   append the markdown result block to it   KEEP=1 keep logs/configs
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
TERN=${TERN:-$ROOT/.build/release/tern}
TERN_LABEL=${TERN_LABEL:-tern}
TERN_BASE=${TERN_BASE:-}
TERN_BASE_LABEL=${TERN_BASE_LABEL:-tern-base}
SIZES=${N:-"25 50 100"}
KINDS=${KINDS:-"tern bird"}
HOLD=${HOLD:-9}
SETTLE=${SETTLE:-3}
BUDGET=${BUDGET:-180}
KILL_MODE=${KILL_MODE:-crash}
GC_THRESH=${GC_THRESH:-"4096 8192 16384"}
PERF=${PERF:-}
RESULTS_OUT=${RESULTS_OUT:-}
SEG=192.168.240
AS=64512
CMDLINE="$0${*:+ $*}"

KILL_WAIT=5
. "$HERE/lib.sh"
bench_init mesh-scale tern-meshbench

# --- neighbour table: raise for the run, put back at exit --------------------------
NEIGH_KEYS=(net.ipv4.neigh.default.gc_thresh1 net.ipv4.neigh.default.gc_thresh2 net.ipv4.neigh.default.gc_thresh3)
NEIGH_OLD=()
for k in "${NEIGH_KEYS[@]}"; do NEIGH_OLD+=("$(sysctl -n "$k")"); done
neigh_restore() {
  local i
  for ((i = 0; i < ${#NEIGH_KEYS[@]}; i++)); do sysctl -qw "${NEIGH_KEYS[$i]}=${NEIGH_OLD[$i]}" || true; done
}
mesh_cleanup() {
  local rc=$?
  set +e
  stop_all
  neigh_restore
  (exit "$rc")
  bench_cleanup
}
trap mesh_cleanup EXIT
read -r g1 g2 g3 <<<"$GC_THRESH"
sysctl -qw "net.ipv4.neigh.default.gc_thresh3=$g3" "net.ipv4.neigh.default.gc_thresh2=$g2" "net.ipv4.neigh.default.gc_thresh1=$g1"
log "neighbour gc_thresh1/2/3 ${NEIGH_OLD[*]} -> $g1 $g2 $g3 (restored at exit)"

# stop_all: TERM every process at once, KILL what is left after KILL_WAIT s, then the
# namespaces (teardown); faster than one kill_pid after the other with 100 daemons.
stop_all() {
  local pid end
  for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  end=$((SECONDS + KILL_WAIT))
  for pid in "${PIDS[@]}"; do
    while kill -0 "$pid" 2>/dev/null && ((SECONDS < end)); do sleep 0.05; done
    kill -KILL "$pid" 2>/dev/null || true
  done
  teardown
}

block_of() { local j=$(($1 - 1)); echo "10.244.$((j / 4)).$(((j % 4) * 64))/26"; }

tern_cfg() { # FILE I N SOCKET
  local i
  {
    echo "nodeName: n$2"
    echo "role: node"
    echo "asNumber: $AS"
    echo "routerID: $SEG.$2"
    echo "listenAddress: 0.0.0.0"
    echo "listenPort: 179"
    echo "controlSocket: $4"
    echo "holdTime: $HOLD"
    echo "nodeToNodeMesh: true"
    echo "nodes:"
    for ((i = 1; i <= $3; i++)); do echo "  - {name: n$i, address: $SEG.$i}"; done
    echo "peers: []"
    echo "blocks: [$(block_of "$2")]"
    echo "logLevel: warning"
  } >"$1"
}

# bird_cfgs DIR N: DIR/nI.conf for every node, written by netns.sh's bird_cfg (in a
# subshell: the library's own trap and work directory stay there), plus Calico's kernel protocol.
# shellcheck disable=SC2034 # the node model netns.sh's bird_cfg reads
bird_cfgs() {
  (
    KEEP=0   # the library's own (empty) work directory goes with the subshell
    # shellcheck source=/dev/null # (followed, it would make every later WORK/PIDS an SC2031)
    . "$ROOT/interop/lib/netns.sh"
    SEG_NET=$SEG
    for ((i = 1; i <= $2; i++)); do
      N_ADDR[n$i]="$SEG.$i"; N_AS[n$i]=$AS; N_BLOCK[n$i]=$(block_of "$i"); N_MESH[n$i]=yes
      N_PEERS[n$i]=""; N_HOLD[n$i]=$HOLD; MESH_NODES+=("n$i")
    done
    for ((i = 1; i <= $2; i++)); do
      bird_cfg "n$i" "$1/n$i.conf"
      sed -i 's/^log stderr all;$/log stderr { warning, error, fatal, bug };/' "$1/n$i.conf"
      cat >>"$1/n$i.conf" <<'EOF'
# Calico's kernel protocol (calico/confd bird.cfg.template, BIRD 2 syntax)
protocol kernel {
  learn;
  persist;
  scan time 2;
  ipv4 { import all; export all; };
  graceful restart;
  merge paths on;
}
EOF
    done
  )
}

# topology TAG N: the segment and N node namespaces
topology() {
  local tag=$1 n=$2 i seg="tms$RUN-$1-seg" ns
  ip netns add "$seg"; NSS+=("$seg")
  ip -n "$seg" link set lo up
  ip -n "$seg" link add br0 type bridge
  ip -n "$seg" link set br0 type bridge stp_state 0 forward_delay 0
  ip -n "$seg" link set br0 up
  for ((i = 1; i <= n; i++)); do
    ns="tms$RUN-$tag-n$i"
    ip netns add "$ns"; NSS+=("$ns")
    ip -n "$ns" link set lo up
    ip link add eth0 netns "$ns" type veth peer name "p$i" netns "$seg"
    ip -n "$seg" link set "p$i" master br0
    ip -n "$seg" link set "p$i" up
    ip -n "$ns" addr add "$SEG.$i/24" dev eth0
    ip -n "$ns" link set eth0 up
    echo "$ns n$i $(block_of "$i")" >>"$WORK/nodes-$tag.txt"
  done
}

procstats() { # PID... -> JSON {cpu, priv_kb, pss_kb, rss_kb, n} summed over the live ones
  python3 - "$@" <<'PY'
import json, os, sys
tck = os.sysconf("SC_CLK_TCK")
cpu = 0.0; priv = pss = rss = 0; n = 0
for pid in sys.argv[1:]:
    try:
        f = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
        m = {}
        for l in open(f"/proc/{pid}/smaps_rollup"):
            p = l.split()
            if len(p) >= 2 and p[0].endswith(":"):
                m[p[0][:-1]] = int(p[1])
    except OSError:
        continue
    cpu += (int(f[11]) + int(f[12])) / tck
    priv += m.get("Private_Clean", 0) + m.get("Private_Dirty", 0)
    pss += m.get("Pss", 0); rss += m.get("Rss", 0); n += 1
print(json.dumps({"cpu": cpu, "priv_kb": priv, "pss_kb": pss, "rss_kb": rss, "n": n}))
PY
}

fail_row() { # KIND N WHY
  record "{\"kind\": \"$1\", \"n\": $2, \"failed\": \"$3\"}"
  log "FAILED: $1 N=$2: $3"
  local f
  for f in "$WORK/mon-$1-$2.log" "$WORK/log-$1-$2-n1.log" "$WORK/log-$1-$2-n$2.log"; do
    [ -f "$f" ] && { echo "--- tail of $f"; tail -n 15 "$f"; } >&2
  done
  return 0
}

run_one() { # KIND N
  local kind=$1 n=$2 tag="$1-$2" i
  local label=$kind bin=$TERN
  if [ "$kind" = tern ]; then label=$TERN_LABEL; fi
  if [ "$kind" = base ]; then label=$TERN_BASE_LABEL; bin=$TERN_BASE; fi
  case $kind in
    tern | base) [ -x "$bin" ] || { fail_row "$label" "$n" "no tern binary at '$bin'"; return 0; } ;;
    bird) command -v bird >/dev/null || { fail_row "$label" "$n" "bird not installed"; return 0; } ;;
    *) fail_row "$label" "$n" "unknown kind"; return 0 ;;
  esac
  log "$label N=$n: building $n namespaces"
  : >"$WORK/nodes-$tag.txt"
  topology "$tag" "$n"
  mkdir -p "$WORK/cfg-$tag"
  if [ "$kind" = bird ]; then bird_cfgs "$WORK/cfg-$tag" "$n"; fi
  if [ "$kind" != bird ]; then
    for ((i = 1; i <= n; i++)); do tern_cfg "$WORK/cfg-$tag/n$i.yaml" "$i" "$n" "$WORK/cfg-$tag/n$i.sock"; done
  fi

  local mon="$WORK/mon-$tag.log"
  python3 "$HERE/mesh_monitor.py" --nodes "$WORK/nodes-$tag.txt" --victim "n$n" --timeout $((3 * BUDGET)) >"$mon" 2>&1 &
  local mpid=$!; PIDS+=("$mpid")
  wait_for $((SECONDS + 30)) "monitor ready" grep -q '^READY' "$mon" || { fail_row "$label" "$n" "monitor not ready"; stop_all; return 0; }

  local -a dpids=()
  local t0 ns
  t0=$(date +%s.%N)
  for ((i = 1; i <= n; i++)); do
    ns="tms$RUN-$tag-n$i"
    if [ "$kind" != bird ]; then
      ip netns exec "$ns" "$bin" run --config "$WORK/cfg-$tag/n$i.yaml" >"$WORK/log-$tag-n$i.log" 2>&1 &
    else
      ip netns exec "$ns" bird -f -c "$WORK/cfg-$tag/n$i.conf" -s "$WORK/cfg-$tag/n$i.ctl" \
        -P "$WORK/cfg-$tag/n$i.pid" >"$WORK/log-$tag-n$i.log" 2>&1 &
    fi
    dpids+=("$!"); PIDS+=("$!")
  done
  local started; started=$(date +%s.%N)
  local perfpid=""
  if [ -n "$PERF" ] && [ "$kind" != bird ] && command -v perf >/dev/null; then
    perf record -e cpu-clock -g -o "$WORK/perf-$tag.data" -p "${dpids[1]}" >"$WORK/perf-$tag.log" 2>&1 &
    perfpid=$!; PIDS+=("$perfpid")
  fi
  log "$label N=$n: $n daemons started in $(python3 -c 'import sys; print("%.2f" % (float(sys.argv[2]) - float(sys.argv[1])))' "$t0" "$started") s; waiting for every kernel to hold every block"
  if ! wait_for $((SECONDS + BUDGET)) "all routes" grep -q '^ALL ' "$mon"; then
    fail_row "$label" "$n" "not converged within ${BUDGET}s: $(grep '^PROGRESS' "$mon" | tail -n1)"; stop_all; return 0
  fi
  local conv; conv=$(procstats "${dpids[@]}")
  if [ -n "$perfpid" ]; then
    kill -INT "$perfpid" 2>/dev/null || true
    wait "$perfpid" 2>/dev/null || true
    perf report -i "$WORK/perf-$tag.data" --no-children --percent-limit 1.5 --stdio 2>/dev/null |
      grep -v '^$' | head -n 120 >"$WORK/perf-$tag.txt" || true
    log "$label N=$n: profile of node n2 in $WORK/perf-$tag.txt"
  fi
  sleep "$SETTLE"
  local after; after=$(procstats "${dpids[@]}")
  local alive; alive=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["n"])' "$after")
  log "$label N=$n: converged; $alive of $n daemons alive"

  # --- one node dies --------------------------------------------------------------
  local victim=${dpids[$((n - 1))]} tk
  tk=$(date +%s.%N)
  if [ "$KILL_MODE" = crash ]; then ip -n "tms$RUN-$tag-seg" link set "p$n" down; fi
  kill -KILL "$victim"
  if ! wait_for $((SECONDS + HOLD + BUDGET)) "n$n's block gone everywhere" grep -q '^ALL_GONE' "$mon"; then
    log "$label N=$n: n$n's block still held after $((HOLD + BUDGET)) s by $((n - 1 - $(grep -c '^GONE' "$mon"))) nodes"
  fi
  record "$(python3 - "$mon" "$kind" "$label" "$n" "$t0" "$tk" "$conv" "$after" <<'PY'
import json, sys, statistics
mon, kind, label, n, t0, tk, conv, after = sys.argv[1:]
n = int(n); t0 = float(t0); tk = float(tk); conv = json.loads(conv); after = json.loads(after)
lines = [l.split() for l in open(mon)]
nodes = sorted(float(l[2]) - t0 for l in lines if l[0] == "NODE")
gone = sorted(float(l[2]) - tk for l in lines if l[0] == "GONE")
allt = next((float(l[1]) - t0 for l in lines if l[0] == "ALL"), None)
allg = next((float(l[1]) - tk for l in lines if l[0] == "ALL_GONE"), None)
m = after["n"] or 1
print(json.dumps({"kind": kind, "label": label, "n": n, "converge": allt,
  "first": nodes[0] if nodes else None, "median": statistics.median(nodes) if nodes else None,
  "cpu_conv": conv["cpu"], "cpu_total": after["cpu"], "priv_mb": after["priv_kb"] / 1024,
  "pss_mb": after["pss_kb"] / 1024, "rss_mean_mb": after["rss_kb"] / 1024 / m,
  "priv_mean_mb": after["priv_kb"] / 1024 / m, "alive": after["n"],
  "kill": allg, "kill_first": gone[0] if gone else None, "gone": len(gone),
  "overruns": sum(1 for l in lines if l[0] == "OVERRUN")}))
PY
)"
  log "$label N=$n: $(tail -n1 "$RESULTS")"
  stop_all
}

for n in $SIZES; do
  for k in $KINDS; do run_one "$k" "$n"; done
done

# --- table ----------------------------------------------------------------------------
tern_ver="$TERN (built $(date -r "$TERN" '+%F %T' 2>/dev/null || echo '?'), tree at $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?'))"
bird_ver=$(bird --version 2>&1 | head -n1 || echo "?")
python3 - "$RESULTS" "$CMDLINE" "$tern_ver" "$bird_ver" "$HOLD" "$KILL_MODE" "$RESULTS_OUT" <<'PY'
import json, sys, os, time, platform
rows = [json.loads(l) for l in open(sys.argv[1])]
cmd, tv, bv, hold, mode, out_path = sys.argv[2:]
bird = {r["n"]: r for r in rows if r["kind"] == "bird" and "failed" not in r}
def f(v, p="%.2f"):
    return "-" if v is None else p % v
def ratio(r, key):
    b = bird.get(r["n"])
    return "%.2f" % (r[key] / b[key]) if b and r.get(key) is not None and b.get(key) else "-"
hdr = ["daemon", "N", "converge s", "first/median node s", "CPU s conv / total", "private MB all",
       "Pss MB all", "RSS MB / process", "kill s first/last", "time vs BIRD", "CPU vs BIRD",
       "private vs BIRD", "kill vs BIRD"]
out = []
for r in rows:
    if "failed" in r:
        out.append([r["kind"], str(r["n"]), "FAILED: " + r["failed"][:70]] + ["-"] * (len(hdr) - 3))
        continue
    out.append([r["label"], str(r["n"]), f(r["converge"]), "%s / %s" % (f(r["first"]), f(r["median"])),
                "%s / %s" % (f(r["cpu_conv"]), f(r["cpu_total"])), f(r["priv_mb"], "%.1f"), f(r["pss_mb"], "%.1f"),
                f(r["rss_mean_mb"], "%.1f"),
                "%s / %s" % (f(r["kill_first"]), f(r["kill"]) if r["kill"] is not None else "> budget (%d of %d)" % (r["gone"], r["n"] - 1)),
                ratio(r, "converge"), ratio(r, "cpu_total"), ratio(r, "priv_mb"), ratio(r, "kill")])
w = [max(len(h), *(len(x[i]) for x in out)) if out else len(h) for i, h in enumerate(hdr)]
print("  ".join(h.ljust(w[i]) for i, h in enumerate(hdr)))
for x in out:
    print("  ".join(v.ljust(w[i]) for i, v in enumerate(x)))
print()
cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
load = open("/proc/loadavg").read().split()[:3]
block = []
block.append("Command: `%s`, %s, %d CPUs (%s), kernel %s, load %s at the end; hold time %s s, kill mode %s; %s; %s." % (
    cmd, time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), os.cpu_count(), cpu, platform.release(), " ".join(load), hold, mode, tv, bv))
block.append("")
block.append("| " + " | ".join(hdr) + " |")
block.append("|" + "---|" * len(hdr))
for x in out:
    block.append("| " + " | ".join(x) + " |")
print("\n".join(block))
if out_path:
    with open(out_path, "a") as fh:
        fh.write("\n".join(block) + "\n\n")
PY
