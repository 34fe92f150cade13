#!/usr/bin/env bash
# netpol-nodes: NetworkPolicy across nodes, with the manifests of the original notes
# (examples/policy/seed-testing-case.yaml, "网络策略应用案例") verbatim.
# Two Tern nodes (file datastore) and a Calico-style BIRD node in one mesh:
#
#   segment 192.168.96.0/24; AS 64512 mesh
#   tern a .1  block 10.244.1.0/26  testing/myapp 10.244.1.5 (app=myapp), kube-system/dns 10.244.1.6
#   tern b .2  block 10.244.2.0/26  testing/nginx 10.244.2.5 (app=nginx), default/debug 10.244.2.6
#   bird   .10 block 10.244.10.0/26 c1 10.244.10.5, c2 10.244.10.6 (not pods Tern knows: addresses)
#
# Every pod serves TCP 80 and 8080. The seed's case: myapp accepts only nginx on TCP/80
# (and anything from kube-system), may reach nginx's every port and kube-system; nginx
# accepts anyone on TCP/80 (and anything from kube-system) and may reach anything.
# Ingress is enforced on the destination's node, egress on the source's: the counters of
# each node's table say which node dropped what. Then a BIRD pod is allowed by ipBlock.
SCRIPT_NAME=netpol-nodes
. "$(dirname "$0")/../lib/netns.sh"
. "$(dirname "$0")/../lib/datastore.sh"
. "$(dirname "$0")/../lib/policy.sh"

T=netpol-nodes
declare_tests "$T/mesh-and-routes" "$T/baseline-all-allowed" "$T/seed-manifests-apply" \
  "$T/seed-myapp-ingress" "$T/seed-nginx-ingress" "$T/seed-egress" "$T/seed-kube-system" \
  "$T/ingress-dropped-on-destination-node" "$T/egress-dropped-on-source-node" \
  "$T/explain-names-policy" "$T/bird-pod-by-ipblock" "$T/policy-list-counters" "$T/dataplane-in-sync" \
  "$T/established-cut-when-denied" "$T/established-kept-when-cut-off" "$T/isolated-from-first-packet" "$T/node-local-exempt" \
  "$T/delete-restores"

require_root
require_tools ip bird birdc python3 nft sha1sum
[ -n "$STANDIN" ] && skip_all "policy checks need tern itself (no stand-in)"
require_tern

ds_use_file_store
seg_create 192.168.96 || abort "cannot create segment"
node_add a tern 1 64512 10.244.1.0/26 yes || abort "node a"
node_add b tern 2 64512 10.244.2.0/26 yes || abort "node b"
node_add bird bird 10 64512 10.244.10.0/26 yes || abort "node bird"
for n in a b bird; do node_default_route "$n" || abort "default route on $n"; done
N_BIRD_EXTRA[bird]="protocol kernel {
  ipv4 { import filter { if net ~ [ 10.244.10.0/26+ ] then reject; accept; }; export all; };
  learn; persist; scan time 2; graceful restart;
}"
for n in a b; do N_EXTRA[$n]="datastore: $DS_YAML"; done
# Node b keeps established connections the new rules deny (Calico's behaviour); a cuts them.
N_EXTRA[b]+=$'\npolicy: {cutDeniedConnections: false}'
pod_add bird c1 10.244.10.5 || abort "pod c1"
pod_add bird c2 10.244.10.6 || abort "pod c2"
for n in a b bird; do node_start "$n" || abort "$n did not start"; done

cat >"$WORK/namespaces.yaml" <<'YAML'
apiVersion: v1
kind: Namespace
metadata: {name: testing}
---
apiVersion: v1
kind: Namespace
metadata: {name: kube-system}
YAML
tern_ds seg apply -f "$WORK/namespaces.yaml" >/dev/null || abort "namespaces"
policy_pod a testing myapp 10.244.1.5 app=myapp || abort "myapp"
policy_pod a kube-system dns 10.244.1.6 k8s-app=kube-dns || abort "dns"
policy_pod b testing nginx 10.244.2.5 app=nginx || abort "nginx"
policy_pod b default debug 10.244.2.6 run=debug || abort "debug"
for p in myapp dns nginx debug c1 c2; do pod_serve "$p" 80 8080 9000 || abort "server in $p"; done

