#!/usr/bin/env bash
# dataplane-pods: 2 Tern nodes + 1 Calico-style BIRD node, two pods each (plus
# one "borrowed" pod on a whose IP lies in b's block), every pod pings every
# other pod; the kernel routes Tern programs (proto 199) are checked.
#
#   segment 192.168.82.0/24; AS 64512 node-to-node mesh
#   tern a .1  block 10.244.1.0/26   pods a1 10.244.1.5, a2 10.244.1.6, a3 10.244.2.50 (borrowed)
#   tern b .2  block 10.244.2.0/26   pods b1 10.244.2.5, b2 10.244.2.6
#   bird   .10 block 10.244.10.0/26  pods c1 10.244.10.5, c2 10.244.10.6 (routes made
#              as the Calico CNI does: <ip>/32 dev cali*; kernel protocol exports BGP routes)
SCRIPT_NAME=dataplane-pods
. "$(dirname "$0")/../lib/netns.sh"

T=dataplane-pods
declare_tests "$T/sessions-established" "$T/kernel-workload-routes" "$T/kernel-blackhole" \
  "$T/kernel-via-routes" "$T/kernel-borrowed-32" "$T/bird-kernel-routes" "$T/sysctls" \
  "$T/fib-all-installed" "$T/pods-ping-all" "$T/other-routes-untouched"

require_root
require_tools ip bird birdc python3 ping sha1sum
[ -n "$STANDIN" ] && skip_all "dataplane checks need tern itself (no stand-in)"
require_tern

DL=${DEADLINE:-40}
seg_create 192.168.82 || abort "cannot create segment"
node_add a tern 1 64512 10.244.1.0/26 yes || abort "cannot create node a"
node_add b tern 2 64512 10.244.2.0/26 yes || abort "cannot create node b"
node_add bird bird 10 64512 10.244.10.0/26 yes || abort "cannot create node bird"
for n in a b bird; do node_default_route "$n" || abort "default route on $n"; done
# Calico's BIRD: BGP routes into the kernel (learn/persist/scan time 2/graceful restart).
# Learned pod /32s inside the own block are not imported (Calico's filter rejects them
# towards peers too; the block is announced).
N_BIRD_EXTRA[bird]="protocol kernel {
  ipv4 { import filter { if net ~ [ 10.244.10.0/26+ ] then reject; accept; }; export all; };
  learn; persist; scan time 2; graceful restart;
}"

pod_add a a1 10.244.1.5 || abort "pod a1"
pod_add a a2 10.244.1.6 || abort "pod a2"
pod_add a a3 10.244.2.50 || abort "pod a3"
pod_add b b1 10.244.2.5 || abort "pod b1"
pod_add b b2 10.244.2.6 || abort "pod b2"
pod_add bird c1 10.244.10.5 || abort "pod c1"
pod_add bird c2 10.244.10.6 || abort "pod c2"

# Routes of other protocols Tern must leave alone (one on a cali interface, as
# Felix would remove them; Tern does not).
ip -n "$(ns_name a)" route add 10.77.0.0/24 via 192.168.82.2 proto static || abort "static route on a"
ip -n "$(ns_name a)" route add 10.77.1.0/24 dev "${POD_IF[a1]}" proto boot || abort "boot route on a"
before_other=$(kroutes a | grep -v 'proto 199' | sort)

for n in a b bird; do node_start "$n" || abort "$n did not start"; done

all_established() {
  local n m rc=0
  for n in a b bird; do for m in a b bird; do
    [ "$n" = "$m" ] && continue
    node_established "$n" "${N_ADDR[$m]}" || rc=1
  done; done
  return $rc
}
check "$T/sessions-established" "all 6 mesh session ends Established" "$DL" all_established

p199() { echo "proto (199|0xc7)"; }
workload_routes() {
  local rc=0 p
  for p in a1 a2 a3; do kroute_has a "^${POD_IP[$p]} dev ${POD_IF[$p]} $(p199) scope link" || rc=1; done
  for p in b1 b2; do kroute_has b "^${POD_IP[$p]} dev ${POD_IF[$p]} $(p199) scope link" || rc=1; done
  return $rc
}
check "$T/kernel-workload-routes" "a: 10.244.1.5, .1.6, .2.50 dev cali* proto 199 scope link; b: 10.244.2.5, .2.6" "$DL" workload_routes

