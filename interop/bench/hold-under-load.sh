#!/usr/bin/env bash
# Keepalives under kernel load: does a BGP session with a 3 s hold time stay up while the
# receiver installs N (default 1M) /32 routes into the kernel and removes them again?
#
#   sudo interop/bench/hold-under-load.sh
#
# Three namespaces per receiver: inj --- rx --- watch.
#   inj    the injector (injector.py, hold 90) sends N /32s over eBGP to rx, later withdraws them
#   rx     the receiver: `tern run` (dataplane on, routeProtocol 199, logLevel info: the default)
#          or, as the anchor, BIRD 2 with `protocol kernel { ipv4 { export all; }; }`
#   watch  a BIRD 2 peer of rx with `hold time 3; keepalive time 1` that imports nothing; rx
#          exports the N routes to it too (Tern does to every eBGP peer; BIRD with `export all`)
# Phases: install (the injector's ANNOUNCE_START until the kernel holds N more routes), settle
# (rx idle), withdraw (until none is left), settle. Throughout, tcpdump in rx's namespace
# records every BGP segment on the rx-watch link.
#
# Reported per receiver: install and withdraw time; the largest gap between two segments
# with payload from rx to watch and from watch to rx over the whole run (a gap >= 3 s
# would expire the hold timer); whether the watch session stayed Established (BIRD's
# "since" on the watch side unchanged, rx's own view at the end); the receiver's peak RSS.
#
# Environment:
#   TERN=path         tern binary (default: .build-kbench/release/tern, else .build-bench-rel)
#   N=1000000         routes
#   RECEIVERS="tern bird"
#   BUDGET=300        seconds per receiver, everything included
#   TERN_LOG_LEVEL=info
#   STREAM_CACHE=dir  pre-encoded streams (default /var/tmp/tern-bench-streams)
#   KEEP=1            keep the work directory (configs, logs, captures)
#   RESULTS_OUT=file  also copy the per-receiver JSON lines there (the kernel-hold topology
#                     reads them)
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
if [ -z "${TERN:-}" ]; then
  TERN=$ROOT/.build-kbench/release/tern
  [ -x "$TERN" ] || TERN=$ROOT/.build-bench-rel/release/tern
fi
N=${N:-1000000}
RECEIVERS=${RECEIVERS:-"tern bird"}
BUDGET=${BUDGET:-300}
STREAM_CACHE=${STREAM_CACHE:-/var/tmp/tern-bench-streams}
INJ_IP=192.168.231.1
RX_IP=192.168.231.2
W_RX=192.168.233.2
W_IP=192.168.233.1
INJ_AS=64513
RX_AS=64512
W_AS=64514
CMDLINE="$0${*:+ $*}"
KR="$HERE/kroutes.py"

KILL_WAIT=10
. "$HERE/lib.sh"
bench_init holdload tern-holdload
for t in bird birdc tcpdump; do command -v "$t" >/dev/null || { echo "SKIP: $t not installed"; exit 77; }; done

watch_state() { # watch_state CTL -> "Established <since>" of the watch side's session
  birdc -s "$1" show protocols rxpeer 2>/dev/null | awk '$1 == "rxpeer" { print $6, $4, $5 }'
}

watch_established() { watch_state "$1" | grep -q '^Established'; }

run_one() {
  local kind=$1 end=$((SECONDS + BUDGET))
  local d="$WORK/$kind"; mkdir -p "$d"
  local p="th$RUN${kind:0:1}"
  local nsi="$p-inj" nsr="$p-rx" nsw="$p-w"
  log "=== $kind, N=$N ==="
  if [ "$kind" = tern ] && [ ! -x "$TERN" ]; then
    record "{\"kind\":\"tern\",\"ok\":false,\"why\":\"no tern binary at $TERN\"}"; return 0
  fi
  mapfile -t S < <(python3 "$HERE/make_stream.py" --out "$STREAM_CACHE" --next-hop "$INJ_IP" --count "$N" --as "$INJ_AS" --plen 32)

  local ns
  for ns in "$nsi" "$nsr" "$nsw"; do ip netns add "$ns"; NSS+=("$ns"); ip -n "$ns" link set lo up; done
  ip link add "${p}i" netns "$nsi" type veth peer name "${p}r" netns "$nsr"
  ip link add "${p}w" netns "$nsw" type veth peer name "${p}x" netns "$nsr"
  ip -n "$nsi" addr add "$INJ_IP/24" dev "${p}i"
  ip -n "$nsr" addr add "$RX_IP/24" dev "${p}r"
  ip -n "$nsr" addr add "$W_RX/24" dev "${p}x"
  ip -n "$nsw" addr add "$W_IP/24" dev "${p}w"
  ip -n "$nsi" link set "${p}i" up; ip -n "$nsr" link set "${p}r" up
  ip -n "$nsr" link set "${p}x" up; ip -n "$nsw" link set "${p}w" up
  ip netns exec "$nsr" ping -c1 -W2 "$INJ_IP" >/dev/null 2>&1 || true

  # The watcher: hold 3, keepalive 1, imports nothing (it only has to keep the session).
  cat >"$d/watch.conf" <<EOF
log stderr all;
router id $W_IP;
protocol device { }
protocol bgp rxpeer {
  local $W_IP as $W_AS;
  neighbor $W_RX as $RX_AS;
  hold time 3;
  keepalive time 1;
  connect retry time 1;
  ipv4 { import none; export none; };
}
EOF
  ip netns exec "$nsw" bird -f -c "$d/watch.conf" -s "$d/watch.ctl" -P "$d/watch.pid" >"$d/watch.log" 2>&1 &
  PIDS+=($!)

  local rxpid base
  base=$(ip netns exec "$nsr" python3 "$KR" trie)
  case $kind in
    tern)
      cat >"$d/rx.yaml" <<EOF
