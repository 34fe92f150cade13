#!/usr/bin/env bash
# overlay-ipip: the full IPIP end-to-end test. Two Tern nodes on different subnets
# joined by a router that knows only the node subnets; pool 10.244.0.0/16 with
# ipipMode Always. Pods ping across through tunl0; the router sees only IP protocol 4
# between node addresses; MTUs: underlay 1500, tunl0 1480.
# Runs where the kernel has ipip (CONFIG_NET_IPIP); elsewhere every test is SKIPped with
# the reason (this machine's kernel has no ipip module). In a VM: `make test-ipip-vm`.
#
#   router r: 10.0.1.1 (seg1), 10.0.2.1 (seg2), ip_forward, connected routes only
#   tern a 10.0.1.2  block 10.244.1.0/26  pods a1 10.244.1.5, a2 10.244.1.6
#   tern b 10.0.2.2  block 10.244.2.0/26  pods b1 10.244.2.5
SCRIPT_NAME=overlay-ipip
. "$(dirname "$0")/../lib/netns.sh"
. "$(dirname "$0")/../lib/overlay.sh"

T=overlay-ipip
declare_tests "$T/sessions-established" "$T/tunl0-device" "$T/tunnel-address" "$T/kernel-onlink-routes" \
  "$T/router-knows-no-pods" "$T/pods-ping-all" "$T/capture-proto4-only" \
  "$T/ping-1400-df" "$T/mtu-figures" "$T/status-shows-overlay" "$T/fib-all-installed"

require_root
require_tools ip python3 ping tcpdump sha1sum
[ -n "$STANDIN" ] && skip_all "overlay checks need tern itself (no stand-in)"
require_tern
ipip_supported || skip_all "this kernel has no ipip support (CONFIG_NET_IPIP): ${IPIP_PROBE_ERROR:-probe failed}"

DL=${DEADLINE:-40}
POOLS="ipPools:
  - {cidr: 10.244.0.0/16, blockSize: 26, ipipMode: Always}"
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

tunl0_dev() { # NODE
  local out; out=$(ip -d -n "$(ns_name "$1")" link show tunl0 2>&1) || { echo "$out"; return 1; }
  echo "$out"
  # (An adopted fallback tunl0 may show nopmtudisc; the inner DF bit still reaches the
  # outer header, which mtu-figures checks with a too-large DF ping.)
  grep -q "ipip" <<<"$out" && grep -q "mtu 1480 " <<<"$out" && grep -q "state UP\|,UP\|state UNKNOWN" <<<"$out"
}
tunl0_devs() { tunl0_dev a && tunl0_dev b; }
check "$T/tunl0-device" "tunl0 on a and b: kind ipip, MTU 1480, up" "$DL" tunl0_devs

tunnel_addr() {
  ip -n "$(ns_name a)" -4 addr show dev tunl0 | grep -q "inet 10.244.1.0/32" &&
  ip -n "$(ns_name b)" -4 addr show dev tunl0 | grep -q "inet 10.244.2.0/32"
}
check "$T/tunnel-address" "tunl0 carries the first address of the node's block (a 10.244.1.0/32, b 10.244.2.0/32)" "$DL" tunnel_addr

p199="proto (199|0xc7)"
onlink_routes() {
  kroute_has a "^10.244.2.0/26 via 10.0.2.2 dev tunl0 $p199 onlink" &&
  kroute_has b "^10.244.1.0/26 via 10.0.1.2 dev tunl0 $p199 onlink"
}
check "$T/kernel-onlink-routes" "a: 10.244.2.0/26 via 10.0.2.2 dev tunl0 onlink; b: 10.244.1.0/26 via 10.0.1.2 dev tunl0 onlink" "$DL" onlink_routes

overlay_routed_checks "$T" tunl0 ipip 1480 "IPIP Always" capture-proto4-only "ip proto 4" "IP protocol 4 packets"
