#!/usr/bin/env bash
# rr-bird-reflector: BIRD 2 as the route reflector (`rr client; rr cluster id
# 10.255.0.2;` per client protocol, direct, gateway direct), 3 Tern clients
# (their reflector peer marked routeReflector: true), no mesh.
#
#   segment 192.168.91.0/24, AS 64512
#   bird rr .100 | tern a .1 10.244.1.0/26 | b .2 10.244.2.0/26 | c .3 10.244.3.0/26
#
# Full convergence: every client has every other client's block via the owner's
# address (BIRD keeps the next hop on iBGP), with ORIGINATOR_ID = owner and
# CLUSTER_LIST = [10.255.0.2] as BIRD sets them.
SCRIPT_NAME=rr-bird-reflector
. "$(dirname "$0")/../lib/netns.sh"
. "$(dirname "$0")/../lib/rr.sh"

T=rr-bird-reflector
declare_tests "$T/sessions-established" "$T/peer-type-reflector" "$T/full-convergence" \
  "$T/originator-cluster-list" "$T/bird-reflector-has-all-blocks"

require_root
require_tools ip bird birdc python3
[ -z "$STANDIN" ] || skip_all "no stand-in mode for reflector topologies"
require_tern

DL=${DEADLINE:-40}
CL=10.255.0.2
seg_create 192.168.91 || abort "cannot create segment"
node_add rr bird 100 64512 "" no || abort "cannot create rr"
node_add a tern 1 64512 10.244.1.0/26 no || abort "cannot create a"
node_add b tern 2 64512 10.244.2.0/26 no || abort "cannot create b"
node_add c tern 3 64512 10.244.3.0/26 no || abort "cannot create c"
RR=${N_ADDR[rr]}
CLIENTS=(a b c)

rr_bird_reflector_cfg rr "$WORK/rr.conf" "$CL" "${N_ADDR[a]}" "${N_ADDR[b]}" "${N_ADDR[c]}"
rr_bird_start rr || abort "BIRD reflector did not start"
for n in "${CLIENTS[@]}"; do
  rr_tern_node "$n" node "" "${N_BLOCK[$n]}" "name: rr, address: $RR, asNumber: 64512, routeReflector: true" ||
    abort "$n did not start"
done

bird_rr_state() { bird_state "${N_CTL[rr]}" "c_${1//./_}"; }
all_up() {
  local n st rc=0
  for n in "${CLIENTS[@]}"; do
    st=$(bird_rr_state "${N_ADDR[$n]}"); echo "rr -> $n: $st"; [ "$st" = Established ] || rc=1
    node_established "$n" "$RR" || rc=1
  done
  return $rc
}
check "$T/sessions-established" "3 BIRD reflector<->Tern client sessions Established on both ends" "$DL" all_up || abort "sessions down"

types() {
  local n t rc=0
  for n in "${CLIENTS[@]}"; do t=$(rr_peer_type "$n" "$RR"); echo "$n -> rr: '$t'"; [ "$t" = reflector ] || rc=1; done
  return $rc
}
check "$T/peer-type-reflector" "each client's peer rr has type 'reflector'" 5 types

conv() {
  local n m rc=0
  for n in "${CLIENTS[@]}"; do
    for m in "${CLIENTS[@]}"; do
      [ "$n" = "$m" ] && continue
      rr_tern_path "$n" "${N_BLOCK[$m]}" "${N_ADDR[$m]}" - - || rc=1
    done
  done
  return $rc
}
check "$T/full-convergence" "every client has both other blocks via the owner's address" "$DL" conv

attrs() {
  local n m rc=0
  for n in "${CLIENTS[@]}"; do
    for m in "${CLIENTS[@]}"; do
      [ "$n" = "$m" ] && continue
      rr_tern_path "$n" "${N_BLOCK[$m]}" "${N_ADDR[$m]}" "${N_ADDR[$m]}" "$CL" || rc=1
    done
  done
  return $rc
}
check "$T/originator-cluster-list" "Tern clients see originatorID = owner, clusterList = [$CL] (set by BIRD)" 10 attrs

bird_all() {
  local m rc=0
  for m in "${CLIENTS[@]}"; do node_has_route rr "${N_BLOCK[$m]}" "${N_ADDR[$m]}" "" || rc=1; done
  return $rc
}
check "$T/bird-reflector-has-all-blocks" "BIRD reflector has the 3 blocks via their owners" 10 bird_all
