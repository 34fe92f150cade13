#!/usr/bin/env bash
# overlay-crosssubnet: pool 10.244.0.0/16 with vxlanMode CrossSubnet. Nodes on the same
# subnet route to each other's blocks plainly over eth0 (no tunnel); a node on another
# subnet is reached through vxlan.tern. The router knows only the node subnets.
#
#   router r: 10.0.1.1 (seg1), 10.0.2.1 (seg2), ip_forward, connected routes only
#   seg1: tern a 10.0.1.2  block 10.244.1.0/26  pods a1 10.244.1.5, a2 10.244.1.6
#         tern c 10.0.1.3  block 10.244.3.0/26  pod  c1 10.244.3.5
#   seg2: tern b 10.0.2.2  block 10.244.2.0/26  pod  b1 10.244.2.5
#
# What must be true on seg1 (capture on the seg1 bridge while every pod pings every pod):
#  - a <-> c is plain routing: ICMP with the pod addresses in the (only) IP header, between
#    a's and c's MACs; never UDP 4789 between 10.0.1.2 and 10.0.1.3.
#  - a <-> b and c <-> b is VXLAN: UDP 4789 between the node addresses, to/from the
#    router's seg1 leg. The router's leg is a port of the same bridge, so the precise
#    statement is: no frame on seg1 has an address of b's block in its outer IP header, and
#    no frame to or from the router's MAC has any pod address in its outer IP header (the
#    router knows no pod route; a bare pod packet reaching it would be a routing error).
SCRIPT_NAME=overlay-crosssubnet
. "$(dirname "$0")/../lib/netns.sh"
. "$(dirname "$0")/../lib/overlay.sh"

T=overlay-crosssubnet
declare_tests "$T/sessions-established" "$T/same-subnet-route-plain" "$T/cross-subnet-route-vxlan" \
  "$T/remote-node-routes-vxlan" "$T/vtep-entries-only-cross-subnet" "$T/pods-ping-all" \
  "$T/seg1-same-subnet-bare" "$T/seg1-cross-subnet-udp4789-only" "$T/status-shows-crosssubnet" \
  "$T/fib-all-installed"

require_root
require_tools ip bridge python3 ping tcpdump sha1sum
[ -n "$STANDIN" ] && skip_all "overlay checks need tern itself (no stand-in)"
require_tern

DL=${DEADLINE:-40}
POOLS="ipPools:
  - {cidr: 10.244.0.0/16, blockSize: 26, vxlanMode: CrossSubnet}"
router_add || abort "router"
seg_add seg1 10.0.1 || abort "seg1"
seg_add seg2 10.0.2 || abort "seg2"
onode_add a seg1 10.0.1 2 10.244.1.0/26 || abort "node a"
onode_add c seg1 10.0.1 3 10.244.3.0/26 || abort "node c"
onode_add b seg2 10.0.2 2 10.244.2.0/26 || abort "node b"
N_EXTRA[a]=$POOLS; N_EXTRA[b]=$POOLS; N_EXTRA[c]=$POOLS
pod_add a a1 10.244.1.5 || abort "pod a1"
pod_add a a2 10.244.1.6 || abort "pod a2"
pod_add c c1 10.244.3.5 || abort "pod c1"
pod_add b b1 10.244.2.5 || abort "pod b1"
for n in a b c; do node_start "$n" || abort "$n did not start"; done

all_up() {
  node_established a 10.0.1.3 && node_established a 10.0.2.2 &&
  node_established c 10.0.1.2 && node_established c 10.0.2.2 &&
  node_established b 10.0.1.2 && node_established b 10.0.1.3
}
check "$T/sessions-established" "a, b, c: full mesh Established (a <-> c on seg1, both <-> b across the router)" "$DL" all_up

