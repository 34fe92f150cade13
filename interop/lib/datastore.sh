# shellcheck shell=bash
# shellcheck disable=SC2034 # a library
# Helpers for datastore topologies (source after netns.sh): Tern nodes whose configs name
# only the datastore (plus their control socket and fast timers), the resource CLI, etcd.
#
#   DS_YAML='{type: file, path: /tmp/x}'   the datastore mapping every node gets
#   DS_FLAGS=(--datastore-dir /tmp/x)        how the CLI reaches it
#   ds_node_add NAME HOSTNUM                  a namespace on the segment
#   ds_node_start NAME                        write its config and start tern run

declare -a DS_FLAGS=()
declare -a ETCD_CURL_FLAGS=()
DS_NODES=()

ds_node_add() { node_ns_add "$1" "$2" || return 1; N_KIND[$1]=tern; N_ADDR[$1]="$SEG_NET.$2"; DS_NODES+=("$1"); }

# ds_use_file_store : the run's datastore is a directory under $WORK (DS_DIR, DS_YAML for
# ds_cfg, DS_FLAGS for the resource CLI).
ds_use_file_store() {
  DS_DIR="$WORK/datastore"
  DS_YAML="{type: file, path: $DS_DIR}"
  DS_FLAGS=(--datastore-dir "$DS_DIR")
}

# ds_cfg NAME FILE : nodeName, socket, timers and the datastore; nothing else.
ds_cfg() {
  {
    echo "nodeName: $1"
    echo "controlSocket: $WORK/$1.sock"
    echo "holdTime: ${HOLD:-9}"
    echo "connectRetryTime: 1"
    echo "datastore: $DS_YAML"
    echo "logLevel: debug"
    [ -n "${N_EXTRA[$1]:-}" ] && printf '%s\n' "${N_EXTRA[$1]}"
  } >"$2"
}

ds_node_start() {
  ds_cfg "$1" "$WORK/$1.yaml"
  start_bg "$1" "$1" "$TERN" run --config "$WORK/$1.yaml" --log-format text
  wait_for "$1: tern control socket answers" 20 tern_status_json "$1" "$WORK/$1.sock"
}

# tern_ds NS CMD... : the resource CLI in namespace NS against the datastore.
tern_ds() { local ns=$1; shift; ns_exec "$ns" "$TERN" "$@" "${DS_FLAGS[@]}"; }

ds_status() { tern_status_json "$1" "$WORK/$1.sock"; }
ds_blocks() { ds_status "$1" | python3 "$QUERY" datastore-field blocks; }
ds_state_is() { ds_status "$1" | python3 "$QUERY" datastore-field state "$2"; }
ds_established() { ds_status "$1" | python3 "$QUERY" established-count "$2"; }
ds_peer_since() { ds_status "$1" | python3 "$QUERY" peer-field "$2" since; }

# The first address of NAME's first block, plus OFFSET (pods' addresses).
ds_block_host() {
  local b; b=$(ds_blocks "$1" | awk '{print $1}')
  python3 -c "import ipaddress,sys; n=ipaddress.ip_network(sys.argv[1]); print(n.network_address + int(sys.argv[2]))" "$b" "$2"
}

# ds_pod NODE POD : a pod on NODE with an address of NODE's block, registered with
# `tern workload add` (the veth made here, as the CNI plugin will).
ds_pod() {
  local node=$1 pod=$2 ip
  ip=$(ds_block_host "$node" "${3:-5}") || return 1
  POD_CFG=0 pod_add "$node" "$pod" "$ip" || return 1
  ns_exec "$node" "$TERN" workload add --socket "$WORK/$node.sock" --name "$pod" --interface "${POD_IF[$pod]}" --ip "$ip/32" >&2
}

# All DS_NODES see N-1 Established peers (a full mesh), or MIN when given.
ds_full_mesh() {
  local n rc=0 want=${1:-$((${#DS_NODES[@]} - 1))}
  for n in "${DS_NODES[@]}"; do ds_established "$n" "$want" || rc=1; done
  return $rc
}

# Blocks of DS_NODES: one each, all different.
ds_blocks_disjoint() {
  local n all=() b
  for n in "${DS_NODES[@]}"; do
    b=$(ds_blocks "$n"); echo "$n: $b"
    [ -n "$b" ] || return 1
    all+=("$b")
  done
  [ "$(printf '%s\n' "${all[@]}" | sort -u | wc -l)" = "${#all[@]}" ]
}

# --- etcd ---------------------------------------------------------------------
# etcd_start NAME NS IP CLUSTER [EXTRA...] : an etcd member in namespace NS on IP
# (client :2379, peer :2380), data in $WORK/NAME.etcd; CLUSTER is --initial-cluster
# ("" for a single member). Restarting with the same NAME keeps its data.
etcd_start() {
  local name=$1 ns=$2 ip=$3 cluster=$4; shift 4
  [ -n "$cluster" ] || cluster="$name=http://$ip:2380"
  local scheme=${ETCD_SCHEME:-http}
  start_bg "$name" "$ns" etcd --name "$name" --data-dir "$WORK/$name.etcd" \
    --listen-client-urls "$scheme://$ip:2379" --advertise-client-urls "$scheme://$ip:2379" \
    --listen-peer-urls "http://$ip:2380" --initial-advertise-peer-urls "http://$ip:2380" \
    --initial-cluster "$cluster" --initial-cluster-state new "$@"
}
# etcd_healthy NS IP : /health says true (ETCD_CURL_FLAGS: an array of curl's TLS flags).
etcd_healthy() { ns_exec "$1" curl -sf "${ETCD_CURL_FLAGS[@]}" "${ETCD_SCHEME:-http}://$2:2379/health" | grep -q '"health":"true"'; }
