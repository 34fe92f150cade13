#!/usr/bin/env bash
# overlay-ipip-unsupported: on a kernel WITHOUT ipip (CONFIG_NET_IPIP), a pool with
# ipipMode Always cannot be served. Tern must say so per pool (log: once, at error level;
# tern status text and JSON), keep running and keep its sessions, keep the other pool
# (VXLAN) working, and leave the IPIP pool's routes pending in tern fib with the reason
# (never installed in the kernel in some other form). Skips on a kernel that has ipip
# (overlay-ipip covers that case).
#
#   router r: 10.0.1.1 (seg1), 10.0.2.1 (seg2), ip_forward, connected routes only
#   pools 10.244.0.0/16 ipipMode Always, 10.245.0.0/16 vxlanMode Always (blockSize 26)
#   tern a 10.0.1.2  blocks 10.244.1.0/26, 10.245.1.0/26  pods a1 10.244.1.5 (IPIP pool), a2 10.245.1.5 (VXLAN pool)
#   tern b 10.0.2.2  blocks 10.244.2.0/26, 10.245.2.0/26  pods b1 10.244.2.5 (IPIP pool), b2 10.245.2.5 (VXLAN pool)
SCRIPT_NAME=overlay-ipip-unsupported
. "$(dirname "$0")/../lib/netns.sh"
. "$(dirname "$0")/../lib/overlay.sh"

T=overlay-ipip-unsupported
declare_tests "$T/sessions-established" "$T/status-text-error" "$T/status-json-problem" \
  "$T/log-error-once" "$T/ipip-retried" "$T/sessions-stay-established" "$T/vxlan-pool-routes" "$T/vxlan-pool-pods-ping" \
  "$T/ipip-blocks-pending-in-fib" "$T/ipip-blocks-not-in-kernel" "$T/still-running-same-sessions"

require_root
require_tools ip bridge python3 ping sha1sum
[ -n "$STANDIN" ] && skip_all "overlay checks need tern itself (no stand-in)"
require_tern
ipip_supported; rc=$?
[ "$rc" = 2 ] && abort "ipip probe: $IPIP_PROBE_ERROR"
[ "$rc" = 0 ] && skip_all "this kernel supports ipip (ip link add ... type ipip works); overlay-ipip tests that case"
log "ipip probe: $IPIP_PROBE_ERROR (as expected here)"

DL=${DEADLINE:-40}
# One retry every 10 s: wait out two of them (and a bit) before counting log lines.
RETRY_WAIT=${RETRY_WAIT:-26}
PROBLEM="IPIP requested for pool 10.244.0.0/16 but this kernel has no ipip support (CONFIG_NET_IPIP)"
POOLS="ipPools:
  - {cidr: 10.244.0.0/16, blockSize: 26, ipipMode: Always}
  - {cidr: 10.245.0.0/16, blockSize: 26, vxlanMode: Always}"
router_add || abort "router"
seg_add seg1 10.0.1 || abort "seg1"
seg_add seg2 10.0.2 || abort "seg2"
onode_add a seg1 10.0.1 2 "10.244.1.0/26, 10.245.1.0/26" || abort "node a"
onode_add b seg2 10.0.2 2 "10.244.2.0/26, 10.245.2.0/26" || abort "node b"
N_EXTRA[a]=$POOLS; N_EXTRA[b]=$POOLS
pod_add a a1 10.244.1.5 || abort "pod a1"
pod_add a a2 10.245.1.5 || abort "pod a2"
pod_add b b1 10.244.2.5 || abort "pod b1"
pod_add b b2 10.245.2.5 || abort "pod b2"
for n in a b; do node_start "$n" || abort "$n did not start"; done

both_up() { node_established a 10.0.2.2 && node_established b 10.0.1.2; }
check "$T/sessions-established" "a <-> b Established across the router" "$DL" both_up || abort "no sessions"
SINCE_A=$(node_peer_since a 10.0.2.2); SINCE_B=$(node_peer_since b 10.0.1.2)
log "session since: a -> b $SINCE_A; b -> a $SINCE_B"

