#!/usr/bin/env bash
# `make demo`, part 5: NetworkPolicy. Two Tern nodes on a file datastore, a pod on each
# (shop/web on node-a, shop/client on node-b); a deny-all NetworkPolicy stops the ping,
# `tern policy explain` says why, a second policy allows it again; the nft table and the
# policy counters are shown.
#
#   segment 192.168.93.0/24; tern node-a .1 block 10.250.1.0/26, node-b .2 block 10.250.2.0/26
SCRIPT_NAME=demo-policy
. "$(dirname "$0")/../interop/lib/netns.sh"
. "$(dirname "$0")/../interop/lib/datastore.sh"
. "$(dirname "$0")/../interop/lib/policy.sh"
require_root
require_tools ip python3 ping nft
require_tern

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

ds_use_file_store
seg_create 192.168.93 || abort "cannot create the segment"
node_add node-a tern 1 64512 10.250.1.0/26 yes || abort "node-a"
node_add node-b tern 2 64512 10.250.2.0/26 yes || abort "node-b"
for n in node-a node-b; do node_default_route "$n" || abort "default route on $n"; N_EXTRA[$n]="datastore: $DS_YAML"; done
for n in node-a node-b; do node_start "$n" || abort "$n did not start"; done
wait_for "a mesh" 40 node_established node-a "${N_ADDR[node-b]}" || abort "no mesh"
policy_pod node-a shop web 10.250.1.5 app=web || abort "pod web"
policy_pod node-b shop client 10.250.2.5 app=client || abort "pod client"
pod_ping_ip() { ns_exec "$1" ping -n -q -c1 -W1 "$2" >/dev/null 2>&1; }
wait_for "client pings web" 30 pod_ping_ip client 10.250.1.5 || abort "no ping before any policy"

say "no policy: shop/client (node-b) pings shop/web (node-a)"
ns_exec client ping -n -c2 10.250.1.5 | tail -2

cat >"$WORK/deny.yaml" <<'YAML'
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: web-deny-all, namespace: shop}
spec:
  podSelector: {matchLabels: {app: web}}
  policyTypes: [Ingress]
YAML
say "tern apply -f deny.yaml: web accepts nothing"
cat "$WORK/deny.yaml"
tern_ds seg apply -f "$WORK/deny.yaml"
denied() { ! pod_ping_ip client 10.250.1.5; }
wait_for "the ping is denied" 10 denied || abort "the ping was not denied"
ns_exec client ping -n -c2 -W1 10.250.1.5 | tail -2 || true
say "tern policy explain --from shop/client --to shop/web --port 80"
tern_policy node-a explain --from shop/client --to shop/web --port 80 || true

cat >"$WORK/allow.yaml" <<'YAML'
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: web-from-clients, namespace: shop}
spec:
  podSelector: {matchLabels: {app: web}}
  ingress:
  - from: [{podSelector: {matchLabels: {app: client}}}]
YAML
say "tern apply -f allow.yaml: web accepts pods labelled app=client"
cat "$WORK/allow.yaml"
tern_ds seg apply -f "$WORK/allow.yaml"
wait_for "the ping is allowed" 10 pod_ping_ip client 10.250.1.5 || abort "the ping was not allowed"
ns_exec client ping -n -c2 10.250.1.5 | tail -2
say "tern policy explain, tern policy list on node-a"
tern_policy node-a explain --from shop/client --to shop/web --port 80
tern_policy node-a list
say "tern label pod client -n shop app=other: a set element changes, the ping is denied again"
tern_ds seg label pod client -n shop app=other
wait_for "denied after the relabel" 10 denied || abort "the relabel did not deny"
ns_exec client ping -n -c1 -W1 10.250.1.5 | tail -1 || true
say "tern policy dataplane on node-a (desired vs kernel), and the table itself"
tern_policy node-a dataplane
ns_exec node-a nft list table inet tern | head -40
