#!/usr/bin/env bash
# `make demo`: capture a live BGP session between two BIRD 2 routers (and BIRD <-> GoBGP) in
# network namespaces, then decode it with `tern decode`. Without root, decodes the committed
# captures instead. The running-cluster demo arrives with the speaker (see docs/ROADMAP.md).
set -euo pipefail
cd "$(dirname "$0")/.."
tern=${1:-.build/debug/tern}
captures=Tests/BGPWireTests/Fixtures/captures
if [ "$(id -u)" -eq 0 ] && command -v bird >/dev/null && command -v gobgpd >/dev/null; then
  live=$(mktemp -d /tmp/tern-demo-XXXXXX)
  trap 'rm -rf "$live"' EXIT
  echo "== Capturing live sessions in network namespaces (BIRD 2 <-> BIRD 2, BIRD 2 <-> GoBGP; ~1 min)"
  if OUT="$live" interop/capture/capture.sh > "$live.log" 2>&1; then
    captures=$live
    echo "   captured: $(cd "$live" && ls *.bgp | tr '\n' ' ')"
  else
    echo "   live capture failed (log: $live.log); decoding the committed captures instead"
  fi
  rm -f "$live.log"
else
  echo "== Not root or no bird/gobgpd: decoding the committed captures"
fi

echo
echo "== What BIRD 2 (AS 64512) sent to its eBGP peer — tern decode --format text"
"$tern" decode --format text "$captures/bird-bird-a.bgp"
echo
echo "== What GoBGP sent to BIRD over iBGP (Calico-style BIRD config) — first messages"
"$tern" decode --format text "$captures/bird-gobgp-ibgp-gobgp.bgp" | head -24
echo
echo "== The same stream as JSON, one object per message (first 3)"
"$tern" decode "$captures/bird-bird-a.bgp" | head -3
echo
echo "== A malformed UPDATE (MULTI_EXIT_DISC of 3 bytes): RFC 7606 treat-as-withdraw"
corpus_hex() { python3 -c 'import json,sys;print(next(c["hex"] for c in json.load(open("Tests/BGPWireTests/Fixtures/malformed/corpus.json")) if c["name"]==sys.argv[1]))' "$1"; }
"$tern" decode --four-octet-as --hex "$(corpus_hex update-med-length-3)" || echo "(exit status $?: the input was malformed)"
echo
echo "== The 2023 incident: a corrupt attribute 23 must not reset the session (carried on, opaque)"
"$tern" decode --four-octet-as --hex "$(corpus_hex update-incident-2023-attribute-23-garbage-ok)"
echo
echo "== A bad marker: session reset with NOTIFICATION 1/1"
"$tern" decode --hex "$(corpus_hex header-marker-first-byte-zero)" || echo "(exit status $?: the input was malformed)"
