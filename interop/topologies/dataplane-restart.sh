#!/usr/bin/env bash
# dataplane-restart: kill -9 Tern on node a while pods ping a pod on a; the
# kernel keeps forwarding, the restarted Tern adopts its routes without deleting
# them, and a block withdrawn while a was down leaves a's kernel after End-of-RIB.
#
#   segment 192.168.84.0/24; AS 64512 mesh; Tern staleRouteTimeout 120 s
#   tern a .1  block 10.244.1.0/26   pod a1 10.244.1.5
#   tern b .2  block 10.244.2.0/26   pod b1 10.244.2.5
#   bird   .10 block 10.244.10.0/26  pod c1 10.244.10.5 (Calico-style: graceful restart,
#              kernel protocol with persist/learn/scan time 2)
#
# Phase 1: c1 -> a1 and b1 -> a1 ping -i 0.2 while a is killed (-9), stays down
#   DOWN seconds (default 3) and restarts; `ip monitor route` runs in a's namespace.
# Phase 2: a killed again; b's config loses its block (SIGHUP: b withdraws
#   10.244.2.0/26 and now announces b1 as the /32 10.244.2.5); a restarts and must
#   drop its stale 10.244.2.0/26 once every peer sent End-of-RIB (well before 120 s).
SCRIPT_NAME=dataplane-restart
. "$(dirname "$0")/../lib/netns.sh"

T=dataplane-restart
declare_tests "$T/converged" "$T/restart-established" "$T/restart-no-ping-lost-from-bird-node" \
  "$T/restart-no-ping-lost-from-tern-node" "$T/restart-no-route-deleted" "$T/restart-routes-adopted" \
  "$T/withdrawn-while-down-bird-sees-withdraw" "$T/withdrawn-while-down-removed-after-eor" \
  "$T/withdrawn-while-down-only-stale-deleted" "$T/withdrawn-while-down-new-32-installed" \
  "$T/second-restart-no-ping-lost-from-bird-node" "$T/second-restart-no-ping-lost-from-tern-node"

require_root
require_tools ip bird birdc python3 ping sha1sum
[ -n "$STANDIN" ] && skip_all "dataplane checks need tern itself (no stand-in)"
require_tern

DL=${DEADLINE:-40}
DOWN=${DOWN:-3}
seg_create 192.168.84 || abort "cannot create segment"
node_add a tern 1 64512 10.244.1.0/26 yes || abort "cannot create node a"
node_add b tern 2 64512 10.244.2.0/26 yes || abort "cannot create node b"
node_add bird bird 10 64512 10.244.10.0/26 yes || abort "cannot create node bird"
for n in a b bird; do node_default_route "$n" || abort "default route on $n"; done
N_BIRD_EXTRA[bird]="protocol kernel {
  ipv4 { import filter { if net ~ [ 10.244.10.0/26+ ] then reject; accept; }; export all; };
  learn; persist; scan time 2; graceful restart;
}"
N_DATAPLANE[a]="{staleRouteTimeout: 120}"
pod_add a a1 10.244.1.5 || abort "pod a1"
pod_add b b1 10.244.2.5 || abort "pod b1"
pod_add bird c1 10.244.10.5 || abort "pod c1"
for n in a b bird; do node_start "$n" || abort "$n did not start"; done

P199="proto (199|0xc7)"
a_sessions() { node_established a 192.168.84.2 && node_established a 192.168.84.10 &&
               node_established b 192.168.84.1 && node_established bird 192.168.84.1; }
a_fib_clean() { tern_fib_json a | python3 "$QUERY" fib-states installed; }
converged() {
  a_sessions && a_fib_clean &&
  kroute_has a "^10.244.2.0/26 via 192.168.84.2 dev eth0 $P199" &&
  kroute_has a "^10.244.10.0/26 via 192.168.84.10 dev eth0 $P199" &&
  kroute_has bird "^10.244.1.0/26 via 192.168.84.1 dev eth0 proto bird" &&
  pods_ping_all a1 b1 c1
}
check "$T/converged" "sessions up, a's fib all installed, a1/b1/c1 ping each other" "$DL" converged ||
  abort "topology did not converge"

