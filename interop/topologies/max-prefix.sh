#!/usr/bin/env bash
# max-prefix: a prefix limit (RFC 4486) toward GoBGP, `maxPrefixes: {limit: 10, action:
# restart, restartTime: 5}`.
#   - GoBGP announces limit+1 = 11 prefixes: Tern sends Cease subcode 1 with the RFC 4486
#     §4 data (AFI 1, SAFI 1, limit 10; seen in a capture on GoBGP's link), GoBGP's routes
#     leave Tern's RIB, `tern status` shows the limit tripped;
#   - GoBGP withdraws one: the session is not back before restartTime, and is back after it
#     with the 10 routes;
#   - action warn (SIGHUP), 11 prefixes again: the session stays, all 11 accepted.
#
#   segment 192.168.81.0/24: a (tern, AS 64512) .1 --- gobgp (AS 64513) .2
SCRIPT_NAME=max-prefix
. "$(dirname "$0")/../lib/netns.sh"

T=max-prefix
declare_tests "$T/established-under-limit" "$T/kernel-routes-installed" "$T/cease-1-sent-with-data" "$T/routes-removed" \
  "$T/kernel-routes-removed" "$T/status-tripped" \
  "$T/not-back-before-restart-time" "$T/back-after-restart-time" "$T/warn-keeps-session"

require_root
require_tools ip gobgpd gobgp tcpdump python3
[ -n "$STANDIN" ] && skip_all "needs tern itself (no stand-in)"
require_tern

DL=${DEADLINE:-30}
seg_create 192.168.81 || abort "cannot create segment"
node_add a tern 1 64512 10.244.81.0/26 no "192.168.81.2:64513" || abort "cannot create node a"
node_add gobgp gobgp 2 64513 "" no || abort "cannot create node gobgp"
N_PEER_EXTRA[a]="maxPrefixes: {limit: 10, warningPercent: 80, action: restart, restartTime: 5}"

gobgp_cfg "$WORK/gobgp.toml" 64513 192.168.81.2 192.168.81.2 192.168.81.1 64512 9
capture_start cap gobgp || abort "tcpdump did not start"
gobgp_start gobgp gobgp "$WORK/gobgp.toml" || abort "gobgpd did not start"
for i in $(seq 1 10); do gobgp_cli gobgp global rib add "10.60.$i.0/24" nexthop 192.168.81.2 >&2 || abort "gobgp rib add"; done
node_start a || abort "tern a did not start"

accepted() { peer_field "$WORK/a.sock" 192.168.81.2 prefixesAccepted; }
up_with() { # up_with N : Established with N accepted prefixes
  local s n; s=$(peer_state "$WORK/a.sock" 192.168.81.2); n=$(accepted); echo "state $s, accepted $n"
  [ "$s" = Established ] && [ "$n" = "$1" ]
}
check "$T/established-under-limit" "a <- gobgp Established with 10 prefixes (the limit)" "$DL" up_with 10
check "$T/kernel-routes-installed" "10.60.10.0/24 via GoBGP in a's kernel" 10 kroute_has a "^10\.60\.10\.0/24 via 192\.168\.81\.2"

tripped_at=$(now_ms)   # the trip is after this, so the restart at least 5 s after it
gobgp_cli gobgp global rib add 10.60.11.0/24 nexthop 192.168.81.2 >&2
cease1() {
  local n; n=$(capture_notifications "$WORK/cap.pcap" 192.168.81.1 192.168.81.2); echo "${n:-no NOTIFICATION yet}"
  grep -q 'NOTIFICATION 6/1 data=0001010000000a' <<<"$n"
}
check "$T/cease-1-sent-with-data" "a sent Cease 1 with AFI 1, SAFI 1, limit 10 (0001010000000a)" 10 cease1
gone() {
  local i; for i in 1 5 10 11; do node_no_route a "10.60.$i.0/24" >/dev/null || { echo "10.60.$i.0/24 still there"; return 1; }; done
  echo "no 10.60.x routes"
}
check "$T/routes-removed" "GoBGP's routes gone from a's RIB" 10 gone
check "$T/kernel-routes-removed" "no 10.60.x route left in a's kernel" 10 kroute_hasnt a "^10\.60\."
tripped() {
  local j; j=$(tern_status_json a "$WORK/a.sock" | python3 -c '
import json, sys
for p in json.load(sys.stdin)["peers"]:
    if p["address"] == "192.168.81.2": print(json.dumps(p.get("maxPrefixes")))')
  echo "$j"
  python3 -c 'import json,sys; m=json.loads(sys.argv[1]); sys.exit(0 if m and m["tripped"] and m["restartAt"] and m["limit"] == 10 else 1)' "$j"
}
check "$T/status-tripped" "tern status --json: maxPrefixes tripped, restartAt set" 5 tripped

gobgp_cli gobgp global rib del 10.60.11.0/24 >&2
not_up() { local s; s=$(peer_state "$WORK/a.sock" 192.168.81.2); echo "$s"; [ "$s" != Established ]; }
# Polled until 4.5 s after the trip (restartTime 5 s): never Established meanwhile.
not_up_until() { # not_up_until MS_SINCE_EPOCH
  while [ "$(now_ms)" -lt "$1" ]; do not_up >/dev/null || return 1; sleep 0.2; done
}
if not_up_until $(( tripped_at + 4500 )); then
  result PASS "$T/not-back-before-restart-time"
else
  result FAIL "$T/not-back-before-restart-time" "Established again $(( $(now_ms) - tripped_at )) ms after the 11th prefix was added (restartTime 5 s)"
fi
check "$T/back-after-restart-time" "Established again with 10 prefixes after restartTime" "$DL" up_with 10
log "back $(( $(now_ms) - tripped_at )) ms after the 11th prefix was added (restartTime 5 s)"

N_PEER_EXTRA[a]="maxPrefixes: {limit: 10, action: warn}"
node_write_cfg a
node_reload a
wait_for "a re-established after the SIGHUP" "$DL" up_with 10 || true
gobgp_cli gobgp global rib add 10.60.11.0/24 nexthop 192.168.81.2 >&2
wait_for "11 prefixes accepted" 10 up_with 11 || true
if hold_for "Established with 11 prefixes (action warn)" 4 up_with 11 && grep -q 'over the limit 10; action warn' "$WORK/a.log"; then
  result PASS "$T/warn-keeps-session"
else
  result FAIL "$T/warn-keeps-session" "state/accepted: $(up_with 11)"
fi