# shellcheck disable=SC2016 # a literal sed bracket expression, nothing to expand
re_escape() { printf '%s' "$1" | sed 's/[][\.*^$()+?{}|]/\\&/g'; }
status_text() {
  local n out rc=0
  for n in a b; do
    out=$(ns_exec "$n" "$TERN" status --socket "$WORK/$n.sock" 2>&1); echo "$out"
    grep -qE "^\| 10\.244\.0\.0/16 +\| IPIP Always +\| ERROR: $(re_escape "$PROBLEM") +\|$" <<<"$out" || rc=1
    grep -qE "^\| 10\.245\.0\.0/16 +\| VXLAN Always +\| ok +\|$" <<<"$out" || rc=1
  done
  return $rc
}
check "$T/status-text-error" "tern status on a and b: row '10.244.0.0/16 IPIP Always ERROR: $PROBLEM' and row '10.245.0.0/16 VXLAN Always ok'" "$DL" status_text

status_json() {
  local n rc=0
  for n in a b; do
    overlay_field "$n" '"\n".join("%s | %s | %s" % (p["cidr"], p["encapsulation"], p.get("problem")) for p in o["pools"])' || rc=1
    [ "$(overlay_field "$n" '[p.get("problem") for p in o["pools"] if p["cidr"] == "10.244.0.0/16"]')" = "['$PROBLEM']" ] || rc=1
    [ "$(overlay_field "$n" '[p.get("problem") for p in o["pools"] if p["cidr"] == "10.245.0.0/16"]')" = "[None]" ] || rc=1
  done
  return $rc
}
check "$T/status-json-problem" "tern status --json on a and b: overlay.pools[10.244.0.0/16].problem = '$PROBLEM', 10.245.0.0/16 has no problem" "$DL" status_json

# error_lines NODE : log lines at error level that carry the problem
error_lines() { grep -E "^[^ ]+ +error +" "${LOG_OF[$1]}" | grep -F "$PROBLEM"; }
first_error() { local n rc=0; for n in a b; do error_lines "$n" || { echo "$n: no error line yet"; rc=1; }; done; return $rc; }
if wait_for "the error line in the logs of a and b" "$DL" first_error; then
  # Evidence that the retries happen (else "logged once" would prove nothing): strace
  # a's netlink sends for the same time and count the RTM_NEWLINK requests for an ipip
  # device (strace decodes rtnetlink: IFLA_INFO_KIND "ipip").
  HAVE_STRACE=0
  if command -v strace >/dev/null 2>&1; then
    start_bg strace-a a strace -f -qq -p "${PID_OF[a]}" -e trace=sendto,sendmsg,write -e signal=none -s 512 -v -o "$WORK/strace-a.txt"
    HAVE_STRACE=1
  fi
  # Two retries (10 s each) later the line must still be there exactly once, and the
  # sessions must not have flapped meanwhile.
  if hold_for "a <-> b stay Established for ${RETRY_WAIT}s while the IPIP pool is retried" "$RETRY_WAIT" both_up; then
    result PASS "$T/sessions-stay-established"
  else
    result FAIL "$T/sessions-stay-established" "expected: a <-> b Established for ${RETRY_WAIT}s; seen: $(printf '%s' "$WAIT_LAST" | tr '\n' ' ' | cut -c1-300)"
  fi
  log_once() {
    local n c rc=0
    for n in a b; do
      c=$(error_lines "$n" | wc -l)
      echo "$n: $c error line(s) with the problem after ${RETRY_WAIT}s:"; error_lines "$n"
      [ "$c" = 1 ] || rc=1
    done
    return $rc
  }
  check "$T/log-error-once" "after ${RETRY_WAIT}s (two retries) the error line '$PROBLEM' is in each node's log exactly once" 1 log_once
  if [ "$HAVE_STRACE" = 1 ]; then
    stop_bg strace-a INT
    retried() {
      local c; c=$(grep -c 'RTM_NEWLINK.*"ipip"' "$WORK/strace-a.txt")
      echo "a sent $c RTM_NEWLINK request(s) for an ipip device in ${RETRY_WAIT}s"; grep -m2 'RTM_NEWLINK.*"ipip"' "$WORK/strace-a.txt" | cut -c1-300
      [ "$c" -ge 2 ]
    }
    check "$T/ipip-retried" "a retried creating tunl0 (RTM_NEWLINK kind ipip) at least twice in ${RETRY_WAIT}s (every 10 s)" 1 retried
  else
    result SKIP "$T/ipip-retried" "strace not installed"
  fi
