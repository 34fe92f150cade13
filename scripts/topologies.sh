#!/usr/bin/env bash
# Runs the network-namespace topologies (interop/topologies/NAME.sh), TOPO_JOBS at a time.
#
#   scripts/topologies.sh [--results FILE] [--summary] [NAME...]   (default: every topology)
#   scripts/topologies.sh --list
#
# Each topology runs with TERN set (default <repo>/.build/debug/tern) under `timeout 600`;
# its stdout+stderr go to $TOPO_LOGDIR/topology-NAME.log (default .build/test-logs). When it
# finishes, its block is printed at once (never interleaved with another's): a header
# "-- NAME: exit RC, Ns", its PASS/FAIL/SKIP lines, and on trouble the log's tail (indented,
# so it can never be read as a result line). A topology that printed no result line gets
# "FAIL topology/NAME: exited RC without a result (see LOG)"; one that exited non-zero without
# printing a FAIL gets "FAIL topology/NAME: exited RC (see LOG)".
# --results FILE appends every result line (and only those) to FILE; --summary ends with
# "N passed, N failed, N skipped" over these topologies. Exit status 1 when any FAIL.
#
# Environment: TOPO_JOBS (default 4) topologies at once; TERN; TOPO_LOGDIR; TOPO_TIMEOUT
# (default 600 s per topology); TOPO_DIR (default interop/topologies; for the runner's self-test). Not root: every topology is one SKIP line.
#
# Topologies share nothing but the kernel: per-run namespace names, $WORK under
# mktemp -d, control sockets and configs in $WORK, listeners only inside their namespaces
# (see interop/topologies/README.md, "Running in parallel"). RUN_ALONE lists the ones that
# must not share the machine (run one at a time after the rest); START_FIRST the longest
# ones, started first so that they do not end up last on their own.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 2
ROOT=$PWD
TOPODIR=${TOPO_DIR:-$ROOT/interop/topologies}

# control-stream holds a 3 s hold-time session on a debug build while 6 clients stream 100k
# routes. Next to cni-ipam and cni-podman (namespace churn, ~15 runnable threads on 2 cores) the
# keepalives of its Tern went 4 s late while BIRD's stayed on time (pcap, 2026-12-07): its
# loop thread, busy streaming, was runnable but waiting for a CPU 6.4 s of 7.3 s
# (/proc/PID/task/TID/schedstat) while sleepers like BIRD got theirs. Alone it holds, also
# with compilers loading both cores. Since chunks are encoded off the loop (RouteStream) it
# held beside them too (2 of 2 runs, largest keepalive gap 1.9 s); it stays alone for margin.
RUN_ALONE=(control-stream kernel-hold)
START_FIRST=(netpol-e2e datastore-etcd dataplane-restart exabgp-malformed dataplane-workloads-cli overlay-ipip-unsupported rr-redundant peer-restart)

JOBS=${TOPO_JOBS:-4}
TIMEOUT=${TOPO_TIMEOUT:-600}
LOGDIR=${TOPO_LOGDIR:-$ROOT/.build/test-logs}
export TERN=${TERN:-$ROOT/.build/debug/tern}
RESULTS=""
SUMMARY=0

