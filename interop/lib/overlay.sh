# shellcheck shell=bash
# shellcheck disable=SC2034 # a library: the variables it sets are read by the scripts that source it
# Overlay topologies (source after netns.sh): nodes on several L2 segments joined
# by a router namespace that knows only the node subnets, never a pod address.
#
#   seg_add NAME NET24          a segment (bridge namespace NAME, br0) and the
#                               router's leg NET24.1 on it
#   onode_add NAME SEG NET24 H  a Tern node with eth0 NET24.H/24 on segment SEG,
#                               default route via the router (NET24.1)
#   router "r" forwards between the segments (ip_forward=1, connected routes only).

ROUTER_LEGS=0
router_add() {
  ns_add r || return 1
  ns_exec r sysctl -qw net.ipv4.ip_forward=1 || return 1
}

seg_add() {
  local name=$1 net=$2
  ns_add "$name" || return 1
  ip -n "$(ns_name "$name")" link add br0 type bridge || return 1
  ip -n "$(ns_name "$name")" link set br0 type bridge stp_state 0 forward_delay 0 2>/dev/null
  ip -n "$(ns_name "$name")" link set br0 up || return 1
  ROUTER_LEGS=$((ROUTER_LEGS + 1))
  veth_pair r "leg$ROUTER_LEGS" "$name" "rp$ROUTER_LEGS" || return 1
  ip -n "$(ns_name "$name")" link set "rp$ROUTER_LEGS" master br0 || return 1
  ip -n "$(ns_name r)" addr add "$net.1/24" dev "leg$ROUTER_LEGS" || return 1
}

declare -A SEG_PORT_COUNT
# shellcheck disable=SC2004 # N_* are associative arrays (declare -A in netns.sh): the $ in the subscript is needed
onode_add() {
  local name=$1 seg=$2 net=$3 host=$4 block=$5
  N_KIND[$name]=tern
  N_ADDR[$name]="$net.$host"
  N_AS[$name]=64512
  N_BLOCK[$name]=$block
  N_MESH[$name]=yes
  N_PEERS[$name]=""
  N_HOLD[$name]=${HOLD:-9}
  MESH_NODES+=("$name")
  ns_add "$name" || return 1
  SEG_PORT_COUNT[$seg]=$(( ${SEG_PORT_COUNT[$seg]:-0} + 1 ))
  local port="n${SEG_PORT_COUNT[$seg]}"
  veth_pair "$name" eth0 "$seg" "$port" || return 1
  ip -n "$(ns_name "$seg")" link set "$port" master br0 || return 1
  ip -n "$(ns_name "$name")" addr add "$net.$host/24" dev eth0 || return 1
  ip -n "$(ns_name "$name")" route add default via "$net.1" dev eth0 || return 1
}

# tern_overlay_json NAME : the overlay part of `tern status --json`
tern_overlay_json() { tern_status_json "$1" "$WORK/$1.sock" | python3 -c 'import json,sys; print(json.dumps(json.load(sys.stdin).get("overlay"), indent=1))'; }

# overlay_field NAME EXPR : evaluate a Python expression over o = the overlay status
overlay_field() {
  tern_status_json "$1" "$WORK/$1.sock" | python3 -c '
import json, sys
o = json.load(sys.stdin).get("overlay") or {}
print(eval(sys.argv[1]))' "$2"
}

# capture_router START|STOP NAME FILTER : tcpdump on every router leg (any) to $WORK/NAME.pcap
capture_router_start() {
  start_bg "$1" r tcpdump -i any -w "$WORK/$1.pcap" -U -s 128 -n "${2:-}"
  wait_for "tcpdump $1 listening" 10 grep -q 'listening on' "$WORK/$1.log"
}
# pcap_count FILE FILTER : packets in FILE matching the tcpdump FILTER
pcap_count() { tcpdump -r "$1" -n "$2" 2>/dev/null | wc -l; }

# ipip_supported : 0 when this kernel can make an ipip device (probed in a scratch
# namespace of this run, deleted at once); 1 when it cannot, with iproute2's error
# text in IPIP_PROBE_ERROR (this kernel: "Error: Unknown device type."); 2 when the
# scratch namespace could not be made.
IPIP_PROBE_ERROR=""
ipip_supported() {
  local ns out rc
  ns_add ipip-probe || { IPIP_PROBE_ERROR="cannot create a scratch namespace"; return 2; }
  ns=$(ns_name ipip-probe)
  # With addresses: where ipip is loaded every namespace already has tunl0 (no addresses),
  # and a bare "type ipip" would fail with EEXIST.
  out=$(ip -n "$ns" link add probe0 type ipip local 10.255.255.1 remote 10.255.255.2 2>&1); rc=$?
  ip -n "$ns" link del probe0 2>/dev/null
  ip netns del "$ns" 2>/dev/null
  [ "$rc" = 0 ] && return 0
  IPIP_PROBE_ERROR=$(printf '%s' "$out" | tr '\n' ' ' | sed 's/ *$//')
  return 1
}

