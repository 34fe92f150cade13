#!/usr/bin/env bash
# Workload latency benchmark: from `tern workload add` on node A until the workload's /32
# is in node B's kernel.
#
#   sudo interop/bench/workload-latency.sh
#
# Two nodes in fresh namespaces A and B on one segment (one veth pair, 192.168.232.1 /
# .2), iBGP AS 64512, no blocks (so every workload is "borrowed" and advertised as a /32).
# A's host-side interfaces cali0..cali{N-1} (veth pairs, both ends in A, up) are created
# beforehand with `ip -batch`. Then, one by one, workload_latency.py (running in A) takes
# t0 just before `tern workload add --name wI --interface caliI --ip 10.65.x.y/32` and
# waits until a netlink monitor in B (RTNLGRP_IPV4_ROUTE, timestamped on receipt) reports
# RTM_NEWROUTE 10.65.x.y/32; latency = that timestamp - t0. The next workload is added only
# after the previous one arrived (or its timeout), so samples do not overlap.
#
# The BIRD comparison (MODES contains bird): A and B are BIRD 2; A has Calico's kernel
# protocol settings (`learn; scan time 2;`, import all, export none) and exports the learned
# /32s over iBGP to B, whose kernel protocol exports all; the workload is added with
# `ip route add 10.65.x.y/32 dev caliI` in A.
#
# Environment:
#   TERN=path        tern binary (default: .build-kbench/release/tern, else .build-bench-rel)
#   COUNT=1000       workloads (Tern)
#   BIRD_COUNT=1000  routes added for the BIRD comparison
#   MODES="tern bird"
#   TIMEOUT=5        seconds per workload before it counts as missing
#   KEEP=1           keep the work directory (configs, logs, per-sample files)
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
if [ -z "${TERN:-}" ]; then
  TERN=$ROOT/.build-kbench/release/tern
  [ -x "$TERN" ] || TERN=$ROOT/.build-bench-rel/release/tern
fi
COUNT=${COUNT:-1000}
BIRD_COUNT=${BIRD_COUNT:-1000}
MODES=${MODES:-"tern bird"}
TIMEOUT=${TIMEOUT:-5}
A_IP=192.168.232.1
B_IP=192.168.232.2
AS=64512
CMDLINE="$0${*:+ $*}"
DRV="$HERE/workload_latency.py"

KILL_WAIT=10
. "$HERE/lib.sh"
bench_init wlbench tern-wlbench

wait_for() { # wait_for SECONDS DESCRIPTION COMMAND...
  local end=$((SECONDS + $1)) desc=$2; shift 2
  local out
  until out=$("$@" 2>&1); do
    if ((SECONDS >= end)); then log "timeout waiting for: $desc; last output: $(printf '%s' "$out" | tail -n 5)"; return 1; fi
    sleep 0.1
  done
}

topology() { # topology TAG N : namespaces A, B joined by one veth; N host-side interfaces in A
  local tag=$1 n=$2
  NSA="tw$RUN-$tag-a"; NSB="tw$RUN-$tag-b"
  ip netns add "$NSA"; NSS+=("$NSA")
  ip netns add "$NSB"; NSS+=("$NSB")
  ip link add eth0 netns "$NSA" type veth peer name eth0 netns "$NSB"
  ip -n "$NSA" addr add "$A_IP/24" dev eth0
  ip -n "$NSB" addr add "$B_IP/24" dev eth0
  local x
  for x in "$NSA" "$NSB"; do ip -n "$x" link set lo up; ip -n "$x" link set eth0 up; done
  python3 - "$n" >"$WORK/links-$tag.batch" <<'EOF'
import sys
n = int(sys.argv[1])
for i in range(n):
    print(f"link add cali{i} type veth peer name wl{i}")
for i in range(n):
    print(f"link set cali{i} up")
    print(f"link set wl{i} up")
EOF
  ip -n "$NSA" -batch "$WORK/links-$tag.batch"
  log "topology $tag: $NSA (A, $n host-side interfaces cali*) <-> $NSB (B)"
}