nodeName: rx
asNumber: $RX_AS
routerID: $RX_IP
listenPort: 179
controlSocket: $d/rx.sock
nodeToNodeMesh: false
peers:
  - {address: $INJ_IP, asNumber: $INJ_AS, passive: true, holdTime: 90}
  - {address: $W_IP, asNumber: $W_AS, holdTime: 3}
blocks: []
dataplane: {routeProtocol: 199}
logLevel: ${TERN_LOG_LEVEL:-info}
EOF
      ip netns exec "$nsr" "$TERN" run --config "$d/rx.yaml" >"$d/rx.log" 2>&1 &
      rxpid=$!; PIDS+=("$rxpid")
      ;;
    bird)
      cat >"$d/rx.conf" <<EOF
log stderr { warning, error, fatal };
router id $RX_IP;
protocol device { }
protocol kernel { ipv4 { export all; }; }
protocol bgp inj {
  local $RX_IP as $RX_AS; neighbor $INJ_IP as $INJ_AS; passive on; hold time 90;
  ipv4 { import all; export none; };
}
protocol bgp watch {
  local $W_RX as $RX_AS; neighbor $W_IP as $W_AS; hold time 3; keepalive time 1;
  ipv4 { import none; export all; };
}
EOF
      ip netns exec "$nsr" bird -f -c "$d/rx.conf" -s "$d/rx.ctl" -P "$d/rx.pid" >"$d/rx.log" 2>&1 &
      rxpid=$!; PIDS+=("$rxpid")
      ;;
  esac
  if ! wait_for $((SECONDS + 30)) "the watch session" watch_established "$d/watch.ctl"; then
    record "{\"kind\":\"$kind\",\"ok\":false,\"why\":\"the watch session did not come up\"}"
    tail -n 20 "$d/rx.log" "$d/watch.log" >&2; teardown; return 0
  fi
  sleep 2   # a few keepalives before the load
  local before; before=$(watch_state "$d/watch.ctl")
  ip netns exec "$nsr" tcpdump -i "${p}x" -n -tt -l -s 96 'tcp port 179' >"$d/cap.txt" 2>"$d/tcpdump.err" &
  local cappid=$!; PIDS+=("$cappid")
  wait_for "$end" "tcpdump" grep -q 'listening on' "$d/tcpdump.err" || true

  local inj="$d/inj.events"; : >"$inj"
  ip netns exec "$nsr" python3 "$KR" wait --metric trie --base "$base" --target "$N" --cmp ge \
    --events "$inj" --event ANNOUNCE_START --deadline $((end - SECONDS)) --interval 0.05 --pid "$rxpid" >"$d/install.json" &
  local mpid=$!
  ip netns exec "$nsi" python3 "$HERE/injector.py" --local "$INJ_IP" --peer "$RX_IP" --as "$INJ_AS" \
    --announce "${S[0]}" --withdraw "${S[1]}" >>"$inj" 2>"$d/inj.err" &
  local injpid=$!; PIDS+=("$injpid")
  wait "$mpid" || true
  local out1 out2; out1=$(cat "$d/install.json")
  log "$kind install: $out1"
  settle "$rxpid" "$end"
  ip netns exec "$nsr" python3 "$KR" wait --metric trie --base "$base" --target 0 --cmp eq \
    --events "$inj" --event WITHDRAW_START --kick "$injpid" --signal USR1 --deadline $((end - SECONDS)) \
    --interval 0.05 --pid "$rxpid" >"$d/withdraw.json" || true
  out2=$(cat "$d/withdraw.json"); [ -n "$out2" ] || out2='{"ok":false,"why":"budget exhausted"}'
  log "$kind withdraw: $out2"
  settle "$rxpid" "$end"
  sleep 2
  local after rxview rss
  after=$(watch_state "$d/watch.ctl")
  rss=$(awk '/VmHWM/ {print $2}' "/proc/$rxpid/status" 2>/dev/null || echo 0)
  if [ "$kind" = tern ]; then
    rxview=$(timeout 20 "$TERN" status --socket "$d/rx.sock" --json 2>/dev/null | python3 -c '
import json, sys
for p in json.load(sys.stdin)["peers"]:
    if p["address"] == sys.argv[1]: print(p["state"], p["since"])' "$W_IP" 2>/dev/null || echo "?")
  else
    rxview=$(birdc -s "$d/rx.ctl" show protocols watch 2>/dev/null | awk '$1 == "watch" { print $6, $4, $5 }')
  fi
  kill_pid "$cappid"
  local expired; expired=$(grep -c 'Hold timer expired' "$d/watch.log" || true)
  python3 - "$d/cap.txt" "$W_RX" "$W_IP" "$kind" "$out1" "$out2" "$before" "$after" "$rxview" "${rss:-0}" "${expired:-0}" >>"$RESULTS" <<'EOF'
import json, sys
cap, rx, w, kind, o1, o2, before, after, rxview, rss, expired = sys.argv[1:12]
last = {}; gap = {"rx->watch": 0.0, "watch->rx": 0.0}; n = {"rx->watch": 0, "watch->rx": 0}
first = None
for line in open(cap):
    f = line.split()
    if len(f) < 5 or f[1] != "IP" or "length" not in f:
        continue
    length = int(f[f.index("length") + 1].rstrip(":"))
    if length == 0:
        continue
    t = float(f[0]); first = first if first is not None else t
    src = f[2].rsplit(".", 1)[0]
    d = "rx->watch" if src == rx else "watch->rx" if src == w else None
    if d is None:
        continue
    if d in last:
        gap[d] = max(gap[d], t - last[d])
    last[d] = t; n[d] += 1
span = (max(last.values()) - first) if last and first is not None else 0
i, wd = json.loads(o1), json.loads(o2)
print(json.dumps({"kind": kind, "ok": bool(i.get("ok")), "install": i.get("elapsed"), "withdraw": wd.get("elapsed"), "withdraw_ok": bool(wd.get("ok")),
                  "gap": gap, "segments": n, "span": span, "before": before, "after": after, "rxview": rxview,
                  "kept": before == after and before.startswith("Established"), "hwm_kb": int(rss),
                  "expired": int(expired)}))
EOF
  grep -iE 'hold timer|expired|error' "$d/watch.log" | head -3 >&2 || true
  teardown
}

