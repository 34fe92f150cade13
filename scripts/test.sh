#!/usr/bin/env bash
# `make test`: every suite of Tern, then one summary line `N passed, N failed, N skipped`.
#   1. swift build + swift test (unit, golden, RFC 7606, corpus, capture, property tests)
#   2. the malformed corpus is up to date with its generator
#   3. `tern decode` classifies every corpus case (CLI, exit statuses)
#   4. `tern decode` reads every real BIRD/GoBGP capture without error
#   5. network-namespace topologies against real BIRD 2 / GoBGP / ExaBGP (root)
#   6. a libFuzzer run over the framer + decoder (FUZZ_SECONDS, default 60)
# Each check prints PASS/FAIL/SKIP lines into $results; nothing here asserts a wall-clock time.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
results=$(mktemp)
logdir=.build/test-logs
mkdir -p "$logdir"
trap 'rm -f "$results"' EXIT

record() { echo "$1" | tee -a "$results" >/dev/null; }
section() { echo; echo "== $*"; }

BUILD_FLAGS=${BUILD_FLAGS---explicit-target-dependency-import-check error}   # from the Makefile (one definition)
read -ra build_flags <<<"$BUILD_FLAGS"

section "swift build"
if swift build "${build_flags[@]}" > "$logdir/build.log" 2>&1; then
  record "PASS swift-build"
else
  tail -40 "$logdir/build.log"
  record "FAIL swift-build (see $logdir/build.log)"
fi

section "swift test"
rm -f "$logdir"/xunit*.xml
swift test "${build_flags[@]}" --xunit-output "$logdir/xunit.xml" > "$logdir/swift-test.log" 2>&1
swift_rc=$?
python3 scripts/xunit_results.py "$logdir/xunit.xml" "$logdir/xunit-swift-testing.xml" >> "$results"
grep -E "^(FAIL|SKIP)" "$results" | grep "swift/" | head -40
if [ $swift_rc -ne 0 ] && ! grep -q "^FAIL swift/" "$results"; then
  tail -40 "$logdir/swift-test.log"
  record "FAIL swift-test exited $swift_rc without a failing test case (crash?) — see $logdir/swift-test.log"
fi
tail -1 "$logdir/swift-test.log"

section "shellcheck over interop/ and scripts/"
if ! command -v shellcheck >/dev/null 2>&1; then
  record "SKIP shellcheck: not installed (make deps installs it)"
else
  mapfile -t sh_files < <(git ls-files -co --exclude-standard 'interop/*.sh' 'scripts/*.sh' interop/lib/netns.sh | sort -u)
  if shellcheck -x -P SCRIPTDIR "${sh_files[@]}" > "$logdir/shellcheck.log" 2>&1; then
    record "PASS shellcheck"
  else
    head -30 "$logdir/shellcheck.log"
    record "FAIL shellcheck: $(grep -c '^In ' "$logdir/shellcheck.log") finding(s) (see $logdir/shellcheck.log)"
  fi
fi

section "layering: import rules of the Swift targets"
scripts/check-layering.sh | tee -a "$results"
scripts/check-layering.sh --self-test | tee -a "$results"

section "malformed corpus is generated from interop/corpus/make_corpus.py"
if python3 interop/corpus/make_corpus.py --check > "$logdir/corpus-check.log" 2>&1; then
  record "PASS corpus-up-to-date"
else
  tail -20 "$logdir/corpus-check.log"; record "FAIL corpus-up-to-date"
fi

section "tern decode over the malformed corpus"
python3 Tests/cli/decode_corpus.py .build/debug/tern > "$logdir/decode-corpus.log" 2>&1
grep -E "^(PASS|FAIL|SKIP)" "$logdir/decode-corpus.log" >> "$results"
grep "^FAIL" "$logdir/decode-corpus.log" | head -20
echo "$(grep -c '^PASS' "$logdir/decode-corpus.log") passed, $(grep -c '^FAIL' "$logdir/decode-corpus.log") failed"

section "tern check and CLI exit statuses"
Tests/cli/check_config.sh .build/debug/tern > "$logdir/cli.log" 2>&1
grep -E "^(PASS|FAIL|SKIP)" "$logdir/cli.log" | tee -a "$results"

section "tern apply/get/label/delete against a file datastore"
Tests/cli/resources.sh .build/debug/tern > "$logdir/cli-resources.log" 2>&1
grep -E "^(PASS|FAIL|SKIP)" "$logdir/cli-resources.log" | tee -a "$results"

section "tern decode over real BIRD/GoBGP captures"
for f in Tests/BGPWireTests/Fixtures/captures/*.bgp; do
  n=$(basename "$f" .bgp)
  if out=$(.build/debug/tern decode "$f" 2>&1) && [ "$(echo "$out" | grep -c '"type"')" -gt 0 ] && ! echo "$out" | grep -q '"error"'; then
    record "PASS decode-capture/$n"
  else
    record "FAIL decode-capture/$n: $(echo "$out" | grep -m1 error)"
  fi
done

section "network-namespace topologies with real BIRD 2 / GoBGP / ExaBGP peers"
# TOPO_JOBS (default 4) at a time; each topology's block printed when it finishes (scripts/topologies.sh).
TERN="$PWD/.build/debug/tern" TOPO_LOGDIR="$PWD/$logdir" scripts/topologies.sh --results "$results"

section "libFuzzer over framer + decoder (${FUZZ_SECONDS:-60}s)"
if scripts/fuzz.sh "${FUZZ_SECONDS:-60}"; then
  record "PASS fuzz-${FUZZ_SECONDS:-60}s"
else
  record "FAIL fuzz-${FUZZ_SECONDS:-60}s (crash inputs in fuzz/out/crashes)"
fi

section "summary"
passed=$(grep -c '^PASS' "$results")
failed=$(grep -c '^FAIL' "$results")
skipped=$(grep -c '^SKIP' "$results")
grep -E '^(FAIL|SKIP)' "$results" | head -50
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
