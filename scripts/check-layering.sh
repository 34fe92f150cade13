#!/usr/bin/env bash
# Layering rules of Tern's Swift targets, checked on the import statements (run by `make test`):
#
#   layering/pure-imports  the pure targets (PURE_TARGETS below) import no platform or runtime
#                          module (FORBIDDEN_IN_PURE): no Foundation, Glibc, Dispatch, Logging...
#   layering/api-clients   clients of the typed API (API_CLIENTS) never import the daemon side
#                          (FORBIDDEN_IN_CLIENTS). The tern CLI is not checked: its `run`
#                          command legitimately imports Daemon.
#   layering/system-libraries  each C system-library module (SYSTEM_LIBRARIES below, LIB:OWNER)
#                          is imported by its owner target only: CMNL by Netlink, CCurl by
#                          EtcdClient, CNFTables by NFTables. Test targets (Tests/) are not checked.
#   layering/self-test     (--self-test) both rules FAIL on a fake tree that breaks them in
#                          every import form, and PASS on the same tree without the breakage.
#
# Every form of import counts: `import X`, `@_exported import X`, `@testable`/`@preconcurrency`,
# `public import X`, `import struct X.Y` (kind imports), `import X.Sub`, several statements on
# one line (`;`), and imports inside `#if canImport(X)` blocks (a conditional import is still an
# import). `//` comments are ignored.
#
# A listed target whose Sources/NAME directory does not exist yet is skipped (named on stderr);
# a rule with no existing target at all prints SKIP.
#
# Usage: scripts/check-layering.sh [--self-test] [ROOT]    (ROOT: the package root, default the
# repository this script is in; LAYERING_ROOT=dir does the same). Prints one PASS/FAIL/SKIP line
# per rule on stdout; exits 1 when a rule FAILed.
set -uo pipefail

# --- the rules: the one place they are defined -------------------------------------------
PURE_TARGETS=(BGPWire BGPSession RIB IPCore Model Policy BFD Digest)
FORBIDDEN_IN_PURE=(Foundation FoundationEssentials Glibc Musl Darwin Dispatch Logging)
API_CLIENTS=(TernAPI tern-cni)
FORBIDDEN_IN_CLIENTS=(Daemon Speaker RIB BGPSession Config)
SYSTEM_LIBRARIES=(CMNL:Netlink CCurl:EtcdClient CNFTables:NFTables)

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

# imports DIR : "path:line: Module" for every import statement in DIR's *.swift files
imports() {
  python3 - "$1" <<'PY'
import os, re, sys
stmt = re.compile(r"""^\s*(?:@\w+(?:\([^)]*\))?\s+)*            # @_exported @testable @preconcurrency ...
                      (?:(?:public|package|internal|fileprivate|private|open)\s+)?
                      import\s+
                      (?:(?:typealias|struct|class|enum|protocol|let|var|func)\s+)?
                      ([A-Za-z_][A-Za-z0-9_]*)""", re.X)
for root, dirs, files in os.walk(sys.argv[1]):
    dirs.sort()
    for f in sorted(files):
        if not f.endswith(".swift"):
            continue
        p = os.path.join(root, f)
        with open(p, encoding="utf-8", errors="replace") as fh:
            for n, line in enumerate(fh, 1):
                for part in line.split("//", 1)[0].split(";"):
                    m = stmt.match(part)
                    if m:
                        print("%s:%d: %s" % (p, n, m.group(1)))
PY
}

