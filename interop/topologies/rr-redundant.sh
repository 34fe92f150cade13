#!/usr/bin/env bash
# rr-redundant: two Tern reflectors of ONE cluster (ID 10.255.0.3), rr1 .100 and
# rr2 .101, each with the 3 Tern clients as routeReflectorClient and each other
# as a plain iBGP (non-client) peer; every client has both reflectors as peers
# (routeReflector: true).
#
#   segment 192.168.92.0/24, AS 64512
#   rr1 .100 | rr2 .101 | a .1 10.244.1.0/26 | b .2 10.244.2.0/26 | c .3 10.244.3.0/26
#
# kill -9 rr1: no client may lose any other client's block (polled continuously
# for HOLD_SECS=6 s from right after the kill); the clients' sessions to rr1 must
# really be down afterwards. Tern clients negotiate graceful restart with rr1 and
# keep its paths as stale for its restart time (9 s here), which alone would
# satisfy the 6 s window: so the polling goes on (every route still present at
# each poll) until no client has any path from rr1 left, i.e. every route is held
# by rr2's reflection alone (STALE_DEADLINE=30 s). rr1 restarted: sessions back, its RIB re-learns all
# three blocks, the clients again have a path via each reflector.
SCRIPT_NAME=rr-redundant
. "$(dirname "$0")/../lib/netns.sh"
. "$(dirname "$0")/../lib/rr.sh"

T=rr-redundant
declare_tests "$T/sessions-established" "$T/clients-converged" "$T/clients-have-path-via-each-reflector" \
  "$T/reflectors-drop-same-cluster-reflections" "$T/kill-rr1-no-client-loses-a-route" "$T/rr1-sessions-down-after-kill" \
  "$T/routes-kept-via-rr2-after-rr1-paths-flushed" \
  "$T/rr1-restart-established" "$T/rr1-relearns-everything" "$T/clients-path-via-each-reflector-again"

require_root
require_tools ip python3
[ -z "$STANDIN" ] || skip_all "no stand-in mode for reflector topologies"
require_tern

DL=${DEADLINE:-40}
CL=10.255.0.3
HOLD_SECS=${HOLD_SECS:-6}
seg_create 192.168.92 || abort "cannot create segment"
node_add rr1 tern 100 64512 "" no || abort "cannot create rr1"
node_add rr2 tern 101 64512 "" no || abort "cannot create rr2"
node_add a tern 1 64512 10.244.1.0/26 no || abort "cannot create a"
node_add b tern 2 64512 10.244.2.0/26 no || abort "cannot create b"
node_add c tern 3 64512 10.244.3.0/26 no || abort "cannot create c"
CLIENTS=(a b c)
RRS=(rr1 rr2)

for r in "${RRS[@]}"; do
  peers=()
  for n in "${CLIENTS[@]}"; do peers+=("name: $n, address: ${N_ADDR[$n]}, asNumber: 64512, routeReflectorClient: true"); done
  for o in "${RRS[@]}"; do [ "$o" = "$r" ] || peers+=("name: $o, address: ${N_ADDR[$o]}, asNumber: 64512"); done
  rr_tern_node "$r" reflector "$CL" "" "${peers[@]}" || abort "$r did not start"
done
for n in "${CLIENTS[@]}"; do
  rr_tern_node "$n" node "" "${N_BLOCK[$n]}" \
    "name: rr1, address: ${N_ADDR[rr1]}, asNumber: 64512, routeReflector: true" \
    "name: rr2, address: ${N_ADDR[rr2]}, asNumber: 64512, routeReflector: true" || abort "$n did not start"
done

all_up() {
  local n r rc=0
  for r in "${RRS[@]}"; do
    for n in "${CLIENTS[@]}"; do node_established "$r" "${N_ADDR[$n]}" || rc=1; node_established "$n" "${N_ADDR[$r]}" || rc=1; done
  done
  node_established rr1 "${N_ADDR[rr2]}" || rc=1
  node_established rr2 "${N_ADDR[rr1]}" || rc=1
  return $rc
}
check "$T/sessions-established" "6 reflector<->client sessions and rr1<->rr2, both ends" "$DL" all_up || abort "sessions down"

converged() {
  local n m rc=0
  for n in "${CLIENTS[@]}"; do
    for m in "${CLIENTS[@]}"; do
      [ "$n" = "$m" ] && continue
      rr_tern_path "$n" "${N_BLOCK[$m]}" "${N_ADDR[$m]}" "${N_ADDR[$m]}" "$CL" || rc=1
    done
  done
  return $rc
}
check "$T/clients-converged" "every client has the other 2 blocks via the owner, originator = owner, clusterList [$CL]" "$DL" converged

two_paths() { # each client: 2 paths per other block (one from each reflector)
  local n m s rc=0
  for n in "${CLIENTS[@]}"; do
    for m in "${CLIENTS[@]}"; do
      [ "$n" = "$m" ] && continue
      s=$(rr_tern_paths_summary "$n" "${N_BLOCK[$m]}"); echo "$n ${N_BLOCK[$m]}: $s"
      [ "${s%% *}" -ge 2 ] || rc=1
    done
  done
  return $rc
}
check "$T/clients-have-path-via-each-reflector" "each client has 2 paths per other block (via rr1 and via rr2)" "$DL" two_paths

