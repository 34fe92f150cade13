#!/usr/bin/env bash
# `make demo`, part 4: containers through the CNI plugin. Two Tern nodes on a file
# datastore with one IPPool; podman (CNI backend) on each runs a container with
# `--network tern` (the conflist of etc/cni/10-tern.conflist: tern + tern-ipam, portmap);
# they ping each other across nodes; the addresses, workloads and WorkloadEndpoints are
# shown; a container that exits gives its address back.
#
#   segment 192.168.92.0/24; tern node-a .1, node-b .2; pool 10.249.0.0/16
SCRIPT_NAME=demo-cni
. "$(dirname "$0")/../interop/lib/netns.sh"
. "$(dirname "$0")/../interop/lib/datastore.sh"
. "$(dirname "$0")/../interop/lib/containers.sh"
require_root
require_tools ip python3 ping
require_tern
TERN_CNI=${TERN_CNI:-$(dirname "$TERN")/tern-cni}
ctr_require podman

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

ds_use_file_store
ctr_env_init || abort "cannot prepare podman"
seg_create 192.168.92 || abort "cannot create the segment"
for n in a:1 b:2; do ds_node_add "node-${n%:*}" "${n#*:}" || abort "node-${n%:*}"; done
for n in "${DS_NODES[@]}"; do node_default_route "$n" || abort "default route on $n"; done
{ cp "$TERN_CNI" "$CTR_BIN_DIR/tern" && cp "$TERN_CNI" "$CTR_BIN_DIR/tern-ipam"; } || abort "no CNI plugin at $TERN_CNI"
cat >"$WORK/pool.yaml" <<YAML
apiVersion: projectcalico.org/v3
kind: IPPool
metadata: {name: default-ipv4-ippool}
spec: {cidr: 10.249.0.0/16, blockSize: 26}
YAML
tern_ds seg apply -f "$WORK/pool.yaml" >/dev/null || abort "tern apply"
for n in node-a node-b; do ds_node_start "$n" || abort "$n did not start"; done
wait_for "a mesh" 40 ds_full_mesh 1 || abort "no mesh"
for n in node-a node-b; do
  pm_network_file "$n" 10-tern "$(sed "s|/run/tern/tern.sock|$WORK/$n.sock|" "$REPO_ROOT/etc/cni/10-tern.conflist")" || abort "conflist"
done
say "the conflist podman uses (etc/cni/10-tern.conflist; make install puts it in /etc/cni/net.d)"
cat "$REPO_ROOT/etc/cni/10-tern.conflist"
say "podman run --network tern on node-a and on node-b"
IDLE='while [ ! -e /tmp/quit ]; do sleep 0.1; done'
CA=$(pm node-a run -d --network tern "$CTR_IMAGE" sh -c "$IDLE") || abort "podman run on node-a"
CB=$(pm node-b run -d --network tern "$CTR_IMAGE" sh -c "$IDLE") || abort "podman run on node-b"
IPA=$(pm node-a exec "$CA" ip -4 -o addr show eth0 | awk '{print $4}')
IPB=$(pm node-b exec "$CB" ip -4 -o addr show eth0 | awk '{print $4}')
echo "container on node-a: eth0 $IPA;  container on node-b: eth0 $IPB"
say "inside the container on node-a: ip route"
pm node-a exec "$CA" ip route
say "they ping each other across nodes (BGP routes to each node's block)"
wait_for "ping" 30 pm node-a exec "$CA" ping -c1 -W1 "${IPB%/*}" || abort "no ping"
pm node-a exec "$CA" ping -c2 "${IPB%/*}"
say "tern workload list on node-a; tern ipam show; tern get workloadendpoints -A"
ns_exec node-a "$TERN" workload list --socket "$WORK/node-a.sock"
tern_ds seg ipam show
tern_ds seg get workloadendpoints -A
say "the container on node-a exits: podman's DEL gives its address back"
pm node-a exec "$CA" touch /tmp/quit
gone() { ! ns_exec node-a "$TERN" workload list --socket "$WORK/node-a.sock" | grep -q "${IPA%/*}/32"; }
wait_for "released" 30 gone || abort "the address was not released"
tern_ds seg ipam show
