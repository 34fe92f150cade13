#!/usr/bin/env bash
# stall-events: events that used to stall the event loop into session resets (issue 11),
# beside a BIRD peer with hold 3 / keepalive 1 that must never lose its session:
#   1. 100k routes from an injector installed into the kernel and withdrawn again, with the
#      dataplane on and logLevel info (the default);
#   2. SIGHUP with a 50 MB invalid configuration file (parsed off the loop, refused with a
#      short error, the running configuration kept).
#
#   segment 192.168.93.0/24; tern rx .1 (AS 64512); BIRD watch .2 (AS 64514); injector .100 (AS 64513)
SCRIPT_NAME=stall-events
. "$(dirname "$0")/../lib/netns.sh"

T=stall-events
declare_tests "$T/installed" "$T/withdrawn" "$T/big-bad-config-refused" "$T/error-is-short" \
  "$T/watch-session-never-reset" "$T/status-answers"

require_root
require_tools ip bird birdc python3
[ -n "$STANDIN" ] && skip_all "needs tern itself (no stand-in)"
require_tern

N=${N:-100000}
DL=${DEADLINE:-90}
BENCH="$REPO_ROOT/interop/bench"
seg_create 192.168.93 || abort "cannot create segment"
HOLD=90
node_add rx tern 1 64512 "" no "192.168.93.100:64513 192.168.93.2:64514" || abort "rx"
HOLD=3
node_add watch bird 2 64514 "" no "192.168.93.1:64512" || abort "watch"
N_BGP_EXTRA[watch]="keepalive time 1;"   # with hold 3: a loop stall of 2 s resets the session
N_LOGLEVEL[rx]=info
node_ns_add inj 100 || abort "inj"
mapfile -t S < <(python3 "$BENCH/make_stream.py" --out "$WORK/streams" --next-hop 192.168.93.100 --count "$N" --as 64513 --plen 24) ||
  abort "cannot make the streams"
node_start rx || abort "rx did not start"
node_start watch || abort "watch did not start"
wait_for "watch Established" 30 node_established watch 192.168.93.1 || abort "watch session"
watch_since() { node_peer_since watch 192.168.93.1; }
since_before=$(watch_since)

start_bg inj inj python3 "$BENCH/injector.py" --local 192.168.93.100 --peer 192.168.93.1 --as 64513 \
  --announce "${S[0]}" --withdraw "${S[1]}"
kernel_count() { ip -n "$(ns_name rx)" route show proto 199 | wc -l; }
installed() { local n; n=$(kernel_count); echo "$n routes of proto 199"; [ "$n" -ge "$N" ]; }
check "$T/installed" "rx installed the $N routes into its kernel" "$DL" installed
kill -USR1 "${PID_OF[inj]}"
withdrawn() { local n; n=$(kernel_count); echo "$n routes of proto 199"; [ "$n" -lt 10 ]; }
check "$T/withdrawn" "the $N routes withdrawn: gone from rx's kernel" "$DL" withdrawn

# A 50 MB configuration file with one bad value; SIGHUP.
cp "$WORK/rx.yaml" "$WORK/rx.good.yaml"
python3 -c 'import sys; open(sys.argv[1], "a").write("nodeName2: " + "x" * (50 << 20) + "\n")' "$WORK/rx.yaml"
kill -HUP "${PID_OF[rx]}"
refused() { grep -q "SIGHUP: .*rx.yaml rejected" "${LOG_OF[rx]}"; }
check "$T/big-bad-config-refused" "SIGHUP with a 50 MB bad file: rejected, the running configuration kept" 60 refused
short() { local longest; longest=$(awk '{ if (length($0) > m) m = length($0) } END { print m }' "${LOG_OF[rx]}"); echo "longest log line: $longest"; [ "$longest" -lt 4096 ]; }
check "$T/error-is-short" "no log line quotes the 50 MB value (every line under 4 KiB)" 1 short
cp "$WORK/rx.good.yaml" "$WORK/rx.yaml"

since_after=$(watch_since)
never_reset() { echo "before: $since_before / after: $since_after"; [ "$since_before" = "$since_after" ] && node_established watch 192.168.93.1; }
check "$T/watch-session-never-reset" "BIRD (hold 3, keepalive 1) stayed Established through all of it" 1 never_reset
status_ok() { "$TERN" status --socket "$WORK/rx.sock" --json | python3 "$QUERY" established-count 2; }
check "$T/status-answers" "tern status answers; both sessions Established" 5 status_ok
