#!/usr/bin/env bash
# rr-slow-client: a Tern reflector with 12 clients, 4 of which stop reading once Established
# (their sessions stay up: they keep sending KEEPALIVEs). An injector sends 1M routes (~4 MB
# per client); socket buffers are capped at 64 KiB in both namespaces, so the reflector has to
# queue for the slow clients. Checks that the 8 reading clients all get every route (per-peer
# output queues: the slow ones hold nobody back) and that the slow ones really were stalled.
# Runs interop/bench/rr-fanout.sh with STALL=4 and the binary from $TERN.
set -u
T=rr-slow-client
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
TERN=${TERN:-$ROOT/.build/debug/tern}
if [ "$(id -u)" != 0 ]; then echo "SKIP $T/fast-clients-unaffected: needs root (network namespaces)"; exit 0; fi
if ! "$TERN" run --help >/dev/null 2>&1; then echo "SKIP $T/fast-clients-unaffected: tern binary not built"; exit 0; fi
log=$(mktemp)
trap 'rm -f "$log"' EXIT
TERN="$TERN" REFLECTORS=tern KS=12 M=1000000 STALL=4 BUDGET=240 TCP_BUFFERS="4096 16384 65536" "$ROOT/interop/bench/rr-fanout.sh" >"$log" 2>&1
row=$(grep -E '^\| tern \| 12 \|' "$log" | head -1)
stalled=$(grep -o 'STALLED_COUNTS max=[0-9]*' "$log" | head -1 | sed 's/.*max=//')
fail=0
if [ -n "$row" ] && ! grep -q FAILED <<<"$row"; then
  echo "PASS $T/fast-clients-unaffected"
else
  echo "FAIL $T/fast-clients-unaffected: not every reading client got 1000000 routes: $(grep -E 'FAILED|not every' "$log" | tail -1)"
  tail -20 "$log" >&2
  fail=1
fi
if [ -n "$stalled" ] && [ "$stalled" -lt 1000000 ]; then
  echo "PASS $T/slow-clients-were-stalled"
else
  echo "FAIL $T/slow-clients-were-stalled: stalled sessions hold ${stalled:-?} routes (expected < 1000000: were they reading?)"
  fail=1
fi
exit $fail