a199() { kroutes a proto 199 | sort; }
# restart_a : start Tern a again (same config) and wait for its control socket
restart_a() {
  start_bg a a "$TERN" run --config "$WORK/a.yaml" --log-format text
  wait_for "a: tern control socket answers (restarted)" 20 tern_status_json a "$WORK/a.sock"
}
# deleted_prefixes FILE : prefixes of the "Deleted" lines of an `ip monitor route` log
deleted_prefixes() { grep -E '(^|\] )Deleted ' "$1" | sed -E 's/^.*Deleted (blackhole |unreachable )?//' | awk '{print $1}' | sort -u; }
prefixes_of() { awk '{ if ($1=="blackhole"||$1=="unreachable") print $2; else print $1 }' | sort -u; }

# ---------------- phase 1: kill -9 and restart under traffic ----------------
before=$(a199)
log "a's proto 199 routes before the kill:"; printf '%s\n' "$before" >&2
start_bg mon1 a ip -ts monitor route
sleep 0.3
PINGS=${PINGS:-150}   # 0.2 s apart: 30 s of traffic
start_bg ping_c1 c1 ping -n -i 0.2 -W 1 -c "$PINGS" 10.244.1.5
start_bg ping_b1 b1 ping -n -i 0.2 -W 1 -c "$PINGS" 10.244.1.5
sleep 1.5
log "kill -9 tern a (pid ${PID_OF[a]})"
kill -9 "${PID_OF[a]}"; wait "${PID_OF[a]}" 2>/dev/null
sleep "$DOWN"
after_kill=$(a199)
[ "$after_kill" = "$before" ] || log "a's routes changed while Tern was down:"$'\n'"$after_kill"
restart_a || abort "tern a did not restart"
check "$T/restart-established" "restarted a: sessions with b and BIRD Established" "$DL" a_sessions
wait_for "restarted a: fib all installed (End-of-RIB seen, nothing stale)" "$DL" a_fib_clean
sleep 1
for p in ping_c1 ping_b1; do wait "${PID_OF[$p]}" 2>/dev/null; done
stop_bg mon1
ping_loss() {  # NAME LOGNAME DESC
  local line tx rx
  line=$(grep -E 'packets transmitted' "${LOG_OF[$2]}")
  tx=$(sed -E 's/^([0-9]+) packets transmitted.*/\1/' <<<"$line")
  rx=$(sed -E 's/.* ([0-9]+) (packets )?received.*/\1/' <<<"$line")
  log "$3: $line"
  if [ -n "$tx" ] && [ "$tx" = "$PINGS" ] && [ "$rx" = "$tx" ]; then
    result PASS "$1"
  else
    local gaps; gaps=$(python3 - "$PINGS" "${LOG_OF[$2]}" <<'PY'
import re, sys
n, got = int(sys.argv[1]), set()
for l in open(sys.argv[2]):
    m = re.search(r"bytes from .*icmp_seq=(\d+)", l)
    if m: got.add(int(m.group(1)))
miss = [i for i in range(1, n + 1) if i not in got]
out, i = [], 0
while i < len(miss):
    j = i
    while j + 1 < len(miss) and miss[j + 1] == miss[j] + 1: j += 1
    out.append("%d..%d" % (miss[i], miss[j]) if j > i else str(miss[i])); i = j + 1
print(" ".join(out) + " (0.2 s apart)")
PY
)
    result FAIL "$1" "expected $PINGS of $PINGS replies across kill -9 + restart of a; seen: '${line:-no ping summary}'; missing icmp_seq: ${gaps:-?}"
  fi
}
ping_loss "$T/restart-no-ping-lost-from-bird-node" ping_c1 "c1 (BIRD node) -> a1"
ping_loss "$T/restart-no-ping-lost-from-tern-node" ping_b1 "b1 (Tern node b) -> a1"

deleted=$(deleted_prefixes "$WORK/mon1.log")
desired=$(printf '%s\n' "$before" | prefixes_of)
bad=$(comm -12 <(printf '%s\n' "$deleted") <(printf '%s\n' "$desired") | grep . | tr '\n' ' ')
if [ -z "$bad" ]; then
  result PASS "$T/restart-no-route-deleted"
else
  result FAIL "$T/restart-no-route-deleted" "expected no RTM_DELROUTE for still-desired routes; deleted: $bad ($(grep -c Deleted "$WORK/mon1.log") Deleted lines in $WORK/mon1.log)"
fi
log "ip monitor route during phase 1:"; cat "$WORK/mon1.log" >&2
adopted() {
  local now; now=$(a199)
  if [ "$now" = "$before" ]; then echo "same $(printf '%s\n' "$now" | grep -c .) routes"; return 0; fi
  echo "before:"; echo "$before"; echo "now:"; echo "$now"; return 1
}
check "$T/restart-routes-adopted" "a's proto 199 routes after the restart = before the kill" 5 adopted

