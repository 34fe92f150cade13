#!/usr/bin/env bash
# bfd-detection: failure detection time, link cut -> the peer's route out of the local kernel.
#
#   sudo interop/bench/bfd-detection.sh            # CUTS=20 HOLD=3 VARIANTS="tern-bfd bird-bfd frr-bfd tern-hold"
#
# Two nodes on one bridged segment (a third namespace holds the bridge, so the measured node
# sees no carrier loss: only its protocols can notice): the local node L (192.168.95.1, AS
# 64512) under test and the peer R (BIRD 2, 192.168.95.2, AS 64513) that announces
# 10.244.2.0/26. One cut = R's bridge port set down; the figure is the time from just before
# `ip link set down` to the kernel's RTM_DELROUTE for 10.244.2.0/26 in L's namespace, as
# timestamped by a netlink monitor (`ip -ts monitor route`, started before the first cut):
# no polling of `ip route`. After each cut the port comes back, and the next cut waits
# until the route is back in L's kernel and then SETTLE seconds (default 2: BFD Up again).
#
# Variants (L's daemon; R is always BIRD 2 with the same timers):
#   tern-bfd   Tern, BFD 100 ms x 3                      (R: protocol bfd 100 ms x 3, bfd on)
#   bird-bfd   BIRD 2, protocol bfd 100 ms x 3 + kernel  (R: the same)
#   frr-bfd    FRR 8.4 zebra+bfdd+bgpd, profile 100 ms x 3
#   tern-hold  Tern without BFD, hold time HOLD (3 s; R: hold HOLD, no BFD); the BFD variants
#              use hold BFD_HOLD (9 s) on both sides
# Output: per variant p50/p90/p99/max ms over CUTS cuts, and the ratios Tern/BIRD and
# Tern/FRR of p50 and p99. A benchmark, not a test: it asserts nothing about the figures.
# TERN defaults to the debug build of this checkout (set TERN= for a release build).
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=interop/bench/lib.sh
. "$HERE/lib.sh"
bench_init bfd-detection tern-bfddet
for t in bird birdc; do command -v "$t" >/dev/null || { echo "SKIP: $t not installed"; exit 77; }; done

REPO=$(cd "$HERE/../.." && pwd)
TERN=${TERN:-$REPO/.build/debug/tern}
FRR_DIR=${FRR_DIR:-/usr/lib/frr}
CUTS=${CUTS:-20}
HOLD=${HOLD:-3}
SETTLE=${SETTLE:-2}
BFD_HOLD=${BFD_HOLD:-9}   # the BGP hold time of the BFD variants
H=$HOLD
VARIANTS=${VARIANTS:-tern-bfd bird-bfd frr-bfd tern-hold}
PREFIX=10.244.2.0/26
LA=192.168.95.1 RA=192.168.95.2
NSL="tbd$RUN-l" NSR="tbd$RUN-r" NSS_SEG="tbd$RUN-s"

bg() { # bg NS LOG CMD... : start CMD in NS, its pid in PIDS
  local ns=$1 logf=$2; shift 2
  ip netns exec "$ns" "$@" >>"$logf" 2>&1 &
  PIDS+=("$!")
}

topo() { # the three namespaces, L and R on the bridge in NSS_SEG (ports pl, pr)
  local ns
  for ns in "$NSS_SEG" "$NSL" "$NSR"; do ip netns add "$ns" && NSS+=("$ns") && ip -n "$ns" link set lo up; done
  ip -n "$NSS_SEG" link add br0 type bridge
  ip -n "$NSS_SEG" link set br0 type bridge stp_state 0 forward_delay 0
  ip -n "$NSS_SEG" link set br0 up
  ip link add eth0 netns "$NSL" type veth peer name pl netns "$NSS_SEG"
  ip link add eth0 netns "$NSR" type veth peer name pr netns "$NSS_SEG"
  for p in pl pr; do ip -n "$NSS_SEG" link set "$p" master br0 up; done
  ip -n "$NSL" addr add "$LA/24" dev eth0; ip -n "$NSL" link set eth0 up
  ip -n "$NSR" addr add "$RA/24" dev eth0; ip -n "$NSR" link set eth0 up
}

