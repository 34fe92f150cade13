#!/usr/bin/env bash
# Receive-1M benchmark: Tern vs BIRD 2 vs GoBGP receiving 1M IPv4 /24 from one eBGP peer.
#
#   sudo interop/bench/receive-1m.sh
#
# Environment:
#   TERN=path          tern binary (default: the release build .build-bench-rel/release/tern)
#   RECEIVERS="tern bird gobgp"   which receivers to run, in this order
#   COUNT=1000000      prefixes
#   BUDGET=120         seconds per receiver, everything included; past it: "timed out" row
#   STREAM_CACHE=dir   where the pre-encoded streams are kept (default /var/tmp/tern-bench-streams)
#   KEEP=1             keep the work directory (logs, configs, poll traces) also on success
#
# For each receiver, in fresh namespaces "inj" and "rx" joined by one veth pair
# (192.168.231.1 injector, 192.168.231.2 receiver): start the receiver, start
# injector.py (which connects, reaches Established and replays the pre-encoded
# announce stream), poll the receiver's own CLI every 50 ms (measure.py) until it
# reports COUNT prefixes accepted; then let it settle, signal the injector to
# withdraw all, and poll until it reports 0. See README.md in this directory.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
TERN=${TERN:-$ROOT/.build-bench-rel/release/tern}
RECEIVERS=${RECEIVERS:-"tern bird gobgp"}
COUNT=${COUNT:-1000000}
BUDGET=${BUDGET:-120}
POLL=${POLL:-0.05}
STREAM_CACHE=${STREAM_CACHE:-/var/tmp/tern-bench-streams}
INJ_IP=192.168.231.1
RX_IP=192.168.231.2
INJ_AS=64513
RX_AS=64512
CMDLINE="$0${*:+ $*}"

KILL_WAIT=5
. "$HERE/lib.sh"
bench_init bench tern-bench

event_field() { # event_field FILE EVENT : the timestamp of EVENT in the injector's log
  awk -v e="$2" '$1 == e {print $2; exit}' "$1"
}
has_event() { [ -n "$(event_field "$1" "$2")" ]; }

# --- streams ------------------------------------------------------------------
mkdir -p "$STREAM_CACHE"
log "streams: $COUNT /24s (cache $STREAM_CACHE)"
mapfile -t STREAMS < <(python3 "$HERE/make_stream.py" --out "$STREAM_CACHE" --next-hop "$INJ_IP" --count "$COUNT" --as "$INJ_AS")
ANNOUNCE=${STREAMS[0]}
WITHDRAW=${STREAMS[1]}

# --- one receiver -------------------------------------------------------------
run_one() {
  local kind=$1
  local start=$SECONDS end=$((SECONDS + BUDGET))
  local d="$WORK/$kind"; mkdir -p "$d"
  local nsi="tb$RUN-$kind-inj" nsr="tb$RUN-$kind-rx"
  local vi="tb${RUN}i" vr="tb${RUN}r"
  log "=== $kind ==="

  case $kind in
    tern) if [ ! -x "$TERN" ]; then
            record "{\"kind\":\"tern\",\"ok\":false,\"why\":\"no tern binary at $TERN\"}"; return 0; fi ;;
    bird) if ! command -v bird >/dev/null || ! command -v birdc >/dev/null; then
            record '{"kind":"bird","ok":false,"why":"bird not installed"}'; return 0; fi ;;
    gobgp) if ! command -v gobgpd >/dev/null || ! command -v gobgp >/dev/null; then
             record '{"kind":"gobgp","ok":false,"why":"gobgpd not installed"}'; return 0; fi ;;
  esac

  ip netns add "$nsi"; NSS+=("$nsi")
  ip netns add "$nsr"; NSS+=("$nsr")
  ip link add "$vi" type veth peer name "$vr"
  ip link set "$vi" netns "$nsi"
  ip link set "$vr" netns "$nsr"
  ip -n "$nsi" addr add "$INJ_IP/24" dev "$vi"
  ip -n "$nsr" addr add "$RX_IP/24" dev "$vr"
  for n in "$nsi" "$nsr"; do ip -n "$n" link set lo up; done
  ip -n "$nsi" link set "$vi" up
  ip -n "$nsr" link set "$vr" up

  # receiver
  local rxpid ready q=()
  case $kind in
    tern)
      cat >"$d/rx.yaml" <<EOF
