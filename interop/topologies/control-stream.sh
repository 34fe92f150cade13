#!/usr/bin/env bash
# control-stream: `tern routes` on a 100k-route table while a BIRD peer with a 3 s hold
# time watches Tern's keepalives (issue 11 items 2 and 3). An injector sends 100k /24s;
# then 6 clients read `tern routes --json` at once and 4 more ask and never read. Every
# reader gets all 100k routes as parseable JSON, the BIRD session never resets, and the 4
# stuck clients are dropped after 30 s.
#
#   segment 192.168.92.0/24; tern rx .1 (AS 64512, dataplane off); BIRD watch .2 (AS 64514,
#   hold 3, keepalive 1); injector .100 (AS 64513)
SCRIPT_NAME=control-stream
. "$(dirname "$0")/../lib/netns.sh"

T=control-stream
declare_tests "$T/table-received" "$T/six-readers-complete" "$T/status-answered-meanwhile" \
  "$T/watch-session-never-reset" "$T/stuck-clients-dropped"

require_root
require_tools ip bird birdc python3
[ -n "$STANDIN" ] && skip_all "needs tern itself (no stand-in)"
require_tern

N=${N:-100000}
DL=${DEADLINE:-60}
BENCH="$REPO_ROOT/interop/bench"
seg_create 192.168.92 || abort "cannot create segment"
# rx proposes 90 s (the injector keeps alive every 10 s); the watch's 3 s wins on that session.
HOLD=90
node_add rx tern 1 64512 "" no "192.168.92.100:64513 192.168.92.2:64514" || abort "rx"
HOLD=3
node_add watch bird 2 64514 "" no "192.168.92.1:64512" || abort "watch"
N_BGP_EXTRA[watch]="keepalive time 1;"   # with hold 3: a loop stall of 2 s resets the session
N_DATAPLANE[rx]="{enabled: false}"
node_ns_add inj 100 || abort "inj"
mapfile -t S < <(python3 "$BENCH/make_stream.py" --out "$WORK/streams" --next-hop 192.168.92.100 --count "$N" --as 64513 --plen 24) ||
  abort "cannot make the stream"
node_start rx || abort "rx did not start"
node_start watch || abort "watch did not start"
start_bg inj inj python3 "$BENCH/injector.py" --local 192.168.92.100 --peer 192.168.92.1 --as 64513 --announce "${S[0]}"

accepted() { local v; v=$(peer_field "$WORK/rx.sock" 192.168.92.100 prefixesAccepted); echo "$v"; [ "$v" = "$N" ]; }
check "$T/table-received" "rx accepted all $N routes from the injector" "$DL" accepted
wait_for "watch Established" 30 node_established watch 192.168.92.1 || abort "watch session"
watch_since() { node_peer_since watch 192.168.92.1; }
since_before=$(watch_since)

# 4 clients that ask for the table and never read.
for i in 1 2 3 4; do
  start_bg "stuck$i" rx python3 -c 'import socket,sys,time
s=socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); s.sendall(b"{\"apiVersion\":1,\"command\":\"routes\"}\n"); time.sleep(60)' "$WORK/rx.sock"
done
# 6 readers at once.
t0=$(date +%s%3N)
for i in 1 2 3 4 5 6; do
  ( "$TERN" routes --socket "$WORK/rx.sock" --json >"$WORK/routes$i.json" 2>"$WORK/routes$i.err"; echo $? >"$WORK/routes$i.rc" ) &
  PIDS+=("$!")
done
# Meanwhile status answers quickly.
sleep 1
ts=$(date +%s%3N); "$TERN" status --socket "$WORK/rx.sock" --json >/dev/null; te=$(date +%s%3N)
if [ $((te - ts)) -lt 2000 ]; then result PASS "$T/status-answered-meanwhile"
else result FAIL "$T/status-answered-meanwhile" "status took $((te - ts)) ms while 6 readers streamed"; fi
readers_done() { local i; for i in 1 2 3 4 5 6; do [ -s "$WORK/routes$i.rc" ] || return 1; done; }
wait_for "6 readers done" 180 readers_done || true
log "6 readers of $N routes: $(($(date +%s%3N) - t0)) ms"
complete() {
  local i rc=0
  for i in 1 2 3 4 5 6; do
    python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); n=len(d); print(sys.argv[1], n); sys.exit(0 if n==int(sys.argv[2]) else 1)' \
      "$WORK/routes$i.json" "$N" || { rc=1; cat "$WORK/routes$i.err"; }
  done
  return $rc
}
check "$T/six-readers-complete" "each of 6 concurrent tern routes --json got all $N routes as parseable JSON" 1 complete

since_after=$(watch_since)
never_reset() { echo "before: $since_before / after: $since_after"; [ "$since_before" = "$since_after" ] && node_established watch 192.168.92.1; }
check "$T/watch-session-never-reset" "BIRD (hold 3, keepalive 1) stayed Established since before the readers" 1 never_reset

dropped() { local n; n=$(grep -c "stopped reading its routes answer" "${LOG_OF[rx]}"); echo "$n dropped"; [ "$n" -ge 4 ]; }
check "$T/stuck-clients-dropped" "the 4 clients that never read are dropped (30 s without progress)" 60 dropped
