#!/usr/bin/env bash
# datastore-file: three Tern nodes whose configs name only a shared file datastore
# (plus socket and timers) register themselves, claim disjoint blocks of an IPPool
# applied with `tern apply`, mesh with each other and with a BIRD node registered as a
# Node resource, and their pods ping across. Then, all live and without SIGHUP: a
# BGPPeer manifest adds an eBGP peer (BIRD "tor"), a fourth node joins, `tern delete
# node` unpeers it and releases its block, and deleting the BGPPeer removes the
# session - every other session stays up throughout.
#
#   segment 192.168.86.0/24; AS 64512 (the cluster default: no asNumber anywhere)
#   tern a .1, b .2, c .3, d .4 (joins later); bird .10 (mesh member); tor .254 AS 64513
#
# DS_KIND=etcd runs the same with a real etcd (.100, in its own namespace) instead of the
# directory: that is the datastore-etcd-mesh topology.
DS_KIND=${DS_KIND:-file}
SCRIPT_NAME=datastore-$([ "$DS_KIND" = etcd ] && echo etcd-mesh || echo file)
. "$(dirname "$0")/../lib/netns.sh"
. "$(dirname "$0")/../lib/datastore.sh"

T=$SCRIPT_NAME
declare_tests "$T/apply-pool" "$T/nodes-registered" "$T/blocks-disjoint" "$T/full-mesh" "$T/bird-mesh" \
  "$T/kernel-block-routes" "$T/pods-ping-all" "$T/bgppeer-live" "$T/join-live" "$T/delete-node-live" \
  "$T/bgppeer-delete-live" "$T/sessions-untouched" "$T/get-output"

require_root
require_tools ip bird birdc python3 ping
[ -n "$STANDIN" ] && skip_all "datastore topologies need tern itself (no stand-in)"
require_tern

