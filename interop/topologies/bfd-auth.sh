#!/usr/bin/env bash
# bfd-auth: RFC 5880 §6.7.4 keyed SHA1 BFD authentication with BIRD 2 (single hop,
# `authentication keyed sha1; password "..." { id 1; }` in BIRD's bfd interface block;
# Tern `bfd: {authentication: {type: keyed-sha1, keyID: 1, keyFile: PATH}}`).
#   - right key: BFD Up both ends, every BFD packet on the wire carries the Authentication
#     Section (length 52), `tern bfd` shows "keyed-sha1 key 1" and no auth drops;
#   - wrong key (Tern's key file rewritten, SIGHUP): Tern's session never comes Up again,
#     BIRD's neither, and `tern bfd --json` counts authentication drops and says why
#     (the SHA1 digest does not match);
#   - right key back (SIGHUP): Up again;
#   - both switched to meticulous keyed SHA1 (BIRD configure, Tern SIGHUP): Up.
#
#   segment 192.168.89.0/24
#   tern a .1 AS 64512 10.244.1.0/26  <->  bird b .2 AS 64513 10.244.2.0/26
# shellcheck disable=SC2317 # the query functions below run indirectly, through check/wait_for ("$@")
SCRIPT_NAME=bfd-auth
. "$(dirname "$0")/../lib/netns.sh"

T=bfd-auth
declare_tests "$T/right-key-up-tern" "$T/right-key-up-bird" "$T/packets-authenticated" \
  "$T/wrong-key-never-up" "$T/wrong-key-drops-counted-and-explained" "$T/bird-not-up-with-wrong-key" \
  "$T/right-key-again-up" "$T/meticulous-up"

require_root
require_tools ip bird birdc tcpdump python3
[ -n "$STANDIN" ] && skip_all "needs tern itself (no stand-in)"
require_tern

DL=${DEADLINE:-40}
seg_create 192.168.89 || abort "cannot create segment"
printf 's3cret-bfd\n' >"$WORK/bfd.key"
BFD_TIMERS="minimumRecvInterval: 100, minimumSendInterval: 100, multiplier: 3"
node_add a tern 1 64512 10.244.1.0/26 no "192.168.89.2:64513" || abort "cannot create node a"
N_PEER_EXTRA[a]="bfd: {enabled: true, $BFD_TIMERS, authentication: {type: keyed-sha1, keyID: 1, keyFile: $WORK/bfd.key}}"
node_add b bird 2 64513 10.244.2.0/26 no "192.168.89.1:64512" || abort "cannot create node b"
N_BGP_EXTRA[b]="  bfd on;"
N_BIRD_EXTRA[b]='protocol bfd { interface "eth0" { min rx interval 100 ms; min tx interval 100 ms; multiplier 3; authentication keyed sha1; password "s3cret-bfd" { id 1; }; }; }'
ns_exec a tcpdump -i eth0 -nn -l 'udp port 3784' >"$WORK/bfd-pcap.txt" 2>/dev/null &
PIDS+=("$!")
sleep 1
for n in a b; do node_start "$n" || abort "$n did not start"; done

# tern_bfd_json FIELD...: those fields of Tern's session with b, space separated.
tern_bfd_json() {
  ns_exec a "$TERN" bfd --socket "$WORK/a.sock" --json |
    python3 -c 'import json,sys
s=[x for x in json.load(sys.stdin) if x["peer"]=="192.168.89.2"]
print(" ".join(str(s[0].get(f)) for f in sys.argv[1:]) if s else "none")' "$@"
}
tern_up_auth() {
  local v; v=$(tern_bfd_json state authentication authenticationDropped); echo "tern: $v"
  [ "$v" = "Up keyed-sha1 key 1 0" ]
}
tern_not_up() { local v; v=$(tern_bfd_json state); echo "tern: $v"; [ "$v" != Up ]; }
bird_bfd() {
  local out; out=$(birdc -s "${N_CTL[b]}" show bfd sessions); echo "$out"
  printf '%s\n' "$out" | grep -E '^192\.168\.89\.1 ' | grep -q " $1 "
}
bird_not_up() { ! bird_bfd Up; }

