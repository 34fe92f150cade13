#!/usr/bin/env bash
# netpol-faults: NetworkPolicy enforcement under faults, on netpol-e2e's model (one Tern node,
# file datastore, namespaces x y z x pods a b c; interop/lib/netpol.sh). One policy throughout:
# x/a admits ingress from x/b only.
#  1. `nft flush table inet tern`, then `nft delete table inet tern`, behind Tern's back: y/a ->
#     x/a 80/TCP denied again within REPAIR_BUDGET_MS (default 1000; probes every 50 ms) and
#     `nft monitor` shows the removal and Tern's rebuild after it (the rebuild time is logged),
#     then the whole matrix as expected.
#  2. tern SIGTERM, down DOWN s (default 2), restarted: y/a -> x/a probed every 100 ms from
#     before the stop until after the restart, never allowed; a TCP connection x/b -> x/a:8080
#     opened before the stop echoes a line every 100 ms throughout; the matrix after.
#  3. RELABELS (default 1000) `tern label pod a -n x` alternating pod=new / pod=a, ending pod=a:
#     the final state enforced and the daemon healthy.
#
#   segment 192.168.99.0/24; tern a .1; pool 10.252.0.0/16
SCRIPT_NAME=netpol-faults
. "$(dirname "$0")/../lib/netns.sh"
. "$(dirname "$0")/../lib/datastore.sh"
. "$(dirname "$0")/../lib/netpol.sh"

T=$SCRIPT_NAME
declare_tests "$T/servers-up" "$T/policy-enforced" "$T/nft-flush-repaired" "$T/nft-flush-matrix" \
  "$T/nft-delete-repaired" "$T/nft-delete-matrix" "$T/restart-denied-throughout" \
  "$T/restart-long-lived-tcp-kept" "$T/restart-matrix" "$T/relabels-final-state-enforced" \
  "$T/relabels-daemon-healthy"

require_root
require_tools ip python3 nft
[ -n "$STANDIN" ] && skip_all "NetworkPolicy checks need tern itself (no stand-in)"
require_tern

BUDGET=${REPAIR_BUDGET_MS:-1000}
DOWN=${DOWN:-2}
RELABELS=${RELABELS:-1000}

netpol_setup 192.168.99
check "$T/servers-up" "each pod's server answers its own name" 10 servers_local

CASE=faults
apply_yaml "$(netpol x a-from-b "{podSelector: $(podsel a), policyTypes: [Ingress], ingress: [{from: [{podSelector: $(podsel b)}]}]}")" ||
  abort "tern apply of the policy failed"
cat >"$WORK/expect-policy.txt" <<'EOF'
deny-ingress x/a
allow x/b x/a
EOF
check "$T/policy-enforced" "x/a admits x/b only (truth table)" 1 verify_now "$WORK/expect-policy.txt" policy-enforced

NODE_NS=$(ns_name a)
YA_NS=$(ns_name ya)
XA_IP=${IP[x/a]}

# repaired CHECK MATRIXCHECK NFTCMD : run NFTCMD in the node, time until y/a -> x/a is denied again
repaired() {
  local chk=$1 mchk=$2 cmd=$3 out ms
  if ! ip netns exec "$NODE_NS" nft list table inet tern >/dev/null 2>&1; then
    result FAIL "$chk" "no table inet tern in the node before '$cmd'"
    result FAIL "$mchk" "not run: no table inet tern"
    return
  fi
  local mon="${chk##*/}-monitor"
  start_bg "$mon" a python3 "$PROBE" stamp nft monitor ruleset
  sleep 0.3
  out=$(python3 "$PROBE" watch --netns "$YA_NS" --ip "$XA_IP" --port 80/TCP --want denied --mode until \
    --seconds 5 --interval 0.05 --timeout 0.1 --run "ip netns exec $NODE_NS $cmd")
  local rc=$?
  log "$cmd: $out"
  sleep 1.5
  stop_bg "$mon"
  local gap grc
  gap=$(python3 "$PROBE" monitor-gap "$WORK/$mon.log"); grc=$?
  log "$cmd: nft monitor: $gap"
  ms=$(sed -n 's/.* after \([0-9]*\) ms.*/\1/p' <<<"$out")
  if [ "$rc" = 0 ] && [ -n "$ms" ] && [ "$ms" -lt "$BUDGET" ] && [ "$grc" = 0 ]; then result PASS "$chk"
  else result FAIL "$chk" "after '$cmd' the table rebuilt (nft monitor) and y/a -> x/a 80/TCP denied again within ${BUDGET} ms; seen: $out; monitor: $gap"; fi
  check "$mchk" "after '$cmd': the truth table as before" 1 verify_now "$WORK/expect-policy.txt" "$mchk"
}
repaired "$T/nft-flush-repaired" "$T/nft-flush-matrix" "nft flush table inet tern"
repaired "$T/nft-delete-repaired" "$T/nft-delete-matrix" "nft delete table inet tern"

