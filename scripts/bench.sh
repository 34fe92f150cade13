#!/usr/bin/env bash
# Runs the BGPWire codec benchmarks (package-benchmark, release build) and prints a derived
# table: ns/prefix and allocations/UPDATE per stream (medians over the samples).
#
#   scripts/bench.sh                      # every codec benchmark
#   scripts/bench.sh --filter 'decode.*'  # extra arguments go to `swift package benchmark`
#
# Exits non-zero only when the benchmark run itself fails (or exports nothing).
set -uo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
out=$(mktemp -d "${TMPDIR:-/tmp}/tern-bench.XXXXXX")
trap 'rm -rf "$out"' EXIT

# histogramPercentiles writes one TSV per benchmark and metric: "percentile<TAB>value",
# values in the units the benchmarks configure (ns, plain counts, bytes).
if ! swift package --package-path "$root/Benchmarks" --allow-writing-to-directory "$out" \
    benchmark --format histogramPercentiles --path "$out" "$@"; then
    echo "bench.sh: the benchmark run failed" >&2
    exit 1
fi

shopt -s nullglob
files=("$out"/*.histogram.percentiles.tsv)
if [ ${#files[@]} -eq 0 ]; then
    echo "bench.sh: the benchmark run exported no results" >&2
    exit 1
fi

# Median of one metric of one benchmark (empty when absent).
p50() { # benchmark metric
    local f
    for f in "$out"/*."$1"."$2".histogram.percentiles.tsv; do
        awk -F'\t' '$1 == "50" { print $2; exit }' "$f"
    done
}

names=$(for f in "${files[@]}"; do
    b=${f##*/}; b=${b%.*.histogram.percentiles.tsv}; echo "${b##*.}"
done | sort -u)

echo
echo "Codec benchmarks (medians; 1M IPv4 /24 prefixes per stream)"
printf '%-26s %9s %9s %10s %11s %14s %12s\n' benchmark UPDATEs prefixes "wall ms" "ns/prefix" "allocs/UPDATE" "peak RSS MB"
for n in $names; do
    wall=$(p50 "$n" wallClock); mallocs=$(p50 "$n" mallocCountTotal); rss=$(p50 "$n" peakMemoryResident)
    updates=$(p50 "$n" updates); prefixes=$(p50 "$n" prefixes)
    awk -v n="$n" -v w="${wall:-0}" -v m="${mallocs:-0}" -v r="${rss:-0}" -v u="${updates:-0}" -v p="${prefixes:-0}" 'BEGIN {
        printf "%-26s %9d %9d %10.2f %11s %14s %12.1f\n", n, u, p, w / 1e6,
            (p > 0 ? sprintf("%.2f", w / p) : "n/a"), (u > 0 ? sprintf("%.2f", m / u) : "n/a"), r / 1048576
    }'
done
