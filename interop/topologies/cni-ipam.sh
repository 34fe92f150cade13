#!/usr/bin/env bash
# cni-ipam: IPAM through the CNI plugin under load and at its limits, on two Tern nodes
# sharing a file datastore: 500 ADD/DEL cycles with 50 in parallel (no address handed
# out twice, nothing leaked: the datastore's allocations equal the live attachments);
# a full block makes the node claim another, which the other node routes; with
# maxBlocksPerHost reached the node borrows an address of the other node's block,
# advertises it as a /32, and a pod there pings it.
#
#   segment 192.168.89.0/24; tern a .1, b .2; pool 10.252.0.0/22, blocks /29 (8 addresses)
SCRIPT_NAME=cni-ipam
. "$(dirname "$0")/../lib/netns.sh"
. "$(dirname "$0")/../lib/datastore.sh"
. "$(dirname "$0")/../lib/cni.sh"

T=$SCRIPT_NAME
declare_tests "$T/parallel-adds" "$T/no-duplicates" "$T/parallel-dels" "$T/no-leak" \
  "$T/restart-all-deleted" "$T/restart-no-duplicates" "$T/restart-no-leak" "$T/new-block-claimed" \
  "$T/new-block-routed" "$T/borrowed" "$T/borrowed-routed" "$T/borrowed-ping"

cni_require

ds_use_file_store
CYCLES=${CYCLES:-500}
PARALLEL=${PARALLEL:-50}
seg_create 192.168.89 || abort "cannot create segment"
for n in a:1 b:2; do ds_node_add "${n%:*}" "${n#*:}" || abort "cannot create node ${n%:*}"; done
for n in a b; do node_default_route "$n" || abort "default route on $n"; done
cni_install || abort "cannot install the plugin"
cat >"$WORK/pool.yaml" <<YAML
apiVersion: projectcalico.org/v3
kind: IPPool
metadata: {name: small-blocks}
spec: {cidr: 10.252.0.0/22, blockSize: 29}
YAML
tern_ds seg apply -f "$WORK/pool.yaml" >&2 || abort "tern apply failed"
for n in a b; do ds_node_start "$n" || abort "tern $n did not start"; done
wait_for "a and b mesh" 30 ds_full_mesh || abort "no mesh"
for n in a b; do cni_conf tern 1.0.0 "$WORK/$n.sock" >"$WORK/$n-conf.json"; done