mkdir -p "$STREAM_CACHE"
for k in $RECEIVERS; do run_one "$k"; done
if [ -n "${RESULTS_OUT:-}" ]; then cp "$RESULTS" "$RESULTS_OUT"; fi

python3 - "$RESULTS" "$CMDLINE" "$TERN" "$N" <<'EOF'
import json, os, platform, sys, time
rows = [json.loads(l) for l in open(sys.argv[1])]
names = {"tern": "Tern", "bird": "BIRD 2"}
hdr = ["receiver", "N", "install s", "withdraw s", "max gap rx->watch s", "max gap watch->rx s",
       "watch session (hold 3 s)", "peak RSS MB"]
print()
print("| " + " | ".join(hdr) + " |")
print("|" + "|".join(" --- " for _ in hdr) + "|")
f = lambda v: "-" if v is None else f"{v:.2f}"
for r in rows:
    if "gap" not in r:
        print(f"| {names.get(r['kind'], r['kind'])} | {sys.argv[4]} | FAILED: {r.get('why')} | | | | | |")
        continue
    kept = ("kept (since %s)" % r["before"].split(" ", 1)[1]) if r["kept"] else \
        f"RESET {r['expired']}x by the watcher's hold timer: before {r['before']!r}, after {r['after']!r}"
    print(f"| {names[r['kind']]} | {int(sys.argv[4]):,} | {f(r['install'])} | {f(r['withdraw'])} | {r['gap']['rx->watch']:.2f} "
          f"| {r['gap']['watch->rx']:.2f} | {kept}; rx sees {r['rxview']} | {r['hwm_kb'] // 1024} |")
print()
print(f"Command: `{sys.argv[2]}` (N={sys.argv[4]}); tern {sys.argv[3]}  ")
print(f"Date: {time.strftime('%Y-%m-%d %H:%M %Z')}; nproc {os.cpu_count()}; kernel {platform.release()}")
EOF