mesh_up() { node_established a "${N_ADDR[b]}" && node_established a "${N_ADDR[bird]}" && node_established b "${N_ADDR[bird]}"; }
routes_up() { pod_connects myapp 10.244.2.5 80 && pod_connects nginx 10.244.1.5 80 && pod_connects c1 10.244.1.5 80; }
mesh_and_routes() { mesh_up && routes_up; }
check "$T/mesh-and-routes" "a mesh of 3 and pods reaching each other across nodes" 60 mesh_and_routes || abort "no mesh"

# matrix FROM... : "from>to:port=ok|no" for every pod pair on 80 and 8080.
PODS_ALL=(myapp dns nginx debug)
declare -A IP_OF=([myapp]=10.244.1.5 [dns]=10.244.1.6 [nginx]=10.244.2.5 [debug]=10.244.2.6 [c1]=10.244.10.5 [c2]=10.244.10.6)
expect() { # FROM TO PORT ok|no
  local got=no
  pod_connects "$1" "${IP_OF[$2]}" "$3" && got=ok
  [ "$got" = "$4" ] || { echo "$1 -> $2:$3: expected $4, got $got"; return 1; }
}
expect_all() {
  local rc=0 f t p want
  while read -r f t p want; do [ -n "$f" ] || continue; expect "$f" "$t" "$p" "$want" || rc=1; done <<<"$1"
  return $rc
}

baseline() {
  local f t p rc=0
  for f in "${PODS_ALL[@]}"; do for t in "${PODS_ALL[@]}"; do [ "$f" = "$t" ] && continue
    for p in 80 8080; do expect "$f" "$t" "$p" ok || rc=1; done; done; done
  return $rc
}
if baseline; then result PASS "$T/baseline-all-allowed"; else result FAIL "$T/baseline-all-allowed" "not every pod reaches every other without policies"; fi

# Long-lived connections opened while everything is allowed, both denied by the seed's
# policies: debug -> myapp:9000 (myapp's ingress, on a: cut) and debug -> nginx:9000
# (nginx's ingress, on b: kept, cutDeniedConnections: false).
pod_stream debug 10.244.1.5 9000 "$WORK/stream-myapp"
pod_stream debug 10.244.2.5 9000 "$WORK/stream-nginx"
streams_up() { [ -s "$WORK/stream-myapp" ] && [ -s "$WORK/stream-nginx" ]; }
wait_for "two long-lived connections echo" 10 streams_up || abort "the long-lived connections did not start"

# The seed's namespace label step: kubectl label namespace kube-system ns=kube-system.
if tern_ds seg label namespace kube-system ns=kube-system >/dev/null &&
   tern_ds seg apply -f "$REPO_ROOT/examples/policy/seed-testing-case.yaml" >"$WORK/apply.out" 2>&1; then
  result PASS "$T/seed-manifests-apply"
else
  result FAIL "$T/seed-manifests-apply" "$(cat "$WORK/apply.out")"
fi
applied_at=$(python3 -c 'import time; print(time.monotonic())')
enforced() { expect debug myapp 80 no; }
wait_for "the policies in force" 10 enforced >/dev/null
sleep 1.5
cut_ok() {
  local last age; last=$(cat "$WORK/stream-myapp"); age=$(stream_age "$WORK/stream-myapp")
  echo "debug -> myapp:9000: last echo $(python3 -c "print('%.2f' % ($last - $applied_at))" ) s after the apply; silent for $age s"
  python3 -c "import sys; sys.exit(0 if $last - $applied_at < 1.0 and $age > 0.5 else 1)"
}
kept_ok() { local age; age=$(stream_age "$WORK/stream-nginx"); echo "debug -> nginx:9000 last echo $age s ago"; python3 -c "import sys; sys.exit(0 if $age < 0.5 else 1)"; }
if cut_ok; then result PASS "$T/established-cut-when-denied"; else result FAIL "$T/established-cut-when-denied" "$(cut_ok)"; fi
if kept_ok; then result PASS "$T/established-kept-when-cut-off"; else result FAIL "$T/established-kept-when-cut-off" "$(kept_ok)"; fi