one_path() { # a reflector drops what the other reflects (its cluster ID is in the CLUSTER_LIST)
  local r m s rc=0
  for r in "${RRS[@]}"; do
    for m in "${CLIENTS[@]}"; do
      s=$(rr_tern_paths_summary "$r" "${N_BLOCK[$m]}"); echo "$r ${N_BLOCK[$m]}: $s"
      [ "${s%% *}" = 1 ] || rc=1
      rr_tern_path "$r" "${N_BLOCK[$m]}" "${N_ADDR[$m]}" "" "" >/dev/null || { echo "$r: no path from owner for ${N_BLOCK[$m]}"; rc=1; }
    done
  done
  return $rc
}
# hold (not wait): the reflections of the other reflector arrive right after convergence
if wait_for "each reflector has one path per block, from its owner" 10 one_path && hold_for "still one path each" 2 one_path; then
  result PASS "$T/reflectors-drop-same-cluster-reflections"
else
  result FAIL "$T/reflectors-drop-same-cluster-reflections" "expected 1 path (from the owner) per block on rr1 and rr2; seen: $(echo "$WAIT_LAST" | tr '\n' ' ' | cut -c1-300)"
fi

all_blocks_everywhere() { # via the owner; attributes not checked (either reflector's path will do)
  local n m rc=0
  for n in "${CLIENTS[@]}"; do
    for m in "${CLIENTS[@]}"; do
      [ "$n" = "$m" ] && continue
      rr_tern_path "$n" "${N_BLOCK[$m]}" "${N_ADDR[$m]}" - - >/dev/null || { echo "$n lost ${N_BLOCK[$m]}"; rc=1; }
    done
  done
  [ $rc = 0 ] && echo "all 6 client routes present"
  return $rc
}
log "kill -9 rr1 (pid ${PID_OF[rr1]})"
kill -KILL "${PID_OF[rr1]}"
if hold_for "no client loses a route while rr1 is dead" "$HOLD_SECS" all_blocks_everywhere; then
  result PASS "$T/kill-rr1-no-client-loses-a-route"
else
  result FAIL "$T/kill-rr1-no-client-loses-a-route" "expected every client to keep every other block for ${HOLD_SECS}s after kill -9 rr1; seen: $(echo "$WAIT_LAST" | tr '\n' ' ' | cut -c1-300)"
fi
wait "${PID_OF[rr1]}" 2>/dev/null
rr1_down() { local n rc=0; for n in "${CLIENTS[@]}"; do node_not_established "$n" "${N_ADDR[rr1]}" || rc=1; done; return $rc; }
check "$T/rr1-sessions-down-after-kill" "clients' sessions to rr1 not Established (the kill was noticed)" 15 rr1_down
all_blocks_everywhere >&2 || result FAIL "$T/kill-rr1-no-client-loses-a-route" "a route was lost after the sessions to rr1 went down: $(all_blocks_everywhere | tr '\n' ' ')"

only_rr2() {
  local n m rc=0
  for n in "${CLIENTS[@]}"; do
    for m in "${CLIENTS[@]}"; do
      [ "$n" = "$m" ] && continue
      rr_tern_no_path_from "$n" "${N_BLOCK[$m]}" "${N_ADDR[rr1]}" || rc=1
    done
  done
  return $rc
}
kept_until_flushed() { # every poll: nothing lost; done when rr1's (stale) paths are all gone
  local end=$((SECONDS + ${STALE_DEADLINE:-30})) out
  while :; do
    if ! out=$(all_blocks_everywhere 2>&1); then echo "route lost while rr1's paths were being flushed: $out"; return 1; fi
    if out=$(only_rr2 2>&1); then echo "no path from rr1 left; all routes via rr2: $out"; return 0; fi
    ((SECONDS < end)) || { echo "rr1's paths still present after ${STALE_DEADLINE:-30}s: $out"; return 1; }
    sleep 0.25
  done
}
if out=$(kept_until_flushed); then
  log "$out"
  result PASS "$T/routes-kept-via-rr2-after-rr1-paths-flushed"
else
  log "$out"; dump_logs >&2
  result FAIL "$T/routes-kept-via-rr2-after-rr1-paths-flushed" "$(echo "$out" | tr '\n' ' ' | cut -c1-300)"
fi

rm -f "$WORK/rr1.sock"
rr_tern_start rr1 || abort "rr1 did not restart"
check "$T/rr1-restart-established" "rr1 Established again with a, b, c and rr2" "$DL" all_up
relearn() {
  local m rc=0
  for m in "${CLIENTS[@]}"; do rr_tern_path rr1 "${N_BLOCK[$m]}" "${N_ADDR[$m]}" "" "" || rc=1; done
  echo "rr1 prefixes: $(rr_tern_prefixes rr1)"
  return $rc
}
check "$T/rr1-relearns-everything" "restarted rr1's tern routes has all 3 blocks from their owners" "$DL" relearn
check "$T/clients-path-via-each-reflector-again" "each client again has 2 paths per other block" "$DL" two_paths
