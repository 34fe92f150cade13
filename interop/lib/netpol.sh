# shellcheck shell=bash
# shellcheck disable=SC2034 # a library: the variables it sets are read by the scripts that source it
# NetworkPolicy topologies (source after netns.sh and datastore.sh): one Tern node "a" on a
# file datastore with the upstream e2e model (docs: ../shared/reference/POLICY.md A2) —
# namespaces x, y, z, pods a, b, c in each (Pod resources with label pod=<name> and the named
# container ports serve-80-tcp, serve-81-tcp, serve-80-udp, serve-81-udp), every pod its own
# network namespace "<ns><pod>" behind a veth cali<NS><pod> (caliXa ... caliZc), a server
# (interop/lib/netpol_probe.py serve) on 80 and 81, TCP and UDP, plus a TCP echo on 8080.
#
#   netpol_setup SEG24            the node, the pool, the namespaces, the 9 pods; aborts on failure
#   apply_yaml DOC...             one file, tern apply -f (remembered in APPLIED for delete_applied)
#   expect <<EOF ... EOF          the expected truth table (netpol_probe.py's operations)
#   verify [STEP]                 probe CUR_PODS against it (retries inside); case_fail on mismatch
#   relabel KIND NAME NS LABEL    tern label KIND NAME LABEL [-n NS]
#   pod_create NS POD OFFSET / pod_remove NS POD
#
# WORKLOAD_PORTS=auto|yes|no: `--port NAME=PORT/PROTO` for `tern workload add` (auto: when its
# --help has --port; it then writes the datastore Pod with the labels and named ports, given
# the datastore options). Without --port the script applies the same Pod itself.

PROBE="$LIB_DIR/netpol_probe.py"
NP_POOL=10.252.0.0/16
SOCK="$WORK/a.sock"
declare -A IP          # ns/pod -> address
CASE="" CASE_OK=1 CASE_WHY="" CUR_PODS=$WORK/pods.txt
APPLIED=()             # policy files applied (deleted by delete_applied, last first)
NCASE=0

# netpol NS NAME SPEC : one networking.k8s.io/v1 NetworkPolicy document (SPEC: a YAML flow mapping)
netpol() { printf -- '---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: %s, namespace: %s}\nspec: %s\n' "$2" "$1" "$3"; }
podsel() { printf '{matchLabels: {pod: %s}}' "$1"; }
nssel() { printf '{matchLabels: {kubernetes.io/metadata.name: %s}}' "$1"; }

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