tern_cfg() { # tern_cfg NAME IP PEER_IP PASSIVE FILE
  cat >"$5" <<EOF
nodeName: $1
asNumber: $AS
routerID: $2
listenAddress: $2
listenPort: 179
controlSocket: $WORK/$1.sock
holdTime: 90
connectRetryTime: 1
nodeToNodeMesh: false
peers:
  - {address: $3, asNumber: $AS, passive: $4}
blocks: []
dataplane: {routeProtocol: 199}
logLevel: warning
EOF
}

tern_established() { "$TERN" status --socket "$1" --json | python3 -c '
import json, sys
d = json.load(sys.stdin)
st = [p.get("state") for p in d.get("peers", [])]
print(st)
sys.exit(0 if st and all(s == "Established" for s in st) else 1)'; }

run_tern() {
  log "=== Tern: $COUNT workloads ==="
  if [ ! -x "$TERN" ]; then record "{\"kind\":\"tern\",\"ok\":false,\"why\":\"no tern binary at $TERN\"}"; return 0; fi
  topology t "$COUNT"
  tern_cfg a "$A_IP" "$B_IP" false "$WORK/a.yaml"
  tern_cfg b "$B_IP" "$A_IP" true "$WORK/b.yaml"
  ip netns exec "$NSA" "$TERN" run --config "$WORK/a.yaml" >"$WORK/a.log" 2>&1 & PIDS+=($!)
  ip netns exec "$NSB" "$TERN" run --config "$WORK/b.yaml" >"$WORK/b.log" 2>&1 & PIDS+=($!)
  if ! wait_for 30 "A <-> B Established" tern_established "$WORK/a.sock"; then
    record '{"kind":"tern","ok":false,"why":"session not Established"}'; tail -20 "$WORK"/a.log "$WORK"/b.log >&2; teardown; return 0
  fi
  local out
  out=$(ip netns exec "$NSA" python3 "$DRV" drive --monitor-ns "$NSB" --count "$COUNT" --timeout "$TIMEOUT" \
    --add "$TERN workload add --socket $WORK/a.sock --name w{i} --interface cali{i} --ip {ip}/32" \
    --out "$WORK/samples-tern.txt") || true
  log "tern: $out"
  local na nb
  na=$(ip -n "$NSA" -4 route show proto 199 | grep -c 'scope link' || true)
  nb=$(ip -n "$NSB" -4 route show proto 199 | grep -c "via $A_IP" || true)
  log "A holds $na workload routes (dev, scope link, proto 199); B holds $nb routes via A (proto 199)"
  record "{\"kind\":\"tern\",\"raw\":${out:-null},\"check\":\"A: $na local /32 dev routes, B: $nb /32 via A\"}"
  if grep -qiE 'error|fail' "$WORK/a.log" "$WORK/b.log"; then grep -iE 'error|fail' "$WORK/a.log" "$WORK/b.log" | head -5 >&2; fi
  teardown
}

bird_cfg() { # bird_cfg ME PEER ROLE FILE   (ROLE a: learn + export learned /32s; b: kernel export all)
  {
    echo "log stderr { warning, error, fatal };"
    echo "router id $1;"
    echo "protocol device { scan time 2; }"
    if [ "$3" = a ]; then
      cat <<EOF
# Calico's kernel protocol settings: learn routes added by others, scan every 2 s
protocol kernel {
  learn;
  scan time 2;
  ipv4 { import all; export none; };
}
filter workloads { if net ~ [ 10.65.0.0/16{32,32} ] then accept; reject; }
protocol bgp peer_b {
  local $1 as $AS;
  neighbor $2 as $AS;
  direct;
  ipv4 { import none; export filter workloads; next hop self; };
}
EOF
    else
      cat <<EOF
protocol kernel { ipv4 { import none; export all; }; }
protocol bgp peer_a {
  local $1 as $AS;
  neighbor $2 as $AS;
  direct;
  passive on;
  ipv4 { import all; export none; gateway direct; };
}
EOF
    fi
  } >"$4"
}

run_bird() {
  log "=== BIRD 2: $BIRD_COUNT routes (ip route add on A, kernel learn scan time 2) ==="
  if ! command -v bird >/dev/null || ! command -v birdc >/dev/null; then record '{"kind":"bird","ok":false,"why":"bird not installed"}'; return 0; fi
  topology b "$BIRD_COUNT"
  bird_cfg "$A_IP" "$B_IP" a "$WORK/bird-a.conf"
  bird_cfg "$B_IP" "$A_IP" b "$WORK/bird-b.conf"
  ip netns exec "$NSA" bird -f -c "$WORK/bird-a.conf" -s "$WORK/bird-a.ctl" -P "$WORK/bird-a.pid" >"$WORK/bird-a.log" 2>&1 & PIDS+=($!)
  ip netns exec "$NSB" bird -f -c "$WORK/bird-b.conf" -s "$WORK/bird-b.ctl" -P "$WORK/bird-b.pid" >"$WORK/bird-b.log" 2>&1 & PIDS+=($!)
  if ! wait_for 30 "BIRD A <-> B Established" sh -c "birdc -s '$WORK/bird-a.ctl' show protocols peer_b | grep -q Established"; then
    record '{"kind":"bird","ok":false,"why":"session not Established"}'; tail -20 "$WORK"/bird-a.log "$WORK"/bird-b.log >&2; teardown; return 0
  fi
  local out
  out=$(ip netns exec "$NSA" python3 "$DRV" drive --monitor-ns "$NSB" --count "$BIRD_COUNT" --timeout "$TIMEOUT" \
    --add "ip route add {ip}/32 dev cali{i}" --out "$WORK/samples-bird.txt") || true
  log "bird: $out"
  local nb
  nb=$(ip -n "$NSB" -4 route show proto bird | grep -c "via $A_IP" || true)
  record "{\"kind\":\"bird\",\"raw\":${out:-null},\"check\":\"B: $nb /32 via A (proto bird)\"}"
  teardown
}


for m in $MODES; do
  case $m in
    tern) run_tern ;;
    bird) run_bird ;;
    *) log "unknown mode $m" ;;
  esac
