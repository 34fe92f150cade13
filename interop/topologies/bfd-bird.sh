#!/usr/bin/env bash
# bfd-bird: a Tern node and BIRD 2 over eBGP with BFD (RFC 5880/5881, 100 ms x 3 both
# sides; BIRD: `protocol bfd` and `bfd on`). BFD comes Up on both ends; then BIRD's
# bridge port is set down (the link cut, so no NOTIFICATION can pass) and Tern must
# end the BGP session and take BIRD's block out of its kernel table in under 1 s
# (measured from the cut and printed); the link restored, BFD and BGP come back.
#
#   segment 192.168.91.0/24
#   tern a .1 AS 64512 10.244.1.0/26  <->  bird b .2 AS 64513 10.244.2.0/26
# shellcheck disable=SC2317 # the query functions below run indirectly, through check/wait_for ("$@")
SCRIPT_NAME=bfd-bird
. "$(dirname "$0")/../lib/netns.sh"

T=bfd-bird
declare_tests "$T/bfd-up-tern" "$T/bfd-up-bird" "$T/bgp-established" "$T/bird-route-in-kernel" \
  "$T/cut-bgp-down" "$T/cut-routes-out-under-1s" "$T/restored-bfd-up" "$T/restored-bgp-and-routes" \
  "$T/sighup-bfd-retimed-bgp-kept"

require_root
require_tools ip bird birdc python3
require_tern

DL=${DEADLINE:-40}
LIMIT_MS=${LIMIT_MS:-1000}
seg_create 192.168.91 || abort "cannot create segment"
BFD_TIMERS="minimumRecvInterval: 100, minimumSendInterval: 100, multiplier: 3"
node_add a tern 1 64512 10.244.1.0/26 no "192.168.91.2:64513" || abort "cannot create node a"
N_PEER_EXTRA[a]="bfd: {enabled: true, $BFD_TIMERS}"
node_add b bird 2 64513 10.244.2.0/26 no "192.168.91.1:64512" || abort "cannot create node b"
N_BGP_EXTRA[b]="  bfd on;"
N_BIRD_EXTRA[b]='protocol bfd { interface "eth0" { min rx interval 100 ms; min tx interval 100 ms; multiplier 3; }; }'
B_PORT=p2   # b's port on the bridge (node_ns_add numbers them in order)
for n in a b; do node_start "$n" || abort "$n did not start"; done

# tern_bfd_state: the state of Tern's BFD session with b ("Up", ...), from `tern bfd --json`.
tern_bfd_state() {
  ns_exec a "$TERN" bfd --socket "$WORK/a.sock" --json |
    python3 -c 'import json,sys; s=[x for x in json.load(sys.stdin) if x["peer"]=="192.168.91.2"]; print(s[0]["state"] if s else "none"); sys.exit(0 if s and s[0]["state"]==sys.argv[1] else 1)' "$1"
}
# tern_status_bfd: the peer's "bfd" object in `tern status --json` says Up with detection time 300 ms.
tern_status_bfd_up() {
  tern_status_json a "$WORK/a.sock" |
    python3 -c 'import json,sys; p=[x for x in json.load(sys.stdin)["peers"] if x["address"]=="192.168.91.2"][0]; b=p.get("bfd"); print(b); sys.exit(0 if b and b["state"]=="Up" and b.get("detectionTime")==300 else 1)'
}
bird_bfd_up() {
  local out; out=$(birdc -s "${N_CTL[b]}" show bfd sessions); echo "$out"
  printf '%s\n' "$out" | grep -E '^192\.168\.91\.1 ' | grep -q ' Up '
}
bird_kernel_route() { kroute_has a "^10\.244\.2\.0/26 via 192\.168\.91\.2 dev eth0"; }

tern_bfd_up() { tern_bfd_state Up && tern_status_bfd_up; }
check "$T/bfd-up-tern" "Tern's BFD session with BIRD Up (tern bfd), detection time 300 ms (tern status)" "$DL" \
  tern_bfd_up
check "$T/bfd-up-bird" "BIRD's BFD session with Tern Up (birdc show bfd sessions)" "$DL" bird_bfd_up
bgp_up() { node_established a 192.168.91.2 && node_established b 192.168.91.1; }
check "$T/bgp-established" "BGP Established both ends" "$DL" \
  bgp_up
check "$T/bird-route-in-kernel" "BIRD's 10.244.2.0/26 in Tern's kernel table" "$DL" bird_kernel_route || abort "no route to cut"
ns_exec a "$TERN" bfd --socket "$WORK/a.sock" >&2
birdc -s "${N_CTL[b]}" show bfd sessions >&2

# The cut: BIRD's bridge port down. Poll Tern's kernel table every few ms from then on.
log "cutting b's link ($B_PORT down)"
timed_route_gone "$T/cut-routes-out-under-1s" "link cut -> BIRD's route out of Tern's kernel table (BFD 100 ms x 3)" a 10.244.2.0/26 "$LIMIT_MS" \
  ip -n "$(ns_name seg)" link set "$B_PORT" down
tern_not_up() { node_not_established a 192.168.91.2; }
check "$T/cut-bgp-down" "Tern's BGP session with BIRD not Established after the cut" 2 tern_not_up
ns_exec a "$TERN" bfd --socket "$WORK/a.sock" >&2
tern_status_json a "$WORK/a.sock" | python3 -c 'import json,sys; p=json.load(sys.stdin)["peers"][0]; print("tern status after the cut:", p["state"], p.get("bfd"), p.get("lastError"))' >&2

log "restoring b's link"
ip -n "$(ns_name seg)" link set "$B_PORT" up
both_bfd_up() { tern_bfd_state Up && bird_bfd_up; }
check "$T/restored-bfd-up" "BFD Up again on both ends" "$DL" \
  both_bfd_up
restored() { bgp_up && bird_kernel_route; }
check "$T/restored-bgp-and-routes" "BGP Established and BIRD's route back in Tern's kernel" "$DL" restored

# SIGHUP with new BFD timers (receive 200 ms): the session is re-timed with a Poll
# Sequence (RFC 5880 §6.8.3), so Tern's detection time becomes 3 x 200 = 600 ms while
# neither BFD nor BGP flaps (both "since" unchanged).
bgp_since=$(node_peer_since a 192.168.91.2)
bfd_since() { ns_exec a "$TERN" bfd --socket "$WORK/a.sock" --json | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["since"])'; }
bfd_since0=$(bfd_since)
N_PEER_EXTRA[a]="bfd: {enabled: true, minimumRecvInterval: 200, minimumSendInterval: 100, multiplier: 3}"
node_write_cfg a
node_reload a
retimed() {
  local d s bs
  d=$(ns_exec a "$TERN" bfd --socket "$WORK/a.sock" --json | python3 -c 'import json,sys; x=json.load(sys.stdin)[0]; print(x["state"], x.get("detectionTime"))')
  s=$(node_peer_since a 192.168.91.2); bs=$(bfd_since)
  echo "bfd: $d; bgp since $s (was $bgp_since); bfd since $bs (was $bfd_since0)"
  [ "$d" = "Up 600" ] && [ "$s" = "$bgp_since" ] && [ "$bs" = "$bfd_since0" ] && node_established a 192.168.91.2
}
check "$T/sighup-bfd-retimed-bgp-kept" "after SIGHUP: BFD detection time 600 ms, BFD and BGP not reset" 10 retimed
exit $(( FAILS > 0 ))
