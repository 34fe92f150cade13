#!/usr/bin/env bash
# Route-reflector fan-out benchmark: Tern vs BIRD 2 as the reflector.
#
#   sudo interop/bench/rr-fanout.sh
#
# A reflector (AS 64512, cluster ID 172.30.0.1) with K route-reflector clients plus
# one more client, the injector. The K clients are ONE process (rrclients.py, asyncio)
# holding K iBGP sessions, each from its own address (172.30.1.1 upward, all on one
# interface of the clients' namespace). When all K are Established and the reflector
# is idle, injector.py (from 172.30.0.2) sends M IPv4 /24s (pre-encoded by
# make_stream.py: 10.0.0.0/24 upward, AS_PATH [64513], NEXT_HOP 172.30.0.2, MED 0,
# ~1000 prefixes per 4096-byte UPDATE, End-of-RIB). Measured, per reflector and K:
#   time s       injector's ANNOUNCE_START (first UPDATE) -> the moment rrclients.py
#                sees the last of the K sessions reach M prefixes (CLOCK_REALTIME)
#   CPU s        reflector utime+stime during that interval (/proc/PID/stat)
#   peak RSS MB  reflector VmHWM at that moment (/proc/PID/status)
#   vs BIRD      time and peak RSS divided by BIRD's for the same K, same run
# A benchmark, not a test: it prints figures and asserts nothing about them.
#
# Environment:
#   TERN=path     tern binary (default: release build .build-rrbench/release/tern)
#   REFLECTORS="tern bird"   KS="50 500"   M=100000
#   STALL=0       the first STALL client sessions stop reading once Established (slow
#                 clients); "time" is then until every other client has all M routes
#   TCP_BUFFERS="min default max"  net.ipv4.tcp_rmem/tcp_wmem in both namespaces (e.g.
#                 "4096 16384 65536" so slow clients cannot absorb the table in kernel buffers)
#   BUDGET=300    seconds per (reflector, K) run, everything included
#   STREAM_CACHE=dir (default /var/tmp/tern-bench-streams)   KEEP=1 keep logs
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
TERN=${TERN:-$ROOT/.build-rrbench/release/tern}
REFLECTORS=${REFLECTORS:-"tern bird"}
KS=${KS:-"50 500"}
M=${M:-100000}
STALL=${STALL:-0}
TCP_BUFFERS=${TCP_BUFFERS:-}
BUDGET=${BUDGET:-300}
STREAM_CACHE=${STREAM_CACHE:-/var/tmp/tern-bench-streams}
RR_IP=172.30.0.1
INJ_IP=172.30.0.2
FIRST=172.30.1.1
AS=64512
CMDLINE="$0${*:+ $*}"

KILL_WAIT=5
. "$HERE/lib.sh"
bench_init rr-fanout tern-rrbench

field() { awk -v e="$2" '$1 == e {print $2; exit}' "$1"; }   # field FILE EVENT -> timestamp
kv() { grep "^$2 " "$1" | head -n1 | tr ' ' '\n' | awk -F= -v k="$3" '$1 == k {print $2}'; }  # kv FILE EVENT KEY