nodeName: rx
asNumber: $RX_AS
routerID: $RX_IP
listenAddress: $RX_IP
listenPort: 179
controlSocket: $d/rx.sock
holdTime: 90
nodeToNodeMesh: false
peers:
  - {address: $INJ_IP, asNumber: $INJ_AS, passive: true}
logLevel: warning
EOF
      ip netns exec "$nsr" "$TERN" run --config "$d/rx.yaml" >"$d/rx.log" 2>&1 &
      rxpid=$!; PIDS+=("$rxpid")
      ready=("$TERN" status --socket "$d/rx.sock" --json)
      q=(--kind tern --tern "$TERN" --socket "$d/rx.sock")
      ;;
    bird)
      cat >"$d/rx.conf" <<EOF
# BIRD 2 receiver: one eBGP session, BIRD's RIB only (no kernel protocol).
log stderr { warning, error, fatal };
router id $RX_IP;
debug protocols off;
protocol device { }
protocol bgp inj {
  local $RX_IP as $RX_AS;
  neighbor $INJ_IP as $INJ_AS;
  passive on;
  hold time 90;
  debug off;
  ipv4 { import all; export none; };
}
EOF
      ip netns exec "$nsr" bird -f -c "$d/rx.conf" -s "$d/rx.ctl" -P "$d/rx.pid" >"$d/rx.log" 2>&1 &
      rxpid=$!; PIDS+=("$rxpid")
      ready=(birdc -s "$d/rx.ctl" show status)
      q=(--kind bird --socket "$d/rx.ctl" --proto inj)
      ;;
    gobgp)
      cat >"$d/rx.toml" <<EOF
# GoBGP receiver: one eBGP neighbor, passive, IPv4 unicast; no zebra, no kernel.
[global.config]
  as = $RX_AS
  router-id = "$RX_IP"
  port = 179
  local-address-list = ["$RX_IP"]
[[neighbors]]
  [neighbors.config]
    neighbor-address = "$INJ_IP"
    peer-as = $INJ_AS
  [neighbors.timers.config]
    hold-time = 90
  [neighbors.transport.config]
    passive-mode = true
    local-address = "$RX_IP"
  [[neighbors.afi-safis]]
    [neighbors.afi-safis.config]
      afi-safi-name = "ipv4-unicast"
