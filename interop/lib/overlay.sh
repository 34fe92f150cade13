# shellcheck shell=bash
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
