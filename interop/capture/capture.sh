#!/usr/bin/env bash
# Produces the real BGP session captures under Tests/BGPWireTests/Fixtures/captures/.
#
#   sudo interop/capture/capture.sh            (root; bird2, gobgpd, tcpdump, python3)
#
# Three sessions, each between two network namespaces joined by one veth pair,
# captured with tcpdump on the veth and split into one raw byte file per direction
# by pcap2streams.py:
#   A  bird-bird          BIRD 2 a (AS 64512)  <-> BIRD 2 b (AS 64513), eBGP
#   B  bird-gobgp-ibgp    BIRD 2 (AS 64512, Calico-style) <-> GoBGP (AS 64512), iBGP
#   C  bird-gobgp-ebgp    BIRD 2 (AS 64512)    <-> GoBGP (AS 64513), eBGP
# Everything it creates has a per-run name and is removed on exit, also on failure.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
DEST=${OUT:-$ROOT/Tests/BGPWireTests/Fixtures/captures}
P2S="$HERE/pcap2streams.py"
DEADLINE=${DEADLINE:-30}       # seconds for each wait
KEEPALIVES=${KEEPALIVES:-3}    # keepalives each side must have sent before teardown
PCAP_KEEP_MAX=$((200 * 1024))

if [ "$(id -u)" != 0 ]; then echo "SKIP: capture.sh needs root (network namespaces)"; exit 77; fi
for t in bird birdc gobgpd gobgp tcpdump ip python3; do
  command -v "$t" >/dev/null || { echo "SKIP: $t not installed"; exit 77; }
done

RUN=$$
WORK=$(mktemp -d "/tmp/tcap-$RUN.XXXXXX")
OUT=$WORK/out   # staged here; replaces $DEST only after everything validated
PIDS=()
NSS=()

log() { printf '[capture %s] %s\n' "$(date +%T)" "$*" >&2; }