check "$T/seed-myapp-ingress" "myapp: nginx on 80 only; kube-system anything; others nothing" 5 expect_all "
nginx myapp 80 ok
nginx myapp 8080 no
dns myapp 8080 ok
debug myapp 80 no
debug myapp 8080 no"
check "$T/seed-nginx-ingress" "nginx: anyone on 80 (debug from default too); 8080 from kube-system only" 5 expect_all "
debug nginx 80 ok
debug nginx 8080 no
myapp nginx 80 ok
myapp nginx 8080 no
dns nginx 8080 ok"
check "$T/seed-egress" "myapp reaches nginx and kube-system only; nginx reaches anything" 5 expect_all "
myapp debug 80 no
myapp dns 80 ok
nginx debug 80 ok
nginx dns 8080 ok"
check "$T/seed-kube-system" "kube-system and default are not isolated" 5 expect_all "
dns debug 8080 ok
debug dns 80 ok"

# The node-local exemption (kubelet probes): node a's own address reaches its isolated
# myapp on any port; node b's does not (it is forwarded, so policed like any source).
check "$T/node-local-exempt" "node a reaches its isolated myapp:8080, node b does not" 5 expect_all "
a myapp 8080 ok
b myapp 8080 no"

# Which node dropped what: nginx(b) -> myapp(a):8080 is denied by myapp's ingress on a;
# myapp(a) -> debug(b):80 by myapp's egress on a. Node b's drop counters stay still.
IF_MYAPP=${POD_IF[myapp]}; IF_NGINX=${POD_IF[nginx]}
in_a0=$(nft_counter a "drop-to-$IF_MYAPP"); out_a0=$(nft_counter a "drop-from-$IF_MYAPP")
nginx_b0=$(nft_counter b "drop-from-$IF_NGINX")
pod_connects nginx 10.244.1.5 8080; pod_connects myapp 10.244.2.6 80
in_a1=$(nft_counter a "drop-to-$IF_MYAPP"); out_a1=$(nft_counter a "drop-from-$IF_MYAPP")
nginx_b1=$(nft_counter b "drop-from-$IF_NGINX")
if [ "$in_a1" -gt "$in_a0" ] && [ "$nginx_b1" = "$nginx_b0" ]; then result PASS "$T/ingress-dropped-on-destination-node"
else result FAIL "$T/ingress-dropped-on-destination-node" "a drop-to-myapp $in_a0 -> $in_a1, b drop-from-nginx $nginx_b0 -> $nginx_b1"; fi
if [ "$out_a1" -gt "$out_a0" ]; then result PASS "$T/egress-dropped-on-source-node"
else result FAIL "$T/egress-dropped-on-source-node" "a drop-from-myapp $out_a0 -> $out_a1"; fi

explain_ok() {
  tern_policy b explain --from testing/nginx --to testing/myapp --port 8080 >"$WORK/explain.txt" || return 1
  cat "$WORK/explain.txt"
  grep -q "DENIED" "$WORK/explain.txt" && grep -q "enforced on the pod's node" "$WORK/explain.txt" &&
    tern_policy a explain --from testing/nginx --to testing/myapp --port 80 | grep -q "allowed by k8s testing/myapp-policy ingress\[0\]"
}
check "$T/explain-names-policy" "explain: 8080 denied (myapp isolated, enforced on a), 80 allowed by myapp-policy ingress[0]" 5 explain_ok

cat >"$WORK/bird-pod.yaml" <<'YAML'
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: from-bird-c1, namespace: testing}
spec:
  podSelector: {matchLabels: {app: myapp}}
  ingress:
  - from: [{ipBlock: {cidr: 10.244.10.0/24, except: [10.244.10.6/32]}}]
    ports: [{port: 8080}]
