# shellcheck shell=bash
# Shared harness of the benchmarks in interop/bench/ (sourced, never run):
#
#   . "$HERE/lib.sh"; bench_init kbench tern-kbench
#
# bench_init NAME WORKPREFIX: skips (exit 77) without root, ip or python3; makes a per-run id
# RUN, a work directory WORK=/tmp/WORKPREFIX-RUN.XXXX with RESULTS=$WORK/results.jsonl, the
# PIDS/NSS lists that teardown() cleans up, and an EXIT trap (kept with KEEP=1 or on failure).
# Then: log MSG, kill_pid PID (TERM, wait KILL_WAIT s, default 10, then KILL), teardown,
# record JSON (append to RESULTS), cpu_of PID (utime+stime s), settle PID END (until PID uses
# < 20 ms CPU per 500 ms, or END in $SECONDS), wait_for END DESCRIPTION COMMAND... (polls
# COMMAND every 50 ms until it succeeds; at END in $SECONDS logs the timeout and returns 1).

bench_init() {
  BENCH_NAME=$1
  if [ "$(id -u)" != 0 ]; then echo "SKIP: $BENCH_NAME needs root (network namespaces)"; exit 77; fi
  local t
  for t in ip python3; do command -v "$t" >/dev/null || { echo "SKIP: $t not installed"; exit 77; }; done
  RUN="$$$(printf '%04x' $((RANDOM % 65536)))"
  WORK=$(mktemp -d "/tmp/$2-$RUN.XXXX")
  RESULTS=$WORK/results.jsonl
  PIDS=()
  NSS=()
  trap bench_cleanup EXIT
  trap 'exit 130' INT TERM
}

log() { printf '[%s %s] %s\n' "$BENCH_NAME" "$(date +%T)" "$*" >&2; }

kill_pid() {
  local pid=$1
  kill -0 "$pid" 2>/dev/null || { wait "$pid" 2>/dev/null || true; return 0; }
  kill -TERM "$pid" 2>/dev/null || true
  local end=$((SECONDS + ${KILL_WAIT:-10}))
  while kill -0 "$pid" 2>/dev/null && ((SECONDS < end)); do sleep 0.05; done
  kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null
  wait "$pid" 2>/dev/null || true
}

teardown() { # stop every process and namespace started so far, newest first
  local i ns
  for ((i = ${#PIDS[@]} - 1; i >= 0; i--)); do kill_pid "${PIDS[$i]}"; done
  PIDS=()
  for ns in "${NSS[@]}"; do ip netns del "$ns" 2>/dev/null || true; done
  NSS=()
}

bench_cleanup() {
  local rc=$?
  set +e
  teardown
  if [ "$rc" != 0 ] || [ -n "${KEEP:-}" ]; then log "work directory kept: $WORK"; else rm -rf "$WORK"; fi
  exit "$rc"
}

record() { printf '%s\n' "$1" >>"$RESULTS"; }

cpu_of() { # CPU seconds (utime+stime, all threads) of PID
  python3 -c 'import os,sys
f=open(f"/proc/{sys.argv[1]}/stat").read().rsplit(")",1)[1].split()
print((int(f[11])+int(f[12]))/os.sysconf("SC_CLK_TCK"))' "$1"
}

settle() { # settle PID END : wait until PID uses < 20 ms CPU per 500 ms (or END)
  local pid=$1 end=$2 a b
  a=$(cpu_of "$pid") || return 0
  while ((SECONDS < end)); do
    sleep 0.5
    b=$(cpu_of "$pid") || return 0
    python3 -c 'import sys; sys.exit(0 if float(sys.argv[2])-float(sys.argv[1]) < 0.02 else 1)' "$a" "$b" && return 0
    a=$b
  done
}

wait_for() { # wait_for END DESCRIPTION COMMAND... : until COMMAND succeeds or $SECONDS reaches END
  local end=$1 desc=$2; shift 2
  until "$@" >/dev/null 2>&1; do
    if ((SECONDS >= end)); then log "timeout waiting for: $desc"; return 1; fi
    sleep 0.05
  done
}
