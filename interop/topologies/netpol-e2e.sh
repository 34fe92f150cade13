#!/usr/bin/env bash
# netpol-e2e: Kubernetes NetworkPolicy enforcement on one Tern node, modelled on the upstream
# e2e suite (kubernetes/kubernetes test/e2e/network/netpol, docs: ../shared/reference/POLICY.md
# A2): namespaces x, y, z with pods a, b, c each (label pod=<name>, named ports
# serve-80-tcp, serve-81-tcp, serve-80-udp, serve-81-udp), a server on 80 and 81, TCP and
# UDP, in every pod. Per case: policies applied with `tern apply -f`, then every ordered pair
# of distinct pods probed on 80/TCP 81/TCP 80/UDP 81/UDP at once (1 s timeout;
# interop/lib/netpol_probe.py) and compared with a truth table written by hand in the case
# (never computed by Tern); mismatch -> up to 3 more rounds 1 s apart, then FAIL with the
# expected/observed tables on stderr. Policies deleted, labels restored, and the all-allowed
# baseline confirmed before the next case.
#
#   segment 192.168.98.0/24; tern a .1 (file datastore, pool 10.252.0.0/16, /26 blocks)
#   pods: netns xa xb xc ya yb yc za zb zc (+ xd in pod-created-after-policy), host ends
#   caliXa ... caliZc, addresses = a's block + 10..12 (x), 20..22 (y), 30..32 (z), xd +13
#
# CASES="name name" runs only those cases (the setup checks always run).
# WORKLOAD_PORTS=auto|yes|no: pass `--port NAME=PORT/PROTO` to `tern workload add` (auto: when
# its --help has --port). The datastore Pods declare the same containerPorts either way.
SCRIPT_NAME=netpol-e2e
. "$(dirname "$0")/../lib/netns.sh"
. "$(dirname "$0")/../lib/datastore.sh"

T=$SCRIPT_NAME
PROBE="$LIB_DIR/netpol_probe.py"
POOL=10.252.0.0/16

# ---------------------------------------------------------------------------------------
# The cases. Each is a function c_<name with _>: it applies policies (apply_yaml DOC...),
# writes the expected truth table (expect <<EOF ... EOF: netpol_probe.py's operations,
# starting from "everything allowed") and calls verify [STEP]; it may change labels
# (on_teardown restores them). run_case deletes what it applied and checks the baseline.
# ---------------------------------------------------------------------------------------
ALL_CASES=(
  deny-all-ingress-namespace allow-all-ingress deny-ingress-one-pod deny-all-both-directions
  ingress-podselector-matchlabels ingress-matchexpressions-in ingress-matchexpressions-notin
  ingress-matchexpressions-exists ingress-matchexpressions-doesnotexist
  ingress-namespaceselector-only ingress-namespaceselector-notin
  ingress-pod-and-namespace-one-peer ingress-pod-or-namespace-two-peers
  ingress-all-namespaces-empty-selector ingress-empty-podselector-own-namespace
  ingress-port-numeric ingress-multiple-ports ingress-named-port-tcp ingress-named-port-udp
  ingress-named-port-unresolved ingress-endport-range-tcp ingress-endport-range-udp
  ingress-udp-port ingress-protocol-defaults-tcp ingress-protocol-without-port
  egress-deny-all egress-to-one-namespace egress-named-port egress-named-port-udp
  egress-rules-without-policytypes egress-empty-without-policytypes policytypes-ingress-ignores-egress
  ingress-ipblock-pod-32 ingress-ipblock-cidr-except egress-ipblock-pod-32
  multiple-policies-union ingress-and-egress-both-must-allow ingress-and-egress-one-policy
  deny-all-plus-allow-all-union deny-then-allow-second-policy policy-deleted-all-allowed
  pod-relabelled-out-of-selection pod-relabelled-into-peer namespace-relabelled
  pod-created-after-policy policy-in-y-leaves-x
)
if [ -n "${CASES:-}" ]; then read -ra RUN_CASES <<<"$CASES"; else RUN_CASES=("${ALL_CASES[@]}"); fi

declare_tests "$T/servers-up" "$T/baseline-all-allowed"
for c in "${RUN_CASES[@]}"; do declare_tests "$T/$c"; done
declare_tests "$T/daemon-still-running"

