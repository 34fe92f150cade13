#!/usr/bin/env bash
# Builds the libFuzzer target over BGPWire's framer + decoder and runs it for N seconds.
# Usage: scripts/fuzz.sh [SECONDS]   (make fuzz SECONDS=N)
# Crashes are written to fuzz/out/crashes/; add each as a malformed-corpus case.
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-60}
out=fuzz/out
mkdir -p "$out/crashes" "$out/corpus"
bin="$out/tern-fuzz"
echo "fuzz: building $bin"
# BGPWire imports IPCore: build IPCore first as a static library + module (instrumented
# too, so the fuzzer sees coverage of the address parsers the decoder calls).
mod="$out/modules"
mkdir -p "$mod"
swiftc -sanitize=fuzzer,address -parse-as-library -O -module-name IPCore -emit-module -emit-module-path "$mod/IPCore.swiftmodule" \
  -emit-library -static Sources/IPCore/*.swift -o "$mod/libIPCore.a" 2> "$out/build.log" || { cat "$out/build.log"; exit 1; }
swiftc -sanitize=fuzzer,address -parse-as-library -O -module-name TernFuzz -I "$mod" -L "$mod" -lIPCore \
  Sources/BGPWire/*.swift fuzz/FuzzTarget.swift -o "$bin" 2>> "$out/build.log" || { cat "$out/build.log"; exit 1; }
python3 fuzz/make_seeds.py "$out/seeds" >/dev/null
echo "fuzz: running for ${secs}s"
set +e
SWIFT_BACKTRACE=enable=no "$bin" -max_total_time="$secs" -max_len=8192 -rss_limit_mb=4096 -print_final_stats=1 \
  -artifact_prefix="$out/crashes/" "$out/corpus" "$out/seeds" > "$out/fuzz.log" 2>&1
rc=$?
set -e
grep -E "^stat::number_of_executed_units|^stat::peak_rss_mb|Done [0-9]+ runs" "$out/fuzz.log" || true
if [ $rc -ne 0 ]; then
  echo "fuzz: FAILED (exit $rc); last lines of $out/fuzz.log:"
  tail -40 "$out/fuzz.log"
  ls -l "$out/crashes" || true
  exit 1
fi
echo "fuzz: no crash in ${secs}s"