# --- restart ---
HOLD=$((DOWN + 12))
start_bg watch-denied a python3 "$PROBE" watch --netns "$YA_NS" --ip "$XA_IP" --port 80/TCP --want denied \
  --mode hold --seconds "$HOLD" --interval 0.1 --timeout 0.1
start_bg stream-xb a python3 "$PROBE" stream --netns "$(ns_name xb)" --ip "$XA_IP" --port 8080 --seconds "$HOLD" --interval 0.1
sleep 1
t_stop=$(now_ms)
stop_bg a TERM
log "tern a stopped (SIGTERM) after $(($(now_ms) - t_stop)) ms; nft table while down: $(ip netns exec "$NODE_NS" nft list table inet tern >/dev/null 2>&1 && echo present || echo ABSENT)"
sleep "$DOWN"
ds_node_start a || abort "tern a did not restart"
log "tern a back $(($(now_ms) - t_stop)) ms after the stop"
wait "${PID_OF[watch-denied]}"; rc_w=$?
wait "${PID_OF[stream-xb]}"; rc_s=$?
if [ "$rc_w" = 0 ]; then result PASS "$T/restart-denied-throughout"
else result FAIL "$T/restart-denied-throughout" "y/a -> x/a 80/TCP denied at every probe across the restart; seen: $(tail -n 1 "$WORK/watch-denied.log")"; fi
if [ "$rc_s" = 0 ]; then result PASS "$T/restart-long-lived-tcp-kept"
else result FAIL "$T/restart-long-lived-tcp-kept" "x/b -> x/a:8080 connection echoes every line across the restart; seen: $(tail -n 3 "$WORK/stream-xb.log" | tr '\n' ' ')"; fi
log "restart: $(tail -n 1 "$WORK/watch-denied.log"); $(tail -n 1 "$WORK/stream-xb.log")"
check "$T/restart-matrix" "after the restart: the truth table as before" 1 verify_now "$WORK/expect-policy.txt" restart-matrix

# --- relabels ---
t0=$(now_ms) bad=0
for ((i = 1; i <= RELABELS; i++)); do
  if ((i % 2)); then lab=pod=new; else lab=pod=a; fi
  ((i == RELABELS)) && lab=pod=a
  tern_ds a label pod a "$lab" -n x >/dev/null 2>&1 || bad=$((bad + 1))
done
log "$RELABELS relabels in $(($(now_ms) - t0)) ms ($bad failed)"
check "$T/relabels-final-state-enforced" "after $RELABELS relabels ending pod=a: the truth table as before" 1 \
  verify_now "$WORK/expect-policy.txt" relabels-final
healthy() {
  kill -0 "${PID_OF[a]}" || { echo "tern a exited"; return 1; }
  ns_exec a "$TERN" status --socket "$SOCK" >/dev/null || return 1
  [ "$bad" = 0 ] || { echo "$bad of $RELABELS tern label calls failed"; return 1; }
  ip netns exec "$NODE_NS" nft list table inet tern >/dev/null || return 1
  echo "running, status answers, table present"
}
check "$T/relabels-daemon-healthy" "tern a running, status answers, every label call succeeded, table inet tern present" 5 healthy