p199="proto (199|0xc7)"
# route_is NODE PREFIX REGEX [NOT_REGEX] : NODE's kernel route for PREFIX is one line,
# matches REGEX and (if given) does not match NOT_REGEX.
route_is() {
  local out; out=$(kroutes "$1" "$2" 2>&1)
  echo "$1: ip route show $2: ${out:-<none>}"
  [ "$(printf '%s\n' "$out" | grep -c .)" = 1 ] || return 1
  grep -qE "$3" <<<"$out" || return 1
  [ -z "${4:-}" ] || ! grep -qE "$4" <<<"$out"
}
same_subnet() {
  route_is a 10.244.3.0/26 "^10.244.3.0/26 via 10.0.1.3 dev eth0 $p199( |$)" "onlink|vxlan" &&
  route_is c 10.244.1.0/26 "^10.244.1.0/26 via 10.0.1.2 dev eth0 $p199( |$)" "onlink|vxlan"
}
check "$T/same-subnet-route-plain" "a: 10.244.3.0/26 via 10.0.1.3 dev eth0 proto 199 (no onlink, no vxlan.tern); c: 10.244.1.0/26 via 10.0.1.2 dev eth0 likewise" "$DL" same_subnet

cross_subnet() {
  route_is a 10.244.2.0/26 "^10.244.2.0/26 via 10.0.2.2 dev vxlan.tern $p199 onlink" &&
  route_is c 10.244.2.0/26 "^10.244.2.0/26 via 10.0.2.2 dev vxlan.tern $p199 onlink"
}
check "$T/cross-subnet-route-vxlan" "a and c: 10.244.2.0/26 via 10.0.2.2 dev vxlan.tern proto 199 onlink" "$DL" cross_subnet

remote_node() {
  route_is b 10.244.1.0/26 "^10.244.1.0/26 via 10.0.1.2 dev vxlan.tern $p199 onlink" &&
  route_is b 10.244.3.0/26 "^10.244.3.0/26 via 10.0.1.3 dev vxlan.tern $p199 onlink"
}
check "$T/remote-node-routes-vxlan" "b: 10.244.1.0/26 via 10.0.1.2 and 10.244.3.0/26 via 10.0.1.3, both dev vxlan.tern proto 199 onlink" "$DL" remote_node

# vteps_are NODE "IP MAC"... : the permanent neighbours and FDB entries on vxlan.tern are
# exactly the given remote VTEPs (no entry for a node reached without the tunnel).
vteps_are() {
  local node=$1; shift
  local n neigh fdb want_n="" want_f="" e ip mac
  n=$(ns_name "$node")
  neigh=$(ip -n "$n" neigh show dev vxlan.tern nud permanent 2>&1 | sed 's/ *$//' | sort)
  fdb=$(bridge -n "$n" fdb show dev vxlan.tern 2>&1 | grep ' dst ' | sed 's/ *$//' | sort)
  for e in "$@"; do
    read -r ip mac <<<"$e"
    want_n+="$ip lladdr $mac PERMANENT"$'\n'
    want_f+="$mac dst $ip self permanent"$'\n'
  done
  want_n=$(printf '%s' "$want_n" | sort); want_f=$(printf '%s' "$want_f" | sort)
  echo "$node neighbours: ${neigh//$'\n'/; }"; echo "$node fdb: ${fdb//$'\n'/; }"
  [ "$neigh" = "$want_n" ] && [ "$fdb" = "$want_f" ]
}
vtep_entries() {
  vteps_are a "10.0.2.2 02:74:0a:00:02:02" &&
  vteps_are c "10.0.2.2 02:74:0a:00:02:02" &&
  vteps_are b "10.0.1.2 02:74:0a:00:01:02" "10.0.1.3 02:74:0a:00:01:03"
}
check "$T/vtep-entries-only-cross-subnet" "vxlan.tern neighbour+FDB entries: a and c only for b (10.0.2.2); b for a and c" "$DL" vtep_entries

# The seg1 bridge: capture every frame the bridge forwards (tcpdump puts br0 in
# promiscuous mode, so forwarded unicast frames reach it as well).
ROUTER_MAC=$(ip -n "$(ns_name r)" link show leg1 | awk '/link\/ether/ {print $2}')
A_MAC=$(ip -n "$(ns_name a)" link show eth0 | awk '/link\/ether/ {print $2}')
C_MAC=$(ip -n "$(ns_name c)" link show eth0 | awk '/link\/ether/ {print $2}')
log "seg1 MACs: router leg1 $ROUTER_MAC, a $A_MAC, c $C_MAC"
start_bg cap-seg1 seg1 tcpdump -i br0 -w "$WORK/cap-seg1.pcap" -U -s 128 -n
wait_for "tcpdump on seg1 br0 listening" 10 grep -q 'listening on' "$WORK/cap-seg1.log" || abort "tcpdump on seg1"

