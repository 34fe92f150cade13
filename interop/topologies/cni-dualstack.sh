#!/usr/bin/env bash
# cni-dualstack: dual-stack pods through the CNI plugin. Two Tern nodes with an IPv4 and an
# IPv6 address on their segment (file datastore), an IPv4 and an IPv6 IPPool; the plugin
# gives each pod a /32 and a /128 (no DAD), the IPv6 default route via the host end's
# link-local fe80::ecee:eeff:feee:eeee; the mesh (one IPv4 session per peer) carries the
# IPv6 blocks with each node's IPv6 address as next hop; pods ping and ping6 across.
#
#   segment 192.168.91.0/24 + fd00:91::/64; tern a .1/::1, b .2/::2
#   pools 10.245.0.0/16 (/26 blocks), fd00:245::/48 (/122 blocks)
# shellcheck disable=SC2317 # the query functions run indirectly, through check/wait_for
SCRIPT_NAME=cni-dualstack
. "$(dirname "$0")/../lib/netns.sh"
. "$(dirname "$0")/../lib/datastore.sh"
. "$(dirname "$0")/../lib/cni.sh"

T=$SCRIPT_NAME
declare_tests "$T/mesh-ipv6-family" "$T/add-both-families" "$T/pod-ipv6-route" "$T/v6-block-routes" \
  "$T/ping-v4" "$T/ping-v6" "$T/del-releases-both"

cni_require
DL=${DEADLINE:-30}

ds_use_file_store
seg_create 192.168.91 || abort "cannot create segment"
for n in a:1 b:2; do
  ds_node_add "${n%:*}" "${n#*:}" || abort "cannot create node ${n%:*}"
  ip -n "$(ns_name "${n%:*}")" -6 addr add "fd00:91::${n#*:}/64" dev eth0 nodad || abort "IPv6 address on ${n%:*}"
done
for n in a b; do node_default_route "$n" || abort "default route on $n"; done
cni_install || abort "cannot install the plugin"
cat >"$WORK/pools.yaml" <<YAML
apiVersion: projectcalico.org/v3
kind: IPPool
metadata: {name: pods4}
spec: {cidr: 10.245.0.0/16, blockSize: 26}
---
apiVersion: projectcalico.org/v3
kind: IPPool
metadata: {name: pods6}
spec: {cidr: "fd00:245::/48", blockSize: 122}
YAML
tern_ds seg apply -f "$WORK/pools.yaml" >&2 || abort "tern apply failed"
for n in a b; do ds_node_start "$n" || abort "tern $n did not start"; done
wait_for "a and b mesh" "$DL" ds_full_mesh || abort "no mesh"
for n in a b; do cni_conf tern 1.0.0 "$WORK/$n.sock" >"$WORK/$n-conf.json"; done

families() { ns_exec a "$TERN" status --socket "$WORK/a.sock" --json | python3 -c '
import json, sys
s = json.load(sys.stdin); p = [x for x in s["peers"] if x["address"] == "192.168.91.2"]
print(p[0].get("families") if p else "no peer"); print(p[0].get("info") if p else "")' ; \
  grep -q "families.*ipv6" "$WORK/a.log"; }
check "$T/mesh-ipv6-family" "a's IPv4 session with b negotiated IPv6 unicast too" "$DL" families

pod() { # pod NODE NAME
  ip netns add "${NS_PREFIX}-$2" && NSS+=("${NS_PREFIX}-$2") || return 1
  cni_call "$1" "$2" ADD "$2" "/run/netns/${NS_PREFIX}-$2" "$WORK/$1-conf.json" eth0 "K8S_POD_NAME=$2"
}
pod a pa; pod b pb
addr_of() { python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); print([i["address"].split("/")[0] for i in r.get("ips",[]) if (":" in i["address"]) == (sys.argv[2] == "6")][0])' "$WORK/$1.json" "$2" 2>/dev/null; }
PA4=$(addr_of pa 4) PA6=$(addr_of pa 6) PB4=$(addr_of pb 4) PB6=$(addr_of pb 6)
both() {
  echo "pa: $PA4 $PA6; pb: $PB4 $PB6"
  [ -n "$PA4" ] && [ -n "$PA6" ] && [ -n "$PB4" ] && [ -n "$PB6" ] \
    && ip -n "${NS_PREFIX}-pa" -6 addr show eth0 | grep -q "inet6 $PA6/128" \
    && ! ip -n "${NS_PREFIX}-pa" -6 addr show eth0 | grep "$PA6" | grep -q tentative
}
check "$T/add-both-families" "each pod has a /32 and a /128 (not tentative) from its node's blocks" 1 both
check "$T/pod-ipv6-route" "pa: default via fe80::ecee:eeff:feee:eeee dev eth0" 1 \
  sh -c "ip -n '${NS_PREFIX}-pa' -6 route show default | grep -q 'via fe80::ecee:eeff:feee:eeee dev eth0'"
v6_routes() {
  ip -n "$(ns_name b)" -6 route show | grep -E "^fd00:245:.* via fd00:91::1 " && ip -n "$(ns_name a)" -6 route show | grep -E "^fd00:245:.* via fd00:91::2 "
}
check "$T/v6-block-routes" "each node routes the other's IPv6 block via its IPv6 address" "$DL" v6_routes
check "$T/ping-v4" "pa pings pb ($PB4)" "$DL" ip netns exec "${NS_PREFIX}-pa" ping -c1 -W1 "$PB4"
check "$T/ping-v6" "pa pings pb over IPv6 ($PB6)" "$DL" ip netns exec "${NS_PREFIX}-pa" ping -6 -c1 -W1 "$PB6"
cni_call a pa-del DEL pa "/run/netns/${NS_PREFIX}-pa" "$WORK/a-conf.json" eth0 "K8S_POD_NAME=pa"
released() { ! tern_ds seg ipam show -o wide | grep -E "$PA4 |$PA6 "; }
check "$T/del-releases-both" "DEL frees pa's IPv4 and IPv6 addresses" "$DL" released