done

python3 - "$RESULTS" "$CMDLINE" "$TERN" "$MODES" <<'EOF'
import json, os, platform, sys, time
results = [json.loads(l) for l in open(sys.argv[1])]
cpu = "?"
for line in open("/proc/cpuinfo"):
    if line.startswith("model name"):
        cpu = line.split(":", 1)[1].strip(); break
names = {"tern": "Tern A -> Tern B (`tern workload add`)", "bird": "BIRD A (kernel learn, scan time 2) -> BIRD B (`ip route add`)"}
ms = lambda v: "-" if v is None else f"{v * 1000:.1f}"
hdr = ["setup", "workloads", "arrived", "p50 ms", "p90 ms", "p99 ms", "max ms", "CLI p50 ms", "notes"]
rows = []
for r in results:
    raw = r.get("raw")
    if not raw:
        rows.append([names[r["kind"]], "-", "FAILED", "-", "-", "-", "-", "-", r.get("why", "no result")])
        continue
    note = r.get("check", "")
    if raw.get("missing"):
        note += f"; missing (>{os.environ.get('TIMEOUT', '5')} s): {raw['missing']}"
    if raw.get("failed"):
        note += f"; add failed: {raw['failed'][:2]}"
    rows.append([names[r["kind"]], str(raw["count"]), str(raw["seen"]), ms(raw["lat_p50"]), ms(raw["lat_p90"]),
                 ms(raw["lat_p99"]), ms(raw["lat_max"]), ms(raw["cli_p50"]), note])
w = [max(len(x[i]) for x in rows + [hdr]) for i in range(len(hdr) - 1)]
print()
print("  ".join(h.ljust(w[i]) for i, h in enumerate(hdr[:-1])))
for r in rows:
    print("  ".join(x.ljust(w[i]) for i, x in enumerate(r[:-1])) + "  " + r[-1])
print()
print(f"Command: `{sys.argv[2]}` (MODES=\"{sys.argv[4]}\")  ")
print(f"Date: {time.strftime('%Y-%m-%d %H:%M %Z')}; nproc {os.cpu_count()}; CPU \"{cpu}\"; kernel {platform.release()}; tern {sys.argv[3]}")
print()
print("| " + " | ".join(hdr) + " |")
print("|" + "|".join(" --- " for _ in hdr) + "|")
for r in rows:
    print("| " + " | ".join(r) + " |")
EOF
