#!/usr/bin/env bash
# `tern check`: example configs are valid (exit 0); a broken file gets every error with
# file:line:column and a hint (exit 1); a missing --config is a usage error (exit 2).
set -u
tern=${1:-.build/debug/tern}
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fail=0
for f in config/*.yaml; do
  if out=$("$tern" check --config "$f" 2>&1); then echo "PASS check-config/$(basename "$f")"
  else echo "FAIL check-config/$(basename "$f"): $out"; fail=1; fi
done
printf 'nodeName: x\nasNumber: 23456\nrouterID: 0.0.0.0\nholdTme: 2\nholdTime: 2\nblocks: [10.1.1.1/24]\n' > "$tmp/bad.yaml"
out=$("$tern" check --config "$tmp/bad.yaml" 2>&1); rc=$?
want=("bad.yaml:2:11: asNumber" "bad.yaml:3:11: routerID" "bad.yaml:4:1: holdTme" 'did you mean "holdTime"' "bad.yaml:5:11: holdTime" "bad.yaml:6:10: blocks[0]" "10.1.1.0/24" "5 errors")
missing=""
for w in "${want[@]}"; do grep -qF "$w" <<<"$out" || missing+=" [$w]"; done
if [ $rc -eq 1 ] && [ -z "$missing" ]; then echo "PASS check-config/errors-with-lines-and-hints"
else echo "FAIL check-config/errors-with-lines-and-hints: exit $rc, missing$missing in: $out"; fail=1; fi
# An IP pool with both encapsulations on is rejected, with the line and a hint.
printf 'nodeName: x\nasNumber: 64512\nrouterID: 10.0.0.1\nipPools:\n  - {cidr: 10.244.0.0/16, ipipMode: Always, vxlanMode: CrossSubnet}\n' > "$tmp/pool.yaml"
out=$("$tern" check --config "$tmp/pool.yaml" 2>&1); rc=$?
if [ $rc -eq 1 ] && grep -qF "pool.yaml:5:" <<<"$out" && grep -qF "ipPools[0].ipipMode" <<<"$out" &&
   grep -qF "both on; a pool is encapsulated one way" <<<"$out" && grep -qF "set one of them to Never" <<<"$out"; then
  echo "PASS check-config/ip-pool-both-encapsulations"
else echo "FAIL check-config/ip-pool-both-encapsulations: exit $rc: $out"; fail=1; fi
"$tern" check > /dev/null 2>&1; rc=$?
if [ $rc -eq 2 ]; then echo "PASS check-config/usage-exit-2"; else echo "FAIL check-config/usage-exit-2: exit $rc"; fail=1; fi
"$tern" status --socket "$tmp/none.sock" > "$tmp/out" 2>&1; rc=$?
if [ $rc -eq 1 ] && grep -q "cannot reach tern at $tmp/none.sock" "$tmp/out" && grep -q "tern run" "$tmp/out"; then
  echo "PASS cli/status-without-daemon"
else echo "FAIL cli/status-without-daemon: exit $rc: $(cat "$tmp/out")"; fail=1; fi
exit $fail
