#!/usr/bin/env bash
# `make demo`, part 2: a small mixed cluster in network namespaces, converged and shown.
#
#   segment 192.168.90.0/24 (a bridge)
#   tern  node-a  .1   AS 64512  block 10.244.1.0/26   } one iBGP node-to-node mesh
#   tern  node-b  .2   AS 64512  block 10.244.2.0/26   }  (BIRD configured the way
#   bird  node-c  .10  AS 64512  block 10.244.10.0/26  }   Calico's confd does)
#   gobgp tor     .254 AS 64513  eBGP "top-of-rack" peer of both Tern nodes; announces 0.0.0.0/0
#
#   pods (namespaces, Calico-style veths cali*): node-a a1 10.244.1.5 a2 10.244.1.6,
#   node-b b1 10.244.2.5 b2 10.244.2.6 (Tern workloads), node-c c1 10.244.10.5 c2 10.244.10.6
#   (/32 dev cali* as the Calico CNI makes them; BIRD's kernel protocol installs its BGP routes)
#
# Prints `tern status`, `tern routes`, BIRD's `show route` and GoBGP's RIB, a pod-to-pod
# ping matrix and `tern fib` on node-a, then tears down.
SCRIPT_NAME=demo
. "$(dirname "$0")/../interop/lib/netns.sh"
require_root
require_tools ip bird birdc gobgpd gobgp python3
require_tern

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

seg_create 192.168.90 || abort "cannot create the segment"
HOLD=9
node_add node-a tern 1 64512 10.244.1.0/26 yes "192.168.90.254:64513" || abort "node-a"
node_add node-b tern 2 64512 10.244.2.0/26 yes "192.168.90.254:64513" || abort "node-b"
node_add node-c bird 10 64512 10.244.10.0/26 yes || abort "node-c"
node_add tor gobgp 254 64513 "" no || abort "tor"
# Pods. Proxy ARP for 169.254.1.1 needs a route to it through another interface: node-a and
# node-b get the ToR's default route (installed by Tern), node-c (no ToR session) its own.
node_default_route node-c || abort "node-c default route"
N_BIRD_EXTRA[node-c]="protocol kernel {
  ipv4 { import filter { if net ~ [ 10.244.10.0/26+ ] then reject; accept; }; export all; };
  learn; persist; scan time 2; graceful restart;
}"
{ pod_add node-a a1 10.244.1.5 && pod_add node-a a2 10.244.1.6 &&
  pod_add node-b b1 10.244.2.5 && pod_add node-b b2 10.244.2.6 &&
  pod_add node-c c1 10.244.10.5 && pod_add node-c c2 10.244.10.6; } || abort "pods"

cat > "$WORK/tor.toml" <<TOML
[global.config]
  as = 64513
  router-id = "192.168.90.254"
  port = 179
  local-address-list = ["192.168.90.254"]
TOML
for n in 1 2; do cat >> "$WORK/tor.toml" <<TOML

[[neighbors]]
  [neighbors.config]
    neighbor-address = "192.168.90.$n"
    peer-as = 64512
  [neighbors.timers.config]
    hold-time = 9
    keepalive-interval = 3
    connect-retry = 5
  [neighbors.transport.config]
    local-address = "192.168.90.254"
  [[neighbors.afi-safis]]
    [neighbors.afi-safis.config]
      afi-safi-name = "ipv4-unicast"
TOML
done

say "Starting GoBGP (top of rack), two Tern nodes and a Calico-style BIRD node"
gobgp_start tor tor "$WORK/tor.toml" || abort "gobgpd did not start"
gobgp_cli tor global rib add 0.0.0.0/0 nexthop 192.168.90.254 >&2
for n in node-a node-b node-c; do node_start "$n" || abort "$n did not start"; done

converged() {
  node_has_route node-a 10.244.2.0/26 192.168.90.2 && node_has_route node-a 10.244.10.0/26 192.168.90.10 &&
  node_has_route node-b 10.244.1.0/26 192.168.90.1 && node_has_route node-a 0.0.0.0/0 192.168.90.254 &&
  node_has_route node-c 10.244.1.0/26 192.168.90.1 && node_has_route node-c 10.244.2.0/26 192.168.90.2 &&
  gobgp_has_route tor 10.244.1.0/26 192.168.90.1 64512
}
if wait_for "the cluster converges" 40 converged >/dev/null 2>&1; then
  say "Converged"
else
  say "NOT converged within 40 s — showing what there is (logs: $WORK)"
  KEEP=1
fi

say "tern status (node-a)"
ns_exec node-a "$TERN" status --socket "$WORK/node-a.sock"
say "tern routes (node-a): best path marked *, and why it won"
ns_exec node-a "$TERN" routes --socket "$WORK/node-a.sock"
say "BIRD on node-c: birdc show route (Tern's blocks, learned over the mesh)"
birdc -s "$WORK/node-c.ctl" show route
say "GoBGP top-of-rack: its RIB (Tern's blocks with AS 64512 prepended, next hop self)"
gobgp_cli tor global rib -a ipv4
say "Pods ping pods (ping -c1 -W2 from the row's pod to the column's pod)"
wait_for "every pod answers every other pod" 30 pods_ping_all a1 a2 b1 b2 c1 c2 >/dev/null 2>&1 ||
  say "(not every pair answered within 30 s)"
pods_ping_matrix a1 a2 b1 b2 c1 c2
say "tern fib (node-a): desired routes vs the kernel"
ns_exec node-a "$TERN" fib --socket "$WORK/node-a.sock"
say "Kernel routes Tern made on node-a (ip route show proto 199)"
ip -n "$(ns_name node-a)" route show proto 199
say "Done: tearing the cluster down"
