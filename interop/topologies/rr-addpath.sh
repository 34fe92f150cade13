#!/usr/bin/env bash
# rr-addpath: ADD-PATH (RFC 7911) through a Tern reflector. Clients a and b both
# advertise the shared block 10.244.50.0/26 (plus their own); client c takes
# several paths (addPaths: receive on its reflector peer; the reflector's entry
# for c has addPaths: send, addPathsCount: 2); client d has no add-path.
#
#   segment 192.168.94.0/24, AS 64512, rr .100 (cluster ID 10.255.0.5)
#   a .1 [10.244.1.0/26, 10.244.50.0/26] | b .2 [10.244.2.0/26, 10.244.50.0/26]
#   c .3 10.244.3.0/26 (add-path receive) | d .4 10.244.4.0/26 (no add-path)
#
# c must have 2 paths for 10.244.50.0/26 (next hops .1 and .2, distinct
# pathIDs), d exactly one. Then a stops advertising the shared block (config
# rewritten + SIGHUP): c keeps exactly the path via .2 (withdrawal of one path
# ID), d has the path via .2.
SCRIPT_NAME=rr-addpath
. "$(dirname "$0")/../lib/netns.sh"
. "$(dirname "$0")/../lib/rr.sh"

T=rr-addpath
declare_tests "$T/sessions-established" "$T/receive-client-gets-both-paths" "$T/receive-client-kernel-ecmp" \
  "$T/plain-client-gets-one-path" "$T/own-blocks-reflected" "$T/withdraw-one-path-receive-client" \
  "$T/withdraw-one-path-plain-client" "$T/receive-client-kernel-single-path"

require_root
require_tools ip python3
[ -z "$STANDIN" ] || skip_all "no stand-in mode for reflector topologies"
require_tern

DL=${DEADLINE:-40}
CL=10.255.0.5
SH=10.244.50.0/26
seg_create 192.168.94 || abort "cannot create segment"
node_add rr tern 100 64512 "" no || abort "cannot create rr"
node_add a tern 1 64512 "10.244.1.0/26, $SH" no || abort "cannot create a"
node_add b tern 2 64512 "10.244.2.0/26, $SH" no || abort "cannot create b"
node_add c tern 3 64512 10.244.3.0/26 no || abort "cannot create c"
node_add d tern 4 64512 10.244.4.0/26 no || abort "cannot create d"
RR=${N_ADDR[rr]}
CLIENTS=(a b c d)

rr_tern_node rr reflector "$CL" "" \
  "name: a, address: ${N_ADDR[a]}, asNumber: 64512, routeReflectorClient: true" \
  "name: b, address: ${N_ADDR[b]}, asNumber: 64512, routeReflectorClient: true" \
  "name: c, address: ${N_ADDR[c]}, asNumber: 64512, routeReflectorClient: true, addPaths: send, addPathsCount: 2" \
  "name: d, address: ${N_ADDR[d]}, asNumber: 64512, routeReflectorClient: true" || abort "rr did not start"
for n in a b d; do
  rr_tern_node "$n" node "" "${N_BLOCK[$n]}" "name: rr, address: $RR, asNumber: 64512, routeReflector: true" || abort "$n did not start"
done
rr_tern_node c node "" "${N_BLOCK[c]}" "name: rr, address: $RR, asNumber: 64512, routeReflector: true, addPaths: receive" ||
  abort "c did not start"

up() { local n rc=0; for n in "${CLIENTS[@]}"; do node_established rr "${N_ADDR[$n]}" || rc=1; node_established "$n" "$RR" || rc=1; done; return $rc; }
check "$T/sessions-established" "4 reflector<->client sessions Established" "$DL" up || abort "sessions down"

# paths_are NODE PREFIX N NEXTHOP... : exactly N paths, N distinct pathIDs (when N > 1), these next hops
paths_are() {
  local node=$1 p=$2 want=$3; shift 3
  local s n ids
  s=$(rr_tern_paths_summary "$node" "$p"); echo "$node $p: $s (want $want paths via $*)"
  read -r n ids _ <<<"$s"
  [ "$n" = "$want" ] || return 1
  [ "$want" -le 1 ] || [ "$ids" = "$want" ] || return 1
  local h; for h in "$@"; do rr_tern_path "$node" "$p" "$h" - - >/dev/null || return 1; done
}
check "$T/receive-client-gets-both-paths" "c: 2 paths for $SH (via .1 and .2) with distinct pathIDs" "$DL" \
  paths_are c "$SH" 2 "${N_ADDR[a]}" "${N_ADDR[b]}"
# kernel_route NODE PREFIX VIA... : the node's kernel route for PREFIX (proto 199) goes via
# exactly these next hops (several: an ECMP route with one "nexthop via" per path).
kernel_route() {
  local node=$1 p=$2; shift 2
  local out; out=$(ns_exec "$node" ip -4 route show "$p" proto 199); echo "$node kernel: $out"
  local hops; hops=$(grep -oE 'via [0-9.]+' <<<"$out" | awk '{print $2}' | sort | tr '\n' ' ')
  local want; want=$(printf '%s\n' "$@" | sort | tr '\n' ' ')
  [ "$hops" = "$want" ] || return 1
  [ $# -le 1 ] || [ "$(grep -c 'nexthop via' <<<"$out")" = "$#" ]
}
check "$T/receive-client-kernel-ecmp" "c's kernel: $SH as one ECMP route via .1 and .2 (add-path paths tie)" "$DL" \
  kernel_route c "$SH" "${N_ADDR[a]}" "${N_ADDR[b]}"
if wait_for "d has a path for $SH" "$DL" rr_tern_path d "$SH" - - - && hold_for "d has exactly one path" 2 paths_are d "$SH" 1; then
  result PASS "$T/plain-client-gets-one-path"
else
  result FAIL "$T/plain-client-gets-one-path" "expected exactly 1 path for $SH on d (no add-path); seen: $(echo "$WAIT_LAST" | tr '\n' ' ' | cut -c1-300)"
fi

own() {
  local n m rc=0
  for n in "${CLIENTS[@]}"; do
    for m in "${CLIENTS[@]}"; do
      [ "$n" = "$m" ] && continue
      rr_tern_path "$n" "10.244.${N_ADDR[$m]##*.}.0/26" "${N_ADDR[$m]}" "${N_ADDR[$m]}" "$CL" || rc=1
    done
  done
  return $rc
}
check "$T/own-blocks-reflected" "every client has every other client's own block (originator = owner, clusterList [$CL])" "$DL" own

log "a stops advertising $SH (config rewritten, SIGHUP)"
rr_tern_write a "$WORK/a.yaml" node "" 10.244.1.0/26 "name: rr, address: $RR, asNumber: 64512, routeReflector: true"
kill -HUP "${PID_OF[a]}"
check "$T/withdraw-one-path-receive-client" "c: exactly 1 path for $SH left, via ${N_ADDR[b]}" "$DL" paths_are c "$SH" 1 "${N_ADDR[b]}"
check "$T/withdraw-one-path-plain-client" "d: exactly 1 path for $SH, via ${N_ADDR[b]}" "$DL" paths_are d "$SH" 1 "${N_ADDR[b]}"
check "$T/receive-client-kernel-single-path" "c's kernel: $SH via ${N_ADDR[b]} only" "$DL" kernel_route c "$SH" "${N_ADDR[b]}"
