#!/usr/bin/env bash
# `make demo`: a mixed Tern / BIRD 2 / GoBGP cluster in network namespaces (scripts/demo-cluster.sh),
# then `tern decode` on real BIRD and GoBGP sessions (captured by `make captures`).
set -euo pipefail
cd "$(dirname "$0")/.."
tern=${1:-.build/debug/tern}
captures=Tests/BGPWireTests/Fixtures/captures
if [ "$(id -u)" -eq 0 ]; then
  TERN="$PWD/$tern" scripts/demo-cluster.sh
  TERN="$PWD/$tern" scripts/demo-datastore.sh
  TERN="$PWD/$tern" scripts/demo-cni.sh
  TERN="$PWD/$tern" scripts/demo-policy.sh
else
  echo "== Not root: skipping the namespace cluster (needs root); decoding captures only"
fi
echo
echo "== What BIRD 2 (AS 64512) sent to its eBGP peer — tern decode --format text"
"$tern" decode --format text "$captures/bird-bird-a.bgp"
echo
echo "== What GoBGP sent to BIRD over iBGP (Calico-style BIRD config) — first messages"
("$tern" decode --format text "$captures/bird-gobgp-ibgp-gobgp.bgp" || true) | head -12
echo
echo "== The same stream as JSON, one object per message (first 3)"
("$tern" decode "$captures/bird-bird-a.bgp" || true) | head -3
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