all_names() { local t; for t in "$TOPODIR"/*.sh; do [ -e "$t" ] && basename "$t" .sh; done; }

NAMES=()
while [ $# -gt 0 ]; do
  case $1 in
    --list) all_names; exit 0 ;;
    --results) RESULTS=$2; shift 2 ;;
    --summary) SUMMARY=1; shift ;;
    -h | --help) sed -n '2,/^set /{/^set /d;s/^# \{0,1\}//;p}' "$0"; exit 0 ;;
    -*) echo "topologies.sh: unknown option $1" >&2; exit 2 ;;
    *) NAMES+=("$1"); shift ;;
  esac
done
if [ ${#NAMES[@]} -eq 0 ]; then read -ra NAMES <<<"$(all_names | tr '\n' ' ')"; fi
for n in "${NAMES[@]}"; do
  if [ ! -f "$TOPODIR/$n.sh" ]; then
    echo "topologies.sh: no topology '$n' (interop/topologies/$n.sh); there are: $(all_names | tr '\n' ' ')" >&2
    exit 2
  fi
done
case $JOBS in '' | *[!0-9]* | 0) echo "topologies.sh: TOPO_JOBS must be a positive integer, not '$JOBS'" >&2; exit 2 ;; esac
mkdir -p "$LOGDIR"

ALL_LINES=""   # every result line of this run, for --summary and the exit status
emit() {       # emit LINES : result lines to stdout, $RESULTS and ALL_LINES
  [ -n "$1" ] || return 0
  printf '%s\n' "$1"
  [ -n "$RESULTS" ] && printf '%s\n' "$1" >>"$RESULTS"
  ALL_LINES+="$1"$'\n'
}

if [ "$(id -u)" -ne 0 ]; then
  for n in "${NAMES[@]}"; do emit "SKIP topology/$n: needs root for network namespaces"; done
else
  # The queue: START_FIRST (those asked for), then the rest in name order; RUN_ALONE last.
  in_list() { local x=$1; shift; local y; for y in "$@"; do [ "$x" = "$y" ] && return 0; done; return 1; }
  QUEUE=() ALONE=()
  for n in "${START_FIRST[@]}"; do in_list "$n" "${NAMES[@]}" && ! in_list "$n" "${RUN_ALONE[@]}" && QUEUE+=("$n"); done
  for n in "${NAMES[@]}"; do
    if in_list "$n" "${RUN_ALONE[@]}"; then ALONE+=("$n")
    elif ! in_list "$n" "${START_FIRST[@]}"; then QUEUE+=("$n"); fi
  done

  declare -A NAME_OF STARTED
  RUNNING=0
  start() { # start NAME : in the background; NAME_OF[pid]
    local n=$1
    timeout "$TIMEOUT" "$TOPODIR/$n.sh" >"$LOGDIR/topology-$n.log" 2>&1 </dev/null &
    NAME_OF[$!]=$n
    STARTED[$n]=$SECONDS
    RUNNING=$((RUNNING + 1))
  }
  report() { # report NAME RC : the topology's block, printed in one go
    local n=$1 rc=$2 log="$LOGDIR/topology-$1.log" lines extra="" tail=0 rel
    rel=${log#"$ROOT"/}
    lines=$(grep -E "^(PASS|FAIL|SKIP) " "$log")
    if [ -z "$lines" ]; then
      extra="FAIL topology/$n: exited $rc without a result (see $rel)"; tail=1
    elif [ "$rc" -ne 0 ] && ! grep -q "^FAIL " <<<"$lines"; then
      extra="FAIL topology/$n: exited $rc (see $rel)"; tail=1
    fi
    echo "-- $n: exit $rc, $((SECONDS - STARTED[$n]))s"
    emit "$lines"
    if [ "$tail" = 1 ]; then tail -n 20 "$log" | sed 's/^/   | /'; fi
    emit "$extra"
  }
  reap() { # wait for any one topology to finish and report it
    local pid rc
    wait -n -p pid; rc=$?
    [ -n "${pid:-}" ] || { RUNNING=0; return; }
    RUNNING=$((RUNNING - 1))
    report "${NAME_OF[$pid]}" "$rc"
    unset "NAME_OF[$pid]"
  }
  stop_all() { # on INT/TERM: TERM every running topology (timeout passes it on; their traps clean up)
    local pid
    for pid in "${!NAME_OF[@]}"; do kill -TERM "$pid" 2>/dev/null; done
    wait
    exit 130
  }
  trap stop_all INT TERM

  for n in "${QUEUE[@]}"; do
    while [ "$RUNNING" -ge "$JOBS" ]; do reap; done
    start "$n"
  done
  while [ "$RUNNING" -gt 0 ]; do reap; done
  for n in "${ALONE[@]}"; do
    echo "-- $n runs alone (RUN_ALONE in scripts/topologies.sh)"
    start "$n"
    reap
  done
fi

if [ "$SUMMARY" = 1 ]; then
  p=$(grep -c '^PASS ' <<<"$ALL_LINES"); f=$(grep -c '^FAIL ' <<<"$ALL_LINES"); s=$(grep -c '^SKIP ' <<<"$ALL_LINES")
  echo "$p passed, $f failed, $s skipped"
fi
! grep -q '^FAIL ' <<<"$ALL_LINES"