EOF
      ip netns exec "$nsr" gobgpd -f "$d/rx.toml" -l warn -p --api-hosts 127.0.0.1:50051 --pprof-disable >"$d/rx.log" 2>&1 &
      rxpid=$!; PIDS+=("$rxpid")
      ready=(ip netns exec "$nsr" gobgp neighbor "$INJ_IP")
      # gobgpd answers a count query in ~0.4 s at 1M paths (`gobgp neighbor` takes 5-7 s and
      # slowed it to a crawl): pause 2x the query's duration between polls.
      q=(--kind gobgp --ns "$nsr" --neighbor "$INJ_IP" --gap-factor 2)
      ;;
  esac
  if ! wait_for $((SECONDS + 20)) "$kind control interface" "${ready[@]}"; then
    record "{\"kind\":\"$kind\",\"ok\":false,\"why\":\"receiver did not start\"}"
    {
      echo "--- $kind did not answer ${ready[*]} within 20 s; receiver log (tail):"; tail -n 30 "$d/rx.log"
      echo "--- process $rxpid state: $(awk '{print $3}' "/proc/$rxpid/stat" 2>&1)"
      for t in /proc/"$rxpid"/task/*; do echo "  thread ${t##*/} $(cat "$t/comm" 2>/dev/null) wchan=$(cat "$t/wchan" 2>/dev/null)"; done
      echo "--- last answer:"; "${ready[@]}" 2>&1 | head -20
      ls -la "$d"
    } >&2 || true
    teardown; return 0
  fi

  # phase 1: announce. The poller runs before the injector starts; the interval starts
  # at the injector's ESTABLISHED timestamp.
  local p1 p2 left mpid
  left=$((end - SECONDS - 2)); ((left < 1)) && left=1
  python3 "$HERE/measure.py" "${q[@]}" --interval "$POLL" --pid "$rxpid" --target "$COUNT" --cmp ge \
    --events "$d/inj.log" --event ESTABLISHED --deadline "$left" --trace "$d/trace-announce.txt" >"$d/p1.json" &
  mpid=$!; PIDS+=("$mpid")
  ip netns exec "$nsi" python3 "$HERE/injector.py" --local "$INJ_IP" --peer "$RX_IP" --as "$INJ_AS" \
    --announce "$ANNOUNCE" --withdraw "$WITHDRAW" --connect-timeout 20 >"$d/inj.log" 2>"$d/inj.err" &
  local injpid=$!; PIDS+=("$injpid")
  if ! wait_for $((SECONDS + 25)) "injector Established" has_event "$d/inj.log" ESTABLISHED; then
    record "{\"kind\":\"$kind\",\"ok\":false,\"why\":\"session not Established\"}"
    { echo "--- injector"; cat "$d/inj.log" "$d/inj.err"; echo "--- receiver log"; tail -n 30 "$d/rx.log"; } >&2
    teardown; return 0
  fi
  log "$kind: Established at $(event_field "$d/inj.log" ESTABLISHED); announcing $COUNT"
  wait "$mpid" || true
  p1=$(cat "$d/p1.json")
  log "$kind announce: $p1"
  if ! python3 -c 'import json,sys; sys.exit(0 if json.loads(sys.argv[1])["ok"] else 1)' "$p1"; then
    record "{\"kind\":\"$kind\",\"ok\":false,\"why\":\"announce\",\"announce\":$p1}"
    failure_dump "$kind" "$d"
    teardown; return 0
  fi

  # settle, then phase 2: the poller itself signals the injector to withdraw all
  settle "$rxpid" $((end - 5))
  local cpu_settled; cpu_settled=$(cpu_of "$rxpid")
  left=$((end - SECONDS)); ((left < 1)) && left=1
  p2=$(python3 "$HERE/measure.py" "${q[@]}" --interval "$POLL" --pid "$rxpid" --target 0 --cmp eq \
        --kick "$injpid" --events "$d/inj.log" --event WITHDRAW_START --deadline "$left" \
        --trace "$d/trace-withdraw.txt") || true
  log "$kind withdraw: $p2"
  record "{\"kind\":\"$kind\",\"ok\":true,\"announce\":$p1,\"cpu_settled\":$cpu_settled,\"withdraw\":$p2}"
  if ! python3 -c 'import json,sys; sys.exit(0 if json.loads(sys.argv[1])["ok"] else 1)' "$p2"; then
    failure_dump "$kind" "$d"
  fi
  log "$kind: done in $((SECONDS - start)) s"
  teardown
}

failure_dump() { # failure_dump KIND DIR : what the receiver said, for the report
  local kind=$1 d=$2
  {
    echo "--- $kind: injector events"; cat "$d/inj.log"; tail -n 5 "$d/inj.err"
    echo "--- $kind: receiver log (tail)"; tail -n 40 "$d/rx.log"
    echo "--- $kind: last polls"; tail -n 5 "$d"/trace-*.txt 2>/dev/null
    case $kind in
      tern) echo "--- tern status --json"; "$TERN" status --socket "$d/rx.sock" --json 2>&1 | head -c 3000; echo ;;
      bird) echo "--- birdc show protocols all inj"; birdc -s "$d/rx.ctl" show protocols all inj 2>&1 | head -40 ;;
      gobgp) echo "--- gobgp neighbor"; ip netns exec "tb$RUN-gobgp-rx" gobgp neighbor "$INJ_IP" 2>&1 | head -40 ;;
    esac
  } >&2 || true
}