bird_conf() { # bird_conf FILE AS ME PEER PEER_AS BLOCK BFD(yes|no) KERNEL(yes|no)
  {
    echo "router id $3;"
    echo "protocol device { scan time 2; }"
    [ -n "$6" ] && echo "protocol static { ipv4; route $6 blackhole; }"
    [ "$8" = yes ] && echo "protocol kernel { ipv4 { import none; export filter { if proto = \"peer\" then accept; reject; }; }; }"
    [ "$7" = yes ] && echo 'protocol bfd { interface "eth0" { min rx interval 100 ms; min tx interval 100 ms; multiplier 3; }; }'
    echo "protocol bgp peer {"
    echo "  local $3 as $2; neighbor $4 as $5; hold time $H; connect retry time 1; error wait time 1, 2;"
    [ "$7" = yes ] && echo "  bfd on;"
    echo "  ipv4 { import all; export filter { if net = ${6:-0.0.0.0/32} then accept; reject; }; next hop self; };"
    echo "}"
  } >"$1"
}

start_r() { # R: BIRD announcing PREFIX; BFD on unless the variant is tern-hold
  local bfd=yes; [ "$1" = tern-hold ] && bfd=no
  bird_conf "$WORK/r.conf" 64513 "$RA" "$LA" 64512 "$PREFIX" "$bfd" no
  bg "$NSR" "$WORK/r.log" bird -f -c "$WORK/r.conf" -s "$WORK/r.ctl" -P "$WORK/r.pid"
}

start_l() {
  case $1 in
    tern-bfd|tern-hold)
      local bfd=""
      [ "$1" = tern-bfd ] && bfd=", bfd: {enabled: true, minimumRecvInterval: 100, minimumSendInterval: 100, multiplier: 3}"
      cat >"$WORK/l.yaml" <<EOF
nodeName: l
role: node
asNumber: 64512
routerID: $LA
listenAddress: 0.0.0.0
listenPort: 179
controlSocket: $WORK/l.sock
holdTime: $H
connectRetryTime: 1
nodeToNodeMesh: false
nodes: []
peers:
  - {address: $RA, asNumber: 64513, holdTime: $H, passive: false$bfd}
blocks: [10.244.1.0/26]
logLevel: warning
EOF
      bg "$NSL" "$WORK/l.log" "$TERN" run --config "$WORK/l.yaml" --log-format text ;;
    bird-bfd)
      bird_conf "$WORK/l.conf" 64512 "$LA" "$RA" 64513 "" yes yes
      bg "$NSL" "$WORK/l.log" bird -f -c "$WORK/l.conf" -s "$WORK/l.ctl" -P "$WORK/l.pid" ;;
    frr-bfd)
      local d=$WORK/frr dm
      mkdir -p "$d"
      chmod o+x "$WORK"   # mktemp -d makes it 0700: the frr user must reach $d
      printf 'frr defaults datacenter\nhostname l\n' >"$d/zebra.conf"
      printf 'frr defaults datacenter\nhostname l\nbfd\n profile fast\n  receive-interval 100\n  transmit-interval 100\n  detect-multiplier 3\n !\n!\n' >"$d/bfdd.conf"
      cat >"$d/bgpd.conf" <<EOF
frr defaults datacenter
hostname l
router bgp 64512
 bgp router-id $LA
 no bgp ebgp-requires-policy
 neighbor $RA remote-as 64513
 neighbor $RA timers $((H / 3 > 0 ? H / 3 : 1)) $H
 neighbor $RA timers connect 1
 neighbor $RA bfd profile fast
!
EOF
      chown -R frr:frr "$d"
      for dm in zebra bfdd bgpd; do
        local extra=()
        [ "$dm" = bfdd ] && extra=(--bfdctl "$d/bfdd.sock")
        bg "$NSL" "$WORK/l-$dm.log" "$FRR_DIR/$dm" -u frr -g frr --vty_socket "$d" -z "$d/zserv.api" \
          -i "$d/$dm.pid" -f "$d/$dm.conf" "${extra[@]}"
        sleep 0.5
      done ;;
    *) log "unknown variant $1"; return 1 ;;
  esac
}

# shellcheck disable=SC2317 # called through wait_for
route_in_l() { ip -n "$NSL" route show "$PREFIX" | grep -q .; }

