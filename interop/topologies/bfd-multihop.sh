#!/usr/bin/env bash
# bfd-multihop: RFC 5883 multihop BFD with BIRD 2 two routed hops away. Tern peers by eBGP
# multihop (`ebgpMultihop: 2`) with `bfd: {...}` and no `multihop` key: the session is
# multihop because the BGP session is (as BIRD's `bfd on` with `multihop 2`). BFD comes Up
# on both ends on UDP 4784 (tcpdump: packets both ways to 4784, none to 3784; BIRD's own
# multihop packets arrive with TTL < 255 and are accepted, no minimumTTL). Then the far
# link (r -- b) is cut: Tern's BFD and BGP go down and BIRD's route leaves Tern's kernel
# table in under 1 s (printed); restored, BFD is Up again and the route is back. Last, a
# SIGHUP with `minimumTTL: 254` makes Tern drop BIRD's TTL 63 packets (session Down, the
# reason in tern bfd), and `minimumTTL: 63` brings it back Up.
#
#   a (tern, AS 64512) 192.168.92.1 --- 192.168.92.254 r 192.168.93.254 --- 192.168.93.2 b (BIRD, AS 64513)
#   BIRD sets the next hop of its 10.244.2.0/26 to r (192.168.92.254), which a reaches directly.
# shellcheck disable=SC2317 # the query functions below run indirectly, through check/wait_for ("$@")
SCRIPT_NAME=bfd-multihop
. "$(dirname "$0")/../lib/netns.sh"

T=bfd-multihop
declare_tests "$T/bfd-up-tern-multihop" "$T/bfd-up-bird" "$T/bgp-established" "$T/bird-route-in-kernel" \
  "$T/udp-4784-both-ways-none-3784" "$T/bird-ttl-below-255-accepted" \
  "$T/cut-bfd-down" "$T/cut-routes-out-under-1s" "$T/cut-bgp-down" "$T/restored-bfd-up" "$T/restored-bgp-and-routes" \
  "$T/minimum-ttl-254-drops-bird" "$T/minimum-ttl-63-up-again"

require_root
require_tools ip bird birdc tcpdump python3
[ -n "$STANDIN" ] && skip_all "needs tern itself (no stand-in)"
require_tern

DL=${DEADLINE:-40}
LIMIT_MS=${LIMIT_MS:-1000}
for n in a r b; do ns_add "$n" || abort "namespace $n"; done
veth_pair a eth0 r eth0 || abort "veth a-r"
veth_pair r eth1 b eth0 || abort "veth r-b"
ip -n "$(ns_name a)" addr add 192.168.92.1/24 dev eth0
ip -n "$(ns_name r)" addr add 192.168.92.254/24 dev eth0
ip -n "$(ns_name r)" addr add 192.168.93.254/24 dev eth1
ip -n "$(ns_name b)" addr add 192.168.93.2/24 dev eth0
ns_exec r sysctl -qw net.ipv4.ip_forward=1
ip -n "$(ns_name a)" route add 192.168.93.0/24 via 192.168.92.254
ip -n "$(ns_name b)" route add default via 192.168.93.254

cfg() { # cfg [EXTRA BFD KEYS]
  cat >"$WORK/a.yaml" <<YAML
nodeName: a
asNumber: 64512
routerID: 192.168.92.1
listenAddress: 0.0.0.0
controlSocket: $WORK/a.sock
holdTime: 9
connectRetryTime: 1
nodeToNodeMesh: false
blocks: [10.244.1.0/26]
peers:
  - {address: 192.168.93.2, asNumber: 64513, ebgpMultihop: 2, bfd: {minimumRecvInterval: 100, minimumSendInterval: 100, multiplier: 3$1}}
logLevel: debug
YAML
}
cfg ""
cat >"$WORK/b.conf" <<CONF
log stderr all;
router id 192.168.93.2;
protocol device { scan time 2; }
protocol static { ipv4; route 10.244.2.0/26 blackhole; }
protocol bfd {
  multihop { min rx interval 100 ms; min tx interval 100 ms; multiplier 3; };
}
protocol bgp a {
  local 192.168.93.2 as 64513;
  neighbor 192.168.92.1 as 64512;
  multihop 2;
  bfd on;
  hold time 9;
  connect retry time 1;
  error wait time 1, 2;
  ipv4 { import all; export filter { bgp_next_hop = 192.168.92.254; accept; }; };
}
CONF
ns_exec a tcpdump -i eth0 -nn -l -v 'udp and (port 4784 or port 3784)' >"$WORK/bfd-pcap.txt" 2>/dev/null &
PIDS+=("$!")
sleep 1
start_bg b b bird -f -c "$WORK/b.conf" -s "$WORK/b.ctl" -P "$WORK/b.pid"
wait_for "b: bird answers" 20 birdc -s "$WORK/b.ctl" show status || abort "bird did not start"
start_bg a a "$TERN" run --config "$WORK/a.yaml" --log-format text
wait_for "a: control socket" 20 tern_status_json a "$WORK/a.sock" || abort "tern did not start"

# tern_bfd STATE [MULTIHOP]: Tern's BFD session with b is in STATE (and multihop).
tern_bfd() {
  ns_exec a "$TERN" bfd --socket "$WORK/a.sock" --json |
    python3 -c 'import json,sys
s=[x for x in json.load(sys.stdin) if x["peer"]=="192.168.93.2"]
print(s[0] if s else "none")
ok = s and s[0]["state"]==sys.argv[1] and (len(sys.argv) < 3 or (s[0].get("multihop") is True and s[0].get("detectionTime")==300))
sys.exit(0 if ok else 1)' "$@"
}
bird_bfd_up() {
  local out; out=$(birdc -s "$WORK/b.ctl" show bfd sessions); echo "$out"
  printf '%s\n' "$out" | grep -E '^192\.168\.92\.1 ' | grep -q ' Up '
}
bird_route() { kroute_has a "^10\.244\.2\.0/26 via 192\.168\.92\.254 dev eth0"; }
established() { local s; s=$(peer_state "$WORK/a.sock" 192.168.93.2); echo "a -> b: $s"; [ "$s" = Established ]; }
not_established() { local s; s=$(peer_state "$WORK/a.sock" 192.168.93.2); echo "a -> b: $s"; [ "$s" != Established ]; }

