#!/usr/bin/env bash
# datastore-etcd: three Tern nodes whose configs name only an etcd datastore (a real
# etcd in its own namespace) register, claim disjoint blocks, mesh, and their pods ping.
# Then etcd is killed for 30 s: pods keep pinging with zero loss, every session stays
# up, `tern status` says the datastore is down; etcd comes back: the nodes resync, and
# a BGPPeer applied after the restart takes effect.
#
#   segment 192.168.87.0/24; etcd .100; tern a .1, b .2, c .3; tor (BIRD) .254 AS 64513
SCRIPT_NAME=datastore-etcd
. "$(dirname "$0")/../lib/netns.sh"
. "$(dirname "$0")/../lib/datastore.sh"

T=datastore-etcd
declare_tests "$T/etcd-up" "$T/apply-pool" "$T/nodes-registered" "$T/blocks-disjoint" "$T/full-mesh" \
  "$T/pods-ping-all" "$T/status-down" "$T/zero-loss-while-down" "$T/sessions-stay-up" "$T/resync-after-restart" \
  "$T/bgppeer-after-restart"

require_root
require_tools ip etcd bird birdc python3 ping curl
[ -n "$STANDIN" ] && skip_all "datastore topologies need tern itself (no stand-in)"
require_tern

DL=${DEADLINE:-40}
ETCD=http://192.168.87.100:2379
DS_YAML="{type: etcd, endpoints: [$ETCD], prefix: /lab}"
DS_FLAGS=(--etcd-endpoints "$ETCD" --prefix /lab)
seg_create 192.168.87 || abort "cannot create segment"
node_ns_add etcd 100 || abort "cannot create etcd's namespace"
for n in a:1 b:2 c:3; do ds_node_add "${n%:*}" "${n#*:}" || abort "cannot create node ${n%:*}"; done
node_add tor bird 254 64513 "" no "192.168.87.1:64512 192.168.87.2:64512 192.168.87.3:64512" || abort "cannot create tor"
for n in a b c tor; do node_default_route "$n" || abort "default route on $n"; done

etcd_start etcd etcd 192.168.87.100 "" || abort "etcd did not start"
check "$T/etcd-up" "etcd answers /health in its namespace" 20 etcd_healthy etcd 192.168.87.100

cat >"$WORK/pool.yaml" <<YAML
apiVersion: projectcalico.org/v3
kind: IPPool
metadata: {name: pods}
spec: {cidr: 10.251.0.0/16, blockSize: 26, natOutgoing: true}
YAML
check "$T/apply-pool" "tern apply -f pool.yaml against etcd (from another namespace)" 10 tern_ds etcd apply -f "$WORK/pool.yaml"

for n in a b c; do ds_node_start "$n" || abort "$n did not start"; done
nodes_alive() {
  local out; out=$(tern_ds etcd get nodes) || return 1; echo "$out"
  for n in a b c; do echo "$out" | grep -Eq "^\| $n +\| yes " || return 1; done
}
check "$T/nodes-registered" "tern get nodes: a, b, c alive" "$DL" nodes_alive
check "$T/blocks-disjoint" "a, b, c each hold one /26 of 10.251.0.0/16, all different" "$DL" ds_blocks_disjoint
check "$T/full-mesh" "a, b, c: 2 Established mesh peers each" "$DL" ds_full_mesh 2
for n in a b c; do ds_pod "$n" "p$n" || abort "pod on $n"; done
check "$T/pods-ping-all" "pods pa, pb, pc ping each other" "$DL" pods_ping_all pa pb pc

since_a_b=$(ds_peer_since a 192.168.87.2)
since_b_c=$(ds_peer_since b 192.168.87.3)
since_c_a=$(ds_peer_since c 192.168.87.1)
# 30 s of pings (5 per second) from pa to pb and from pc to pa while etcd is gone.
ns_exec pa ping -n -q -i 0.2 -c 175 -W 1 "${POD_IP[pb]}" >"$WORK/ping-ab.txt" 2>&1 &
PING1=$!
ns_exec pc ping -n -q -i 0.2 -c 175 -W 1 "${POD_IP[pa]}" >"$WORK/ping-ca.txt" 2>&1 &
PING2=$!
PIDS+=("$PING1" "$PING2")
sleep 2
stop_bg etcd KILL
all_down() { local n rc=0; for n in a b c; do ds_state_is "$n" down || rc=1; done; return $rc; }
check "$T/status-down" "a, b, c: tern status says datastore down (and answers)" 20 all_down
ds_status a >&2
sleep 30
etcd_start etcd etcd 192.168.87.100 "" || abort "etcd did not restart"
wait "$PING1" "$PING2"
zero_loss() { grep -H "packet loss" "$WORK"/ping-*.txt; ! grep -L " 0% packet loss" "$WORK"/ping-*.txt | grep -q .; }
check "$T/zero-loss-while-down" "175 pings pa->pb and pc->pa across the 30 s etcd outage: 0% loss" 1 zero_loss
untouched() {
  [ "$(ds_peer_since a 192.168.87.2)" = "$since_a_b" ] && [ "$(ds_peer_since b 192.168.87.3)" = "$since_b_c" ] &&
    [ "$(ds_peer_since c 192.168.87.1)" = "$since_c_a" ] && ds_full_mesh 2
}
check "$T/sessions-stay-up" "the mesh sessions a-b, b-c, c-a Established since before the outage" 5 untouched
all_up() { local n rc=0; for n in a b c; do ds_state_is "$n" connected || rc=1; done; return $rc; }
check "$T/resync-after-restart" "a, b, c: datastore connected again after etcd's restart" "$DL" all_up

node_start tor || abort "tor did not start"
cat >"$WORK/tor.yaml" <<YAML
apiVersion: projectcalico.org/v3
kind: BGPPeer
metadata: {name: tor}
spec: {peerIP: 192.168.87.254, asNumber: 64513}
YAML
tern_ds etcd apply -f "$WORK/tor.yaml" >&2 || abort "apply tor"
tor_up() { local n rc=0; for n in a b c; do node_established "$n" 192.168.87.254 || rc=1; done; return $rc; }
check "$T/bgppeer-after-restart" "a BGPPeer applied after the restart: a, b, c peer with tor" "$DL" tor_up
