#!/usr/bin/env bash
# peer-restart: 2 Tern nodes + BIRD 2 in one iBGP mesh (AS 64512). kill -9 Tern
# node b: its block must leave a's and BIRD's tables within ~12 s (hold time 9;
# the kernel closes b's sockets, so peers normally notice at once). Restart b:
# sessions back to Established, routes back.
#
#   segment 192.168.79.0/24
#   tern a .1 10.244.1.0/26 | tern b .2 10.244.2.0/26 | bird .10 10.244.10.0/26
SCRIPT_NAME=peer-restart
. "$(dirname "$0")/../lib/netns.sh"

T=peer-restart
declare_tests "$T/initial-mesh" "$T/a-drops-dead-node-block" "$T/bird-drops-dead-node-block" \
  "$T/restarted-node-established" "$T/routes-back-after-restart"

require_root
require_tools ip bird birdc python3
require_tern

DL=${DEADLINE:-40}
DEAD_DL=${DEAD_DEADLINE:-14}
seg_create 192.168.79 || abort "cannot create segment"
node_add a tern 1 64512 10.244.1.0/26 yes || abort "cannot create node a"
node_add b tern 2 64512 10.244.2.0/26 yes || abort "cannot create node b"
node_add bird bird 10 64512 10.244.10.0/26 yes || abort "cannot create node bird"
for n in "${MESH_NODES[@]}"; do node_start "$n" || abort "$n did not start"; done

mesh_ok() {
  node_established a 192.168.79.2 && node_established a 192.168.79.10 &&
    node_established b 192.168.79.1 && node_established b 192.168.79.10 &&
    node_established bird 192.168.79.1 && node_established bird 192.168.79.2 &&
    node_has_route a 10.244.2.0/26 192.168.79.2 "" && node_has_route bird 10.244.2.0/26 192.168.79.2 "" &&
    node_has_route b 10.244.1.0/26 192.168.79.1 ""
}
check "$T/initial-mesh" "3 sessions Established and b's block at a and BIRD" "$DL" mesh_ok || abort "initial mesh did not converge"

# b advertises graceful restart (RFC 4724) with its restart time equal to its hold time
# (9 s here; RFC 4724 §3 recommends restart time < hold time), so a and BIRD keep b's
# routes as stale for at most that long after the TCP session dies, then drop them:
# a dead node is withdrawn within about the hold time.
log "kill -9 b (pid ${PID_OF[b]})"
stop_bg b KILL

check "$T/a-drops-dead-node-block" "10.244.2.0/26 gone from a after kill -9 b (stale for <= restart time 9 s)" \
  "$DEAD_DL" node_no_route a 10.244.2.0/26
check "$T/bird-drops-dead-node-block" "10.244.2.0/26 gone from BIRD after kill -9 b (stale for <= restart time 9 s)" \
  "$DEAD_DL" node_no_route bird 10.244.2.0/26

log "restarting b"
node_start b || abort "b did not restart (stale control socket $WORK/b.sock left by kill -9?)"
b_up() { # evaluates every end so a failure shows all four states
  local rc=0
  node_established b 192.168.79.1 || rc=1
  node_established b 192.168.79.10 || rc=1
  node_established a 192.168.79.2 || rc=1
  node_established bird 192.168.79.2 || rc=1
  return $rc
}
check "$T/restarted-node-established" "b's sessions to a and BIRD Established again (both ends)" "$DL" b_up
routes_back() {
  node_has_route a 10.244.2.0/26 192.168.79.2 "" && node_has_route bird 10.244.2.0/26 192.168.79.2 "" &&
    node_has_route b 10.244.1.0/26 192.168.79.1 "" && node_has_route b 10.244.10.0/26 192.168.79.10 ""
}
check "$T/routes-back-after-restart" "b's block at a and BIRD, a's and BIRD's blocks at b" "$DL" routes_back
