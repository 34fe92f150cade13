#!/usr/bin/env bash
# rr-tern-reflector: Tern as an RFC 4456 route reflector (role: reflector,
# cluster ID 10.255.0.1, router ID .100) with 3 Tern clients and 1 BIRD 2 client
# (for BIRD a plain iBGP peer of the reflector: direct; gateway direct). No mesh.
#
#   segment 192.168.90.0/24, AS 64512
#   rr .100 (tern, reflector) | tern a .1 10.244.1.0/26 | b .2 10.244.2.0/26
#   c .3 10.244.3.0/26 | bird .10 10.244.10.0/26
#
# Every client must learn every other client's block with the ORIGINAL next hop
# (the owner's address, not the reflector's), ORIGINATOR_ID = the owner's router
# ID and CLUSTER_LIST = [10.255.0.1] (Tern: tern routes --json; BIRD: show route
# all, BGP.originator_id / BGP.cluster_list).
SCRIPT_NAME=rr-tern-reflector
. "$(dirname "$0")/../lib/netns.sh"
. "$(dirname "$0")/../lib/rr.sh"

T=rr-tern-reflector
declare_tests "$T/sessions-established" "$T/peer-types" "$T/tern-clients-learn-all-blocks" \
  "$T/tern-clients-originator-cluster-list" "$T/bird-learns-tern-blocks" "$T/bird-originator-cluster-list" \
  "$T/reflector-has-all-blocks"

require_root
require_tools ip bird birdc python3
[ -z "$STANDIN" ] || skip_all "no stand-in mode for reflector topologies (Tern is the reflector)"
require_tern

DL=${DEADLINE:-40}
CL=10.255.0.1
seg_create 192.168.90 || abort "cannot create segment"
node_add rr tern 100 64512 "" no || abort "cannot create rr"
node_add a tern 1 64512 10.244.1.0/26 no || abort "cannot create a"
node_add b tern 2 64512 10.244.2.0/26 no || abort "cannot create b"
node_add c tern 3 64512 10.244.3.0/26 no || abort "cannot create c"
node_add bird bird 10 64512 10.244.10.0/26 no "192.168.90.100:64512" || abort "cannot create bird"
RR=${N_ADDR[rr]}
CLIENTS=(a b c bird)
TCLIENTS=(a b c)

peers=()
for n in "${CLIENTS[@]}"; do peers+=("name: $n, address: ${N_ADDR[$n]}, asNumber: 64512, routeReflectorClient: true"); done
rr_tern_node rr reflector "$CL" "" "${peers[@]}" || abort "rr did not start"
for n in "${TCLIENTS[@]}"; do
  rr_tern_node "$n" node "" "${N_BLOCK[$n]}" "name: rr, address: $RR, asNumber: 64512, routeReflector: true" ||
    abort "$n did not start"
done
node_start bird || abort "bird did not start"

all_up() {
  local n rc=0
  for n in "${CLIENTS[@]}"; do
    node_established rr "${N_ADDR[$n]}" || rc=1
    node_established "$n" "$RR" || rc=1
  done
  return $rc
}
check "$T/sessions-established" "4 reflector<->client sessions Established on both ends" "$DL" all_up || abort "sessions down"

types() {
  local n t rc=0
  for n in "${CLIENTS[@]}"; do
    t=$(rr_peer_type rr "${N_ADDR[$n]}"); echo "rr -> $n: '$t'"; [ "$t" = "reflector client" ] || rc=1
  done
  for n in "${TCLIENTS[@]}"; do
    t=$(rr_peer_type "$n" "$RR"); echo "$n -> rr: '$t'"; [ "$t" = "reflector" ] || rc=1
  done
  return $rc
}
check "$T/peer-types" "rr's peers type 'reflector client', clients' peer rr type 'reflector'" 5 types

tern_all() { # next hop = owner; attribute checks left to the next test
  local n m rc=0
  for n in "${TCLIENTS[@]}"; do
    for m in "${CLIENTS[@]}"; do
      [ "$n" = "$m" ] && continue
      rr_tern_path "$n" "${N_BLOCK[$m]}" "${N_ADDR[$m]}" - - || rc=1
    done
  done
  return $rc
}
check "$T/tern-clients-learn-all-blocks" "each Tern client has the 3 other blocks via the owner's address (not $RR)" "$DL" tern_all

tern_attrs() {
  local n m rc=0
  for n in "${TCLIENTS[@]}"; do
    for m in "${CLIENTS[@]}"; do
      [ "$n" = "$m" ] && continue
      rr_tern_path "$n" "${N_BLOCK[$m]}" "${N_ADDR[$m]}" "${N_ADDR[$m]}" "$CL" || rc=1
    done
  done
  return $rc
}
check "$T/tern-clients-originator-cluster-list" "reflected paths: originatorID = owner's router ID, clusterList = [$CL]" 10 tern_attrs

bird_all() {
  local m rc=0
  for m in "${TCLIENTS[@]}"; do node_has_route bird "${N_BLOCK[$m]}" "${N_ADDR[$m]}" "" || rc=1; done
  return $rc
}
check "$T/bird-learns-tern-blocks" "BIRD has 10.244.{1,2,3}.0/26 via 192.168.90.{1,2,3}" "$DL" bird_all
bird_attrs() {
  local m rc=0
  for m in "${TCLIENTS[@]}"; do rr_bird_path bird "${N_BLOCK[$m]}" "${N_ADDR[$m]}" "${N_ADDR[$m]}" "$CL" || rc=1; done
  birdc_show_route bird "${N_CTL[bird]}" >"$WORK/bird-routes.txt" 2>&1
  return $rc
}
check "$T/bird-originator-cluster-list" "BIRD: BGP.originator_id = owner, BGP.cluster_list = $CL" 10 bird_attrs

rr_all() { # the reflector's own RIB: every block, from its owner, no ORIGINATOR_ID/CLUSTER_LIST yet
  local m rc=0
  for m in "${CLIENTS[@]}"; do rr_tern_path rr "${N_BLOCK[$m]}" "${N_ADDR[$m]}" "" "" || rc=1; done
  return $rc
}
check "$T/reflector-has-all-blocks" "rr's RIB has all 4 blocks via their owners (as received: no originatorID/clusterList)" 10 rr_all
