#!/usr/bin/env bash
# `tern apply/create/replace/get/label/delete` against a file datastore: what calicoctl
# users expect from the exit statuses (0 ok, 1 rejected/failed, 2 usage), the output
# shapes, and that a rejected file stores nothing.
set -u
tern=${1:-.build/debug/tern}
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
ds=(--datastore-dir "$tmp/ds")
fail=0
ok() { echo "PASS cli-resources/$1"; }
bad() { echo "FAIL cli-resources/$1: $2"; fail=1; }

cat > "$tmp/good.yaml" <<'YAML'
apiVersion: projectcalico.org/v3
kind: IPPool
metadata: {name: pool-a, labels: {tier: gold}}
spec: {cidr: 10.244.0.0/16, blockSize: 26, vxlanMode: Always}
---
apiVersion: projectcalico.org/v3
kind: BGPPeer
metadata: {name: tor}
spec: {peerIP: 192.168.77.254, asNumber: 64513, nodeSelector: "rack == 'r1'"}
YAML
out=$("$tern" apply -f "$tmp/good.yaml" "${ds[@]}" 2>&1); rc=$?
if [ $rc -eq 0 ] && grep -q "Successfully applied 2 resources" <<<"$out"; then ok apply; else bad apply "exit $rc: $out"; fi

# One bad document: every error with file:line:column, exit 1, nothing of the file stored.
cat > "$tmp/bad.yaml" <<'YAML'
apiVersion: projectcalico.org/v3
kind: IPPool
metadata: {name: pool-b}
spec: {cidr: 10.245.0.0/16}
---
apiVersion: projectcalico.org/v3
kind: BGPPeer
metadata: {name: tor2}
spec: {peerIP: 192.168.77.253, asNumbr: 64513}
YAML
out=$("$tern" apply -f "$tmp/bad.yaml" "${ds[@]}" 2>&1); rc=$?
if [ $rc -eq 1 ] && grep -qF "bad.yaml:9:" <<<"$out" && grep -qF 'did you mean "asNumber"' <<<"$out" && grep -q "nothing stored" <<<"$out" &&
   ! "$tern" get ippool pool-b "${ds[@]}" >/dev/null 2>&1; then ok rejected-file-stores-nothing
else bad rejected-file-stores-nothing "exit $rc: $out"; fi

out=$("$tern" create -f "$tmp/good.yaml" "${ds[@]}" 2>&1); rc=$?
if [ $rc -eq 1 ] && grep -q "already exists" <<<"$out"; then ok create-existing-fails; else bad create-existing-fails "exit $rc: $out"; fi

out=$("$tern" get ippool pool-a -o json "${ds[@]}" 2>&1); rc=$?
if [ $rc -eq 0 ] && python3 -c 'import json,sys; d=json.loads(sys.argv[1]); assert d["kind"]=="IPPool" and d["spec"]["vxlanMode"]=="Always" and d["metadata"]["labels"]=={"tier":"gold"}' "$out" 2>/dev/null
then ok get-one-json; else bad get-one-json "exit $rc: $out"; fi
out=$("$tern" get bgppeers -o json "${ds[@]}" 2>&1); rc=$?
if [ $rc -eq 0 ] && python3 -c 'import json,sys; d=json.loads(sys.argv[1]); assert d["kind"]=="List" and [i["metadata"]["name"] for i in d["items"]]==["tor"]' "$out" 2>/dev/null
then ok get-list-json; else bad get-list-json "exit $rc: $out"; fi

# apply replaces the whole resource: a label left out is gone; uid and creation time stay.
uid=$("$tern" get ippool pool-a -o json "${ds[@]}" | python3 -c 'import json,sys; print(json.load(sys.stdin)["metadata"]["uid"])')
printf 'apiVersion: projectcalico.org/v3\nkind: IPPool\nmetadata: {name: pool-a}\nspec: {cidr: 10.244.0.0/16}\n' > "$tmp/replace.yaml"
"$tern" apply -f "$tmp/replace.yaml" "${ds[@]}" >/dev/null 2>&1
out=$("$tern" get ippool pool-a -o json "${ds[@]}" 2>&1)
if python3 -c 'import json,sys; d=json.loads(sys.argv[1]); assert "labels" not in d["metadata"] and d["metadata"]["uid"]==sys.argv[2] and "vxlanMode" not in d["spec"]' "$out" "$uid" 2>/dev/null
then ok apply-replaces-whole; else bad apply-replaces-whole "$out"; fi