check "$T/right-key-up-tern" "right key: Tern's BFD Up, auth keyed-sha1 key 1, no auth drops (tern bfd --json)" "$DL" tern_up_auth
check "$T/right-key-up-bird" "right key: BIRD's BFD session Up (birdc show bfd sessions)" "$DL" bird_bfd Up
ns_exec a "$TERN" bfd --socket "$WORK/a.sock" >&2
authenticated() {
  local out in all plain
  out=$(grep -cE '192\.168\.89\.1\.[0-9]+ > 192\.168\.89\.2\.3784: .*length:? 52' "$WORK/bfd-pcap.txt")
  in=$(grep -cE '192\.168\.89\.2\.[0-9]+ > 192\.168\.89\.1\.3784: .*length:? 52' "$WORK/bfd-pcap.txt")
  all=$(grep -c '\.3784: ' "$WORK/bfd-pcap.txt")
  plain=$((all - out - in))
  echo "BFD packets with the SHA1 section (length 52): a->b $out, b->a $in; others: $plain"; tail -n 2 "$WORK/bfd-pcap.txt"
  [ "$out" -gt 0 ] && [ "$in" -gt 0 ] && [ "$plain" = 0 ]
}
check "$T/packets-authenticated" "every BFD packet both ways carries the SHA1 Authentication Section (tcpdump)" 10 authenticated

log "wrong key: Tern's key file rewritten, SIGHUP"
printf 'wrong-key\n' >"$WORK/bfd.key"
node_reload a
sleep 1
if hold_for "wrong key: Tern's BFD session never Up" 8 tern_not_up; then result PASS "$T/wrong-key-never-up"
else result FAIL "$T/wrong-key-never-up" "Tern's session came Up with the wrong key"; fi
drops() {
  local v; v=$(tern_bfd_json state authenticationDropped lastDrop); echo "tern: $v"
  python3 - "$v" <<'PY'
import sys
state, n, *why = sys.argv[1].split(" ")
sys.exit(0 if state != "Up" and int(n) >= 3 and "digest" in " ".join(why) else 1)
PY
}
check "$T/wrong-key-drops-counted-and-explained" "tern bfd --json: >= 3 authentication drops, last drop: SHA1 digest mismatch" 10 drops
tern_bfd_json state authenticationDropped lastDrop >&2
ns_exec a "$TERN" bfd --socket "$WORK/a.sock" >&2
if hold_for "wrong key: BIRD's BFD session not Up" 3 bird_not_up; then result PASS "$T/bird-not-up-with-wrong-key"
else result FAIL "$T/bird-not-up-with-wrong-key" "BIRD's session Up with a wrong key"; fi

log "right key again, SIGHUP"
printf 's3cret-bfd\n' >"$WORK/bfd.key"
node_reload a
both_up() { tern_up_auth && bird_bfd Up; }
check "$T/right-key-again-up" "right key again: BFD Up on both ends" "$DL" both_up

log "meticulous keyed SHA1 on both ends (BIRD configure, Tern SIGHUP)"
N_BIRD_EXTRA[b]='protocol bfd { interface "eth0" { min rx interval 100 ms; min tx interval 100 ms; multiplier 3; authentication meticulous keyed sha1; password "s3cret-bfd" { id 1; }; }; }'
node_write_cfg b
node_reload b
N_PEER_EXTRA[a]="bfd: {enabled: true, $BFD_TIMERS, authentication: {type: meticulous-keyed-sha1, keyID: 1, keyFile: $WORK/bfd.key}}"
node_write_cfg a
node_reload a
meticulous_up() {
  # (a packet or two of BIRD's keyed SHA1 may be dropped while the two switch over)
  local v; v=$(tern_bfd_json state authentication); echo "tern: $v"
  [ "$v" = "Up meticulous-keyed-sha1 key 1" ] && bird_bfd Up
}
check "$T/meticulous-up" "meticulous keyed SHA1 both ends: Up (tern bfd: meticulous-keyed-sha1 key 1; birdc)" "$DL" meticulous_up
ns_exec a "$TERN" bfd --socket "$WORK/a.sock" >&2
exit $(( FAILS > 0 ))