for r in $RECEIVERS; do run_one "$r"; done

# --- report -------------------------------------------------------------------
CPU_MODEL=$(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo)
VERSIONS="tern $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?') ($TERN); $(bird --version 2>&1 | head -1); gobgpd $(gobgpd --version 2>&1 | head -1)"
python3 - "$RESULTS" "$CMDLINE" "$(date -u '+%Y-%m-%d %H:%M UTC')" "$(nproc)" "$CPU_MODEL" "$COUNT" "$VERSIONS" <<'EOF'
import json, sys
path, cmd, date, nproc, cpu, count, versions = sys.argv[1:]
rows = [json.loads(l) for l in open(path)]
names = {"tern": "Tern", "bird": "BIRD 2", "gobgp": "GoBGP"}
bird = next((r for r in rows if r["kind"] == "bird" and r.get("ok")), None)

def cells(r):
    a, w = r.get("announce") or {}, r.get("withdraw") or {}
    if not r.get("ok"):
        why = r.get("why", "failed")
        if a:
            why = f"{why}: {a.get('why', '')} with {a.get('count')} of {count} accepted at {a.get('elapsed', 0):.1f} s"
        return [names[r["kind"]], f"FAILED ({why})", "", "", "", ""]
    at, rss = a["elapsed"], a["hwm_kb"] / 1024
    ws = f"{w['elapsed']:.2f}" if w.get("ok") else f"timed out ({w.get('count')} left)"
    wc = f"{w['cpu_phase']:.2f}" if w.get("ok") else ""
    ratio = ""
    res = f"{a.get('resolution', 0):.2f} / " + (f"{w.get('resolution', 0):.2f}" if w.get("ok") else "-")
    if bird:
        ratio = f"{at / bird['announce']['elapsed']:.2f}x / {rss / (bird['announce']['hwm_kb'] / 1024):.2f}x"
    return [names[r["kind"]], f"{at:.2f}", f"{a['cpu']:.2f}", f"{rss:.0f}", ws, wc, ratio, res]

hdr = ["receiver", "announce s", "CPU s", "peak RSS MB", "withdraw s", "withdraw CPU s", "vs BIRD (time / RSS)", "poll gap s (ann / wd)"]
table = [cells(r) for r in rows]
for t in table:
    t += [""] * (len(hdr) - len(t))
w = [max(len(str(x)) for x in col) for col in zip(hdr, *table)]
print()
print("  ".join(h.ljust(n) for h, n in zip(hdr, w)))
for t in table:
    print("  ".join(str(x).ljust(n) for x, n in zip(t, w)))
print()
print(f"### Receive {int(count):,} IPv4 /24 from one eBGP peer\n")
print(f"Command: `sudo {cmd}` — {date}, `nproc` = {nproc}, CPU \"{cpu}\"  ")
print(f"Versions: {versions}\n")
print("| " + " | ".join(hdr) + " |")
print("| --- | " + " | ".join("---:" for _ in hdr[1:]) + " |")
for t in table:
    print("| " + " | ".join(str(x) for x in t) + " |")
print()
print("announce s: injector's Established -> receiver reports all prefixes accepted (50 ms polls; GoBGP: pause >= 2x its query time, see README); "
      "CPU s: receiver's utime+stime at that moment (since start); peak RSS: VmHWM then. "
      "withdraw s: first withdrawal sent -> receiver reports 0; withdraw CPU s: CPU used in that phase. "
      "poll gap: time between the last poll below the target and the first at it (the figure's resolution; "
      "times are the end of the first poll that saw the target, an upper bound).")
EOF