DL=${DEADLINE:-40}
CLI_NS=seg   # where the resource CLI runs (the file store is reachable from anywhere)
if [ "$DS_KIND" = etcd ]; then
  require_tools etcd curl
  DS_YAML="{type: etcd, endpoints: [http://192.168.86.100:2379]}"
  DS_FLAGS=(--etcd-endpoints http://192.168.86.100:2379)
  CLI_NS=etcd
else
  DS_DIR="$WORK/datastore"
  DS_YAML="{type: file, path: $DS_DIR}"
  DS_FLAGS=(--datastore-dir "$DS_DIR")
fi
seg_create 192.168.86 || abort "cannot create segment"
if [ "$DS_KIND" = etcd ]; then
  node_ns_add etcd 100 || abort "cannot create etcd's namespace"
  etcd_start etcd etcd 192.168.86.100 "" || abort "etcd did not start"
  wait_for "etcd answers" 20 etcd_healthy etcd 192.168.86.100 || abort "etcd not healthy"
fi
for n in a:1 b:2 c:3; do ds_node_add "${n%:*}" "${n#*:}" || abort "cannot create node ${n%:*}"; done
node_ns_add d 4 || abort "cannot create d"; N_KIND[d]=tern; N_ADDR[d]=192.168.86.4
# BIRD is a mesh member with a static config (it cannot read the datastore): it lists
# a, b, c and d, and is registered with a Node resource so the Tern nodes peer with it.
node_add bird bird 10 64512 10.250.99.0/26 yes || abort "cannot create bird"
MESH_NODES=(a b c d bird)
for n in a b c d; do N_AS[$n]=64512; done
node_add tor bird 254 64513 "" no "192.168.86.1:64512 192.168.86.2:64512 192.168.86.3:64512" || abort "cannot create tor"
for n in a b c d bird tor; do node_default_route "$n" || abort "default route on $n"; done

cat >"$WORK/cluster.yaml" <<YAML
apiVersion: projectcalico.org/v3
kind: IPPool
metadata:
  name: default-ipv4-ippool
spec:
  cidr: 10.250.0.0/16
  blockSize: 26
  ipipMode: Never
  natOutgoing: true
---
apiVersion: projectcalico.org/v3
kind: BGPConfiguration
metadata:
  name: default
spec:
  nodeToNodeMeshEnabled: true
  logSeverityScreen: Info
---
apiVersion: projectcalico.org/v3
kind: Node
metadata:
  name: bird
spec:
  bgp:
    ipv4Address: 192.168.86.10/24
YAML
check "$T/apply-pool" "tern apply -f of an IPPool + BGPConfiguration + Node manifest succeeds" 10 \
  tern_ds "$CLI_NS" apply -f "$WORK/cluster.yaml"

for n in a b c; do ds_node_start "$n" || abort "$n did not start"; done
node_start bird || abort "bird did not start"

nodes_alive() {
  local out; out=$(tern_ds "$CLI_NS" get nodes) || return 1; echo "$out"
  for n in a b c; do echo "$out" | grep -Eq "^\| $n +\| yes +\| \(64512\) +\| 192\.168\.86\.[0-9]+/24" || return 1; done
}
check "$T/nodes-registered" "tern get nodes: a, b, c alive with their /24 addresses (and bird)" "$DL" nodes_alive

check "$T/blocks-disjoint" "a, b, c each claimed one /26 of 10.250.0.0/16, all different" "$DL" ds_blocks_disjoint
check "$T/full-mesh" "a, b, c: 3 Established peers each (2 Tern + BIRD)" "$DL" ds_full_mesh 3
bird_up() { local n rc=0; for n in a b c; do node_established bird "${N_ADDR[$n]}" || rc=1; done; return $rc; }
check "$T/bird-mesh" "BIRD's mesh sessions to a, b, c Established" "$DL" bird_up

block_routes() {
  local n m b rc=0
  for n in a b c; do for m in a b c; do
    [ "$n" = "$m" ] && continue
    b=$(ds_blocks "$m")
    kroute_has "$n" "^$b via ${N_ADDR[$m]} dev eth0 proto (199|0xc7)" || rc=1
  done; done
  return $rc
}
check "$T/kernel-block-routes" "each node routes the other two nodes' blocks via them (proto 199)" "$DL" block_routes

for n in a b c; do ds_pod "$n" "p$n" || abort "pod on $n"; done
check "$T/pods-ping-all" "pods pa, pb, pc (addresses from their node's block) ping each other" "$DL" pods_ping_all pa pb pc

since_a_b=$(ds_peer_since a 192.168.86.2)
since_b_c=$(ds_peer_since b 192.168.86.3)

node_start tor || abort "tor did not start"
cat >"$WORK/tor.yaml" <<YAML
apiVersion: projectcalico.org/v3
kind: BGPPeer
metadata:
  name: tor
spec:
  peerIP: 192.168.86.254
  asNumber: 64513
YAML
tern_ds "$CLI_NS" apply -f "$WORK/tor.yaml" >&2 || abort "apply tor"
tor_up() { local n rc=0; for n in a b c; do node_established "$n" 192.168.86.254 || rc=1; done; return $rc; }
check "$T/bgppeer-live" "tern apply of a BGPPeer: a, b, c peer with tor (eBGP) without SIGHUP" "$DL" tor_up

ds_node_start d || abort "d did not start"
DS_NODES+=(d)
check "$T/join-live" "d joins: a, b, c, d all have 4 Established peers (3 Tern + BIRD) + tor on a-c" "$DL" ds_full_mesh 4

tern_ds "$CLI_NS" delete node d >&2 || abort "delete node d"
unpeered() {
  local n rc=0
  for n in a b c; do
    ds_status "$n" | python3 "$QUERY" peer-field 192.168.86.4 state && rc=1
  done
  tern_ds "$CLI_NS" get blockaffinities | grep -E '^\| d-' && rc=1
  return $rc
}
check "$T/delete-node-live" "tern delete node d: a, b, c drop their peer d; d's block affinity is gone" "$DL" unpeered

tern_ds "$CLI_NS" delete bgppeer tor >&2 || abort "delete bgppeer tor"
tor_gone() { local n rc=0; for n in a b c; do ds_status "$n" | python3 "$QUERY" peer-field 192.168.86.254 state && rc=1; done; return $rc; }
check "$T/bgppeer-delete-live" "tern delete bgppeer tor: the tor sessions are removed" "$DL" tor_gone

untouched() {
  echo "a-b since $since_a_b -> $(ds_peer_since a 192.168.86.2); b-c since $since_b_c -> $(ds_peer_since b 192.168.86.3)"
  [ "$(ds_peer_since a 192.168.86.2)" = "$since_a_b" ] && [ "$(ds_peer_since b 192.168.86.3)" = "$since_b_c" ] &&
    node_established a 192.168.86.2 && node_established b 192.168.86.3
}
check "$T/sessions-untouched" "a-b and b-c sessions Established since before all the live changes" 5 untouched

get_output() {
  local j; j=$(tern_ds "$CLI_NS" get ippools -o json) || return 1
  echo "$j" | python3 -c 'import json,sys; d=json.load(sys.stdin); assert d["kind"]=="List" and d["items"][0]["spec"]["cidr"]=="10.250.0.0/16", d' || return 1
  tern_ds "$CLI_NS" get ippool default-ipv4-ippool -o yaml | grep -q 'cidr: "10.250.0.0/16"' || return 1
  tern_ds "$CLI_NS" get blockaffinities | grep -Eq '^\| a-[^|]*\| a +\| 10\.250\.[0-9.]+/26 +\| confirmed' || return 1
  local w; w=$(tern_ds "$CLI_NS" get workloadendpoints -A) || return 1; echo "$w"
  for n in a b c; do echo "$w" | grep -Eq "^\| default +\| $n-p$n " || return 1; done
}
check "$T/get-output" "tern get -o json (a List), -o yaml, blockaffinities (node, CIDR, confirmed), a WorkloadEndpoint per pod" 10 get_output