check "$T/pods-ping-all" "each of the 4 pods pings the 3 others (a <-> c plain, a/c <-> b through VXLAN)" "$DL" pods_ping_all a1 a2 c1 b1
# A counted exchange for the capture: 3 echo requests + 3 replies each way.
for pair in "a1 c1" "c1 a2" "a1 b1" "c1 b1"; do
  read -r f t <<<"$pair"
  ns_exec "$f" ping -n -q -c 3 -i 0.2 -W 2 "${POD_IP[$t]}" >&2
done
sleep 1
stop_bg cap-seg1 INT

f="$WORK/cap-seg1.pcap"
seg1_bare() {
  local ac ca ac_mac vx_ac
  ac=$(pcap_count "$f" "icmp and src host 10.244.1.5 and dst host 10.244.3.5")
  ca=$(pcap_count "$f" "icmp and src host 10.244.3.5 and dst host 10.244.1.5")
  ac_mac=$(pcap_count "$f" "icmp and net 10.244.0.0/16 and ((ether src $A_MAC and ether dst $C_MAC) or (ether src $C_MAC and ether dst $A_MAC))")
  vx_ac=$(pcap_count "$f" "udp port 4789 and host 10.0.1.2 and host 10.0.1.3")
  echo "seg1: a1->c1 bare ICMP $ac, c1->a1 $ca, pod ICMP between a's and c's MACs $ac_mac, UDP 4789 between a and c $vx_ac"
  tcpdump -r "$f" -n -e -c 2 "icmp and host 10.244.1.5 and host 10.244.3.5" 2>/dev/null
  [ "$ac" -ge 3 ] && [ "$ca" -ge 3 ] && [ "$ac_mac" -ge 6 ] && [ "$vx_ac" = 0 ]
}
check "$T/seg1-same-subnet-bare" "on seg1: a1 <-> c1 ICMP bare (pod addresses in the IP header, between a's and c's MACs, >= 3 each way), no UDP 4789 between 10.0.1.2 and 10.0.1.3" 5 seg1_bare

seg1_cross() {
  local ab ba cb bc bblock router_pods
  ab=$(pcap_count "$f" "udp dst port 4789 and src host 10.0.1.2 and dst host 10.0.2.2 and ether dst $ROUTER_MAC")
  ba=$(pcap_count "$f" "udp dst port 4789 and src host 10.0.2.2 and dst host 10.0.1.2 and ether src $ROUTER_MAC")
  cb=$(pcap_count "$f" "udp dst port 4789 and src host 10.0.1.3 and dst host 10.0.2.2 and ether dst $ROUTER_MAC")
  bc=$(pcap_count "$f" "udp dst port 4789 and src host 10.0.2.2 and dst host 10.0.1.3 and ether src $ROUTER_MAC")
  bblock=$(pcap_count "$f" "net 10.244.2.0/26")
  router_pods=$(pcap_count "$f" "ether host $ROUTER_MAC and net 10.244.0.0/16")
  echo "seg1: VXLAN a->b $ab, b->a $ba, c->b $cb, b->c $bc; frames with b's block in the outer header $bblock; frames to/from the router with a pod address in the outer header $router_pods"
  tcpdump -r "$f" -n -e -c 2 "udp port 4789" 2>/dev/null
  [ "$ab" -ge 3 ] && [ "$ba" -ge 3 ] && [ "$cb" -ge 3 ] && [ "$bc" -ge 3 ] && [ "$bblock" = 0 ] && [ "$router_pods" = 0 ]
}
check "$T/seg1-cross-subnet-udp4789-only" "on seg1: a/c <-> b only as UDP 4789 between node addresses through the router's MAC (>= 3 each way), no frame with b's block in the outer header, none to/from the router with any pod address" 5 seg1_cross

check "$T/status-shows-crosssubnet" "tern status on a: pool 10.244.0.0/16 VXLAN CrossSubnet ok, vxlan.tern vxlan 1450 up 10.244.1.0/32, Workload MTU: 1450" 10 \
  overlay_status_text vxlan.tern vxlan 1450 "VXLAN CrossSubnet"

check "$T/fib-all-installed" "tern fib on a, b and c: every row installed" "$DL" fib_all_installed a b c
