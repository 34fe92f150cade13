#!/usr/bin/env bash
# `make demo-vxlan`: Tern nodes on two subnets joined by a router that knows only node
# addresses, pool 10.244.0.0/16 with vxlanMode CrossSubnet: node-a and node-c share a
# subnet (plain routes), node-b is behind the router (VXLAN). Shown, then torn down.
#
#   router r: 10.0.1.1 (seg1), 10.0.2.1 (seg2); forwards between them, no pod routes
#   tern node-a 10.0.1.2  block 10.244.1.0/26  pods a1 10.244.1.5, a2 10.244.1.6
#   tern node-c 10.0.1.3  block 10.244.3.0/26  pod  c1 10.244.3.5
#   tern node-b 10.0.2.2  block 10.244.2.0/26  pods b1 10.244.2.5, b2 10.244.2.6
#
# Exits non-zero when the pods cannot all ping each other.
SCRIPT_NAME=demo-vxlan
. "$(dirname "$0")/../interop/lib/netns.sh"
. "$(dirname "$0")/../interop/lib/overlay.sh"
require_root
require_tools ip bridge python3 ping tcpdump
require_tern

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

POOLS="ipPools:
  - {cidr: 10.244.0.0/16, blockSize: 26, vxlanMode: CrossSubnet}"
{ router_add && seg_add seg1 10.0.1 && seg_add seg2 10.0.2; } || abort "underlay"
{ onode_add node-a seg1 10.0.1 2 10.244.1.0/26 && onode_add node-c seg1 10.0.1 3 10.244.3.0/26 &&
  onode_add node-b seg2 10.0.2 2 10.244.2.0/26; } || abort "nodes"
for n in node-a node-b node-c; do N_EXTRA[$n]=$POOLS; done
{ pod_add node-a a1 10.244.1.5 && pod_add node-a a2 10.244.1.6 && pod_add node-c c1 10.244.3.5 &&
  pod_add node-b b1 10.244.2.5 && pod_add node-b b2 10.244.2.6; } || abort "pods"

say "Starting three Tern nodes (node-to-node mesh across the router)"
for n in node-a node-b node-c; do node_start "$n" || abort "$n did not start"; done
# shellcheck disable=SC2317 # called by wait_for
routed() {
  kroute_has node-a "^10.244.2.0/26 via 10.0.2.2 dev vxlan.tern" && kroute_has node-a "^10.244.3.0/26 via 10.0.1.3 dev eth0" &&
  kroute_has node-b "^10.244.1.0/26 via 10.0.1.2 dev vxlan.tern" && kroute_has node-b "^10.244.3.0/26 via 10.0.1.3 dev vxlan.tern"
}
if wait_for "routes programmed" 40 routed >/dev/null 2>&1; then say "Converged"; else say "NOT converged within 40 s (logs: $WORK)"; fi

say "tern status (node-a): pools, tunnel devices, MTUs"
ns_exec node-a "$TERN" status --socket "$WORK/node-a.sock"
say "vxlan.tern on node-a (ip -d link show)"
ip -d -n "$(ns_name node-a)" link show vxlan.tern
say "Routes Tern made on node-a: node-c (same subnet) plain, node-b (behind the router) through VXLAN"
ip -n "$(ns_name node-a)" route show proto 199
say "Remote VTEP on node-a: permanent neighbour and FDB entry (MAC 02:74 + node IP)"
ip -n "$(ns_name node-a)" neigh show dev vxlan.tern
bridge -n "$(ns_name node-a)" fdb show dev vxlan.tern
say "The router knows no pod address"
ip -n "$(ns_name r)" route show

capture_router_start cap-r "" >/dev/null 2>&1 || abort "tcpdump on the router"
say "Pods ping pods (ping -c1 -W2 from the row's pod to the column's pod)"
wait_for "every pod answers every other pod" 30 pods_ping_all a1 a2 c1 b1 b2 >/dev/null 2>&1 ||
  say "(not every pair answered within 30 s)"
pods_ping_matrix a1 a2 c1 b1 b2; rc=$?
say "A 1400-byte ping with DF set, a1 -> b1, through the 1450-byte tunnel"
ns_exec a1 ping -n -c 2 -W 2 -M 'do' -s 1372 10.244.2.5 || rc=1
stop_bg cap-r INT
say "What the router saw (tcpdump): UDP 4789 between node addresses, no bare pod address"
echo "VXLAN packets: $(pcap_count "$WORK/cap-r.pcap" 'udp port 4789');" \
  "packets with a pod address in the outer header: $(pcap_count "$WORK/cap-r.pcap" 'net 10.244.0.0/16')"
tcpdump -r "$WORK/cap-r.pcap" -n -c 3 'udp port 4789' 2>/dev/null
say "Done: tearing the cluster down"
exit $rc
