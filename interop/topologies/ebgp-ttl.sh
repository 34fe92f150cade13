#!/usr/bin/env bash
# ebgp-ttl: eBGP is sent with TTL 1 unless ebgpMultihop says otherwise (issue 11 item 8).
# A BIRD peer two hops away (behind a router) with `multihop`: without ebgpMultihop the
# session never gets Established (Tern's packets die at the router, TTL 1); after a SIGHUP
# with `ebgpMultihop: 2` it does. A directly connected eBGP peer works either way.
#
#   a (tern, AS 64512) 192.168.94.1 --- r 192.168.94.254 | 192.168.95.254 --- far (BIRD, AS 64513) 192.168.95.10
SCRIPT_NAME=ebgp-ttl
. "$(dirname "$0")/../lib/netns.sh"

T=ebgp-ttl
declare_tests "$T/ttl-1-never-established" "$T/sent-with-ttl-1" "$T/multihop-2-established"

require_root
require_tools ip bird birdc tcpdump
[ -n "$STANDIN" ] && skip_all "needs tern itself (no stand-in)"
require_tern

DL=${DEADLINE:-40}
for n in a r far; do ns_add "$n" || abort "namespace $n"; done
veth_pair a eth0 r eth0 || abort "veth a-r"
veth_pair r eth1 far eth0 || abort "veth r-far"
ip -n "$(ns_name a)" addr add 192.168.94.1/24 dev eth0
ip -n "$(ns_name r)" addr add 192.168.94.254/24 dev eth0
ip -n "$(ns_name r)" addr add 192.168.95.254/24 dev eth1
ip -n "$(ns_name far)" addr add 192.168.95.10/24 dev eth0
ns_exec r sysctl -qw net.ipv4.ip_forward=1
ip -n "$(ns_name a)" route add default via 192.168.94.254
ip -n "$(ns_name far)" route add default via 192.168.95.254

cfg() { # cfg MULTIHOP_LINE
  cat >"$WORK/a.yaml" <<YAML
nodeName: a
asNumber: 64512
routerID: 192.168.94.1
listenAddress: 0.0.0.0
controlSocket: $WORK/a.sock
holdTime: 9
connectRetryTime: 1
nodeToNodeMesh: false
blocks: [10.244.94.0/26]
dataplane: {enabled: false}
peers:
  - {address: 192.168.95.10, asNumber: 64513$1}
logLevel: debug
YAML
}
cfg ""
cat >"$WORK/far.conf" <<'CONF'
log stderr all;
router id 192.168.95.10;
protocol device { scan time 2; }
protocol static { ipv4; route 10.244.95.0/26 blackhole; }
protocol bgp a {
  local 192.168.95.10 as 64513;
  neighbor 192.168.94.1 as 64512;
  multihop 2;
  hold time 9;
  connect retry time 1;
  ipv4 { import all; export all; };
}
CONF
start_bg far far bird -f -c "$WORK/far.conf" -s "$WORK/far.ctl" -P "$WORK/far.pid"
wait_for "far: bird answers" 20 birdc -s "$WORK/far.ctl" show status || abort "bird did not start"
# Two captures of a's packets that carry BGP data (TCP payload > 0): with TTL 1, and with
# any other TTL. (The kernel answers an incoming SYN, and may ACK the peer's first bytes,
# with the listening socket's TTL before the connection is accepted and given TTL 1, as
# with BIRD and FRR: those carry no data.)
DATA='src host 192.168.94.1 and tcp port 179 and (ip[2:2] - ((ip[0]&0xf)<<2) - ((tcp[12]&0xf0)>>2)) > 0'
ns_exec a tcpdump -i eth0 -nn -l "$DATA and ip[8] = 1" >"$WORK/ttl1.txt" 2>/dev/null &
PIDS+=("$!")
ns_exec a tcpdump -i eth0 -nn -l "$DATA and ip[8] != 1" >"$WORK/ttl-other.txt" 2>/dev/null &
PIDS+=("$!")
sleep 1
start_bg a a "$TERN" run --config "$WORK/a.yaml" --log-format text
wait_for "a: control socket" 20 tern_status_json a "$WORK/a.sock" || abort "tern did not start"

state() { "$TERN" status --socket "$WORK/a.sock" --json | python3 "$QUERY" peer-field 192.168.95.10 state; }
if hold_for "not Established for 12 s with TTL 1" 12 sh -c "! $(printf '%q' "$TERN") status --socket $(printf '%q' "$WORK/a.sock") --json | grep -q Established"; then
  result PASS "$T/ttl-1-never-established"
else
  result FAIL "$T/ttl-1-never-established" "the 2-hop eBGP session came up with TTL 1: $(state)"
fi
sent_ttl1() {
  local one other
  one=$(wc -l <"$WORK/ttl1.txt"); other=$(wc -l <"$WORK/ttl-other.txt")
  echo "packets from a with BGP data: $one with TTL 1, $other with another TTL"
  [ "$one" -gt 0 ] && [ "$other" = 0 ]
}
check "$T/sent-with-ttl-1" "every packet from a carrying BGP data has TTL 1 (tcpdump)" 10 sent_ttl1

cfg ", ebgpMultihop: 2"
kill -HUP "${PID_OF[a]}"
established() { local s; s=$(state); echo "$s"; [ "$s" = Established ]; }
check "$T/multihop-2-established" "after SIGHUP with ebgpMultihop: 2 the session is Established" "$DL" established
