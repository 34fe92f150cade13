#!/usr/bin/env bash
# test-ipip-vm.sh TERN [SCRIPT] — `make test-ipip-vm`: runs the IPIP end-to-end
# topology (default interop/topologies/overlay-ipip.sh) inside run-in-vm.sh's VM,
# whose Debian kernel has the ipip module this host lacks. Prints the script's
# PASS/FAIL/SKIP lines and a count; exits with the script's status.
set -uo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TERN_BIN=${1:?usage: test-ipip-vm.sh TERN [SCRIPT]}
SCRIPT=${2:-interop/topologies/overlay-ipip.sh}
[ -f "$SCRIPT" ] || { echo "test-ipip-vm: no $SCRIPT (the IPIP end-to-end topology)" >&2; exit 2; }
[ -x "$TERN_BIN" ] || { echo "test-ipip-vm: no tern binary at $TERN_BIN" >&2; exit 2; }
TERN_BIN=$(cd "$(dirname "$TERN_BIN")" && pwd)/$(basename "$TERN_BIN")

out=$(mktemp)
trap 'rm -f "$out"' EXIT
TERN=$TERN_BIN "$HERE/run-in-vm.sh" bash "$SCRIPT" | tee "$out"
rc=${PIPESTATUS[0]}
p=$(grep -c '^PASS ' "$out"); f=$(grep -c '^FAIL ' "$out"); s=$(grep -c '^SKIP ' "$out")
echo "test-ipip-vm: $p passed, $f failed, $s skipped"
exit "$rc"