# netpol NS NAME SPEC : one networking.k8s.io/v1 NetworkPolicy document (SPEC: a YAML flow mapping)
netpol() { printf -- '---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: %s, namespace: %s}\nspec: %s\n' "$2" "$1" "$3"; }
# shorthands for selectors used over and over
podsel() { printf '{matchLabels: {pod: %s}}' "$1"; }
nssel() { printf '{matchLabels: {kubernetes.io/metadata.name: %s}}' "$1"; }

c_deny_all_ingress_namespace() { # upstream "should support a 'default-deny-ingress' policy"
  apply_yaml "$(netpol x deny-all '{podSelector: {}, policyTypes: [Ingress]}')"
  expect <<<'deny-ingress x/*'
  verify
}
c_allow_all_ingress() { # "should support allow-all policy": ingress: [{}]
  apply_yaml "$(netpol x allow-all '{podSelector: {}, policyTypes: [Ingress], ingress: [{}]}')"
  expect </dev/null
  verify
}
c_deny_ingress_one_pod() {
  apply_yaml "$(netpol x deny-a "{podSelector: $(podsel a), policyTypes: [Ingress]}")"
  expect <<<'deny-ingress x/a'
  verify
}
c_deny_all_both_directions() { # "should support a 'default-deny-all' policy"
  apply_yaml "$(netpol x deny-all '{podSelector: {}, policyTypes: [Ingress, Egress]}')"
  expect <<'EOF'
deny-ingress x/*
deny-egress x/*
EOF
  verify
}
c_ingress_podselector_matchlabels() { # "...allow traffic from pods within server namespace based on PodSelector"
  apply_yaml "$(netpol x allow-b "{podSelector: $(podsel a), policyTypes: [Ingress], ingress: [{from: [{podSelector: $(podsel b)}]}]}")"
  expect <<'EOF'
deny-ingress x/a
allow x/b x/a      # only x's b: a podSelector alone means the policy's namespace
EOF
  verify
}
c_ingress_matchexpressions_in() { # "should enforce policy based on PodSelector with MatchExpressions"
  apply_yaml "$(netpol x in-bc "{podSelector: $(podsel a), policyTypes: [Ingress], ingress: [{from: [{podSelector: {matchExpressions: [{key: pod, operator: In, values: [b, c]}]}}]}]}")"
  expect <<'EOF'
deny-ingress x/a
allow x/b x/a
allow x/c x/a
EOF
  verify
}
c_ingress_matchexpressions_notin() {
  apply_yaml "$(netpol x notin-b "{podSelector: $(podsel a), policyTypes: [Ingress], ingress: [{from: [{podSelector: {matchExpressions: [{key: pod, operator: NotIn, values: [b]}]}}]}]}")"
  expect <<'EOF'
deny-ingress x/a
allow x/c x/a
EOF
  verify
}
c_ingress_matchexpressions_exists() { # Exists selects every pod of x, as target and as peer
  apply_yaml "$(netpol x exists '{podSelector: {matchExpressions: [{key: pod, operator: Exists}]}, policyTypes: [Ingress], ingress: [{from: [{podSelector: {matchExpressions: [{key: pod, operator: Exists}]}}]}]}')"
  expect <<'EOF'
deny-ingress x/*
allow x/* x/*
EOF
  verify
}
c_ingress_matchexpressions_doesnotexist() { # DoesNotExist matches a pod without the key
  apply_yaml "$(netpol x no-pod-label "{podSelector: $(podsel a), policyTypes: [Ingress], ingress: [{from: [{podSelector: {matchExpressions: [{key: pod, operator: DoesNotExist}]}}]}]}")"
  expect <<<'deny-ingress x/a'
  verify every-pod-labelled
  on_teardown relabel pod b x pod=b
  relabel pod b x pod- || return
  expect <<'EOF'
deny-ingress x/a
allow x/b x/a      # x/b lost its pod label
EOF
  verify x-b-label-removed
}
c_ingress_namespaceselector_only() { # "...allow traffic only from a different namespace, based on NamespaceSelector"
  apply_yaml "$(netpol x from-y "{podSelector: $(podsel a), policyTypes: [Ingress], ingress: [{from: [{namespaceSelector: $(nssel y)}]}]}")"
  expect <<'EOF'
deny-ingress x/a
allow y/* x/a
EOF
  verify
}
c_ingress_namespaceselector_notin() { # "...based on NamespaceSelector with MatchExpressions"
  apply_yaml "$(netpol x ns-notin-y "{podSelector: $(podsel a), policyTypes: [Ingress], ingress: [{from: [{namespaceSelector: {matchExpressions: [{key: kubernetes.io/metadata.name, operator: NotIn, values: [y]}]}}]}]}")"
  expect <<'EOF'
deny-ingress x/a
allow x/* x/a
allow z/* x/a
EOF
  verify
}
c_ingress_pod_and_namespace_one_peer() { # both selectors in ONE peer: AND
  apply_yaml "$(netpol x y-and-b "{podSelector: $(podsel a), policyTypes: [Ingress], ingress: [{from: [{namespaceSelector: $(nssel y), podSelector: $(podsel b)}]}]}")"
  expect <<'EOF'
deny-ingress x/a
allow y/b x/a
EOF
  verify
}
c_ingress_pod_or_namespace_two_peers() { # the same selectors as two peers: OR
  apply_yaml "$(netpol x y-or-b "{podSelector: $(podsel a), policyTypes: [Ingress], ingress: [{from: [{namespaceSelector: $(nssel y)}, {podSelector: $(podsel b)}]}]}")"
  expect <<'EOF'
deny-ingress x/a
allow y/* x/a
allow x/b x/a
EOF
  verify
}
c_ingress_all_namespaces_empty_selector() { # namespaceSelector: {} = every pod of the cluster
  apply_yaml "$(netpol x deny-all '{podSelector: {}, policyTypes: [Ingress]}')" \
    "$(netpol x a-from-all-ns "{podSelector: $(podsel a), policyTypes: [Ingress], ingress: [{from: [{namespaceSelector: {}}]}]}")"
  expect <<'EOF'
deny-ingress x/*
allow * x/a
EOF
  verify
}
c_ingress_empty_podselector_own_namespace() { # podSelector: {} as a peer = every pod of the policy's namespace
  apply_yaml "$(netpol x from-x "{podSelector: $(podsel a), policyTypes: [Ingress], ingress: [{from: [{podSelector: {}}]}]}")"
  expect <<'EOF'
deny-ingress x/a
allow x/* x/a
EOF
  verify
}
c_ingress_port_numeric() { # "should enforce policy based on Ports"
  apply_yaml "$(netpol x port-81 "{podSelector: $(podsel a), policyTypes: [Ingress], ingress: [{ports: [{port: 81, protocol: TCP}]}]}")"
  expect <<'EOF'
deny-ingress x/a
allow * x/a 81/TCP
EOF
  verify
}
c_ingress_multiple_ports() { # two ports of different protocols, from one namespace
  apply_yaml "$(netpol x z-two-ports "{podSelector: $(podsel a), policyTypes: [Ingress], ingress: [{from: [{namespaceSelector: $(nssel z)}], ports: [{port: 80, protocol: TCP}, {port: 81, protocol: UDP}]}]}")"
  expect <<'EOF'
deny-ingress x/a
allow z/* x/a 80/TCP,81/UDP
EOF
  verify
}
c_ingress_named_port_tcp() { # "should allow ingress access on one named port"
  apply_yaml "$(netpol x named-80 "{podSelector: $(podsel a), policyTypes: [Ingress], ingress: [{ports: [{port: serve-80-tcp}]}]}")"
  expect <<'EOF'
deny-ingress x/a
allow * x/a 80/TCP
EOF
  verify
}
c_ingress_named_port_udp() { # a named UDP port (upstream's UDP cases use named ports of serve-<port>-udp)
  apply_yaml "$(netpol x named-81-udp "{podSelector: $(podsel a), policyTypes: [Ingress], ingress: [{ports: [{port: serve-81-udp, protocol: UDP}]}]}")"
  expect <<'EOF'
deny-ingress x/a
allow * x/a 81/UDP
EOF
  verify
}
c_ingress_named_port_unresolved() { # a name no container declares, and a name with the wrong protocol, match nothing
  apply_yaml "$(netpol x named-none "{podSelector: $(podsel a), policyTypes: [Ingress], ingress: [{ports: [{port: serve-82-tcp}, {port: serve-80-tcp, protocol: UDP}]}]}")"
  expect <<<'deny-ingress x/a'
  verify
}
c_ingress_endport_range_tcp() { # endPort (GA 1.25): inclusive range 80..81
  apply_yaml "$(netpol x range-tcp "{podSelector: $(podsel a), policyTypes: [Ingress], ingress: [{ports: [{protocol: TCP, port: 80, endPort: 81}]}]}")"
  expect <<'EOF'
deny-ingress x/a
allow * x/a TCP
EOF
  verify
}
c_ingress_endport_range_udp() {
  apply_yaml "$(netpol x range-udp "{podSelector: $(podsel a), policyTypes: [Ingress], ingress: [{ports: [{protocol: UDP, port: 81, endPort: 2000}]}]}")"
  expect <<'EOF'
deny-ingress x/a
allow * x/a 81/UDP
EOF
  verify
}
c_ingress_udp_port() { # upstream's UDP cases ([LinuxOnly])
  apply_yaml "$(netpol x udp-80 "{podSelector: $(podsel a), policyTypes: [Ingress], ingress: [{ports: [{protocol: UDP, port: 80}]}]}")"
  expect <<'EOF'
deny-ingress x/a
allow * x/a 80/UDP
EOF
  verify
}
c_ingress_protocol_defaults_tcp() { # protocol absent = TCP: 80/UDP stays denied
  apply_yaml "$(netpol x port-80 "{podSelector: $(podsel a), policyTypes: [Ingress], ingress: [{ports: [{port: 80}]}]}")"
  expect <<'EOF'
deny-ingress x/a
allow * x/a 80/TCP
EOF
  verify
}
c_ingress_protocol_without_port() { # port absent = every port of that protocol
  apply_yaml "$(netpol x all-udp "{podSelector: $(podsel a), policyTypes: [Ingress], ingress: [{ports: [{protocol: UDP}]}]}")"
  expect <<'EOF'
deny-ingress x/a
allow * x/a UDP
EOF
  verify
}
c_egress_deny_all() { # "should support a 'default-deny-egress' policy"
  apply_yaml "$(netpol x deny-egress '{podSelector: {}, policyTypes: [Egress]}')"
  expect <<<'deny-egress x/*'
  verify
}
c_egress_to_one_namespace() { # "should enforce egress policy allowing traffic to a server in a different namespace"
  apply_yaml "$(netpol x to-y "{podSelector: $(podsel a), policyTypes: [Egress], egress: [{to: [{namespaceSelector: $(nssel y)}]}]}")"
  expect <<'EOF'
deny-egress x/a
allow x/a y/*
EOF
  verify
}
c_egress_named_port() { # "should allow egress access on one named port": resolved on each destination pod
  apply_yaml "$(netpol x to-named-80 "{podSelector: $(podsel a), policyTypes: [Egress], egress: [{ports: [{port: serve-80-tcp}]}]}")"
  expect <<'EOF'
deny-egress x/a
allow x/a * 80/TCP
EOF
  verify
}
c_egress_named_port_udp() {
  apply_yaml "$(netpol x to-named-81-udp "{podSelector: $(podsel a), policyTypes: [Egress], egress: [{to: [{namespaceSelector: $(nssel z)}], ports: [{port: serve-81-udp, protocol: UDP}]}]}")"
  expect <<'EOF'
deny-egress x/a
allow x/a z/* 81/UDP
EOF
  verify
}
c_egress_rules_without_policytypes() { # policyTypes absent + egress rules = [Ingress, Egress]: ingress isolated too
  apply_yaml "$(netpol x egress-only-rules "{podSelector: $(podsel a), egress: [{to: [{namespaceSelector: $(nssel y)}]}]}")"
  expect <<'EOF'
deny-ingress x/a
deny-egress x/a
allow x/a y/*
EOF
  verify
}
c_egress_empty_without_policytypes() { # egress: [] without policyTypes = [Ingress] only
  apply_yaml "$(netpol x egress-empty "{podSelector: $(podsel a), egress: []}")"
  expect <<<'deny-ingress x/a'
  verify
}
c_policytypes_ingress_ignores_egress() { # explicit policyTypes: rules of an unlisted direction ignored
  apply_yaml "$(netpol x ingress-listed "{podSelector: $(podsel a), policyTypes: [Ingress], ingress: [{from: [{podSelector: $(podsel b)}]}], egress: [{to: [{podSelector: $(podsel c)}]}]}")"
  expect <<'EOF'
deny-ingress x/a
allow x/b x/a
EOF
  verify
}
c_ingress_ipblock_pod_32() { # ipBlock must match pod IPs (upstream uses pod IPs)
  apply_yaml "$(netpol x from-yb-ip "{podSelector: $(podsel a), policyTypes: [Ingress], ingress: [{from: [{ipBlock: {cidr: ${IP[y/b]}/32}}]}]}")"
  expect <<'EOF'
deny-ingress x/a
allow y/b x/a
EOF
  verify
}
c_ingress_ipblock_cidr_except() { # "...based on Ingress Policy with 'except' clause"
  apply_yaml "$(netpol x pool-except "{podSelector: $(podsel a), policyTypes: [Ingress], ingress: [{from: [{ipBlock: {cidr: $POOL, except: [${IP[y/b]}/32, ${IP[z/c]}/32]}}]}]}")"
  expect <<'EOF'
deny y/b x/a
deny z/c x/a
EOF
  verify
}
c_egress_ipblock_pod_32() { # "...egress policy allowing traffic to a server ... based on ipBlock"
  apply_yaml "$(netpol x to-zc-ip "{podSelector: $(podsel a), policyTypes: [Egress], egress: [{to: [{ipBlock: {cidr: ${IP[z/c]}/32}}]}]}")"
  expect <<'EOF'
deny-egress x/a
allow x/a z/c
EOF
  verify
}
c_multiple_policies_union() { # "should enforce multiple, stacked policies with overlapping podSelectors"
  apply_yaml "$(netpol x allow-xb "{podSelector: $(podsel a), policyTypes: [Ingress], ingress: [{from: [{podSelector: $(podsel b)}]}]}")" \
    "$(netpol x allow-yc "{podSelector: $(podsel a), policyTypes: [Ingress], ingress: [{from: [{namespaceSelector: $(nssel y), podSelector: $(podsel c)}]}]}")"
  expect <<'EOF'
deny-ingress x/a
allow x/b x/a
allow y/c x/a
EOF
  verify
}
c_ingress_and_egress_both_must_allow() { # "should support denying of egress traffic on the client side (even if the server explicitly allows this traffic)" and the converse
  apply_yaml "$(netpol x a-to-y "{podSelector: $(podsel a), policyTypes: [Egress], egress: [{to: [{namespaceSelector: $(nssel y)}]}]}")" \
    "$(netpol y b-from-xc "{podSelector: $(podsel b), policyTypes: [Ingress], ingress: [{from: [{namespaceSelector: $(nssel x), podSelector: $(podsel c)}]}]}")"
  expect <<'EOF'
deny-egress x/a
allow x/a y/*
deny-ingress y/b
allow x/c y/b      # x/a -> y/b: its egress allows, y/b's ingress does not
EOF
  verify egress-allows-ingress-denies
  apply_yaml "$(netpol y b-from-xa "{podSelector: $(podsel b), policyTypes: [Ingress], ingress: [{from: [{namespaceSelector: $(nssel x), podSelector: $(podsel a)}]}]}")"
  expect <<'EOF'
deny-egress x/a
allow x/a y/*
deny-ingress y/b
allow x/c y/b
allow x/a y/b      # now both ends allow
EOF
  verify both-allow
}
c_ingress_and_egress_one_policy() { # "should work with Ingress, Egress specified together"
  apply_yaml "$(netpol x both "{podSelector: $(podsel a), policyTypes: [Ingress, Egress], ingress: [{from: [{podSelector: $(podsel b)}]}], egress: [{to: [{podSelector: $(podsel c)}]}]}")"
  expect <<'EOF'
deny-ingress x/a
deny-egress x/a
allow x/b x/a
allow x/a x/c
EOF
  verify
}
c_deny_all_plus_allow_all_union() { # a deny-all and an allow-all selecting the same pod: the union allows
  apply_yaml "$(netpol x deny-all '{podSelector: {}, policyTypes: [Ingress]}')" \
    "$(netpol x allow-all-a "{podSelector: $(podsel a), policyTypes: [Ingress], ingress: [{}]}")"
  expect <<'EOF'
deny-ingress x/*
allow * x/a
EOF
  verify
}
c_deny_then_allow_second_policy() { # "should enforce updated policy": a second policy opens what the first closed
  apply_yaml "$(netpol x deny-a "{podSelector: $(podsel a), policyTypes: [Ingress]}")"
  expect <<<'deny-ingress x/a'
  verify denied
  apply_yaml "$(netpol x allow-a-from-y "{podSelector: $(podsel a), policyTypes: [Ingress], ingress: [{from: [{namespaceSelector: $(nssel y)}]}]}")"
  expect <<'EOF'
deny-ingress x/a
allow y/* x/a
EOF
  verify second-policy-allows
}
c_policy_deleted_all_allowed() { # "should stop enforcing policies after they are deleted"
  apply_yaml "$(netpol x deny-all '{podSelector: {}, policyTypes: [Ingress, Egress]}')"
  expect <<'EOF'
deny-ingress x/*
deny-egress x/*
EOF
  verify enforced
  delete_applied || return
  expect </dev/null
  verify deleted
}
c_pod_relabelled_out_of_selection() { # "should deny ingress access to updated pod" (and back)
  apply_yaml "$(netpol x a-from-b "{podSelector: $(podsel a), policyTypes: [Ingress], ingress: [{from: [{podSelector: $(podsel b)}]}]}")"
  expect <<'EOF'
deny-ingress x/a
allow x/b x/a
EOF
  verify selected
  on_teardown relabel pod a x pod=a
  relabel pod a x pod=new || return
  expect </dev/null
  verify relabelled-pod-new
  relabel pod a x pod=a || return
  expect <<'EOF'
deny-ingress x/a
allow x/b x/a
EOF
  verify relabelled-back
}
c_pod_relabelled_into_peer() { # "should allow ingress access from updated pod"
  apply_yaml "$(netpol x a-from-b "{podSelector: $(podsel a), policyTypes: [Ingress], ingress: [{from: [{podSelector: $(podsel b)}]}]}")"
  expect <<'EOF'
deny-ingress x/a
allow x/b x/a
EOF
  verify before
  on_teardown relabel pod c x pod=c
  relabel pod c x pod=b || return
  expect <<'EOF'
deny-ingress x/a
allow x/b x/a
allow x/c x/a      # x/c now carries pod=b
EOF
  verify x-c-is-pod-b
  relabel pod c x pod=c || return
  expect <<'EOF'
deny-ingress x/a
allow x/b x/a
EOF
  verify x-c-back
}
c_namespace_relabelled() { # "should allow ingress access from updated namespace" (and back)
  apply_yaml "$(netpol x from-ns-y2 "{podSelector: $(podsel a), policyTypes: [Ingress], ingress: [{from: [{namespaceSelector: {matchLabels: {ns: y2}}}]}]}")"
  expect <<<'deny-ingress x/a'
  verify no-namespace-matches
  on_teardown relabel namespace y "" ns-
  relabel namespace y "" ns=y2 || return
  expect <<'EOF'
deny-ingress x/a
allow y/* x/a
EOF
  verify y-labelled-ns-y2
  relabel namespace y "" ns- || return
  expect <<<'deny-ingress x/a'
  verify label-removed
}
c_pod_created_after_policy() { # docs "Pod lifecycle": a new selected pod is isolated
  apply_yaml "$(netpol x deny-all '{podSelector: {}, policyTypes: [Ingress]}')"
  expect <<<'deny-ingress x/*'
  verify before-x-d
  on_teardown pod_remove x d
  pod_create x d 13 || { case_fail "cannot create pod x/d"; return; }
  CUR_PODS=$WORK/pods10.txt
  verify x-d-isolated   # the same expectation, now with x/d in it
}
c_policy_in_y_leaves_x() { # a policy selects pods of its own namespace only
  apply_yaml "$(netpol y deny-a "{podSelector: $(podsel a), policyTypes: [Ingress]}")"
  expect <<<'deny-ingress y/a'
  verify
}

# ---------------------------------------------------------------------------------------
# The harness
# ---------------------------------------------------------------------------------------
require_root
require_tools ip python3
[ -n "$STANDIN" ] && skip_all "NetworkPolicy checks need tern itself (no stand-in)"
require_tern

ds_use_file_store
seg_create 192.168.98 || abort "cannot create segment"
ds_node_add a 1 || abort "cannot create node a"
node_default_route a || abort "default route on a"
tern_ds a apply -f - >&2 <<YAML || abort "tern apply of the pool and namespaces failed"
apiVersion: projectcalico.org/v3
kind: IPPool
metadata: {name: pool4}
spec: {cidr: $POOL, blockSize: 26}
---
apiVersion: v1
kind: Namespace
metadata: {name: x}
---
apiVersion: v1
kind: Namespace
metadata: {name: y}
---
apiVersion: v1
kind: Namespace
metadata: {name: z}
YAML
ds_node_start a || abort "tern a did not start"
wait_for "a holds a block" 20 ds_blocks a || abort "no block for a"
SOCK="$WORK/a.sock"

PORT_FLAGS=(--port serve-80-tcp=80/TCP --port serve-81-tcp=81/TCP --port serve-80-udp=80/UDP --port serve-81-udp=81/UDP)
case ${WORKLOAD_PORTS:-auto} in
  yes) ;;
  no) PORT_FLAGS=() ;;
  *) if ! "$TERN" workload add --help 2>&1 | grep -q -- '--port'; then
       log "tern workload add has no --port: named ports only from the datastore Pods' containerPorts"
       PORT_FLAGS=()
     fi ;;
esac

declare -A IP
# pod_yaml NS POD : the datastore Pod (label pod=POD; the four named container ports)
pod_yaml() {
  cat <<YAML
apiVersion: v1
kind: Pod
metadata: {name: $2, namespace: $1, labels: {pod: $2}}
spec:
  containers:
  - {name: cont-80-tcp, ports: [{name: serve-80-tcp, containerPort: 80, protocol: TCP}]}
  - {name: cont-81-tcp, ports: [{name: serve-81-tcp, containerPort: 81, protocol: TCP}]}
  - {name: cont-80-udp, ports: [{name: serve-80-udp, containerPort: 80, protocol: UDP}]}
  - {name: cont-81-udp, ports: [{name: serve-81-udp, containerPort: 81, protocol: UDP}]}
YAML
}
# pod_create NS POD OFFSET : Pod resource, namespace NS POD (netns "<ns><pod>"), veth cali<NS><pod>
# (host end MAC ee:ee:ee:ee:ee:ee, pod side as the CNI plugin does), its server (ready),
# `tern workload add`; the pod is appended to $WORK/pods10.txt (and pods.txt while setting up).
pod_create() {
  local ns=$1 pod=$2 ip hif pns
  ip=$(ds_block_host a "$3") || return 1
  hif="cali${ns^}${pod}"; pns="$ns$pod"
  pod_yaml "$ns" "$pod" | tern_ds a apply -f - >&2 || return 1
  ns_add "$pns" || return 1
  ip link add "$hif" netns "$(ns_name a)" type veth peer name eth0 netns "$(ns_name "$pns")" || return 1
  ip -n "$(ns_name a)" link set "$hif" address ee:ee:ee:ee:ee:ee
  ip -n "$(ns_name a)" link set "$hif" up || return 1
  pod_net_setup "$pns" "$ip" || return 1
  start_bg "srv-$pns" "$pns" python3 "$PROBE" serve "$ns/$pod"
  wait_for "server of $ns/$pod ready" 10 grep -q '^ready' "$WORK/srv-$pns.log" || return 1
  ns_exec a "$TERN" workload add --socket "$SOCK" --name "$pod" -n "$ns" --interface "$hif" --ip "$ip/32" \
    --label "pod=$pod" "${PORT_FLAGS[@]}" >&2 || return 1
  IP[$ns/$pod]=$ip
  echo "$ns/$pod $(ns_name "$pns") $ip" >>"$WORK/pods10.txt"
}
# pod_remove NS POD : the reverse (workload, server, namespace, Pod resource)
pod_remove() {
  local pns=$1$2
  ns_exec a "$TERN" workload del --socket "$SOCK" --name "$2" -n "$1" >&2
  stop_bg "srv-$pns"
  ip netns del "$(ns_name "$pns")" 2>/dev/null
  tern_ds a delete pod "$2" -n "$1" >&2
  grep -v "^$1/$2 " "$WORK/pods10.txt" >"$WORK/pods10.tmp"; mv "$WORK/pods10.tmp" "$WORK/pods10.txt"
}

: >"$WORK/pods10.txt"
off=10
for ns in x y z; do
  for pod in a b c; do
    pod_create "$ns" "$pod" $((off)) || abort "cannot create pod $ns/$pod"
    off=$((off + 1))
  done
  off=$(( (off / 10 + 1) * 10 ))
done
cp "$WORK/pods10.txt" "$WORK/pods.txt"
log "pods: $(tr '\n' ';' <"$WORK/pods.txt")"

# The servers answer locally (inside each pod) before anything crosses the node.
servers_local() {
  local line name nsn ip rc=0
  while read -r name nsn ip; do
    ip netns exec "$nsn" python3 -c 'import socket,sys
s=socket.create_connection((sys.argv[1],80),1); d=s.recv(64).decode(); print(d); sys.exit(d!=sys.argv[2])' "$ip" "$name" || rc=1
  done <"$WORK/pods.txt"
  return $rc
}
check "$T/servers-up" "each pod's server answers its own name on $(wc -l <"$WORK/pods.txt") pods" 10 servers_local

# --- case machinery ---
CASE="" CASE_OK=1 CASE_WHY="" CUR_PODS=$WORK/pods.txt
APPLIED=()     # policy files applied by the case (deleted at teardown, last first)
TEARDOWN=()    # commands restoring what the case changed (run last first)
NCASE=0
apply_yaml() { # apply_yaml DOC... : the documents into one file, tern apply -f; remembered for deletion
  local f; f="$WORK/case$NCASE-${#APPLIED[@]}.yaml"
  printf '%s\n' "$@" >"$f"
  if ! tern_ds a apply -f "$f" >&2; then case_fail "tern apply -f $(basename "$f") failed"; return 1; fi
  APPLIED+=("$f")
}
delete_applied() { # every file applied so far in this case, deleted now
  local i rc=0
  for ((i = ${#APPLIED[@]} - 1; i >= 0; i--)); do
    tern_ds a delete -f "${APPLIED[$i]}" >&2 || { case_fail "tern delete -f ${APPLIED[$i]##*/} failed"; rc=1; }
  done
  APPLIED=()
  return $rc
}
expect() { cat >"$WORK/expect.txt"; }
on_teardown() { TEARDOWN+=("$(printf '%q ' "$@")"); }
case_fail() { CASE_OK=0; CASE_WHY+="${CASE_WHY:+; }$1"; log "$CASE: $1"; }
# relabel KIND NAME NS LABEL : tern label KIND NAME LABEL [-n NS]
relabel() {
  local kind=$1 name=$2 ns=$3 lab=$4
  if ! tern_ds a label "$kind" "$name" "$lab" ${ns:+-n "$ns"} >&2; then case_fail "tern label $kind $name $lab failed"; return 1; fi
}
# verify [STEP] : probe the matrix of CUR_PODS against expect.txt (retries inside the prober)
verify() {
  local step=${1:-} out
  out=$(python3 "$PROBE" check --pods "$CUR_PODS" --expect "$WORK/expect.txt" --case "$CASE${step:+/$step}")
  local rc=$?
  log "$out"
  [ "$rc" = 0 ] || case_fail "${step:+$step: }$out"
}
run_case() { # run_case NAME
  local name=$1 fn="c_${1//-/_}" i t0 base
  CASE=$name CASE_OK=1 CASE_WHY="" CUR_PODS=$WORK/pods.txt APPLIED=() TEARDOWN=()
  NCASE=$((NCASE + 1))
  t0=$(now_ms)
  log "--- case $name"
  if declare -F "$fn" >/dev/null; then "$fn"; else case_fail "no function $fn"; fi
  # teardown: policies, then labels/pods, then the baseline
  delete_applied
  for ((i = ${#TEARDOWN[@]} - 1; i >= 0; i--)); do eval "${TEARDOWN[$i]}" >&2 || case_fail "teardown failed: ${TEARDOWN[$i]}"; done
  CUR_PODS=$WORK/pods.txt
  : >"$WORK/expect.txt"
  base=$(python3 "$PROBE" check --pods "$CUR_PODS" --expect "$WORK/expect.txt" --case "$name/baseline-after") ||
    case_fail "not all allowed again after the case: $base"
  log "$name: $base"
  log "case $name: $(($(now_ms) - t0))ms"
  if [ "$CASE_OK" = 1 ]; then result PASS "$T/$name"; else result FAIL "$T/$name" "$CASE_WHY"; fi
}

: >"$WORK/expect.txt"
baseline() { python3 "$PROBE" check --pods "$WORK/pods.txt" --expect "$WORK/expect.txt" --case baseline --retries 0; }
check "$T/baseline-all-allowed" "no policy: all 72 pairs x 4 ports allowed" 20 baseline

T0=$SECONDS
for c in "${RUN_CASES[@]}"; do run_case "$c"; done
log "${#RUN_CASES[@]} cases in $((SECONDS - T0)) s"

check "$T/daemon-still-running" "tern a still running and answering" 5 \
  sh -c "kill -0 ${PID_OF[a]} && '$TERN' status --socket '$SOCK' >/dev/null"