# pod_create NS POD OFFSET : the Pod resource, namespace "<ns><pod>", veth cali<NS><pod> (host
# end MAC ee:ee:ee:ee:ee:ee; pod side as the CNI plugin does: IP/32, 169.254.1.1 routes), its
# server (ready), `tern workload add`; appended to $WORK/pods10.txt ("ns/pod NETNS IP").
pod_create() {
  local ns=$1 pod=$2 ip hif pns
  ip=$(ds_block_host a "$3") || return 1
  hif="cali${ns^}${pod}"; pns="$ns$pod"
  # With --port, `tern workload add` writes the Pod (labels, named ports) itself; without it
  # the Pod is applied here, as the API server would hold it.
  if [ ${#PORT_FLAGS[@]} -eq 0 ]; then pod_yaml "$ns" "$pod" | tern_ds a apply -f - >&2 || return 1; fi
  ns_add "$pns" || return 1
  ip link add "$hif" netns "$(ns_name a)" type veth peer name eth0 netns "$(ns_name "$pns")" || return 1
  ip -n "$(ns_name a)" link set "$hif" address ee:ee:ee:ee:ee:ee
  ip -n "$(ns_name a)" link set "$hif" up || return 1
  pod_net_setup "$pns" "$ip" || return 1
  start_bg "srv-$pns" "$pns" python3 "$PROBE" serve "$ns/$pod"
  wait_for "server of $ns/$pod ready" 10 grep -q '^ready' "$WORK/srv-$pns.log" || return 1
  ns_exec a "$TERN" workload add --socket "$SOCK" --name "$pod" -n "$ns" --interface "$hif" --ip "$ip/32" \
    --label "pod=$pod" "${PORT_FLAGS[@]}" "${WL_DS_FLAGS[@]}" >&2 || return 1
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

# servers_local : each pod's server answers its own name inside the pod
servers_local() {
  local name nsn ip rc=0
  while read -r name nsn ip; do
    ip netns exec "$nsn" python3 -c 'import socket,sys
s=socket.create_connection((sys.argv[1],80),1); d=s.recv(64).decode(); print(d); sys.exit(d!=sys.argv[2])' "$ip" "$name" || rc=1
  done <"$WORK/pods.txt"
  return $rc
}

# netpol_setup SEG24 : segment, node a (file datastore, pool NP_POOL /26), namespaces x y z, 9 pods
netpol_setup() {
  exec 7>&2
  ds_use_file_store
  seg_create "$1" || abort "cannot create segment"
  ds_node_add a 1 || abort "cannot create node a"
  node_default_route a || abort "default route on a"
  tern_ds a apply -f - >&2 <<YAML || abort "tern apply of the pool and namespaces failed"
apiVersion: projectcalico.org/v3
kind: IPPool
metadata: {name: pool4}
spec: {cidr: $NP_POOL, blockSize: 26}
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
  PORT_FLAGS=(--port serve-80-tcp=80/TCP --port serve-81-tcp=81/TCP --port serve-80-udp=80/UDP --port serve-81-udp=81/UDP)
  case ${WORKLOAD_PORTS:-auto} in
    yes) ;;
    no) PORT_FLAGS=() ;;
    *) if ! "$TERN" workload add --help 2>&1 | grep -q -- '--port'; then
         log "tern workload add has no --port: named ports only from the datastore Pods' containerPorts"
         PORT_FLAGS=()
       fi ;;
  esac
  # `tern workload add` writes the datastore Pod when it has datastore options
  WL_DS_FLAGS=()
  if "$TERN" workload add --help 2>&1 | grep -q -- '--datastore-dir'; then WL_DS_FLAGS=("${DS_FLAGS[@]}"); fi
  log "tern workload add extra flags: ${PORT_FLAGS[*]} ${WL_DS_FLAGS[*]}"
  : >"$WORK/pods10.txt"
  local ns pod off=10
  for ns in x y z; do
    for pod in a b c; do
      pod_create "$ns" "$pod" "$off" || abort "cannot create pod $ns/$pod"
      off=$((off + 1))
    done
    off=$(((off / 10 + 1) * 10))
  done
  cp "$WORK/pods10.txt" "$WORK/pods.txt"
  log "pods: $(tr '\n' ';' <"$WORK/pods.txt")"
}

# --- cases ----------------------------------------------------------------------------------
case_fail() { CASE_OK=0; CASE_WHY+="${CASE_WHY:+; }$1"; log "$CASE: $1"; }
apply_yaml() { # apply_yaml DOC... : the documents into one file, tern apply -f; remembered for deletion
  local f; f="$WORK/case$NCASE-${#APPLIED[@]}.yaml"
  printf '%s\n' "$@" >"$f"
  if ! tern_ds a apply -f "$f" >&2; then case_fail "tern apply -f $(basename "$f") failed"; return 1; fi
  APPLIED+=("$f")
}
delete_applied() { # every file applied so far, deleted now (last first)
  local i rc=0
  for ((i = ${#APPLIED[@]} - 1; i >= 0; i--)); do
    tern_ds a delete -f "${APPLIED[$i]}" >&2 || { case_fail "tern delete -f ${APPLIED[$i]##*/} failed"; rc=1; }
  done
  APPLIED=()
  return $rc
}
expect() { cat >"$WORK/expect.txt"; }
# relabel KIND NAME NS LABEL : tern label KIND NAME LABEL [-n NS]
relabel() {
  if ! tern_ds a label "$1" "$2" "$4" ${3:+-n "$3"} >&2; then case_fail "tern label $1 $2 $4 failed"; return 1; fi
}
# verify [STEP] : probe the matrix of CUR_PODS against expect.txt (retries inside the prober)
verify() {
  local step=${1:-} out rc
  out=$(python3 "$PROBE" check --pods "$CUR_PODS" --expect "$WORK/expect.txt" --case "$CASE${step:+/$step}")
  rc=$?
  log "$out"
  [ "$rc" = 0 ] || case_fail "${step:+$step: }$out"
}
# verify_now FILE [CASE] [RETRIES] : probe pods.txt against FILE; the prober's line and exit status
# (the truth tables go to the script's stderr, fd 7, also inside check's captured output)
verify_now() { python3 "$PROBE" check --pods "$WORK/pods.txt" --expect "$1" --case "${2:-check}" --retries "${3:-3}" 2>&7; }
