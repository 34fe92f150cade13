#!/usr/bin/env bash
# datastore-race: two Tern nodes whose configs name only an etcd datastore start at the
# same instant and claim blocks of a pool of four /26s; 20 rounds, each on a fresh key
# prefix: the two blocks always differ and both affinities end confirmed.
#
#   segment 192.168.89.0/24; etcd .100; tern x .1, d .2 (two names whose block search starts
#   at the same block, so they really race for it: Tests/ClusterTests/BlockClaimerTests.swift)
SCRIPT_NAME=datastore-race
. "$(dirname "$0")/../lib/netns.sh"
. "$(dirname "$0")/../lib/datastore.sh"

T=datastore-race
declare_tests "$T/etcd-up" "$T/disjoint-blocks-20-rounds"

require_root
require_tools ip etcd python3 curl
[ -n "$STANDIN" ] && skip_all "datastore topologies need tern itself (no stand-in)"
require_tern

ETCD=http://192.168.89.100:2379
seg_create 192.168.89 || abort "cannot create segment"
node_ns_add etcd 100 || abort "cannot create etcd's namespace"
for n in x:1 d:2; do ds_node_add "${n%:*}" "${n#*:}" || abort "cannot create node ${n%:*}"; done
etcd_start etcd etcd 192.168.89.100 "" || abort "etcd did not start"
check "$T/etcd-up" "etcd answers /health" 20 etcd_healthy etcd 192.168.89.100

printf 'apiVersion: projectcalico.org/v3\nkind: IPPool\nmetadata: {name: small}\nspec: {cidr: 10.254.0.0/24, blockSize: 26}\n' >"$WORK/pool.yaml"
both_have_blocks() { [ -n "$(ds_blocks x)" ] && [ -n "$(ds_blocks d)" ]; }
failures=""
for round in $(seq 1 20); do
  DS_YAML="{type: etcd, endpoints: [$ETCD], prefix: /race$round}"
  DS_FLAGS=(--etcd-endpoints "$ETCD" --prefix "/race$round")
  tern_ds etcd apply -f "$WORK/pool.yaml" >/dev/null || { failures+=" round $round: apply failed;"; continue; }
  for n in x d; do ds_cfg "$n" "$WORK/$n.yaml"; done
  # Both processes are started back to back, before either can have claimed anything.
  start_bg "x$round" x "$TERN" run --config "$WORK/x.yaml" --log-format text
  start_bg "d$round" d "$TERN" run --config "$WORK/d.yaml" --log-format text
  if wait_for "round $round: both nodes hold a block" 20 both_have_blocks; then
    bx=$(ds_blocks x); by=$(ds_blocks d)
    confirmed=$(tern_ds etcd get blockaffinities | grep -c confirmed)
    log "round $round: x $bx, d $by, $confirmed confirmed"
    { [ "$bx" != "$by" ] && [ "$confirmed" = 2 ]; } || failures+=" round $round: x $bx d $by ($confirmed confirmed);"
  else
    failures+=" round $round: no blocks;"
  fi
  stop_bg "x$round" INT; stop_bg "d$round" INT
done
if [ -z "$failures" ]; then result PASS "$T/disjoint-blocks-20-rounds"
else result FAIL "$T/disjoint-blocks-20-rounds" "$failures"; fi
