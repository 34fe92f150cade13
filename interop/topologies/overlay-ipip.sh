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

no_pods_on_router() { local out; out=$(kroutes r); echo "$out"; ! grep -q "10.244" <<<"$out"; }
check "$T/router-knows-no-pods" "the router has no route for any pod address" 5 no_pods_on_router

capture_router_start cap-r "" || abort "tcpdump on the router"
check "$T/pods-ping-all" "each of the 3 pods pings the 2 others through the IPIP overlay" "$DL" pods_ping_all a1 a2 b1
sleep 1
stop_bg cap-r INT
capture_ok() {
  local f="$WORK/cap-r.pcap" vx bare
  vx=$(pcap_count "$f" "ip proto 4 and host 10.0.1.2 and host 10.0.2.2")
  bare=$(pcap_count "$f" "net 10.244.0.0/16")
  echo "router capture: $vx IP-in-IP packets between the nodes, $bare packets with a pod address in the outer IP header"
  tcpdump -r "$f" -n -c 4 "ip proto 4" 2>/dev/null
  [ "$vx" -ge 8 ] && [ "$bare" = 0 ]
}
check "$T/capture-proto4-only" "the router saw IP protocol 4 packets between 10.0.1.2 and 10.0.2.2 and no packet with a pod address outside the tunnel" 5 capture_ok

df_1400() { ns_exec a1 ping -n -c 3 -W 2 -M do -s 1372 10.244.2.5; }
check "$T/ping-1400-df" "a1 -> b1: 1400-byte ping (1372 + 28) with DF set answered" 15 df_1400

mtu_figures() {
  local w u big
  w=$(overlay_field a 'o["workloadMTU"]'); u=$(overlay_field a 'o["underlay"]')
  echo "workload MTU $w; underlay $u"
  big=$(ns_exec a1 ping -n -c 1 -W 2 -M do -s 1453 10.244.2.5 2>&1); echo "$big"
  [ "$w" = 1480 ] && [ "$u" = "eth0 (10.0.1.2, MTU 1500)" ] &&
  [ "$(overlay_field a '[d["mtu"] for d in o["devices"] if d["name"]=="tunl0"][0]')" = 1480 ] &&
  grep -q "mtu = 1480" <<<"$big"
}
check "$T/mtu-figures" "underlay eth0 MTU 1500, tunl0 1480, workload MTU 1480; a 1481-byte DF ping gets 'Frag needed (mtu = 1480)', not a silent drop" 15 mtu_figures

status_text() {
  local out; out=$(ns_exec a "$TERN" status --socket "$WORK/a.sock"); echo "$out"
  grep -q "10.244.0.0/16 .*IPIP Always .*ok" <<<"$out" && grep -q "tunl0 .*ipip .*1480 .*up .*10.244.1.0/32" <<<"$out" &&
  grep -q "Workload MTU: 1480" <<<"$out"
}
check "$T/status-shows-overlay" "tern status: pool 10.244.0.0/16 IPIP Always ok, tunl0 ipip 1480 up 10.244.1.0/32, Workload MTU: 1480" 10 status_text

fib_ok() { local n rc=0; for n in a b; do echo "$n:"; tern_fib_json "$n" | python3 "$QUERY" fib-states installed || rc=1; done; return $rc; }
check "$T/fib-all-installed" "tern fib on a and b: every row installed" "$DL" fib_ok