check "$T/bfd-up-tern-multihop" "Tern's BFD session with b Up, multihop, detection time 300 ms (tern bfd --json)" "$DL" tern_bfd Up multihop
check "$T/bfd-up-bird" "BIRD's BFD session with Tern Up (birdc show bfd sessions)" "$DL" bird_bfd_up
bird_bgp() { local s; s=$(bird_state "$WORK/b.ctl" a); echo "b -> a: $s"; [ "$s" = Established ]; }
bgp_up() { established && bird_bgp; }
check "$T/bgp-established" "BGP Established both ends" "$DL" bgp_up
check "$T/bird-route-in-kernel" "BIRD's 10.244.2.0/26 in Tern's kernel table" "$DL" bird_route || abort "no route to cut"
ns_exec a "$TERN" bfd --socket "$WORK/a.sock" >&2
birdc -s "$WORK/b.ctl" show bfd sessions >&2

ports() {
  local to4784_out to4784_in to3784
  to4784_out=$(grep -cE '192\.168\.92\.1\.[0-9]+ > 192\.168\.93\.2\.4784:' "$WORK/bfd-pcap.txt")
  to4784_in=$(grep -cE '192\.168\.93\.2\.[0-9]+ > 192\.168\.92\.1\.4784:' "$WORK/bfd-pcap.txt")
  to3784=$(grep -cE '\.3784: ' "$WORK/bfd-pcap.txt")
  echo "a->b to 4784: $to4784_out, b->a to 4784: $to4784_in, to 3784: $to3784"
  [ "$to4784_out" -gt 0 ] && [ "$to4784_in" -gt 0 ] && [ "$to3784" = 0 ]
}
check "$T/udp-4784-both-ways-none-3784" "BFD on UDP 4784 both ways, nothing on 3784 (tcpdump on a)" 10 ports
# tcpdump -v prints "(tos 0x0, ttl N, ..." on the line before "src.port > dst.port:".
bird_ttl() {
  local ttls
  ttls=$(grep -B1 -E '192\.168\.93\.2\.[0-9]+ > 192\.168\.92\.1\.4784:' "$WORK/bfd-pcap.txt" | grep -oE 'ttl [0-9]+' | sort -u | tr '\n' ' ')
  echo "TTLs of BIRD's multihop packets at a: ${ttls:-none}; Tern dropped: $(ns_exec a "$TERN" bfd --socket "$WORK/a.sock" --json | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["dropped"])')"
  [ -n "$ttls" ] && ! printf '%s' "$ttls" | grep -q 'ttl 255' && tern_bfd Up >/dev/null
}
check "$T/bird-ttl-below-255-accepted" "BIRD's packets arrive with a TTL below 255 and the session is Up (any TTL accepted by default)" 5 bird_ttl
bird_ttl >&2

log "cutting the far link (r eth1 down)"
timed_route_gone "$T/cut-routes-out-under-1s" "far link cut -> BIRD's route out of Tern's kernel table (BFD multihop 100 ms x 3)" a 10.244.2.0/26 "$LIMIT_MS" \
  ip -n "$(ns_name r)" link set eth1 down
tern_bfd_down() { ! tern_bfd Up; }
check "$T/cut-bfd-down" "Tern's BFD session with b not Up after the cut" 2 tern_bfd_down
check "$T/cut-bgp-down" "Tern's BGP session with b not Established after the cut" 2 not_established
ns_exec a "$TERN" bfd --socket "$WORK/a.sock" >&2

log "restoring the far link"
ip -n "$(ns_name r)" link set eth1 up
both_bfd_up() { tern_bfd Up && bird_bfd_up; }
check "$T/restored-bfd-up" "BFD Up again on both ends" "$DL" both_bfd_up
restored() { bgp_up && bird_route; }
check "$T/restored-bgp-and-routes" "BGP Established and BIRD's route back in Tern's kernel" "$DL" restored

# SIGHUP with `multihop: true, minimumTTL: 254` (RFC 5883 §5): BIRD's packets (TTL 63 at a)
# are now dropped, so Tern's session goes Down and tern bfd says why; minimumTTL 63 -> Up.
log "SIGHUP: minimumTTL 254"
cfg ", multihop: true, minimumTTL: 254"
kill -HUP "${PID_OF[a]}"
ttl_drops() {
  local v
  v=$(ns_exec a "$TERN" bfd --socket "$WORK/a.sock" --json | python3 -c 'import json,sys; x=json.load(sys.stdin)[0]; print(x["state"], "|", x.get("lastDrop"))')
  echo "tern: $v"
  case $v in "Up "*) return 1 ;; esac
  printf '%s' "$v" | grep -q 'TTL 63 is below the minimum 254'
}
check "$T/minimum-ttl-254-drops-bird" "minimumTTL 254: Tern's session not Up, last drop: TTL 63 below the minimum 254" 5 ttl_drops
log "SIGHUP: minimumTTL 63"
cfg ", multihop: true, minimumTTL: 63"
kill -HUP "${PID_OF[a]}"
check "$T/minimum-ttl-63-up-again" "minimumTTL 63: BFD Up again on both ends" "$DL" both_bfd_up
exit $(( FAILS > 0 ))
