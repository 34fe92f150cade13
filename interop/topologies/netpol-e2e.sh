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
# its --help has --port; it writes the datastore Pod then); without it the script applies the
# same Pod (labels, containerPorts) itself.
SCRIPT_NAME=netpol-e2e
. "$(dirname "$0")/../lib/netns.sh"
. "$(dirname "$0")/../lib/datastore.sh"
. "$(dirname "$0")/../lib/netpol.sh"

T=$SCRIPT_NAME

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
  ingress-pod-and-namespace-expressions ingress-namespace-and-named-port ingress-sctp-only-isolates
  egress-ipblock-cidr-except ipblock-except-overlap-union egress-allow-all-union policy-updated-in-place
)
if [ -n "${CASES:-}" ]; then read -ra RUN_CASES <<<"$CASES"; else RUN_CASES=("${ALL_CASES[@]}"); fi

declare_tests "$T/servers-up" "$T/baseline-all-allowed"
for c in "${RUN_CASES[@]}"; do declare_tests "$T/$c"; done
declare_tests "$T/daemon-still-running"

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
  apply_yaml "$(netpol x pool-except "{podSelector: $(podsel a), policyTypes: [Ingress], ingress: [{from: [{ipBlock: {cidr: $NP_POOL, except: [${IP[y/b]}/32, ${IP[z/c]}/32]}}]}]}")"
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

c_ingress_pod_and_namespace_expressions() { # "should enforce policy based on Multiple PodSelectors and NamespaceSelectors"
  apply_yaml "$(netpol x multi-expr "{podSelector: $(podsel a), policyTypes: [Ingress], ingress: [{from: [{namespaceSelector: {matchExpressions: [{key: kubernetes.io/metadata.name, operator: NotIn, values: [x]}]}, podSelector: {matchExpressions: [{key: pod, operator: In, values: [b, c]}]}}]}]}")"
  expect <<'EOF'
deny-ingress x/a
allow y/b x/a
allow y/c x/a
allow z/b x/a
allow z/c x/a
EOF
  verify
}
c_ingress_namespace_and_named_port() { # "should allow ingress access from namespace on one named port"
  apply_yaml "$(netpol x y-named-81 "{podSelector: $(podsel a), policyTypes: [Ingress], ingress: [{from: [{namespaceSelector: $(nssel y)}], ports: [{port: serve-81-tcp, protocol: TCP}]}]}")"
  expect <<'EOF'
deny-ingress x/a
allow y/* x/a 81/TCP
EOF
  verify
}
c_ingress_sctp_only_isolates() { # "should properly isolate pods that are selected by a policy allowing SCTP, even if the plugin doesn't support SCTP"
  apply_yaml "$(netpol x sctp-only "{podSelector: $(podsel a), policyTypes: [Ingress], ingress: [{ports: [{port: 80, protocol: SCTP}, {port: serve-80-tcp, protocol: SCTP}]}]}")"
  expect <<<'deny-ingress x/a    # SCTP is not TCP: nothing we probe is allowed'
  verify
}
c_egress_ipblock_cidr_except() { # "should enforce except clause while egress access to server in CIDR block"
  apply_yaml "$(netpol x to-pool-except "{podSelector: $(podsel a), policyTypes: [Egress], egress: [{to: [{ipBlock: {cidr: $NP_POOL, except: [${IP[z/c]}/32]}}]}]}")"
  expect <<<'deny x/a z/c'
  verify
}
c_ipblock_except_overlap_union() { # "should ensure an IP overlapping both IPBlock.CIDR and IPBlock.Except is allowed"
  apply_yaml "$(netpol x pool-except-yb-zc "{podSelector: $(podsel a), policyTypes: [Ingress], ingress: [{from: [{ipBlock: {cidr: $NP_POOL, except: [${IP[y/b]}/32, ${IP[z/c]}/32]}}]}]}")" \
    "$(netpol x yb-only "{podSelector: $(podsel a), policyTypes: [Ingress], ingress: [{from: [{ipBlock: {cidr: ${IP[y/b]}/32}}]}]}")"
  expect <<<'deny z/c x/a      # y/b: excepted by one policy, allowed by the other'
  verify
}
c_egress_allow_all_union() { # "should enforce multiple egress policies with egress allow-all policy taking precedence"
  apply_yaml "$(netpol x egress-80 "{podSelector: $(podsel a), policyTypes: [Egress], egress: [{ports: [{port: 80, protocol: TCP}]}]}")"
  expect <<'EOF'
deny-egress x/a
allow x/a * 80/TCP
EOF
  verify one-port
  apply_yaml "$(netpol x egress-all "{podSelector: $(podsel a), policyTypes: [Egress], egress: [{}]}")"
  expect </dev/null
  verify plus-allow-all
}
c_policy_updated_in_place() { # "should enforce updated policy": the same policy re-applied with another peer
  apply_yaml "$(netpol x a-from "{podSelector: $(podsel a), policyTypes: [Ingress], ingress: [{from: [{podSelector: $(podsel b)}]}]}")"
  expect <<'EOF'
deny-ingress x/a
allow x/b x/a
EOF
  verify from-b
  apply_yaml "$(netpol x a-from "{podSelector: $(podsel a), policyTypes: [Ingress], ingress: [{from: [{podSelector: $(podsel c)}]}]}")"
  APPLIED=("${APPLIED[-1]}")   # one policy, deleted once
  expect <<'EOF'
deny-ingress x/a
allow x/c x/a
EOF
  verify from-c
}

# ---------------------------------------------------------------------------------------
# The harness (interop/lib/netpol.sh: the node, the pods, apply_yaml / expect / verify)
# ---------------------------------------------------------------------------------------
require_root
require_tools ip python3
[ -n "$STANDIN" ] && skip_all "NetworkPolicy checks need tern itself (no stand-in)"
require_tern

netpol_setup 192.168.98
check "$T/servers-up" "each pod's server answers its own name on $(wc -l <"$WORK/pods.txt") pods" 10 servers_local

TEARDOWN=()    # commands restoring what a case changed (run last first)
on_teardown() { TEARDOWN+=("$(printf '%q ' "$@")"); }
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