else
  result FAIL "$T/log-error-once" "expected: an error line '$PROBLEM' in the logs of a and b within ${DL}s; seen: $(printf '%s' "$WAIT_LAST" | tr '\n' ' ' | cut -c1-300)"
  result FAIL "$T/sessions-stay-established" "not measured: the error line never appeared"
  result FAIL "$T/ipip-retried" "not measured: the error line never appeared"
fi

p199="proto (199|0xc7)"
vxlan_routes() {
  kroute_has a "^10.245.2.0/26 via 10.0.2.2 dev vxlan.tern $p199 onlink" &&
  kroute_has b "^10.245.1.0/26 via 10.0.1.2 dev vxlan.tern $p199 onlink"
}
check "$T/vxlan-pool-routes" "the VXLAN pool works: a: 10.245.2.0/26 via 10.0.2.2 dev vxlan.tern onlink; b: 10.245.1.0/26 via 10.0.1.2 dev vxlan.tern onlink" "$DL" vxlan_routes
check "$T/vxlan-pool-pods-ping" "a2 (10.245.1.5) <-> b2 (10.245.2.5) ping through vxlan.tern" "$DL" pods_ping_all a2 b2

pending() {
  local n p rc=0 row
  for n in a b; do
    p=$([ "$n" = a ] && echo 10.244.2.0/26 || echo 10.244.1.0/26)
    row=$(tern_fib_json "$n" | python3 -c '
import json, sys
rows = [r for r in json.load(sys.stdin) if r.get("prefix") == sys.argv[1]]
print(json.dumps(rows))
ok = len(rows) == 1 and rows[0].get("state") == "pending" and ("waiting: " + sys.argv[2]) in (rows[0].get("detail") or "")
sys.exit(0 if ok else 1)' "$p" "$PROBLEM")
    local st=$?
    echo "$n: $row"
    [ "$st" = 0 ] || rc=1
  done
  return $rc
}
check "$T/ipip-blocks-pending-in-fib" "tern fib: a's row 10.244.2.0/26 and b's row 10.244.1.0/26 are pending, detail 'waiting: $PROBLEM'" "$DL" pending

not_in_kernel() {
  kroute_hasnt a "^10\.244\.2\.0/26 " && kroute_hasnt b "^10\.244\.1\.0/26 " &&
  kroute_hasnt a "dev tunl0" && kroute_hasnt b "dev tunl0"
}
check "$T/ipip-blocks-not-in-kernel" "no kernel route on a for 10.244.2.0/26 nor on b for 10.244.1.0/26 (in no form), nothing via tunl0" 5 not_in_kernel

same_sessions() {
  local sa sb
  sa=$(node_peer_since a 10.0.2.2); sb=$(node_peer_since b 10.0.1.2)
  echo "a running: $(is_running a && echo yes || echo no), b running: $(is_running b && echo yes || echo no); since a -> b: $SINCE_A then $sa; b -> a: $SINCE_B then $sb"
  is_running a && is_running b && [ -n "$sa" ] && [ "$sa" = "$SINCE_A" ] && [ "$sb" = "$SINCE_B" ] && both_up
}
check "$T/still-running-same-sessions" "tern a and b still running, sessions Established with the same 'since' as at the start" 5 same_sessions