out=$("$tern" label ippool pool-a tier=silver zone=z1 "${ds[@]}" 2>&1) && out2=$("$tern" label ippool pool-a zone- "${ds[@]}" 2>&1)
labels=$("$tern" get ippool pool-a -o json "${ds[@]}" | python3 -c 'import json,sys; print(json.load(sys.stdin)["metadata"].get("labels"))')
if [ "$labels" = "{'tier': 'silver'}" ]; then ok label-set-and-remove; else bad label-set-and-remove "$out $out2 -> $labels"; fi

out=$("$tern" get ippools "${ds[@]}" 2>&1)
if grep -Eq '^\| pool-a +\| 10\.244\.0\.0/16 +\| all\(\) +\|' <<<"$out"; then ok get-table; else bad get-table "$out"; fi

out=$("$tern" get networkpolcy "${ds[@]}" 2>&1); rc=$?
if [ $rc -eq 2 ] && grep -q "unknown resource kind" <<<"$out"; then ok unknown-kind-usage-exit-2; else bad unknown-kind-usage-exit-2 "exit $rc: $out"; fi
"$tern" delete ippool "${ds[@]}" >/dev/null 2>&1; rc=$?
if [ $rc -eq 2 ]; then ok delete-usage-exit-2; else bad delete-usage-exit-2 "exit $rc"; fi
out=$("$tern" delete ippool nosuch "${ds[@]}" 2>&1); rc=$?
if [ $rc -eq 1 ] && grep -q "not found" <<<"$out"; then ok delete-missing-exit-1; else bad delete-missing-exit-1 "exit $rc: $out"; fi
out=$("$tern" delete -f "$tmp/good.yaml" "${ds[@]}" 2>&1); rc=$?
left=$("$tern" get bgppeers "${ds[@]}" 2>&1)
if [ $rc -eq 0 ] && grep -q "Successfully deleted 2 resources" <<<"$out" && grep -q "No bgppeers found" <<<"$left"; then ok delete-file
else bad delete-file "exit $rc: $out / $left"; fi
# Calico's policies: the apiVersion picks the NetworkPolicy kind; each kind by its own words.
cat > "$tmp/policy.yaml" <<'YAML'
apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata: {name: allow-tcp-6379, namespace: production}
spec:
  selector: role == 'database'
  ingress: [{action: Allow, protocol: TCP, source: {selector: role == 'frontend'}, destination: {ports: [6379]}}]
---
apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata: {name: deny-egress}
spec: {order: 100, types: [Egress], egress: [{action: Deny, destination: {nets: [10.0.0.0/8]}}]}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: k8s-deny, namespace: production}
spec: {podSelector: {}}
YAML
out=$("$tern" apply -f "$tmp/policy.yaml" "${ds[@]}" 2>&1); rc=$?
if [ $rc -eq 0 ]; then ok apply-policies; else bad apply-policies "exit $rc: $out"; fi
out=$("$tern" get gnp "${ds[@]}" 2>&1)
if grep -Eq '^\| deny-egress +\| 100 +\| all\(\) +\|' <<<"$out"; then ok get-gnp; else bad get-gnp "$out"; fi
out=$("$tern" get networkpolicies.projectcalico.org -n production -o yaml "${ds[@]}" 2>&1)
if grep -q "kind: NetworkPolicy" <<<"$out" && grep -q "apiVersion: projectcalico.org/v3" <<<"$out" && grep -q "allow-tcp-6379" <<<"$out" &&
   ! grep -q k8s-deny <<<"$out"; then ok get-cnp-yaml; else bad get-cnp-yaml "$out"; fi
out=$("$tern" get netpol -n production "${ds[@]}" 2>&1)
if grep -q k8s-deny <<<"$out" && ! grep -q allow-tcp-6379 <<<"$out"; then ok get-k8s-netpol; else bad get-k8s-netpol "$out"; fi
"$tern" delete -f "$tmp/policy.yaml" "${ds[@]}" >/dev/null 2>&1
out=$("$tern" get ippools --config "$tmp/none.yaml" 2>&1); rc=$?
if [ $rc -eq 2 ] && grep -q "no datastore" <<<"$out"; then ok no-datastore-usage-exit-2; else bad no-datastore-usage-exit-2 "exit $rc: $out"; fi
exit $fail