blackholes() { kroute_has a "^blackhole 10.244.1.0/26 $(p199)" && kroute_has b "^blackhole 10.244.2.0/26 $(p199)"; }
check "$T/kernel-blackhole" "blackhole <own block> proto 199 on a and b" "$DL" blackholes

via_routes() {
  kroute_has a "^10.244.2.0/26 via 192.168.82.2 dev eth0 $(p199)" &&
  kroute_has a "^10.244.10.0/26 via 192.168.82.10 dev eth0 $(p199)" &&
  kroute_has b "^10.244.1.0/26 via 192.168.82.1 dev eth0 $(p199)" &&
  kroute_has b "^10.244.10.0/26 via 192.168.82.10 dev eth0 $(p199)"
}
check "$T/kernel-via-routes" "a: 10.244.2.0/26 via .2, 10.244.10.0/26 via .10; b: 10.244.1.0/26 via .1, 10.244.10.0/26 via .10 (proto 199)" "$DL" via_routes

borrowed() {
  kroute_has b "^10.244.2.50 via 192.168.82.1 dev eth0 $(p199)" &&
  kroute_hasnt a "^10.244.2.50 via" &&
  node_has_route bird 10.244.2.50/32 192.168.82.1 ""
}
check "$T/kernel-borrowed-32" "a advertises its pod 10.244.2.50 (outside its block) as /32: b has 10.244.2.50 via .1 proto 199, BIRD has it" "$DL" borrowed

bird_kernel() {
  kroute_has bird "^10.244.1.0/26 via 192.168.82.1 dev eth0 proto bird" &&
  kroute_has bird "^10.244.2.0/26 via 192.168.82.2 dev eth0 proto bird" &&
  kroute_has bird "^10.244.2.50 via 192.168.82.1 dev eth0 proto bird"
}
check "$T/bird-kernel-routes" "BIRD's kernel protocol installed 10.244.1.0/26, 10.244.2.0/26, 10.244.2.50/32 (proto bird)" "$DL" bird_kernel

sysctls() {
  local n p rc=0 v
  for n in a b; do
    v=$(ns_exec "$n" sysctl -n net.ipv4.ip_forward); echo "$n ip_forward=$v"; [ "$v" = 1 ] || rc=1
  done
  for p in a1 a2 a3 b1 b2; do
    local hif=${POD_IF[$p]} node=${POD_NODE[$p]} k
    for k in "net.ipv4.conf.$hif.proxy_arp=1" "net.ipv4.neigh.$hif.proxy_delay=0" \
             "net.ipv4.conf.$hif.forwarding=1" "net.ipv4.conf.$hif.route_localnet=1"; do
      v=$(ns_exec "$node" sysctl -n "${k%=*}" 2>&1)
      [ "$v" = "${k#*=}" ] || { echo "$node: ${k%=*} = $v (want ${k#*=})"; rc=1; }
    done
  done
  return $rc
}
check "$T/sysctls" "ip_forward=1; per workload veth proxy_arp=1 proxy_delay=0 forwarding=1 route_localnet=1" 10 sysctls

fib_ok() { local n rc=0; for n in a b; do echo "$n:"; tern_fib_json "$n" | python3 "$QUERY" fib-states installed || rc=1; done; return $rc; }
check "$T/fib-all-installed" "tern fib on a and b: every row installed" "$DL" fib_ok

check "$T/pods-ping-all" "each of the 7 pods pings the 6 others (42 pairs)" "$DL" pods_ping_all a1 a2 a3 b1 b2 c1 c2

other_untouched() {
  local now; now=$(kroutes a | grep -v 'proto 199' | sort)
  if [ "$now" = "$before_other" ]; then echo "unchanged"; return 0; fi
  echo "before:"; echo "$before_other"; echo "now:"; echo "$now"; return 1
}
check "$T/other-routes-untouched" "a's routes of other protocols (static, boot on a cali interface, default, connected) unchanged" 1 other_untouched
