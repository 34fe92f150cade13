#!/usr/bin/env bash
# mesh-bird: 3 Tern nodes + 1 BIRD 2 node (Calico-style config) on one L2
# segment, one iBGP node-to-node mesh (AS 64512), each node with its own /26.
#
#   segment 192.168.77.0/24 (bridge namespace)
#   tern a .1  10.244.1.0/26 | tern b .2  10.244.2.0/26 | tern c .3  10.244.3.0/26
#   bird   .10 10.244.10.0/26  (passive toward lexically greater IPs, as Calico's template)
SCRIPT_NAME="mesh-bird"
. "$(dirname "$0")/../lib/netns.sh"

T="mesh-bird"
declare_tests "$T/sessions-established" "$T/peer-type-mesh" "$T/tern-learns-tern-blocks" \
  "$T/tern-learns-bird-block" "$T/bird-learns-tern-blocks"

require_root
require_tools ip bird birdc python3
require_tern

DL=${DEADLINE:-40}
seg_create 192.168.77 || abort "cannot create segment"
node_add a tern 1 64512 10.244.1.0/26 yes || abort "cannot create node a"
node_add b tern 2 64512 10.244.2.0/26 yes || abort "cannot create node b"
node_add c tern 3 64512 10.244.3.0/26 yes || abort "cannot create node c"
node_add bird bird 10 64512 10.244.10.0/26 yes || abort "cannot create node bird"
for n in "${MESH_NODES[@]}"; do node_start "$n" || abort "$n did not start"; done

all_established() {
  local n m rc=0
  for n in "${MESH_NODES[@]}"; do
    for m in "${MESH_NODES[@]}"; do
      [ "$n" = "$m" ] && continue
      node_established "$n" "${N_ADDR[$m]}" || rc=1
    done
  done
  return $rc
}
check "$T/sessions-established" "all 12 mesh sessions Established on both ends" "$DL" all_established

mesh_types() {
  local n m ty rc=0
  for n in a b c; do
    for m in "${MESH_NODES[@]}"; do
      [ "$n" = "$m" ] && continue
      ty=$(peer_field "$WORK/$n.sock" "${N_ADDR[$m]}" type)
      echo "$n -> $m: type '$ty'"
      [ "$ty" = "node-to-node mesh" ] || rc=1
    done
  done
  return $rc
}
if [ -n "$STANDIN" ]; then
  result SKIP "$T/peer-type-mesh" "tern status only (stand-in mode)"
else
  check "$T/peer-type-mesh" "every tern peer has type 'node-to-node mesh'" 5 mesh_types
fi

tern_blocks() {
  local n m rc=0
  for n in a b c; do
    for m in a b c; do
      [ "$n" = "$m" ] && continue
      node_has_route "$n" "${N_BLOCK[$m]}" "${N_ADDR[$m]}" "" || rc=1
    done
  done
  return $rc
}
check "$T/tern-learns-tern-blocks" "each tern node has the other two blocks via their node addresses, empty AS path" "$DL" tern_blocks

bird_block() {
  local n rc=0
  for n in a b c; do node_has_route "$n" 10.244.10.0/26 "${N_ADDR[bird]}" "" || rc=1; done
  return $rc
}
check "$T/tern-learns-bird-block" "a, b, c have 10.244.10.0/26 via 192.168.77.10" "$DL" bird_block

bird_learns() {
  local n rc=0
  for n in a b c; do node_has_route bird "${N_BLOCK[$n]}" "${N_ADDR[$n]}" "" || rc=1; done
  birdc_show_route bird "${N_CTL[bird]}" >"$WORK/bird-routes.txt" 2>&1
  return $rc
}
check "$T/bird-learns-tern-blocks" "BIRD (show route all) has 10.244.{1,2,3}.0/26 via 192.168.77.{1,2,3}" "$DL" bird_learns