# run_variant NAME : CUTS cuts; appends one ms figure per line to $WORK/NAME.ms
run_variant() {
  local v=$1 mon=$WORK/$1.mon i n0 t0 line ms
  H=$BFD_HOLD; [ "$v" = tern-hold ] && H=$HOLD
  topo
  start_r "$v"; start_l "$v" || return 1
  bg "$NSL" "$mon" ip -ts monitor route
  : >"$WORK/$v.ms"
  for ((i = 1; i <= CUTS; i++)); do
    wait_for $((SECONDS + 90)) "$v: $PREFIX in L's kernel" route_in_l || { log "$v: no route before cut $i"; break; }
    sleep "$SETTLE"
    n0=$(wc -l <"$mon")
    t0=$(date +%s%N)
    ip -n "$NSS_SEG" link set pr down
    line=""
    local end=$((SECONDS + HOLD + 15))
    while ((SECONDS < end)); do
      line=$(tail -n +"$((n0 + 1))" "$mon" | grep -m1 -E "^\[[^]]+\] Deleted ${PREFIX//./\\.} ") && break
      sleep 0.01
    done
    if [ -z "$line" ]; then log "$v cut $i: route not deleted within $((HOLD + 15)) s"; ip -n "$NSS_SEG" link set pr up; continue; fi
    ms=$(python3 -c 'import sys, datetime
ts = sys.argv[1][1:sys.argv[1].index("]")]
print("%.1f" % ((datetime.datetime.fromisoformat(ts).timestamp() * 1e9 - int(sys.argv[2])) / 1e6))' "$line" "$t0")
    echo "$ms" >>"$WORK/$v.ms"
    log "$v cut $i/$CUTS: ${ms} ms"
    ip -n "$NSS_SEG" link set pr up
  done
  teardown
}

stats() { # stats FILE -> "n p50 p90 p99 max" (nearest-rank percentiles)
  python3 -c 'import math, sys
v = sorted(float(x) for x in open(sys.argv[1]) if x.strip())
if not v: print("0 - - - -"); sys.exit()
p = lambda q: v[max(0, math.ceil(q * len(v)) - 1)]
print(len(v), "%.0f %.0f %.0f %.0f" % (p(.5), p(.9), p(.99), v[-1]))' "$1"
}

log "TERN=$TERN CUTS=$CUTS HOLD=$HOLD BFD_HOLD=$BFD_HOLD VARIANTS=$VARIANTS"
for v in $VARIANTS; do
  if [ "$v" = frr-bfd ] && [ ! -x "$FRR_DIR/bfdd" ]; then log "no FRR: $v skipped"; continue; fi
  log "=== $v"
  run_variant "$v"
done

declare -A P50 P99
printf '\n%-10s %5s %8s %8s %8s %8s   %s\n' variant cuts p50_ms p90_ms p99_ms max_ms "(link cut -> route out of L's kernel)"
for v in $VARIANTS; do
  [ -f "$WORK/$v.ms" ] || continue
  read -r n p50 p90 p99 mx <<<"$(stats "$WORK/$v.ms")"
  P50[$v]=$p50; P99[$v]=$p99
  printf '%-10s %5s %8s %8s %8s %8s\n' "$v" "$n" "$p50" "$p90" "$p99" "$mx"
  record "{\"variant\": \"$v\", \"cuts\": $n, \"p50\": \"$p50\", \"p90\": \"$p90\", \"p99\": \"$p99\", \"max\": \"$mx\"}"
done
ratio() { python3 -c 'import sys
try: print("%.2f" % (float(sys.argv[1]) / float(sys.argv[2])))
except (ValueError, ZeroDivisionError): print("-")' "$1" "$2"; }
echo
for other in bird-bfd frr-bfd; do
  if [ -z "${P99[tern-bfd]:-}" ] || [ -z "${P99[$other]:-}" ]; then continue; fi
  echo "tern-bfd/$other: p50 $(ratio "${P50[tern-bfd]}" "${P50[$other]}"), p99 $(ratio "${P99[tern-bfd]}" "${P99[$other]}")"
done
[ -n "${P99[tern-hold]:-}" ] && [ -n "${P99[tern-bfd]:-}" ] &&
  echo "tern-hold/tern-bfd: p50 $(ratio "${P50[tern-hold]}" "${P50[tern-bfd]}"), p99 $(ratio "${P99[tern-hold]}" "${P99[tern-bfd]}")"
exit 0