YAML
tern_ds seg apply -f "$WORK/bird-pod.yaml" >/dev/null || abort "bird-pod policy"
check "$T/bird-pod-by-ipblock" "BIRD's c1 reaches myapp:8080 (ipBlock), c2 (except) does not, nor c1 on 80" 5 expect_all "
c1 myapp 8080 ok
c2 myapp 8080 no
c1 myapp 80 no"

list_ok() {
  tern_policy a list --json >"$WORK/list.json" || return 1
  python3 - "$WORK/list.json" <<'PY'
import json, sys
rows = {r["name"]: r for r in json.load(open(sys.argv[1]))}
m = rows["myapp-policy"]
assert m["selectsHere"] == ["testing/myapp"], m
assert sum(r["packets"] for r in m["rules"] if r["rule"] == "ingress[0]") > 0, m["rules"]
assert rows["from-bird-c1"]["rules"][0]["packets"] > 0, rows["from-bird-c1"]
PY
}
check "$T/policy-list-counters" "policy list: myapp-policy selects testing/myapp here; its ingress[0] and from-bird-c1 counted packets" 5 list_ok

# A pod whose namespace denies all (testing-default) sends from before it is registered:
# not one datagram may leave it, through the window between its routes/proxy-ARP and its
# rules. The control, a pod in default (no policy), gets through the same way.
udp_sink debug 9999 "$WORK/sink"
first_packet() {
  local ns=$1 pod=$2 ip=$3
  POD_CFG=0 pod_add a "$pod" "$ip" || return 1
  udp_flood "$pod" 10.244.2.6 9999 3
  sleep 0.3
  ns_exec a "$TERN" workload add --socket "$WORK/a.sock" --name "$pod" -n "$ns" --interface "${POD_IF[$pod]}" --ip "$ip/32" >/dev/null
}
# And the guard itself: a cali interface routed by hand (as a runtime would before its
# ADD reaches the daemon) but never registered: all its traffic is dropped and counted.
unknown0=$(nft_counter a unknown-workload)
POD_CFG=0 pod_add a rogue 10.244.1.22 || abort "rogue pod"
pod_cni_host_setup a "${POD_IF[rogue]}" 10.244.1.22 || abort "rogue pod routes"
udp_flood rogue 10.244.2.6 9999 3
first_packet testing late 10.244.1.20 || abort "pod testing/late"
first_packet default late2 10.244.1.21 || abort "pod default/late2"
sleep 3.5
late_n=$(received "$WORK/sink" 10.244.1.20); late2_n=$(received "$WORK/sink" 10.244.1.21); rogue_n=$(received "$WORK/sink" 10.244.1.22)
unknown1=$(nft_counter a unknown-workload)
log "first packet: testing/late $late_n datagrams through, default/late2 $late2_n, unregistered rogue $rogue_n; unknown-workload drops on a $unknown0 -> $unknown1"
if [ "$late_n" = 0 ] && [ "$late2_n" -gt 100 ] && [ "$rogue_n" = 0 ] && [ "$unknown1" -gt $((unknown0 + 100)) ]; then
  result PASS "$T/isolated-from-first-packet"
else
  result FAIL "$T/isolated-from-first-packet" "testing/late (deny-all) got $late_n datagrams through, default/late2 (control) $late2_n, rogue $rogue_n; unknown-workload drops $unknown0 -> $unknown1"
fi

in_sync() { tern_policy a dataplane --json | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["inSync"], d["transactions"], d.get("lastError")); sys.exit(0 if d["inSync"] and not d.get("lastError") else 1)'; }
check "$T/dataplane-in-sync" "tern policy dataplane: the kernel table matches the desired one" 5 in_sync

tern_ds seg delete -f "$REPO_ROOT/examples/policy/seed-testing-case.yaml" >/dev/null
tern_ds seg delete -f "$WORK/bird-pod.yaml" >/dev/null
check "$T/delete-restores" "policies deleted: everything allowed again" 5 baseline
