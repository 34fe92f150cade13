#!/usr/bin/env bash
# rr-loop: RFC 4456 loop prevention on a Tern reflector. ExaBGP 4.2 is an iBGP
# route-reflector client that sets ORIGINATOR_ID and CLUSTER_LIST itself
# (API: `announce route P next-hop NH cluster-list [ ... ] originator-id X`).
#
#   segment 192.168.93.0/24, AS 64512
#   rr .100 (tern reflector, router ID .100, cluster ID 10.255.0.4)
#   exabgp .5 (client) | tern a .1 10.244.1.0/26 (client, observes reflection)
#
# Each route to be ignored is followed by a normal "marker" route; once the
# marker has been reflected to a (UPDATEs are processed in order), the ignored
# route must be absent from rr's and a's `tern routes`, and stay absent (2 s),
# with the ExaBGP session never reset.
SCRIPT_NAME=rr-loop
. "$(dirname "$0")/../lib/netns.sh"
. "$(dirname "$0")/../lib/rr.sh"

T=rr-loop
declare_tests "$T/sessions-established" "$T/normal-route-accepted-and-reflected" \
  "$T/foreign-cluster-list-prepended" "$T/own-cluster-id-in-cluster-list-ignored" \
  "$T/own-cluster-id-not-first-ignored" "$T/originator-id-is-own-router-id-ignored" "$T/session-never-reset"

require_root
require_tools ip exabgp python3
[ -z "$STANDIN" ] || skip_all "no stand-in mode for reflector topologies"
require_tern

DL=${DEADLINE:-40}
CL=10.255.0.4
seg_create 192.168.93 || abort "cannot create segment"
node_add rr tern 100 64512 "" no || abort "cannot create rr"
node_add a tern 1 64512 10.244.1.0/26 no || abort "cannot create a"
node_add exa exabgp 5 64512 "" no || abort "cannot create exabgp namespace"
RR=${N_ADDR[rr]} A=${N_ADDR[a]} EXA=${N_ADDR[exa]}

rr_tern_node rr reflector "$CL" "" \
  "name: a, address: $A, asNumber: 64512, routeReflectorClient: true" \
  "name: exa, address: $EXA, asNumber: 64512, routeReflectorClient: true" || abort "rr did not start"
rr_tern_node a node "" 10.244.1.0/26 "name: rr, address: $RR, asNumber: 64512, routeReflector: true" || abort "a did not start"

EXA_FIFO="$WORK/exabgp.cmd"
mkfifo "$EXA_FIFO"
cat >"$WORK/exabgp.conf" <<EOC
process cmd {
  run /usr/bin/python3 $LIB_DIR/fifo-lines.py $EXA_FIFO;
  encoder text;
}
neighbor $RR {
  router-id $EXA;
  local-address $EXA;
  local-as 64512;
  peer-as 64512;
  hold-time 9;
  group-updates false;
  family { ipv4 unicast; }
  api { processes [ cmd ]; }
}
EOC
start_bg exabgp exa env PYTHONUNBUFFERED=1 exabgp_daemon_user=root exabgp_daemon_drop=false exabgp_api_ack=false \
  exabgp_api_cli=false exabgp_log_destination=stdout exabgp_log_message=true exabgp_log_packets=true exabgp "$WORK/exabgp.conf"
# shellcheck disable=SC2016 # single quotes on purpose: $1/$2 are the inner sh's arguments
exa() { log "exabgp <- $*"; timeout 5 sh -c 'echo "$1" >"$2"' _ "$*" "$EXA_FIFO"; }

up() { node_established rr "$EXA" && node_established rr "$A" && node_established a "$RR"; }
check "$T/sessions-established" "rr<->ExaBGP and rr<->a Established" "$DL" up || abort "sessions down"
SINCE=$(node_peer_since rr "$EXA")

exa "announce route 10.99.1.0/24 next-hop $EXA"
normal() { rr_tern_path rr 10.99.1.0/24 "$EXA" "" "" && rr_tern_path a 10.99.1.0/24 "$EXA" "$EXA" "$CL"; }
check "$T/normal-route-accepted-and-reflected" "rr has 10.99.1.0/24 via $EXA; a has it reflected (originator $EXA, clusterList [$CL])" "$DL" normal ||
  abort "the normal route was not accepted: the loop checks would be vacuous"

exa "announce route 10.99.2.0/24 next-hop $EXA originator-id 192.168.93.77 cluster-list [ 10.9.9.9 ]"
foreign() { rr_tern_path rr 10.99.2.0/24 "$EXA" 192.168.93.77 10.9.9.9 && rr_tern_path a 10.99.2.0/24 "$EXA" 192.168.93.77 "$CL 10.9.9.9"; }
check "$T/foreign-cluster-list-prepended" "foreign CLUSTER_LIST [10.9.9.9] accepted; a gets [$CL 10.9.9.9], ORIGINATOR_ID 192.168.93.77 kept" "$DL" foreign

# ignored ROUTE MARKER : after MARKER reached a, ROUTE is in neither RIB (held 2 s)
MARK_N=10
ignored() {
  local name=$1 route=$2 desc=$3
  MARK_N=$((MARK_N + 1))
  local marker="10.99.$MARK_N.0/24"
  exa "announce route $route"
  exa "announce route $marker next-hop $EXA"
  local p=${route%% *}
  absent() { node_no_route rr "$p" && node_no_route a "$p"; }
  if wait_for "marker $marker reflected to a" "$DL" rr_tern_path a "$marker" "$EXA" - - &&
    wait_for "$p absent on rr and a" 5 absent && hold_for "$p stays absent" 2 absent; then
    result PASS "$name"
  else
    result FAIL "$name" "expected $desc ignored (not in rr's or a's RIB) while marker $marker is accepted; seen: $(echo "$WAIT_LAST" | tr '\n' ' ' | cut -c1-300)"
  fi
}
ignored "$T/own-cluster-id-in-cluster-list-ignored" "10.99.3.0/24 next-hop $EXA cluster-list [ $CL ]" "CLUSTER_LIST [$CL]"
ignored "$T/own-cluster-id-not-first-ignored" "10.99.4.0/24 next-hop $EXA cluster-list [ 10.9.9.9 $CL 10.8.8.8 ]" "CLUSTER_LIST [10.9.9.9 $CL 10.8.8.8]"
ignored "$T/originator-id-is-own-router-id-ignored" "10.99.5.0/24 next-hop $EXA originator-id $RR" "ORIGINATOR_ID $RR (rr's router ID)"

never_reset() {
  local s; s=$(node_peer_since rr "$EXA")
  { node_established rr "$EXA" && [ "$s" = "$SINCE" ]; } || { echo "session reset: since '$SINCE' -> '$s'"; return 1; }
  grep -c 'NOTIFICATION\|notification' "${LOG_OF[exabgp]}" | grep -qx 0 || { echo "ExaBGP log mentions a NOTIFICATION"; return 1; }
  normal
}
check "$T/session-never-reset" "ExaBGP session up since the start, no NOTIFICATION, 10.99.1.0/24 still reflected" 5 never_reset
