#!/usr/bin/env bash
# `make demo`, part 3: a cluster from a datastore. Three Tern nodes whose configs name only
# a shared file datastore (plus a control socket) register themselves, claim blocks of an
# IPPool applied with `tern apply`, mesh, and their pods ping; then a fourth node joins live.
#
#   segment 192.168.91.0/24; tern node-a .1, node-b .2, node-c .3, node-d .4; AS 64512 (default)
SCRIPT_NAME=demo-datastore
. "$(dirname "$0")/../interop/lib/netns.sh"
. "$(dirname "$0")/../interop/lib/datastore.sh"
require_root
require_tools ip python3 ping
require_tern

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

DS_DIR="$WORK/datastore"
DS_YAML="{type: file, path: $DS_DIR}"
DS_FLAGS=(--datastore-dir "$DS_DIR")
seg_create 192.168.91 || abort "cannot create the segment"
for n in a:1 b:2 c:3 d:4; do ds_node_add "node-${n%:*}" "${n#*:}" || abort "node-${n%:*}"; done
for n in "${DS_NODES[@]}"; do node_default_route "$n" || abort "default route on $n"; done
DS_NODES=(node-a node-b node-c)

cat >"$WORK/pool.yaml" <<YAML
apiVersion: projectcalico.org/v3
kind: IPPool
metadata:
  name: default-ipv4-ippool
spec:
  cidr: 10.248.0.0/16
  blockSize: 26
  vxlanMode: Never
  natOutgoing: true
YAML
say "tern apply -f pool.yaml (a calicoctl manifest) into the file datastore $DS_DIR"
tern_ds seg apply -f "$WORK/pool.yaml"
say "node-a's whole configuration"
ds_cfg node-a /dev/stdout
for n in node-a node-b node-c; do ds_node_start "$n" || abort "$n did not start"; done
wait_for "a full mesh" 40 ds_full_mesh 2 || abort "no mesh"
for n in node-a node-b node-c; do ds_pod "$n" "pod-${n#node-}" || abort "pod on $n"; done
wait_for "pods ping" 40 pods_ping_all pod-a pod-b pod-c || abort "pods do not ping"

say "tern get nodes / blockaffinities / workloadendpoints -A"
tern_ds seg get nodes
tern_ds seg get blockaffinities
tern_ds seg get workloadendpoints -A
say "tern status on node-a"
ns_exec node-a "$TERN" status --socket "$WORK/node-a.sock"
say "pods ping across nodes"
for p in pod-a pod-b pod-c; do for q in pod-a pod-b pod-c; do
  [ "$p" = "$q" ] && continue
  if pod_ping "$p" "$q"; then echo "$p -> $q (${POD_IP[$q]}): ok"; else echo "$p -> $q: FAILED"; fi
done; done

say "node-d joins live: nobody's configuration changes"
ds_node_start node-d || abort "node-d did not start"
DS_NODES+=(node-d)
wait_for "node-d in the mesh" 40 ds_full_mesh 3 || abort "node-d did not join"
ns_exec node-a "$TERN" status --socket "$WORK/node-a.sock"