# ---------------- phase 2: a block withdrawn while a is down ----------------
# The same traffic again: a second kill/restart within a minute (peers' idle-hold
# back-off is longer now, a's advertised restart time is still min(hold, 120) = 9 s).
start_bg ping2_c1 c1 ping -n -i 0.2 -W 1 -c "$PINGS" 10.244.1.5
start_bg ping2_b1 b1 ping -n -i 0.2 -W 1 -c "$PINGS" 10.244.1.5
sleep 1.5
log "kill -9 tern a (pid ${PID_OF[a]}) again"
kill -9 "${PID_OF[a]}"; wait "${PID_OF[a]}" 2>/dev/null
N_BLOCK[b]=""
node_write_cfg b
node_reload b
bird_withdrawn() { node_no_route bird 10.244.2.0/26 && node_has_route bird 10.244.2.5/32 192.168.84.2 ""; }
check "$T/withdrawn-while-down-bird-sees-withdraw" "after b's SIGHUP (block removed), BIRD has no 10.244.2.0/26 but 10.244.2.5/32 via .2" "$DL" bird_withdrawn
still=$(kroutes a 10.244.2.0/26)
log "a's kernel while a is down: 10.244.2.0/26 -> ${still:-absent}"
start_bg mon2 a ip -ts monitor route
sleep 0.3
t0=$SECONDS
restart_a || abort "tern a did not restart (phase 2)"
gone() { kroute_hasnt a "^10.244.2.0/26 "; }
if wait_for "stale 10.244.2.0/26 removed from a's kernel" "$DL" gone; then
  dt=$((SECONDS - t0))
  if [ -z "$still" ]; then
    result FAIL "$T/withdrawn-while-down-removed-after-eor" "precondition: 10.244.2.0/26 was already absent from a's kernel while Tern a was down"
  elif ((dt < 100)); then
    log "stale 10.244.2.0/26 removed ${dt}s after a's restart (staleRouteTimeout 120 s)"
    grep -iE 'end-of-rib|stale' "${LOG_OF[a]}" | tail -5 >&2
    result PASS "$T/withdrawn-while-down-removed-after-eor"
  else
    result FAIL "$T/withdrawn-while-down-removed-after-eor" "removed only after ${dt}s: by the stale timeout, not End-of-RIB"
  fi
else
  result FAIL "$T/withdrawn-while-down-removed-after-eor" "expected 10.244.2.0/26 gone from a's kernel within ${DL}s of a's restart; seen: $(kroutes a 10.244.2.0/26)"
fi
b1_32() { kroute_has a "^10.244.2.5 via 192.168.84.2 dev eth0 $P199" && pods_ping_all a1 b1; }
check "$T/withdrawn-while-down-new-32-installed" "a has 10.244.2.5 via .2 proto 199 (b1 now a /32) and b1 <-> a1 ping" "$DL" b1_32
sleep 1
stop_bg mon2
for p in ping2_c1 ping2_b1; do wait "${PID_OF[$p]}" 2>/dev/null; done
ping_loss "$T/second-restart-no-ping-lost-from-bird-node" ping2_c1 "second restart: c1 (BIRD node) -> a1"
ping_loss "$T/second-restart-no-ping-lost-from-tern-node" ping2_b1 "second restart: b1 (Tern node b) -> a1"
if [ "${T_DONE[$T/second-restart-no-ping-lost-from-tern-node]}" = FAIL ]; then
  log "b's view of the second restart:"; grep -E 'peer=192.168.84.1:|graceful|10.244.1.0/26' "${LOG_OF[b]}" | tail -8 >&2
fi
deleted2=$(deleted_prefixes "$WORK/mon2.log" | tr '\n' ' ')
log "ip monitor route during phase 2:"; cat "$WORK/mon2.log" >&2
read -ra deleted2_words <<<"$deleted2"
if [ "${deleted2_words[*]}" = "10.244.2.0/26" ]; then
  result PASS "$T/withdrawn-while-down-only-stale-deleted"
else
  result FAIL "$T/withdrawn-while-down-only-stale-deleted" "expected exactly one Deleted prefix (10.244.2.0/26) after a's restart; seen: '${deleted2}'"
fi