cleanup() {
  local rc=$?
  set +e
  local i pid
  for ((i = ${#PIDS[@]} - 1; i >= 0; i--)); do
    pid=${PIDS[$i]}
    kill -0 "$pid" 2>/dev/null && kill -TERM "$pid" 2>/dev/null
  done
  for pid in "${PIDS[@]}"; do
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
  done
  for ns in "${NSS[@]}"; do ip netns del "$ns" 2>/dev/null; done
  if [ "$rc" != 0 ]; then
    log "FAILED (rc=$rc); logs kept in $WORK"
    for f in "$WORK"/*.log; do [ -f "$f" ] && { echo "--- $f (tail)"; tail -n 25 "$f"; }; done >&2
  else
    rm -rf "$WORK"
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# wait_for DESCRIPTION COMMAND... : poll COMMAND until it succeeds or DEADLINE passes.
wait_for() {
  local desc=$1; shift
  local end=$((SECONDS + DEADLINE))
  until "$@" >/dev/null 2>&1; do
    if ((SECONDS >= end)); then
      log "timeout after ${DEADLINE}s waiting for: $desc"
      log "last output of '$*':"; "$@" >&2 || true
      return 1
    fi
    sleep 0.2
  done
  log "ok: $desc"
}

# pair NS_A NS_B IF_A IF_B IPV4_A IPV4_B IPV6_A IPV6_B
pair() {
  ip netns add "$1"; NSS+=("$1")
  ip netns add "$2"; NSS+=("$2")
  ip link add "$3" type veth peer name "$4"
  ip link set "$3" netns "$1"
  ip link set "$4" netns "$2"
  ip -n "$1" addr add "$5/24" dev "$3"
  ip -n "$2" addr add "$6/24" dev "$4"
  ip -n "$1" addr add "$7/64" dev "$3" nodad
  ip -n "$2" addr add "$8/64" dev "$4" nodad
  for n in "$1" "$2"; do
    ip -n "$n" link set lo up
    # no DAD, so the link-local address BIRD puts into eBGP IPv6 next hops is usable at once
    ip netns exec "$n" sysctl -qw net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0
  done
  ip netns exec "$1" sysctl -qw "net.ipv6.conf.$3.accept_dad=0"
  ip netns exec "$2" sysctl -qw "net.ipv6.conf.$4.accept_dad=0"
  ip -n "$1" link set "$3" up
  ip -n "$2" link set "$4" up
  wait_for "$3 has a usable link-local address" has_ll "$1" "$3"
  wait_for "$4 has a usable link-local address" has_ll "$2" "$4"
}
has_ll() { ip -n "$1" -6 addr show dev "$2" scope link | grep -v tentative | grep -q 'inet6 fe80'; }

# bg NAME NS CMD... : start CMD in NS in the background, logging to $WORK/NAME.log;
# its pid is ${PID_OF[NAME]}
declare -A PID_OF
bg() {
  local name=$1 ns=$2; shift 2
  ip netns exec "$ns" "$@" >"$WORK/$name.log" 2>&1 &
  PIDS+=($!)
  PID_OF[$name]=$!
}

stop() { # stop PID [SIGNAL]
  local pid=$1 sig=${2:-TERM}
  kill -"$sig" "$pid" 2>/dev/null || true
  local end=$((SECONDS + 10))
  while kill -0 "$pid" 2>/dev/null && ((SECONDS < end)); do sleep 0.1; done
  wait "$pid" 2>/dev/null || true
}

capture() { # capture NAME NS IF
  bg "$1" "$2" tcpdump -i "$3" -w "$WORK/$1.pcap" -U -s 0 -n 'tcp port 179'
  wait_for "tcpdump $1 listening" grep -q 'listening on' "$WORK/$1.log"
}

# --- conditions -------------------------------------------------------------
bird_established() { birdc -s "$1" show protocols "$2" | grep -q Established; }
bird_not_established() { ! birdc -s "$1" show protocols "$2" | grep -q Established; }
bird_route_count() { # CTL PROTO -> number of routes imported from PROTO
  birdc -s "$1" show route protocol "$2" | grep -cE '^[0-9a-f:.]+/[0-9]+' || true
}
bird_routes_eq() { [ "$(bird_route_count "$1" "$2")" = "$3" ]; }
gobgp_rib_count() { # NS NEIGHBOR FAMILY -> prefixes received from NEIGHBOR
  ip netns exec "$1" gobgp neighbor "$2" adj-in -a "$3" 2>/dev/null | grep -cE '^ *\*?>? *[0-9a-f:.]+/[0-9]+|^ +[0-9]+ +[0-9a-f:.]+/' || true
}
gobgp_rib_eq() { [ "$(gobgp_rib_count "$1" "$2" "$3")" = "$4" ]; }
gobgp_state() { ip netns exec "$1" gobgp neighbor "$2" | grep -i 'BGP state' ; }
gobgp_established() { gobgp_state "$1" "$2" | grep -qi established; }
gobgp_not_established() { ! gobgp_established "$1" "$2"; }
# pcap_count PCAP SRC TYPE -> messages of TYPE (OPEN, UPDATE, ..., FIN) SRC has sent so far
pcap_count() { python3 "$P2S" count --pcap "$1" | awk -v s="$2" -v t="$3" '$1==s && $2==t {n+=$3} END {print n+0}'; }
pcap_at_least() { [ "$(pcap_count "$1" "$2" "$3")" -ge "$4" ]; }
keepalives_both() { pcap_at_least "$1" "$2" KEEPALIVE "$KEEPALIVES" && pcap_at_least "$1" "$3" KEEPALIVE "$KEEPALIVES"; }

extract() { # extract PCAPNAME SESSION IP=NAME IP=NAME
  local pcap="$WORK/$1.pcap" session=$2; shift 2
  local args=()
  for n in "$@"; do args+=(--name "$n"); done
  python3 "$P2S" extract --pcap "$pcap" --session "$session" "${args[@]}" \
    --out "$OUT" --summary "$WORK/$session.json"
  rm -f "$OUT/$session.pcap"
  if [ "$(stat -c %s "$pcap")" -lt "$PCAP_KEEP_MAX" ]; then cp "$pcap" "$OUT/$session.pcap"; fi
}

mkdir -p "$OUT"

# =============================================================================
# Session A: BIRD a (AS 64512, 192.168.77.1) <-> BIRD b (AS 64513, 192.168.77.2)
# =============================================================================
log "session A: BIRD <-> BIRD eBGP"
NA=tcap-$RUN-a NB=tcap-$RUN-b
pair "$NA" "$NB" "tc${RUN}a" "tc${RUN}b" 192.168.77.1 192.168.77.2 2001:db8:77::1 2001:db8:77::2
capture cap-a "$NA" "tc${RUN}a"
bg bird-b "$NB" bird -f -c "$HERE/bird-b.conf" -s "$WORK/b.ctl" -P "$WORK/b.pid"
wait_for "bird b control socket" birdc -s "$WORK/b.ctl" show status
bg bird-a "$NA" bird -f -c "$HERE/bird-a.conf" -s "$WORK/a.ctl" -P "$WORK/a.pid"
wait_for "bird a control socket" birdc -s "$WORK/a.ctl" show status
wait_for "a: peer_b Established" bird_established "$WORK/a.ctl" peer_b
wait_for "b: peer_a Established" bird_established "$WORK/b.ctl" peer_a
# a exports 6+2 IPv4 and 3+1 IPv6 routes, b exports 4 IPv4 and 2 IPv6 routes.
wait_for "a has b's 6 routes" bird_routes_eq "$WORK/a.ctl" peer_b 6
wait_for "b has a's 12 routes" bird_routes_eq "$WORK/b.ctl" peer_a 12
wait_for ">= $KEEPALIVES keepalives each way" keepalives_both "$WORK/cap-a.pcap" 192.168.77.1 192.168.77.2
# Route refresh: a asks b to resend (ROUTE-REFRESH, and BoRR/EoRR if enhanced).
UB=$(pcap_count "$WORK/cap-a.pcap" 192.168.77.2 UPDATE)
birdc -s "$WORK/a.ctl" reload in peer_b
wait_for "a sent ROUTE-REFRESH" pcap_at_least "$WORK/cap-a.pcap" 192.168.77.1 ROUTE-REFRESH 1
wait_for "b resent its routes" pcap_at_least "$WORK/cap-a.pcap" 192.168.77.2 UPDATE $((UB + 1))
# Withdrawals: drop two static protocols on a.
birdc -s "$WORK/a.ctl" disable static4_extra
birdc -s "$WORK/a.ctl" disable static6_extra
wait_for "b lost a's 3 withdrawn routes" bird_routes_eq "$WORK/b.ctl" peer_a 9
KA=$(pcap_count "$WORK/cap-a.pcap" 192.168.77.2 KEEPALIVE)
wait_for "one more keepalive from b" pcap_at_least "$WORK/cap-a.pcap" 192.168.77.2 KEEPALIVE $((KA + 1))
# Cease / Administrative Shutdown with a shutdown communication (RFC 9003).
birdc -s "$WORK/a.ctl" disable peer_b '"tern capture: session A done"'
wait_for "a sent NOTIFICATION" pcap_at_least "$WORK/cap-a.pcap" 192.168.77.1 NOTIFICATION 1
wait_for "b: peer_a down" bird_not_established "$WORK/b.ctl" peer_a
# shellcheck disable=SC2016 # single quotes on purpose: wait_for evals the string on each poll
wait_for "both sides closed" eval 'pcap_at_least "$WORK/cap-a.pcap" 192.168.77.1 FIN 1 && pcap_at_least "$WORK/cap-a.pcap" 192.168.77.2 FIN 1'
stop "${PID_OF[cap-a]}" INT
stop "${PID_OF[bird-a]}"; stop "${PID_OF[bird-b]}"
extract cap-a bird-bird 192.168.77.1=a 192.168.77.2=b

# =============================================================================
# Session B: BIRD (AS 64512, 192.168.77.11, Calico-like) <-> GoBGP (AS 64512, .12)
# =============================================================================
log "session B: BIRD <-> GoBGP iBGP"
NC=tcap-$RUN-c ND=tcap-$RUN-d
pair "$NC" "$ND" "tc${RUN}c" "tc${RUN}d" 192.168.77.11 192.168.77.12 2001:db8:77::11 2001:db8:77::12
capture cap-b "$NC" "tc${RUN}c"
bg gobgp-b "$ND" gobgpd -f "$HERE/gobgpd-ibgp.toml" -p --api-hosts 127.0.0.1:50051 --pprof-disable
wait_for "gobgpd (iBGP) API" ip netns exec "$ND" gobgp global
G="ip netns exec $ND gobgp"
$G global rib add 10.244.3.0/26 nexthop 192.168.77.12 community 64512:400 med 40
$G global rib add 10.244.3.64/26 nexthop 192.168.77.12 large-community 64512:4:4 local-pref 150 origin incomplete
$G global rib add 10.40.1.0/24 nexthop 192.168.77.12 community 64512:401,65535:65281 aspath 64600,64601 rt 64512:41 aggregator 64601:192.168.77.12
$G global rib add 10.99.9.0/24 nexthop 192.168.77.12 community 64512:999
$G global rib -a ipv6 add fd00:10:244:30::/64 nexthop 2001:db8:77::12 community 64512:600 med 60
$G global rib -a ipv6 add fd00:10:244:31::/64 nexthop 2001:db8:77::12 large-community 64512:6:1
$G global rib -a ipv6 add fd00:99:9::/48 nexthop 2001:db8:77::12
bg bird-c "$NC" bird -f -c "$HERE/bird-ibgp.conf" -s "$WORK/c.ctl" -P "$WORK/c.pid"
wait_for "bird (iBGP) control socket" birdc -s "$WORK/c.ctl" show status
wait_for "bird: Mesh_192_168_77_12 Established" bird_established "$WORK/c.ctl" Mesh_192_168_77_12
wait_for "gobgp: neighbor Established" gobgp_established "$ND" 192.168.77.11
wait_for "bird has GoBGP's 7 routes" bird_routes_eq "$WORK/c.ctl" Mesh_192_168_77_12 7
wait_for "gobgp has BIRD's 4 IPv4 routes" gobgp_rib_eq "$ND" 192.168.77.11 ipv4 4
wait_for "gobgp has BIRD's 2 IPv6 routes" gobgp_rib_eq "$ND" 192.168.77.11 ipv6 2
wait_for ">= $KEEPALIVES keepalives each way" keepalives_both "$WORK/cap-b.pcap" 192.168.77.11 192.168.77.12
# Route refresh: BIRD asks GoBGP to resend (GoBGP's own softresetin only re-runs its
# import policy and sends nothing).
UG=$(pcap_count "$WORK/cap-b.pcap" 192.168.77.12 UPDATE)
birdc -s "$WORK/c.ctl" reload in Mesh_192_168_77_12
wait_for "bird sent ROUTE-REFRESH" pcap_at_least "$WORK/cap-b.pcap" 192.168.77.11 ROUTE-REFRESH 1
wait_for "gobgp resent its routes" pcap_at_least "$WORK/cap-b.pcap" 192.168.77.12 UPDATE $((UG + 1))
# Withdrawals both ways.
$G global rib del 10.99.9.0/24
$G global rib -a ipv6 del fd00:99:9::/48
birdc -s "$WORK/c.ctl" disable static4_extra
wait_for "bird lost GoBGP's 2 withdrawn routes" bird_routes_eq "$WORK/c.ctl" Mesh_192_168_77_12 5
wait_for "gobgp lost BIRD's withdrawn route" gobgp_rib_eq "$ND" 192.168.77.11 ipv4 3
KA=$(pcap_count "$WORK/cap-b.pcap" 192.168.77.12 KEEPALIVE)
wait_for "one more keepalive from gobgp" pcap_at_least "$WORK/cap-b.pcap" 192.168.77.12 KEEPALIVE $((KA + 1))
# GoBGP sends the Cease this time.
$G neighbor --reason "tern capture: session B done" 192.168.77.11 disable
wait_for "gobgp sent NOTIFICATION" pcap_at_least "$WORK/cap-b.pcap" 192.168.77.12 NOTIFICATION 1
wait_for "bird: session down" bird_not_established "$WORK/c.ctl" Mesh_192_168_77_12
# shellcheck disable=SC2016 # single quotes on purpose: wait_for evals the string on each poll
wait_for "both sides closed" eval 'pcap_at_least "$WORK/cap-b.pcap" 192.168.77.11 FIN 1 && pcap_at_least "$WORK/cap-b.pcap" 192.168.77.12 FIN 1'
stop "${PID_OF[cap-b]}" INT
stop "${PID_OF[bird-c]}"; stop "${PID_OF[gobgp-b]}"
extract cap-b bird-gobgp-ibgp 192.168.77.11=bird 192.168.77.12=gobgp

# =============================================================================
# Session C: BIRD (AS 64512, 192.168.77.21) <-> GoBGP (AS 64513, .22), eBGP
# =============================================================================
log "session C: BIRD <-> GoBGP eBGP"
NE=tcap-$RUN-e NF=tcap-$RUN-f
pair "$NE" "$NF" "tc${RUN}e" "tc${RUN}f" 192.168.77.21 192.168.77.22 2001:db8:77::21 2001:db8:77::22
capture cap-c "$NE" "tc${RUN}e"
bg gobgp-c "$NF" gobgpd -f "$HERE/gobgpd-ebgp.toml" -p --api-hosts 127.0.0.1:50051 --pprof-disable
wait_for "gobgpd (eBGP) API" ip netns exec "$NF" gobgp global
G="ip netns exec $NF gobgp"
$G global rib add 10.244.5.0/26 nexthop 192.168.77.22 community 64513:500 med 50
$G global rib add 10.50.1.0/24 nexthop 192.168.77.22 large-community 64513:5:5,4200000000:1:2 community 64513:501 rt 64513:51
$G global rib add 10.99.5.0/24 nexthop 192.168.77.22
$G global rib -a ipv6 add fd00:10:244:50::/64 nexthop 2001:db8:77::22 community 64513:650 med 65 rt 64513:65
$G global rib -a ipv6 add fd00:99:5::/48 nexthop 2001:db8:77::22
bg bird-e "$NE" bird -f -c "$HERE/bird-ebgp.conf" -s "$WORK/e.ctl" -P "$WORK/e.pid"
wait_for "bird (eBGP) control socket" birdc -s "$WORK/e.ctl" show status
wait_for "bird: gobgp_peer Established" bird_established "$WORK/e.ctl" gobgp_peer
wait_for "gobgp: neighbor Established" gobgp_established "$NF" 192.168.77.21
wait_for "bird has GoBGP's 5 routes" bird_routes_eq "$WORK/e.ctl" gobgp_peer 5
wait_for "gobgp has BIRD's 4 IPv4 routes" gobgp_rib_eq "$NF" 192.168.77.21 ipv4 4
wait_for "gobgp has BIRD's 2 IPv6 routes" gobgp_rib_eq "$NF" 192.168.77.21 ipv6 2
wait_for ">= $KEEPALIVES keepalives each way" keepalives_both "$WORK/cap-c.pcap" 192.168.77.21 192.168.77.22
$G global rib del 10.99.5.0/24
$G global rib -a ipv6 del fd00:99:5::/48
birdc -s "$WORK/e.ctl" disable static4_extra
wait_for "bird lost GoBGP's 2 withdrawn routes" bird_routes_eq "$WORK/e.ctl" gobgp_peer 3
wait_for "gobgp lost BIRD's withdrawn route" gobgp_rib_eq "$NF" 192.168.77.21 ipv4 3
KA=$(pcap_count "$WORK/cap-c.pcap" 192.168.77.21 KEEPALIVE)
wait_for "one more keepalive from bird" pcap_at_least "$WORK/cap-c.pcap" 192.168.77.21 KEEPALIVE $((KA + 1))
birdc -s "$WORK/e.ctl" disable gobgp_peer '"tern capture: session C done"'
wait_for "bird sent NOTIFICATION" pcap_at_least "$WORK/cap-c.pcap" 192.168.77.21 NOTIFICATION 1
wait_for "gobgp: session down" gobgp_not_established "$NF" 192.168.77.21
# shellcheck disable=SC2016 # single quotes on purpose: wait_for evals the string on each poll
wait_for "both sides closed" eval 'pcap_at_least "$WORK/cap-c.pcap" 192.168.77.21 FIN 1 && pcap_at_least "$WORK/cap-c.pcap" 192.168.77.22 FIN 1'
stop "${PID_OF[cap-c]}" INT
stop "${PID_OF[bird-e]}"; stop "${PID_OF[gobgp-c]}"
extract cap-c bird-gobgp-ebgp 192.168.77.21=bird 192.168.77.22=gobgp

# =============================================================================
log "validating all streams independently"
python3 "$P2S" validate "$OUT"/*.bgp
python3 "$HERE/write_notes.py" --out "$OUT" --work "$WORK" --here "$HERE" \
  --bird-version "$(bird --version 2>&1)" --gobgpd-version "$(gobgpd --version 2>&1)" \
  --tcpdump-version "$(tcpdump --version 2>&1 | head -1)"
mkdir -p "$DEST"
rm -f "$DEST"/*.bgp "$DEST"/*.pcap "$DEST"/NOTES.md
cp "$OUT"/* "$DEST"/
log "done: $DEST: $(cd "$OUT" && echo *)"
