#!/usr/bin/env bash
# gtsm: the Generalized TTL Security Mechanism (RFC 5082), `ttlSecurity: N` on a peer:
# sent with TTL 255, and what arrives with a TTL below 256 - N is dropped (IP_MINTTL on
# each connection; an incoming SYN's TTL is checked at accept).
#   - near: BIRD directly connected with `ttl security on`, Tern ttlSecurity 1: Established;
#   - far: BIRD two hops away (behind router r) with `ttl security on; multihop 2`: with
#     ttlSecurity 1 its packets arrive with TTL 254 and are rejected (never Established,
#     the reason logged); after a SIGHUP with ttlSecurity 2 it is Established.
#
#   near (BIRD, AS 64513) 192.168.97.2 --- 192.168.97.1 a (tern, AS 64512) 192.168.96.1
#        --- 192.168.96.254 r 192.168.98.254 --- 192.168.98.10 far (BIRD, AS 64514)
SCRIPT_NAME=gtsm
. "$(dirname "$0")/../lib/netns.sh"

T=gtsm
declare_tests "$T/direct-established" "$T/one-hop-too-far-rejected" "$T/rejection-logged" \
  "$T/two-hops-allowed-established" "$T/sent-with-ttl-255"

require_root
require_tools ip bird birdc tcpdump
[ -n "$STANDIN" ] && skip_all "needs tern itself (no stand-in)"
require_tern

DL=${DEADLINE:-30}
for n in a near r far; do ns_add "$n" || abort "namespace $n"; done
veth_pair a eth0 near eth0 || abort "veth a-near"
veth_pair a eth1 r eth0 || abort "veth a-r"
veth_pair r eth1 far eth0 || abort "veth r-far"
ip -n "$(ns_name a)" addr add 192.168.97.1/24 dev eth0
ip -n "$(ns_name near)" addr add 192.168.97.2/24 dev eth0
ip -n "$(ns_name a)" addr add 192.168.96.1/24 dev eth1
ip -n "$(ns_name r)" addr add 192.168.96.254/24 dev eth0
ip -n "$(ns_name r)" addr add 192.168.98.254/24 dev eth1
ip -n "$(ns_name far)" addr add 192.168.98.10/24 dev eth0
ns_exec r sysctl -qw net.ipv4.ip_forward=1
ip -n "$(ns_name a)" route add 192.168.98.0/24 via 192.168.96.254
ip -n "$(ns_name far)" route add default via 192.168.98.254

cfg() { # cfg FAR_HOPS
  cat >"$WORK/a.yaml" <<YAML
nodeName: a
asNumber: 64512
routerID: 192.168.96.1
listenAddress: 0.0.0.0
controlSocket: $WORK/a.sock
holdTime: 9
connectRetryTime: 1
nodeToNodeMesh: false
blocks: [10.244.96.0/26]
dataplane: {enabled: false}
peers:
  - {address: 192.168.97.2, asNumber: 64513, ttlSecurity: 1}
  - {address: 192.168.98.10, asNumber: 64514, ttlSecurity: $1}
logLevel: debug
YAML
}
bird_conf() { # bird_conf NAME ADDRESS AS ROUTE NEIGHBOR EXTRA
  cat >"$WORK/$1.conf" <<CONF
log stderr all;
router id $2;
protocol device { scan time 2; }
protocol static { ipv4; route $4 blackhole; }
protocol bgp a {
  local $2 as $3;
  neighbor $5 as 64512;
  ttl security on;
  $6
  hold time 9;
  connect retry time 1;
  error wait time 1, 2;
  ipv4 { import all; export all; };
}
CONF
}
bird_conf near 192.168.97.2 64513 10.97.0.0/26 192.168.97.1 ""
bird_conf far 192.168.98.10 64514 10.98.0.0/26 192.168.96.1 "multihop 2;"
for n in near far; do
  start_bg "$n" "$n" bird -f -c "$WORK/$n.conf" -s "$WORK/$n.ctl" -P "$WORK/$n.pid"
  wait_for "$n: bird answers" 20 birdc -s "$WORK/$n.ctl" show status || abort "bird $n did not start"
done
# a's packets to far that carry BGP data (TCP payload > 0), by TTL.
DATA='dst host 192.168.98.10 and tcp port 179 and (ip[2:2] - ((ip[0]&0xf)<<2) - ((tcp[12]&0xf0)>>2)) > 0'
ns_exec a tcpdump -i eth1 -nn -l "$DATA and ip[8] = 255" >"$WORK/ttl255.txt" 2>/dev/null &
PIDS+=("$!")
ns_exec a tcpdump -i eth1 -nn -l "$DATA and ip[8] != 255" >"$WORK/ttl-other.txt" 2>/dev/null &
PIDS+=("$!")
sleep 1
cfg 1
start_bg a a "$TERN" run --config "$WORK/a.yaml" --log-format text
wait_for "a: control socket" 20 tern_status_json a "$WORK/a.sock" || abort "tern did not start"

state() { peer_state "$WORK/a.sock" "$1"; }
established() { local s; s=$(state "$1"); echo "$1: $s"; [ "$s" = Established ]; }
not_established() { local s; s=$(state "$1"); echo "$1: $s"; [ "$s" != Established ]; }

check "$T/direct-established" "a -> near (ttlSecurity 1, BIRD ttl security on) Established" "$DL" established 192.168.97.2

if hold_for "a -> far never Established with ttlSecurity 1 (it is 2 hops away)" 10 not_established 192.168.98.10; then
  result PASS "$T/one-hop-too-far-rejected"
else
  result FAIL "$T/one-hop-too-far-rejected" "the 2-hop session came up with ttlSecurity 1"
fi
sent255() {
  local a b; a=$(wc -l <"$WORK/ttl255.txt"); b=$(wc -l <"$WORK/ttl-other.txt")
  echo "packets from a to far with BGP data: $a with TTL 255, $b with another TTL"
  [ "$a" -gt 0 ] && [ "$b" = 0 ]
}
check "$T/rejection-logged" "a's log names the SYN's TTL 254 and the minimum 255" 10 \
  grep -q 'arrived with TTL 254, at least 255 required' "$WORK/a.log"

cfg 2
kill -HUP "${PID_OF[a]}"
check "$T/two-hops-allowed-established" "after SIGHUP with ttlSecurity 2, a -> far Established" "$DL" established 192.168.98.10
check "$T/sent-with-ttl-255" "every packet from a to far carrying BGP data has TTL 255 (tcpdump)" 10 sent255
