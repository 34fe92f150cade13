#!/usr/bin/env bash
# bfd-mesh: a 3-node Tern mesh with `nodeMeshBFD` (100 ms x 3). A node's link is cut (its
# bridge port down: no NOTIFICATION can pass): both other nodes end their session with it
# and take its block out of their kernel tables within 1 s (measured from the cut and
# printed), while the pods of the remaining two nodes keep pinging each other without
# loss; the link restored, BFD and BGP come back and the block is routed again.
#
#   segment 192.168.94.0/24; tern a .1 10.244.41.0/26, b .2 10.244.42.0/26, c .3 10.244.43.0/26
# shellcheck disable=SC2317 # the query functions run indirectly, through check/wait_for
SCRIPT_NAME=bfd-mesh
. "$(dirname "$0")/../lib/netns.sh"

T=bfd-mesh
declare_tests "$T/bfd-up-all" "$T/mesh-routes" "$T/cut-routes-out-under-1s" "$T/cut-sessions-down" \
  "$T/others-keep-pinging" "$T/restored"

require_root
require_tools ip python3 ping
require_tern
DL=${DEADLINE:-40}
LIMIT_MS=${LIMIT_MS:-1000}
seg_create 192.168.94 || abort "cannot create segment"
for n in a:1 b:2 c:3; do
  node_add "${n%:*}" tern "${n#*:}" 64512 "10.244.4${n#*:}.0/26" yes || abort "cannot create ${n%:*}"
  N_EXTRA[${n%:*}]="nodeMeshBFD: {enabled: true, minimumRecvInterval: 100, minimumSendInterval: 100, multiplier: 3}"
done
for n in a b c; do node_default_route "$n" || abort "default route on $n"; done
pod_add a pa 10.244.41.5 || abort "pod pa"
pod_add b pb 10.244.42.5 || abort "pod pb"
C_PORT=p3   # c's port on the bridge (node_ns_add numbers them in order)
for n in a b c; do node_start "$n" || abort "$n did not start"; done

bfd_up() { # bfd_up NODE PEER...: NODE's BFD sessions with every PEER are Up
  local node=$1; shift
  ns_exec "$node" "$TERN" bfd --socket "$WORK/$node.sock" --json | python3 -c '
import json, sys
s = {x["peer"]: x["state"] for x in json.load(sys.stdin)}
print(s); sys.exit(0 if all(s.get(p) == "Up" for p in sys.argv[1:]) else 1)' "$@"
}
all_up() { bfd_up a 192.168.94.2 192.168.94.3 && bfd_up b 192.168.94.1 192.168.94.3 && bfd_up c 192.168.94.1 192.168.94.2; }
check "$T/bfd-up-all" "every mesh session has BFD Up (3 nodes, 6 sessions)" "$DL" all_up
routes() {
  kroute_has a "^10\.244\.43\.0/26 via 192\.168\.94\.3 " && kroute_has b "^10\.244\.43\.0/26 via 192\.168\.94\.3 " \
    && kroute_has a "^10\.244\.42\.0/26 via 192\.168\.94\.2 "
}
check "$T/mesh-routes" "a and b route c's block via c, a routes b's" "$DL" routes || abort "no routes to cut"
wait_for "pa pings pb" "$DL" pod_ping pa pb || abort "pods do not ping"

# The cut: c's bridge port down; pa pings pb every 20 ms throughout; a and b polled every 5 ms.
ns_exec pa ping -n -q -i 0.02 -c 150 -W 1 10.244.42.5 >"$WORK/ping.txt" 2>&1 &
ping_pid=$!
log "cutting c's link ($C_PORT down)"
t0=$(date +%s%N)
ip -n "$(ns_name seg)" link set "$C_PORT" down
ga="" gb=""
while (( $(date +%s%N) - t0 < 5000000000 )) && { [ -z "$ga" ] || [ -z "$gb" ]; }; do
  [ -z "$ga" ] && [ -z "$(ip -n "$(ns_name a)" route show 10.244.43.0/26)" ] && ga=$(( ($(date +%s%N) - t0) / 1000000 ))
  [ -z "$gb" ] && [ -z "$(ip -n "$(ns_name b)" route show 10.244.43.0/26)" ] && gb=$(( ($(date +%s%N) - t0) / 1000000 ))
  sleep 0.005
done
echo "bfd-mesh: link cut -> c's block out of a's kernel in ${ga:-?} ms, of b's in ${gb:-?} ms (BFD 100 ms x 3; limit ${LIMIT_MS} ms)" >&2
if [ -n "$ga" ] && [ -n "$gb" ] && (( ga < LIMIT_MS && gb < LIMIT_MS )); then
  result PASS "$T/cut-routes-out-under-1s"
else
  result FAIL "$T/cut-routes-out-under-1s" "c's block out of a after ${ga:-never} ms, of b after ${gb:-never} ms (limit ${LIMIT_MS} ms)"
fi
down() { node_not_established a 192.168.94.3 && node_not_established b 192.168.94.3; }
check "$T/cut-sessions-down" "a's and b's sessions with c not Established" 2 down
wait "$ping_pid"
no_loss() { cat "$WORK/ping.txt"; grep -q ' 0% packet loss' "$WORK/ping.txt"; }
check "$T/others-keep-pinging" "pa -> pb every 20 ms for 3 s across the cut: no loss" 1 no_loss

log "restoring c's link"
ip -n "$(ns_name seg)" link set "$C_PORT" up
restored() { all_up && routes; }
check "$T/restored" "BFD Up on every session again and c's block routed by a and b" "$DL" restored
