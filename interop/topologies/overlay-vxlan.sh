#!/usr/bin/env bash
# overlay-vxlan: two Tern nodes on different subnets joined by a router that
# knows only the node subnets (never a pod address); pool 10.244.0.0/16 with
# vxlanMode Always. Pods ping across through vxlan.tern; the router sees only
# UDP 4789 between node addresses; MTUs: underlay 1500, vxlan.tern 1450.
#
#   router r: 10.0.1.1 (seg1), 10.0.2.1 (seg2), ip_forward, connected routes only
#   tern a 10.0.1.2  block 10.244.1.0/26  pods a1 10.244.1.5, a2 10.244.1.6
#   tern b 10.0.2.2  block 10.244.2.0/26  pods b1 10.244.2.5
SCRIPT_NAME=overlay-vxlan
. "$(dirname "$0")/../lib/netns.sh"
. "$(dirname "$0")/../lib/overlay.sh"

T=overlay-vxlan
declare_tests "$T/sessions-established" "$T/vxlan-device" "$T/tunnel-address" "$T/kernel-onlink-routes" \
  "$T/vtep-neighbour-fdb" "$T/router-knows-no-pods" "$T/pods-ping-all" "$T/capture-udp4789-only" \
  "$T/ping-1400-df" "$T/mtu-figures" "$T/status-shows-overlay" "$T/fib-all-installed"

require_root
require_tools ip bridge python3 ping tcpdump sha1sum
[ -n "$STANDIN" ] && skip_all "overlay checks need tern itself (no stand-in)"
require_tern

DL=${DEADLINE:-40}
POOLS="ipPools:
  - {cidr: 10.244.0.0/16, blockSize: 26, vxlanMode: Always}"
router_add || abort "router"
seg_add seg1 10.0.1 || abort "seg1"
seg_add seg2 10.0.2 || abort "seg2"
onode_add a seg1 10.0.1 2 10.244.1.0/26 || abort "node a"
onode_add b seg2 10.0.2 2 10.244.2.0/26 || abort "node b"
N_EXTRA[a]=$POOLS; N_EXTRA[b]=$POOLS
pod_add a a1 10.244.1.5 || abort "pod a1"
pod_add a a2 10.244.1.6 || abort "pod a2"
pod_add b b1 10.244.2.5 || abort "pod b1"
for n in a b; do node_start "$n" || abort "$n did not start"; done

both_up() { node_established a 10.0.2.2 && node_established b 10.0.1.2; }
check "$T/sessions-established" "a <-> b Established across the router" "$DL" both_up

vxlan_dev() { # NODE LOCAL MAC
  local out; out=$(ip -d -n "$(ns_name "$1")" link show vxlan.tern 2>&1) || { echo "$out"; return 1; }
  echo "$out"
  grep -q "vxlan id 4096 " <<<"$out" && grep -q "local $2 dev eth0" <<<"$out" && grep -q "dstport 4789" <<<"$out" &&
    grep -q "nolearning" <<<"$out" && grep -q "mtu 1450 " <<<"$out" && grep -q "link/ether $3 " <<<"$out" &&
    grep -q "state UP\|,UP" <<<"$out"
}
vxlan_devs() { vxlan_dev a 10.0.1.2 02:74:0a:00:01:02 && vxlan_dev b 10.0.2.2 02:74:0a:00:02:02; }
check "$T/vxlan-device" "vxlan.tern on a and b: VNI 4096, dstport 4789, nolearning, local <node IP> dev eth0, MTU 1450, MAC 02:74:<node IP>, up" "$DL" vxlan_devs

tunnel_addr() {
  ip -n "$(ns_name a)" -4 addr show dev vxlan.tern | grep -q "inet 10.244.1.0/32" &&
  ip -n "$(ns_name b)" -4 addr show dev vxlan.tern | grep -q "inet 10.244.2.0/32"
}
check "$T/tunnel-address" "vxlan.tern carries the first address of the node's block (a 10.244.1.0/32, b 10.244.2.0/32)" "$DL" tunnel_addr

p199="proto (199|0xc7)"
onlink_routes() {
  kroute_has a "^10.244.2.0/26 via 10.0.2.2 dev vxlan.tern $p199 onlink" &&
  kroute_has b "^10.244.1.0/26 via 10.0.1.2 dev vxlan.tern $p199 onlink"
}
check "$T/kernel-onlink-routes" "a: 10.244.2.0/26 via 10.0.2.2 dev vxlan.tern onlink; b: 10.244.1.0/26 via 10.0.1.2 dev vxlan.tern onlink" "$DL" onlink_routes

vtep_entries() { # NODE REMOTE MAC
  local n; n=$(ns_name "$1")
  ip -n "$n" neigh show dev vxlan.tern | tee /dev/stderr | grep -q "^$2 lladdr $3 PERMANENT" &&
  bridge -n "$n" fdb show dev vxlan.tern | tee /dev/stderr | grep -q "^$3 dst $2 self permanent"
}
vteps() { vtep_entries a 10.0.2.2 02:74:0a:00:02:02 && vtep_entries b 10.0.1.2 02:74:0a:00:01:02; }
check "$T/vtep-neighbour-fdb" "per remote node: neighbour <node IP> lladdr 02:74:<node IP> PERMANENT and FDB <MAC> dst <node IP> self permanent on vxlan.tern" "$DL" vteps

overlay_routed_checks "$T" vxlan.tern vxlan 1450 "VXLAN Always" capture-udp4789-only "udp port 4789" "UDP 4789 frames"
