#!/usr/bin/env bash
# md5-bird: TCP-MD5 (RFC 2385) between Tern (`password: {file: PATH}`) and BIRD 2
# (`password "..."`), eBGP on one segment.
#   - the same key on both sides: Established, and every segment carries the MD5 option;
#   - rotation: both key files rewritten, SIGHUP to Tern, `birdc configure`: the old session
#     is reset at once (not left to its hold timer) and comes back with the new key;
#   - a wrong key: never Established, and `tern status` says why (with the kernel's counters).
#
#   segment 192.168.79.0/24: a (tern, AS 64512) .1 --- b (BIRD, AS 64513) .2
SCRIPT_NAME="md5-bird"
. "$(dirname "$0")/../lib/netns.sh"

T="md5-bird"
declare_tests "$T/right-key-established" "$T/segments-signed" "$T/rotation-resets-at-once" \
  "$T/rotation-established-new-key" "$T/wrong-key-never-established" "$T/wrong-key-status-says-why"

require_root
require_tools ip bird birdc tcpdump python3
[ -n "$STANDIN" ] && skip_all "needs tern itself (no stand-in)"
require_tern

DL=${DEADLINE:-30}
seg_create 192.168.79 || abort "cannot create segment"
node_add a tern 1 64512 10.244.79.0/26 no "192.168.79.2:64513" || abort "cannot create node a"
node_add b bird 2 64513 10.244.80.0/26 no "192.168.79.1:64512" || abort "cannot create node b"

printf 'first-key\n' >"$WORK/a.key"
N_PEER_EXTRA[a]="password: {file: $WORK/a.key}"
N_BGP_EXTRA[b]='  password "first-key";'
capture_start cap a || abort "tcpdump did not start"
node_start b || abort "bird b did not start"
node_start a || abort "tern a did not start"

check "$T/right-key-established" "a -> b Established with the same key on both sides" "$DL" node_established a 192.168.79.2

# Every TCP segment of port 179 on a's link carries the MD5 signature option (kind 19).
signed() {
  local all md5
  all=$(ns_exec a tcpdump -nn -r "$WORK/cap.pcap" 'tcp port 179' 2>/dev/null | wc -l)
  md5=$(ns_exec a tcpdump -nn -r "$WORK/cap.pcap" 'tcp port 179' 2>/dev/null | grep -c 'md5')
  echo "$all segments on port 179, $md5 with the MD5 option"
  [ "$all" -gt 0 ] && [ "$all" = "$md5" ]
}
check "$T/segments-signed" "every captured BGP segment carries the TCP MD5 option" 10 signed

# Rotation: new key on both sides. Tern resets the session at once (Cease 6), far inside
# the hold time (9 s), and the session comes back with the new key.
since_before=$(node_peer_since a 192.168.79.2)
printf 'second-key\n' >"$WORK/a.key"
N_BGP_EXTRA[b]='  password "second-key";'
node_write_cfg b
t0=$(now_ms)
kill -HUP "${PID_OF[a]}"
node_reload b
reset_seen() {
  local s; s=$(node_peer_since a 192.168.79.2); echo "since $since_before -> $s, state $(peer_state "$WORK/a.sock" 192.168.79.2 2>/dev/null)"
  [ "$s" != "$since_before" ]
}
if wait_for "a's session reset after the rotation" 4 reset_seen; then
  result PASS "$T/rotation-resets-at-once"
else
  result FAIL "$T/rotation-resets-at-once" "no reset within 4 s of the SIGHUP (hold time 9 s)"
fi
check "$T/rotation-established-new-key" "a -> b Established again with the new key" "$DL" node_established a 192.168.79.2
log "rotation: down and up again in $(( $(now_ms) - t0 )) ms"
grep -q 'changed (password)' "$WORK/a.log" || log "warning: no 'changed (password)' line in a's log"

# Wrong key: Tern's file changes, BIRD keeps the second key.
printf 'not-the-key\n' >"$WORK/a.key"
kill -HUP "${PID_OF[a]}"
not_up() { ! node_established a 192.168.79.2 >/dev/null; }
wait_for "the session ends after the wrong key" 5 not_up || true
if hold_for "a -> b never Established with different keys" 12 not_up; then
  result PASS "$T/wrong-key-never-established"
else
  result FAIL "$T/wrong-key-never-established" "Established with different keys: $(peer_state "$WORK/a.sock" 192.168.79.2)"
fi
says_why() {
  local info; info=$(peer_field "$WORK/a.sock" 192.168.79.2 info); echo "info: $info"
  grep -q 'TCP-MD5 is configured' <<<"$info" && grep -q 'TCPMD5Failure [1-9]' <<<"$info"
}
check "$T/wrong-key-status-says-why" "tern status names TCP-MD5 and the kernel's failure counter" 10 says_why