# rule NAME "TARGET..." "FORBIDDEN..." ROOT : one PASS/FAIL/SKIP line for NAME
rule() {
  local name=$1 root=$4 t checked=() missing=() bad=() line mod
  local -a targets forbidden
  read -ra targets <<<"$2"
  read -ra forbidden <<<"$3"
  for t in "${targets[@]}"; do
    if [ ! -d "$root/Sources/$t" ]; then missing+=("$t"); continue; fi
    checked+=("$t")
    while IFS= read -r line; do
      mod=${line##*: }
      # A here-string, not a pipe: with pipefail, grep -q exiting early can SIGPIPE printf
      # and turn a match into a miss (a flaky self-test in CI).
      if grep -qxF "$mod" <<<"$(printf '%s\n' "${forbidden[@]}")"; then bad+=("${line#"$root"/} ($t)"); fi
    done < <(imports "$root/Sources/$t")
  done
  echo "layering/$name: checked ${checked[*]:-nothing}${missing[*]:+; not present yet: ${missing[*]}}" >&2
  if [ ${#checked[@]} -eq 0 ]; then
    echo "SKIP layering/$name: none of ${targets[*]} exists under $root/Sources yet"
  elif [ ${#bad[@]} -eq 0 ]; then
    echo "PASS layering/$name"
  else
    printf '  forbidden import: %s\n' "${bad[@]}" >&2
    echo "FAIL layering/$name: ${#bad[@]} forbidden import(s) (${forbidden[*]}): $(printf '%s; ' "${bad[@]:0:5}")"
    return 1
  fi
}

# system_libraries ROOT : one PASS/FAIL line: no target but a library's owner imports it
system_libraries() {
  local root=$1 pair lib owner dir t line mod bad=()
  for dir in "$root"/Sources/*/; do
    [ -d "$dir" ] || continue
    t=$(basename "$dir")
    while IFS= read -r line; do
      mod=${line##*: }
      for pair in "${SYSTEM_LIBRARIES[@]}"; do
        lib=${pair%%:*} owner=${pair#*:}
        if [ "$mod" = "$lib" ] && [ "$t" != "$owner" ]; then bad+=("${line#"$root"/} ($t; only $owner may import $lib)"); fi
      done
    done < <(imports "$dir")
  done
  if [ ${#bad[@]} -eq 0 ]; then
    echo "PASS layering/system-libraries"
  else
    printf '  forbidden import: %s\n' "${bad[@]}" >&2
    echo "FAIL layering/system-libraries: ${#bad[@]} forbidden import(s): $(printf '%s; ' "${bad[@]:0:5}")"
    return 1
  fi
}

check_tree() { # ROOT
  local rc=0
  rule pure-imports "${PURE_TARGETS[*]}" "${FORBIDDEN_IN_PURE[*]}" "$1" || rc=1
  rule api-clients "${API_CLIENTS[*]}" "${FORBIDDEN_IN_CLIENTS[*]}" "$1" || rc=1
  system_libraries "$1" || rc=1
  return $rc
}

# self_test : the check must FAIL on each kind of breakage and PASS without it.
self_test() {
  local d errs=() out form
  d=$(mktemp -d /tmp/tern-layering-selftest.XXXX) || { echo "FAIL layering/self-test: mktemp"; return 1; }
  mkdir -p "$d/clean/Sources/BGPWire/Sub" "$d/clean/Sources/RIB" "$d/clean/Sources/TernAPI" "$d/clean/Sources/Daemon"
  cat >"$d/clean/Sources/BGPWire/A.swift" <<'EOF'
// import Foundation   (a comment is no import)
import BGPWireSupport
let s = "import Foundation"
EOF
  printf 'import BGPWire\n' >"$d/clean/Sources/RIB/R.swift"
  printf 'import BGPWire\nimport Foundation\n' >"$d/clean/Sources/TernAPI/API.swift"
  printf 'import Foundation\nimport Dispatch\n' >"$d/clean/Sources/Daemon/D.swift"   # not a pure target
  mkdir -p "$d/clean/Sources/Netlink" "$d/clean/Sources/NFTables"
  printf 'import CMNL\n' >"$d/clean/Sources/Netlink/N.swift"          # the owners import their libraries
  printf 'import CNFTables\n' >"$d/clean/Sources/NFTables/F.swift"
  out=$(check_tree "$d/clean" 2>/dev/null)
  [ "$(grep -c '^PASS ' <<<"$out")" = 3 ] || errs+=("clean tree not PASS: $(tr '\n' ' ' <<<"$out")")
  # pure targets: one broken tree per import form
  local forms=(
    "BGPWire/A.swift|import Foundation"
    "BGPWire/Sub/B.swift|@_exported import Glibc"
    "RIB/C.swift|import struct FoundationEssentials.Date"
    "RIB/D.swift|#if canImport(Darwin)\nimport Darwin\n#endif"
    "BGPWire/E.swift|@preconcurrency import Dispatch"
    "BGPWire/F.swift|public import Logging"
    "BGPWire/G.swift|import BGPWire; import Musl"
    "RIB/H.swift|@testable import Foundation.NSData"
  )
  for form in "${forms[@]}"; do
    rm -rf "$d/t"; cp -r "$d/clean" "$d/t"
    printf '%b\n' "${form#*|}" >>"$d/t/Sources/${form%%|*}"
    out=$(check_tree "$d/t" 2>/dev/null)
    grep -q '^FAIL layering/pure-imports' <<<"$out" || errs+=("pure-imports did not fail on '${form#*|}'")
    grep -q '^PASS layering/api-clients' <<<"$out" || errs+=("api-clients did not PASS beside '${form#*|}'")
  done
  # API clients
  for form in "TernAPI/API.swift|import Daemon" "TernAPI/X.swift|@testable import Speaker" \
              "tern-cni/main.swift|import RIB" "tern-cni/main.swift|import class BGPSession.Session"; do
    rm -rf "$d/t"; cp -r "$d/clean" "$d/t"; mkdir -p "$d/t/Sources/tern-cni"
    printf '%b\n' "${form#*|}" >>"$d/t/Sources/${form%%|*}"
    out=$(check_tree "$d/t" 2>/dev/null)
    grep -q '^FAIL layering/api-clients' <<<"$out" || errs+=("api-clients did not fail on '${form#*|}' in ${form%%/*}")
  done
  # system libraries outside their owner
  for form in "Daemon/D.swift|import CMNL" "Netlink/N.swift|@_implementationOnly import CNFTables" \
              "NFTables/F.swift|import struct CCurl.CURL" "RIB/R.swift|#if canImport(CNFTables)\nimport CNFTables\n#endif"; do
    rm -rf "$d/t"; cp -r "$d/clean" "$d/t"
    printf '%b\n' "${form#*|}" >>"$d/t/Sources/${form%%|*}"
    out=$(check_tree "$d/t" 2>/dev/null)
    grep -q '^FAIL layering/system-libraries' <<<"$out" || errs+=("system-libraries did not fail on '${form#*|}' in ${form%%/*}")
  done
  # an absent target is skipped, not failed
  rm -rf "$d/t"; mkdir -p "$d/t/Sources/Other"
  out=$(check_tree "$d/t" 2>/dev/null)
  [ "$(grep -c '^SKIP ' <<<"$out")" = 2 ] || errs+=("a tree without the targets did not SKIP both rules: $(tr '\n' ' ' <<<"$out")")
  rm -rf "$d"
  if [ ${#errs[@]} -eq 0 ]; then
    echo "PASS layering/self-test"
  else
    echo "FAIL layering/self-test: $(printf '%s; ' "${errs[@]}")"
    return 1
  fi
}

if [ "${1:-}" = --self-test ]; then shift; self_test; exit; fi
ROOT=${1:-${LAYERING_ROOT:-$(cd "$HERE/.." && pwd)}}
check_tree "$ROOT"