# addresses of the K clients: FIRST + i
client_addrs() { python3 -c 'import ipaddress,sys
a=int(ipaddress.IPv4Address(sys.argv[1]))
print("\n".join(str(ipaddress.IPv4Address(a+i)) for i in range(int(sys.argv[2]))))' "$FIRST" "$1"; }

tern_cfg() { # FILE K SOCKET
  {
    echo "nodeName: rr-bench"
    echo "role: reflector"
    echo "asNumber: $AS"
    echo "routerID: $RR_IP"
    echo "routeReflectorClusterID: $RR_IP"
    echo "listenAddress: $RR_IP"
    echo "listenPort: 179"
    echo "controlSocket: $3"
    echo "holdTime: 240"
    echo "nodeToNodeMesh: false"
    echo "nodes: []"
    echo "blocks: []"
    echo "logLevel: warning"
    echo "peers:"
    echo "  - {name: injector, address: $INJ_IP, asNumber: $AS, routeReflectorClient: true, passive: true}"
    local a
    for a in $(client_addrs "$2"); do
      echo "  - {address: $a, asNumber: $AS, routeReflectorClient: true, passive: true}"
    done
  } >"$1"
}
bird_cfg() { # FILE K
  {
    echo "log stderr { warning, error, fatal, bug };"
    echo "router id $RR_IP;"
    echo "protocol device { scan time 60; }"
    echo "template bgp rrc {"
    echo "  local $RR_IP as $AS; hold time 240; passive on; direct;"
    echo "  rr client; rr cluster id $RR_IP;"
    echo "  ipv4 { import all; export all; gateway direct; };"
    echo "}"
    echo "protocol bgp inj from rrc { neighbor $INJ_IP as $AS; }"
    local a
    for a in $(client_addrs "$2"); do echo "protocol bgp c_${a//./_} from rrc { neighbor $a as $AS; }"; done
  } >"$1"
}

fail_row() { # KIND K WHY
  record "{\"reflector\": \"$1\", \"k\": $2, \"failed\": \"$3\"}"
  log "FAILED: $1 K=$2: $3"
  local f; for f in "$WORK"/*"-$1-$2".log; do [ -f "$f" ] && { echo "--- tail of $f"; tail -n 15 "$f"; } >&2; done
}

# --- streams ------------------------------------------------------------------
mkdir -p "$STREAM_CACHE"
mapfile -t STREAMS < <(python3 "$HERE/make_stream.py" --out "$STREAM_CACHE" --next-hop "$INJ_IP" --count "$M" --as 64513)
ANNOUNCE=${STREAMS[0]}
log "stream: $ANNOUNCE ($(stat -c %s "$ANNOUNCE") bytes)"

run_one() { # KIND K
  local kind=$1 k=$2 end=$((SECONDS + BUDGET)) tag="$1-$2"
  local rx="trr$RUN-$tag-rx" cl="trr$RUN-$tag-cl"
  ip netns add "$rx"; NSS+=("$rx")
  ip netns add "$cl"; NSS+=("$cl")
  ip -n "$rx" link set lo up; ip -n "$cl" link set lo up
  ip link add eth0 netns "$rx" type veth peer name eth0 netns "$cl"
  ip -n "$rx" addr add "$RR_IP/16" dev eth0
  ip -n "$cl" addr add "$INJ_IP/16" dev eth0
  client_addrs "$k" | sed 's|^|addr add |; s|$|/16 dev eth0|' >"$WORK/addrs-$tag.batch"
  ip -n "$cl" -batch "$WORK/addrs-$tag.batch"
  ip -n "$rx" link set eth0 up; ip -n "$cl" link set eth0 up
  if [ -n "$TCP_BUFFERS" ]; then   # small socket buffers: the reflector must queue for slow clients
    for ns in "$rx" "$cl"; do
      ip netns exec "$ns" sysctl -qw net.ipv4.tcp_rmem="$TCP_BUFFERS" net.ipv4.tcp_wmem="$TCP_BUFFERS"
    done
  fi

  local rpid
  case $kind in
    tern)
      if [ ! -x "$TERN" ]; then fail_row "$kind" "$k" "no tern binary at $TERN"; return 0; fi
      tern_cfg "$WORK/tern-$tag.yaml" "$k" "$WORK/tern-$tag.sock"
      ip netns exec "$rx" "$TERN" run --config "$WORK/tern-$tag.yaml" >"$WORK/reflector-$tag.log" 2>&1 &
      rpid=$!; PIDS+=("$rpid")
      until ip netns exec "$rx" "$TERN" status --socket "$WORK/tern-$tag.sock" --json >/dev/null 2>&1; do
        if ! { ((SECONDS < end)) && kill -0 "$rpid" 2>/dev/null; }; then fail_row "$kind" "$k" "tern did not start"; teardown; return 0; fi
        sleep 0.1
      done ;;
    bird)
      command -v bird >/dev/null || { fail_row "$kind" "$k" "bird not installed"; return 0; }
      bird_cfg "$WORK/bird-$tag.conf" "$k"
      ip netns exec "$rx" bird -f -c "$WORK/bird-$tag.conf" -s "$WORK/bird-$tag.ctl" -P "$WORK/bird-$tag.pid" >"$WORK/reflector-$tag.log" 2>&1 &
      rpid=$!; PIDS+=("$rpid")
      until birdc -s "$WORK/bird-$tag.ctl" show status >/dev/null 2>&1; do
        if ! { ((SECONDS < end)) && kill -0 "$rpid" 2>/dev/null; }; then fail_row "$kind" "$k" "bird did not start"; teardown; return 0; fi
        sleep 0.1
      done ;;
  esac
  log "$kind K=$k: reflector pid $rpid; starting $k clients"
  local clog="$WORK/clients-$tag.log"
  ip netns exec "$cl" python3 "$HERE/rrclients.py" --peer "$RR_IP" --first "$FIRST" --count "$k" --asn "$AS" \
    --expect "$M" --stall "$STALL" --watch-pid "$rpid" --timeout "$((end - SECONDS))" >"$clog" 2>&1 &
  local cpid=$!; PIDS+=("$cpid")
  until grep -q '^ALL_ESTABLISHED' "$clog"; do
    if ! kill -0 "$cpid" 2>/dev/null || ((SECONDS >= end)); then fail_row "$kind" "$k" "clients not established: $(tail -n1 "$clog")"; teardown; return 0; fi
    sleep 0.1
  done
  log "$kind K=$k: $k sessions Established; waiting for the reflector to be idle"
  settle "$rpid" $((SECONDS + 30))
  local cpu0; cpu0=$(cpu_of "$rpid")
  local ilog="$WORK/injector-$tag.log"
  ip netns exec "$cl" python3 "$HERE/injector.py" --local "$INJ_IP" --peer "$RR_IP" --as "$AS" --hold 240 \
    --announce "$ANNOUNCE" --connect-timeout 30 >"$ilog" 2>&1 &
  PIDS+=("$!")
  log "$kind K=$k: injector started ($M routes)"
  while kill -0 "$cpid" 2>/dev/null && ((SECONDS < end)); do sleep 0.1; done
  if ! grep -q '^ALL_DONE' "$clog"; then
    fail_row "$kind" "$k" "not every client got $M routes within ${BUDGET}s: $(grep -E '^(PROGRESS|FAILED)' "$clog" | tail -n1)"
    teardown; return 0
  fi
  local t0 t1 cpu1 hwm self
  t0=$(field "$ilog" ANNOUNCE_START); t1=$(field "$clog" ALL_DONE)
  cpu1=$(kv "$clog" PROC cpu); hwm=$(kv "$clog" PROC hwm_kb); self=$(kv "$clog" SELF cpu)
  local verify; verify=$(grep '^VERIFY' "$clog" | awk '{print $3}' | tr '\n' ' ')
  grep '^STALLED_COUNTS' "$clog" | sed "s/^/[rr-fanout] $kind K=$k: /" >&2 || true
  record "$(python3 -c 'import json,sys
k,kind,t0,t1,c0,c1,hwm,self,ver=sys.argv[1:]
print(json.dumps({"reflector": kind, "k": int(k), "time": float(t1)-float(t0), "cpu": float(c1)-float(c0),
  "cpu_total": float(c1), "rss_mb": int(hwm)/1024, "clients_cpu": float(self), "verify": ver.strip()}))' \
    "$k" "$kind" "$t0" "$t1" "$cpu0" "$cpu1" "$hwm" "$self" "$verify")"
  log "$kind K=$k: $(tail -n1 "$RESULTS")"
  teardown
}

for k in $KS; do
  for r in $REFLECTORS; do run_one "$r" "$k"; done
done

# --- table ----------------------------------------------------------------------
tern_ver="tern $TERN (built $(date -r "$TERN" '+%F %T' 2>/dev/null || echo '?'), tree at $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?'))"
bird_ver=$(bird --version 2>&1 | head -n1 || echo "?")
python3 - "$RESULTS" "$M" "$CMDLINE" "$tern_ver" "$bird_ver" <<'PY'
import json, sys, os, platform, time
rows = [json.loads(l) for l in open(sys.argv[1])]
m, cmd, tv, bv = sys.argv[2:]
bird = {r["k"]: r for r in rows if r["reflector"] == "bird" and "failed" not in r}
def ratio(r, key):
    b = bird.get(r["k"])
    return "%.2f" % (r[key] / b[key]) if b and b[key] else "-"
hdr = ["reflector", "K", "time s", "CPU s", "peak RSS MB", "time vs BIRD", "RSS vs BIRD", "clients CPU s", "verify (distinct)"]
out = []
for r in rows:
    if "failed" in r:
        out.append([r["reflector"], str(r["k"]), "FAILED", "-", "-", "-", "-", "-", r["failed"][:60]])
        continue
    out.append([r["reflector"], str(r["k"]), "%.2f" % r["time"], "%.2f" % r["cpu"], "%.1f" % r["rss_mb"],
                ratio(r, "time"), ratio(r, "rss_mb"), "%.1f" % r["clients_cpu"], r["verify"]])
w = [max(len(h), *(len(x[i]) for x in out)) if out else len(h) for i, h in enumerate(hdr)]
print("  ".join(h.ljust(w[i]) for i, h in enumerate(hdr)))
for x in out:
    print("  ".join(v.ljust(w[i]) for i, v in enumerate(x)))
print()
cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
print("Command: `%s` (M = %s), %s, %d CPUs (%s), %s; %s." % (cmd, m, time.strftime("%Y-%m-%d"), os.cpu_count(), cpu, tv, bv))
print()
print("| " + " | ".join(hdr) + " |")
print("|" + "---|" * len(hdr))
for x in out:
    print("| " + " | ".join(x) + " |")
PY