# --- 500 ADD/DEL cycles, 50 at once, on a ---
# worker W: CYCLES/PARALLEL cycles of: pod namespace, ADD, hold, DEL; one line per cycle
# "<ns after ADD> <ns before DEL> <address> <id> <add rc> <del rc>"
worker() {
  local w=$1 i id netns t1 t2 addr rc_add rc_del
  for ((i = 0; i < CYCLES / PARALLEL; i++)); do
    id="w${w}c${i}"
    ip netns add "${NS_PREFIX}-$id" || { echo "0 0 - $id nons -"; continue; }
    netns="/run/netns/${NS_PREFIX}-$id"
    cni_call a "$id-add" ADD "$id" "$netns" "$WORK/a-conf.json" eth0 "K8S_POD_NAME=$id" 2>/dev/null
    rc_add=$CNI_RC; t1=$(date +%s%N)
    addr=$(jget "$WORK/$id-add.json" ips.0.address 2>/dev/null || echo -)
    t2=$(date +%s%N)
    cni_call a "$id-del" DEL "$id" "$netns" "$WORK/a-conf.json" eth0 "K8S_POD_NAME=$id" 2>/dev/null
    rc_del=$CNI_RC
    ip netns del "${NS_PREFIX}-$id"
    echo "$t1 $t2 $addr $id $rc_add $rc_del"
  done >"$WORK/worker-$w.log"
}
start=$(date +%s%N)
workers=()
for ((w = 0; w < PARALLEL; w++)); do worker "$w" & workers+=($!); done
wait "${workers[@]}"   # not a bare wait: the daemons are background jobs too
log "$CYCLES cycles with $PARALLEL in parallel took $(( ($(date +%s%N) - start) / 1000000 )) ms"
cat "$WORK"/worker-*.log >"$WORK/cycles.log"
counts() { awk -v want="$CYCLES" -v col="$1" '$col == 0 {n++} END {print n+0 " of " want " succeeded"; exit !(n == want)}' "$WORK/cycles.log"; }
check "$T/parallel-adds" "all $CYCLES ADDs succeed" 1 counts 5
no_dups() {
  python3 - "$WORK/cycles.log" <<'PY'
import sys, collections
by = collections.defaultdict(list)
for line in open(sys.argv[1]):
    t1, t2, addr, ident, ra, rd = line.split()
    if addr != "-": by[addr].append((int(t1), int(t2), ident))
bad = []
for addr, spans in by.items():
    spans.sort()
    for (a1, a2, ia), (b1, b2, ib) in zip(spans, spans[1:]):
        if b1 < a2: bad.append("%s held by %s and %s at once" % (addr, ia, ib))
print("%d distinct addresses over %d cycles; %s" % (len(by), sum(map(len, by.values())), bad[:3] or "no overlap"))
sys.exit(1 if bad else 0)
PY
}
check "$T/no-duplicates" "no address is held by two live attachments at once" 1 no_dups
check "$T/parallel-dels" "all $CYCLES DELs succeed" 1 counts 6
a_allocations() { tern_ds seg ipam show -o json | python3 -c '
import json, sys
rows = json.load(sys.stdin)
n = sum(1 for r in rows for h in r["allocations"].values() if h.endswith("(a)"))
print("%d allocations by a in %d blocks" % (n, len(rows))); sys.exit(0 if n == int(sys.argv[1]) else 1)' "$1"; }
no_leak() {
  local w links weps
  a_allocations 0 || return 1
  w=$(ns_exec a "$TERN" workload list --socket "$WORK/a.sock" --json | python3 "$QUERY" json-len)
  links=$(ip -n "$(ns_name a)" -o link show | grep -c ' cali')
  weps=$(tern_ds seg get workloadendpoints -A -o yaml | grep -c 'node: a')
  echo "workloads: $w, cali links: $links, WorkloadEndpoints of a: $weps"
  [ "$w" = 0 ] && [ "$links" = 0 ] && [ "$weps" = 0 ]
}
check "$T/no-leak" "after the cycles: no allocation by a in the datastore, no workload, no cali* link, no WorkloadEndpoint" 10 no_leak

# --- kill -9 of a's daemon in the middle of 100 cycles (20 at once), then a restart ---
# A runtime runs DEL after a failed ADD (podman does) and retries a failed DEL; so do these
# workers, for up to 60 s each. Nothing may be lost or handed out twice.
worker_r() {
  local w=$1 i id netns t1 t2 addr rc_add rc_del end
  for ((i = 0; i < 5; i++)); do
    id="r${w}c${i}"
    ip netns add "${NS_PREFIX}-$id" || continue
    netns="/run/netns/${NS_PREFIX}-$id"
    cni_call a "$id-add" ADD "$id" "$netns" "$WORK/a-conf.json" eth0 "K8S_POD_NAME=$id" 2>/dev/null
    rc_add=$CNI_RC; t1=$(date +%s%N)
    addr=-; [ "$rc_add" = 0 ] && addr=$(jget "$WORK/$id-add.json" ips.0.address 2>/dev/null || echo -)
    t2=$(date +%s%N); end=$((SECONDS + 60))
    while :; do
      cni_call a "$id-del" DEL "$id" "$netns" "$WORK/a-conf.json" eth0 "K8S_POD_NAME=$id" 2>/dev/null
      rc_del=$CNI_RC
      [ "$rc_del" = 0 ] || ((SECONDS >= end)) && break
      sleep 0.5
    done
    ip netns del "${NS_PREFIX}-$id"
    echo "$t1 $t2 $addr $id $rc_add $rc_del"
  done >"$WORK/rworker-$w.log"
}
workers=()
for ((w = 0; w < 20; w++)); do worker_r "$w" & workers+=($!); done
wait_for "a third of the cycles done" 60 sh -c "[ \$(cat '$WORK'/rworker-*.log 2>/dev/null | wc -l) -ge 30 ]"
kill -9 "${PID_OF[a]}"; wait "${PID_OF[a]}" 2>/dev/null
log "killed a's daemon (kill -9) with cycles in flight"
ds_node_start a || abort "a did not restart"
wait "${workers[@]}"
cat "$WORK"/rworker-*.log >"$WORK/rcycles.log"
log "ADDs refused while a was down: $(awk '$5 != 0' "$WORK/rcycles.log" | wc -l) of $(wc -l <"$WORK/rcycles.log")"
# shellcheck disable=SC2016 # awk's own $6
check "$T/restart-all-deleted" "every one of the 100 attachments ends with a successful DEL" 1 \
  awk '$6 == 0 {n++} END {print n+0 " DELs succeeded of " NR; exit !(n == 100 && NR == 100)}' "$WORK/rcycles.log"
cp "$WORK/rcycles.log" "$WORK/cycles.log"
check "$T/restart-no-duplicates" "no address held by two attachments at once across the restart" 1 no_dups
check "$T/restart-no-leak" "after the restart and the DELs: no allocation by a, no workload, no cali* link, no WorkloadEndpoint" 15 no_leak

# --- a full block: b claims another, a routes it ---
b_pod() { # b_pod N : a pod on b, kept
  local id="bp$1"
  ip netns add "${NS_PREFIX}-$id" && NSS+=("${NS_PREFIX}-$id") || return 1
  cni_call b "$id" ADD "$id" "/run/netns/${NS_PREFIX}-$id" "$WORK/b-conf.json" eth0 "K8S_POD_NAME=$id"
  [ "$CNI_RC" = 0 ]
}
for i in $(seq 1 9); do b_pod "$i" || log "b pod $i failed"; done
b_blocks() { ds_blocks b | wc -w; }
check "$T/new-block-claimed" "b holds 2 blocks after 9 pods in /29 blocks" 15 sh -c "ds() { :; }; [ \$(\"$TERN\" status --socket '$WORK/b.sock' --json | python3 '$QUERY' datastore-field blocks | wc -w) -ge 2 ]"
SECOND=$(ds_blocks b | tr ' ' '\n' | sort | tail -1)
check "$T/new-block-routed" "a routes b's second block $SECOND via 192.168.89.2" 15 \
  sh -c "ip -n '$(ns_name a)' route show '$SECOND' | grep -q 'via 192.168.89.2'"

# --- maxBlocksPerHost reached: b borrows from a's block ---
cat >"$WORK/ipamcfg.yaml" <<YAML
apiVersion: projectcalico.org/v3
kind: IPAMConfiguration
metadata: {name: default}
spec: {strictAffinity: false, maxBlocksPerHost: 2}
YAML
tern_ds seg apply -f "$WORK/ipamcfg.yaml" >&2 || abort "cannot apply IPAMConfiguration"
for i in $(seq 10 16); do b_pod "$i" || log "b pod $i failed"; done   # b's two blocks now full
b_pod 17 || log "b pod 17 failed: $(cat "$WORK/bp17.json")"
BORROWED=$(jget "$WORK/bp17.json" ips.0.address | cut -d/ -f1)
borrowed() {
  echo "pod 17 got $BORROWED; b's blocks: $(ds_blocks b)"
  [ -n "$BORROWED" ] && python3 -c '
import ipaddress, sys
a = ipaddress.ip_address(sys.argv[1]); blocks = [ipaddress.ip_network(b) for b in sys.argv[2].split()]
sys.exit(1 if any(a in b for b in blocks) else 0)' "$BORROWED" "$(ds_blocks b)" \
    && [ "$(ds_blocks b | wc -w)" = 2 ]
}
check "$T/borrowed" "the 17th pod on b gets an address outside b's two blocks (borrowed), b still holds 2 blocks" 1 borrowed
check "$T/borrowed-routed" "a routes the borrowed $BORROWED/32 via b" 15 \
  sh -c "ip -n '$(ns_name a)' route show '$BORROWED/32' | grep -q 'via 192.168.89.2'"
ip netns add "${NS_PREFIX}-ap" && NSS+=("${NS_PREFIX}-ap")
cni_call a ap ADD ap "/run/netns/${NS_PREFIX}-ap" "$WORK/a-conf.json" eth0 "K8S_POD_NAME=ap"
check "$T/borrowed-ping" "a pod on a pings the borrowed pod $BORROWED on b" 15 ip netns exec "${NS_PREFIX}-ap" ping -c1 -W1 "$BORROWED"
