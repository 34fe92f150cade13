#!/usr/bin/env bash
# kernel-hold: 1M /32 routes from one peer installed into the kernel and removed again while a
# BIRD peer with hold 3 / keepalive 1 watches Tern's keepalives (issue 11 item 4: "a 1M
# install or removal never delays a keepalive on a 3 s hold-time session"). It runs
# interop/bench/hold-under-load.sh with RECEIVERS=tern and this suite's Tern (the bench's
# figures, BIRD side by side, are in docs/PERFORMANCE.md) and checks what it recorded: every
# route in the kernel and out again (counted from /proc/net/fib_triestat), the largest gap
# between two BGP segments from Tern to the watcher on the wire (tcpdump), and the watcher's
# session never reset. It runs alone (RUN_ALONE in scripts/topologies.sh): 1M routes on the
# debug build take ~2-3 min and both cores.
SCRIPT_NAME=kernel-hold
. "$(dirname "$0")/../lib/netns.sh"

T=kernel-hold
declare_tests "$T/all-installed" "$T/all-removed" "$T/keepalives-on-time" "$T/watch-session-never-reset"

require_root
require_tools ip bird birdc tcpdump python3
[ -n "$STANDIN" ] && skip_all "needs tern itself (no stand-in)"
require_tern

N=${N:-1000000}
OUT="$WORK/hold.jsonl"
log "hold-under-load.sh with N=$N, tern $TERN"
RECEIVERS=tern TERN="$TERN" N="$N" BUDGET="${BUDGET:-480}" RESULTS_OUT="$OUT" \
  bash "$REPO_ROOT/interop/bench/hold-under-load.sh" >"$WORK/bench.out" 2>"$WORK/bench.err"
rc=$?
[ -s "$OUT" ] || abort "the bench recorded nothing (exit $rc): $(tail -n 5 "$WORK/bench.err" | tr '\n' ';')"
cat "$WORK/bench.out" >&2

field() { python3 -c 'import json,sys; r=json.loads(open(sys.argv[1]).readline()); v=eval(sys.argv[2], {}, {"r": r}); print(v)' "$OUT" "$1"; }
installed() { echo "install: ok=$(field 'r.get("ok")') in $(field 'r.get("install")') s"; [ "$(field 'bool(r.get("ok"))')" = True ]; }
check "$T/all-installed" "all $N routes of the peer in the kernel" 1 installed
removed() { echo "withdraw: ok=$(field 'r.get("withdraw_ok")') in $(field 'r.get("withdraw")') s"; [ "$(field 'bool(r.get("withdraw_ok"))')" = True ]; }
check "$T/all-removed" "all $N routes out of the kernel after the withdrawal" 1 removed
on_time() {
  echo "largest gap Tern->watcher $(field 'round(r["gap"]["rx->watch"], 2)') s over $(field 'r["segments"]["rx->watch"]') segments"
  [ "$(field 'r["gap"]["rx->watch"] < 1.5 and r["segments"]["rx->watch"] > 10')" = True ]
}
check "$T/keepalives-on-time" "no gap of 1.5 s (1.5x the keepalive interval) or more between Tern's segments to the watcher (hold 3 s)" 1 on_time
kept() { echo "watcher before: $(field 'r["before"]') / after: $(field 'r["after"]'); hold expiries: $(field 'r["expired"]')"; [ "$(field 'r["kept"] and r["expired"] == 0')" = True ]; }
check "$T/watch-session-never-reset" "the watcher's session (hold 3 s) stayed Established throughout" 1 kept