# --- the routed two-node checks overlay-vxlan and overlay-ipip share ------------------
# Nodes a (10.0.1.2) and b (10.0.2.2) behind router r, pool 10.244.0.0/16, pods a1, a2
# on a and b1 (10.244.2.5) on b. After the tunnel-specific checks, a script calls
#   overlay_routed_checks T DEV KIND MTU ENCAP CAPTURE_TEST CAPTURE_FILTER WHAT
# e.g. overlay_routed_checks overlay-vxlan vxlan.tern vxlan 1450 "VXLAN Always" \
#        capture-udp4789-only "udp port 4789" "UDP 4789 frames"
# which reports router-knows-no-pods, pods-ping-all, CAPTURE_TEST, ping-1400-df,
# mtu-figures, status-shows-overlay and fib-all-installed under T/.
no_pods_on_router() { local out; out=$(kroutes r); echo "$out"; ! grep -q "10.244" <<<"$out"; }
overlay_capture_ok() { # FILTER WHAT
  local f="$WORK/cap-r.pcap" tun bare
  tun=$(pcap_count "$f" "$1 and host 10.0.1.2 and host 10.0.2.2")
  bare=$(pcap_count "$f" "net 10.244.0.0/16")
  echo "router capture: $tun $2 between the nodes, $bare packets with a pod address in the outer IP header"
  tcpdump -r "$f" -n -c 4 "$1" 2>/dev/null
  [ "$tun" -ge 8 ] && [ "$bare" = 0 ]
}
df_1400() { ns_exec a1 ping -n -c 3 -W 2 -M 'do' -s 1372 10.244.2.5; }
overlay_mtu_figures() { # DEV MTU
  local w u big
  w=$(overlay_field a 'o["workloadMTU"]'); u=$(overlay_field a 'o["underlay"]')
  echo "workload MTU $w; underlay $u"
  big=$(ns_exec a1 ping -n -c 1 -W 2 -M 'do' -s $(($2 + 1 - 28)) 10.244.2.5 2>&1); echo "$big"
  [ "$w" = "$2" ] && [ "$u" = "eth0 (10.0.1.2, MTU 1500)" ] &&
  [ "$(overlay_field a "[d['mtu'] for d in o['devices'] if d['name']=='$1'][0]")" = "$2" ] &&
  grep -q "mtu = $2" <<<"$big"
}
overlay_status_text() { # DEV KIND MTU ENCAP
  local out; out=$(ns_exec a "$TERN" status --socket "$WORK/a.sock"); echo "$out"
  grep -q "10.244.0.0/16 .*$4 .*ok" <<<"$out" && grep -q "$1 .*$2 .*$3 .*up .*10.244.1.0/32" <<<"$out" &&
  grep -q "Workload MTU: $3" <<<"$out"
}
fib_all_installed() { # NODE... : every row of tern fib installed
  local n rc=0
  for n in "$@"; do echo "$n:"; tern_fib_json "$n" | python3 "$QUERY" fib-states installed || rc=1; done
  return $rc
}
overlay_routed_checks() {
  local t=$1 dev=$2 kind=$3 mtu=$4 encap=$5 captest=$6 filter=$7 what=$8
  check "$t/router-knows-no-pods" "the router has no route for any pod address" 5 no_pods_on_router
  capture_router_start cap-r "" || abort "tcpdump on the router"
  check "$t/pods-ping-all" "each of the 3 pods pings the 2 others through the $encap overlay" "$DL" pods_ping_all a1 a2 b1
  sleep 1
  stop_bg cap-r INT
  check "$t/$captest" "the router saw $what between 10.0.1.2 and 10.0.2.2 and no packet with a pod address outside the tunnel" \
    5 overlay_capture_ok "$filter" "$what"
  check "$t/ping-1400-df" "a1 -> b1: 1400-byte ping (1372 + 28) with DF set answered" 15 df_1400
  check "$t/mtu-figures" "underlay eth0 MTU 1500, $dev $mtu, workload MTU $mtu; a $((mtu + 1))-byte DF ping gets 'Frag needed (mtu = $mtu)', not a silent drop" \
    15 overlay_mtu_figures "$dev" "$mtu"
  check "$t/status-shows-overlay" "tern status: pool 10.244.0.0/16 $encap ok, $dev $kind $mtu up 10.244.1.0/32, Workload MTU: $mtu" \
    10 overlay_status_text "$dev" "$kind" "$mtu" "$encap"
  check "$t/fib-all-installed" "tern fib on a and b: every row installed" "$DL" fib_all_installed a b
}
