# shellcheck shell=bash
# shellcheck disable=SC2034 # a library: the variables it sets are read by the scripts that source it
# Helpers for Tern's network-namespace interop tests. Source this file:
#
#   . "$(dirname "$0")/../lib/netns.sh"
#   declare_tests "mesh-bird/sessions" "mesh-bird/routes"
#   require_root; require_tools bird birdc; require_tern
#   seg_create 192.168.77 ; node_add a 1 ...
#
# Output contract (read by the suite driver): one line per test on stdout,
# exactly "PASS name", "FAIL name: reason" or "SKIP name: reason". Diagnostics
# go to stderr. A script exits 1 when any FAIL was printed, else 0.
#
# Rules followed (docs: /work/shared/TESTING.md): per-run unique names ($$ plus a
# random suffix), a trap that kills what we started by pid and deletes our
# namespaces, only addresses inside our own namespaces, polling with deadlines.
#
# TERN_STANDIN=bird runs BIRD in place of every Tern node (same addresses,
# blocks and peers). It exists only to validate the harness and the BIRD/GoBGP/
# ExaBGP halves without a Tern binary; its result lines are marked "(stand-in)".

LIB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
QUERY="$LIB_DIR/query.py"
RAWPEER="$LIB_DIR/rawpeer.py"
REPO_ROOT=$(git -C "$LIB_DIR" rev-parse --show-toplevel 2>/dev/null || (cd "$LIB_DIR/../.." && pwd))
TERN=${TERN:-$REPO_ROOT/.build/debug/tern}
STANDIN=${TERN_STANDIN:-}

RUN_ID="$$$(printf '%04x' $((RANDOM % 65536)))"   # unique per run
NS_PREFIX="tn${RUN_ID}"                           # namespace names: tn<run>-<name>
WORK=$(mktemp -d "/tmp/tern-interop-${RUN_ID}.XXXX")
PIDS=()          # every background process we started
NSS=()           # every namespace we created
declare -A PID_OF  # NAME -> pid (start_bg)
declare -A LOG_OF  # NAME -> log file

# --- results ----------------------------------------------------------------
TESTS=()
declare -A T_DONE
FAILS=0
ABORT_REASON=""
declare_tests() { TESTS+=("$@"); }

# result PASS|FAIL|SKIP NAME [REASON]
result() {
  local st=$1 name=$2 reason=${3:-}
  [ -n "${T_DONE[$name]:-}" ] && return 0
  T_DONE[$name]=$st
  local mark=""
  [ -n "$STANDIN" ] && mark=" (stand-in: $STANDIN in place of tern)"
  case $st in
    PASS) echo "PASS $name$mark" ;;
    FAIL) FAILS=$((FAILS + 1)); echo "FAIL $name: ${reason:-failed}$mark" ;;
    SKIP) echo "SKIP $name: ${reason:-skipped}" ;;
    *) echo "result: bad status $st" >&2; return 2 ;;
  esac
}

# skip_all REASON: every declared test not reported yet is skipped; exit 0.
skip_all() {
  local t
  for t in "${TESTS[@]}"; do result SKIP "$t" "$1"; done
  exit 0
}

# abort REASON: the topology could not be built / a prerequisite step failed;
# every test not reported yet fails with the reason.
abort() {
  ABORT_REASON=$1
  log "ABORT: $1"
  exit 1
}

log() { printf '[%s %s] %s\n' "${SCRIPT_NAME:-interop}" "$(date +%T)" "$*" >&2; }

# --- prerequisites ----------------------------------------------------------
require_root() { [ "$(id -u)" = 0 ] || skip_all "needs root (network namespaces)"; }
require_tools() {
  local t
  for t in "$@"; do command -v "$t" >/dev/null 2>&1 || skip_all "$t not installed"; done
}
require_tern() {
  if [ -n "$STANDIN" ]; then
    [ "$STANDIN" = bird ] || skip_all "unknown TERN_STANDIN=$STANDIN (only 'bird')"
    log "STAND-IN MODE: BIRD runs in place of every Tern node (harness validation only)"
    return 0
  fi
  if [ ! -x "$TERN" ] || ! "$TERN" run --help >/dev/null 2>&1; then
    skip_all "tern binary not built"
  fi
}

# --- cleanup ----------------------------------------------------------------
cleanup() {
  local rc=$?
  set +e
  local t
  for t in "${TESTS[@]}"; do
    [ -n "${T_DONE[$t]:-}" ] && continue
    result FAIL "$t" "not reached${ABORT_REASON:+: $ABORT_REASON}"
  done
  local i pid
  for ((i = ${#PIDS[@]} - 1; i >= 0; i--)); do
    pid=${PIDS[$i]}
    kill -0 "$pid" 2>/dev/null && kill -TERM "$pid" 2>/dev/null
  done
  for pid in "${PIDS[@]}"; do
    for _ in $(seq 30); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
  done
  for ((i = ${#NSS[@]} - 1; i >= 0; i--)); do ip netns del "${NSS[$i]}" 2>/dev/null; done
  if [ "${KEEP:-0}" = 1 ] || [ "$FAILS" -gt 0 ]; then
    log "logs kept in $WORK"
  else
    rm -rf "$WORK"
  fi
  if [ "$FAILS" -gt 0 ]; then exit 1; fi
  if [ -n "$ABORT_REASON" ]; then exit 1; fi
  exit "$([ "$rc" = 0 ] && echo 0 || echo "$rc")"
}
trap cleanup EXIT
trap 'ABORT_REASON=${ABORT_REASON:-interrupted}; exit 130' INT TERM

# --- namespaces and links ---------------------------------------------------
ns_name() { echo "${NS_PREFIX}-$1"; }
ns_add() { # ns_add SHORTNAME -> creates namespace, lo up, DAD off
  local ns; ns=$(ns_name "$1")
  ip netns add "$ns" || return 1
  NSS+=("$ns")
  ip -n "$ns" link set lo up
  ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0 2>/dev/null
  return 0
}
ns_exec() { local ns; ns=$(ns_name "$1"); shift; ip netns exec "$ns" "$@"; }

# veth_pair NS_A IF_A NS_B IF_B : a veth whose two ends are created directly in
# the two namespaces (no names in the host namespace, so no clashes).
veth_pair() {
  ip link add "$2" netns "$(ns_name "$1")" type veth peer name "$4" netns "$(ns_name "$3")" || return 1
  ip -n "$(ns_name "$1")" link set "$2" up
  ip -n "$(ns_name "$3")" link set "$4" up
}

# seg_create NET24 : a bridge namespace "seg" with bridge br0 = one L2 segment,
# e.g. seg_create 192.168.77 (nodes then get 192.168.77.N/24).
SEG_NET=""
SEG_PORTS=0
seg_create() {
  SEG_NET=$1
  ns_add seg || return 1
  ip -n "$(ns_name seg)" link add br0 type bridge || return 1
  ip -n "$(ns_name seg)" link set br0 type bridge stp_state 0 forward_delay 0 2>/dev/null
  ip -n "$(ns_name seg)" link set br0 up
}

# node_ns_add NAME HOSTNUM : namespace NAME, eth0 with SEG_NET.HOSTNUM/24 on the segment.
node_ns_add() {
  local name=$1 host=$2
  ns_add "$name" || return 1
  SEG_PORTS=$((SEG_PORTS + 1))
  local port="p${SEG_PORTS}"
  veth_pair "$name" eth0 seg "$port" || return 1
  ip -n "$(ns_name seg)" link set "$port" master br0 || return 1
  ip -n "$(ns_name "$name")" addr add "$SEG_NET.$host/24" dev eth0 || return 1
}

# --- processes --------------------------------------------------------------
# start_bg NAME NS CMD... : run CMD in namespace NS (short name), log to $WORK/NAME.log
start_bg() {
  local name=$1 ns=$2; shift 2
  local logf="$WORK/$name.log"
  LOG_OF[$name]=$logf
  ip netns exec "$(ns_name "$ns")" "$@" >>"$logf" 2>&1 &
  local pid=$!
  PIDS+=("$pid")
  PID_OF[$name]=$pid
  log "started $name (pid $pid) in $(ns_name "$ns"): $*"
}

# stop_bg NAME [SIGNAL] : signal the process and wait (max 10 s) for it to exit.
stop_bg() {
  local pid=${PID_OF[$1]:-} sig=${2:-TERM}
  [ -n "$pid" ] || return 0
  kill -"$sig" "$pid" 2>/dev/null
  local end=$((SECONDS + 10))
  while kill -0 "$pid" 2>/dev/null && ((SECONDS < end)); do sleep 0.1; done
  wait "$pid" 2>/dev/null
  return 0
}
is_running() { local pid=${PID_OF[$1]:-}; [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; }

# --- waiting ----------------------------------------------------------------
WAIT_LAST=""   # output of the last failed wait_for's command
# wait_for DESC DEADLINE_SECONDS CMD... : poll CMD (every 0.25 s) until it
# succeeds. On timeout print DESC, the last output of CMD and the tail of every
# log in $WORK to stderr, and return 1.
wait_for() {
  local desc=$1 deadline=$2; shift 2
  local end=$((SECONDS + deadline)) out
  while :; do
    if out=$("$@" 2>&1); then
      log "ok: $desc"
      return 0
    fi
    if ((SECONDS >= end)); then
      WAIT_LAST=$out
      {
        log "TIMEOUT after ${deadline}s: $desc"
        echo "--- last output of: $*"
        printf '%s\n' "$out" | tail -n 30
        dump_logs
      } >&2
      return 1
    fi
    sleep 0.25
  done
}
# hold_for DESC SECONDS CMD... : CMD must keep succeeding for SECONDS (polled);
# used for "stays Established"-style assertions. Returns 1 at the first failure.
hold_for() {
  local desc=$1 secs=$2; shift 2
  local end=$((SECONDS + secs)) out
  while ((SECONDS < end)); do
    if ! out=$("$@" 2>&1); then
      WAIT_LAST=$out
      { log "NOT HELD: $desc"; echo "--- output of: $*"; printf '%s\n' "$out" | tail -n 30; dump_logs; } >&2
      return 1
    fi
    sleep 0.25
  done
  log "held ${secs}s: $desc"
}
dump_logs() {
  local f
  for f in "$WORK"/*.log; do
    [ -f "$f" ] || continue
    echo "--- tail of $f"
    tail -n "${LOG_TAIL:-15}" "$f"
  done
}

# check NAME DESC DEADLINE CMD... : wait_for + result. FAIL reason says what
# was expected and what was last seen.
check() {
  local name=$1 desc=$2 deadline=$3; shift 3
  if wait_for "$desc" "$deadline" "$@"; then
    result PASS "$name"
  else
    result FAIL "$name" "expected: $desc within ${deadline}s; seen: $(printf '%s' "$WAIT_LAST" | tr '\n' ' ' | cut -c1-300)"
    return 1
  fi
}

# --- Tern ---------------------------------------------------------------------
tern_status_json() { ns_exec "$1" "$TERN" status --socket "$2" --json; }
tern_routes_json() { ns_exec "$1" "$TERN" routes --socket "$2" --json ${3:+"$3"}; }

# --- node model -------------------------------------------------------------
# A topology declares nodes; each is "tern" or "bird" (or "gobgp"/"exabgp"/"raw",
# driven by the script itself). Tern nodes become BIRD nodes in stand-in mode.
declare -A N_BIRD_EXTRA N_KIND N_ADDR N_AS N_BLOCK N_MESH N_PEERS N_HOLD N_CTL
# Dataplane (tern_cfg): N_WORKLOADS[NAME] = space-separated "name,interface,ip/32[,mac]"
# entries written as `workloads:` (pod_add fills it for Tern nodes);
# N_DATAPLANE[NAME] = a YAML flow mapping written as `dataplane: ...`.
# N_EXTRA[NAME] = YAML lines appended verbatim (e.g. ipPools); N_LOGLEVEL[NAME] = its
# logLevel (default debug).
# N_PEER_EXTRA[NAME] = flow-mapping keys appended to each explicit Tern peer entry
# (e.g. "bfd: {minimumRecvInterval: 100}"); N_BGP_EXTRA[NAME] = lines inside a BIRD
# node's bgp_template, so in every bgp protocol (e.g. "bfd on;").
declare -A N_WORKLOADS N_DATAPLANE N_EXTRA N_LOGLEVEL N_PEER_EXTRA N_BGP_EXTRA
MESH_NODES=()     # names of the nodes in the node-to-node mesh

# node_add NAME KIND HOSTNUM AS BLOCK MESH(yes|no) [PEERS]
#   PEERS: space-separated ADDR:AS[:passive[:mh]] explicit (global) peers
#   (mh: BIRD only, multihop + recursive next hops; N_BIRD_EXTRA[NAME] is
#   appended verbatim to a BIRD node's config).
node_add() {
  local name=$1 kind=$2 host=$3 as=$4 block=$5 mesh=$6 peers=${7:-}
  [ "$kind" = tern ] && [ -n "$STANDIN" ] && kind=$STANDIN
  N_KIND[$name]=$kind
  N_ADDR[$name]="$SEG_NET.$host"
  N_AS[$name]=$as
  N_BLOCK[$name]=$block
  N_MESH[$name]=$mesh
  N_PEERS[$name]=$peers
  N_HOLD[$name]=${HOLD:-9}
  [ "$mesh" = yes ] && MESH_NODES+=("$name")
  node_ns_add "$name" "$host"
}

# tern_cfg NAME FILE : write NAME's Tern YAML config from the node model.
tern_cfg() {
  local name=$1 f=$2 n p
  {
    echo "nodeName: $name"
    echo "role: node"
    echo "asNumber: ${N_AS[$name]}"
    echo "routerID: ${N_ADDR[$name]}"
    echo "listenAddress: 0.0.0.0"
    echo "listenPort: 179"
    echo "controlSocket: $WORK/$name.sock"
    echo "holdTime: ${N_HOLD[$name]}"
    echo "connectRetryTime: 1"
    if [ "${N_MESH[$name]}" = yes ]; then
      echo "nodeToNodeMesh: true"
      echo "nodes:"
      for n in "${MESH_NODES[@]}"; do echo "  - {name: $n, address: ${N_ADDR[$n]}}"; done
    else
      echo "nodeToNodeMesh: false"
      echo "nodes: []"
    fi
    if [ -n "${N_PEERS[$name]}" ]; then
      echo "peers:"
      for p in ${N_PEERS[$name]}; do
        IFS=: read -r pa pas ppass _ <<<"$p"
        echo "  - {address: $pa, asNumber: $pas, holdTime: ${N_HOLD[$name]}, passive: $([ "$ppass" = passive ] && echo true || echo false)${N_PEER_EXTRA[$name]:+, ${N_PEER_EXTRA[$name]}}}"
      done
    else
      echo "peers: []"
    fi
    if [ -n "${N_BLOCK[$name]}" ]; then echo "blocks: [${N_BLOCK[$name]}]"; else echo "blocks: []"; fi
    if [ -n "${N_WORKLOADS[$name]:-}" ]; then
      echo "workloads:"
      local w wn wi wip wmac
      for w in ${N_WORKLOADS[$name]}; do
        IFS=, read -r wn wi wip wmac <<<"$w"
        echo "  - {name: $wn, interface: $wi, ipNetworks: [$wip]${wmac:+, mac: \"$wmac\"}}"
      done
    fi
    [ -n "${N_DATAPLANE[$name]:-}" ] && echo "dataplane: ${N_DATAPLANE[$name]}"
    [ -n "${N_EXTRA[$name]:-}" ] && printf '%s\n' "${N_EXTRA[$name]}"
    echo "logLevel: ${N_LOGLEVEL[$name]:-debug}"
  } >"$f"
}

# Calico names mesh protocols Mesh_A_B_C_D and explicit peers Global_A_B_C_D.
bird_proto_name() { echo "$1_${2//./_}"; }

# lexically_greater A B : Calico's confd template compares the IP strings.
lexically_greater() { [[ "$1" > "$2" ]]; }

# bird_cfg NAME FILE : Calico-style BIRD 2 config for node NAME: static
# blackhole for its block (exported), iBGP with every other mesh node (direct;
# gateway direct; passive toward lexically greater IPs; graceful restart;
# connect retry time 5; error wait time 5,30), explicit peers as Global_*.
bird_cfg() {
  local name=$1 f=$2 me=${N_ADDR[$1]} n p pa pas ppass
  {
    echo "# Calico-style BIRD 2 config for $name (generated by interop/lib/netns.sh)"
    echo "log stderr all;"
    echo "router id $me;"
    echo "protocol device { scan time 2; }"
    if [ -n "${N_BLOCK[$name]}" ]; then
      echo "protocol static static_blocks { ipv4; route ${N_BLOCK[$name]} blackhole; }"
    fi
    cat <<EOF
filter calico_export_to_bgp_peers {
  if ( net ~ [ ${N_BLOCK[$name]:-0.0.0.0/32}+ ] ) then accept;
  reject;
}
template bgp bgp_template {
  local as ${N_AS[$name]};
  hold time ${N_HOLD[$name]};
  graceful restart;
  connect retry time 5;
  error wait time 5, 30;
${N_BGP_EXTRA[$name]:-}
}
EOF
    if [ "${N_MESH[$name]}" = yes ]; then
      for n in "${MESH_NODES[@]}"; do
        [ "$n" = "$name" ] && continue
        echo "protocol bgp $(bird_proto_name Mesh "${N_ADDR[$n]}") from bgp_template {"
        echo "  neighbor ${N_ADDR[$n]} as ${N_AS[$n]};"
        echo "  source address $me;"
        echo "  direct;"
        if lexically_greater "${N_ADDR[$n]}" "$me"; then
          echo "  passive on; # Mesh is unidirectional, peer will connect to us."
        fi
        echo "  ipv4 { import all; export filter calico_export_to_bgp_peers; gateway direct; };"
        echo "}"
      done
    fi
    for p in ${N_PEERS[$name]}; do
      IFS=: read -r pa pas ppass pmh <<<"$p"
      echo "protocol bgp $(bird_proto_name Global "$pa") from bgp_template {"
      echo "  neighbor $pa as $pas;"
      echo "  source address $me;"
      [ "$ppass" = passive ] && echo "  passive on;"
      if [ "$pmh" = mh ]; then
        echo "  multihop; # stand-in only: next hops of this peer resolve via N_BIRD_EXTRA static routes"
        echo "  ipv4 { import all; export filter calico_export_to_bgp_peers; gateway recursive; igp table master4; };"
      elif [ "$pas" = "${N_AS[$name]}" ]; then
        echo "  direct;"
        echo "  ipv4 { import all; export filter calico_export_to_bgp_peers; gateway direct; };"
      else
        echo "  ipv4 { import all; export filter calico_export_to_bgp_peers; next hop self; };"
      fi
      echo "}"
    done
    printf '%s\n' "${N_BIRD_EXTRA[$name]:-}"
  } >"$f"
}

# node_start NAME : write the config and start the node's daemon.
node_start() {
  local name=$1
  case ${N_KIND[$name]} in
    tern)
      tern_cfg "$name" "$WORK/$name.yaml"
      start_bg "$name" "$name" "$TERN" run --config "$WORK/$name.yaml" --log-format text
      wait_for "$name: tern control socket answers" 20 tern_status_json "$name" "$WORK/$name.sock" || return 1
      ;;
    bird)
      bird_cfg "$name" "$WORK/$name.conf"
      N_CTL[$name]="$WORK/$name.ctl"
      rm -f "$WORK/$name.ctl"
      start_bg "$name" "$name" bird -f -c "$WORK/$name.conf" -s "$WORK/$name.ctl" -P "$WORK/$name.pid"
      wait_for "$name: bird control socket answers" 20 birdc -s "$WORK/$name.ctl" show status || return 1
      ;;
    *) log "node_start: kind ${N_KIND[$name]} is started by the script"; return 1 ;;
  esac
}

# node_write_cfg NAME : (re)write the node's config file from the node model.
node_write_cfg() {
  case ${N_KIND[$1]} in
    tern) tern_cfg "$1" "$WORK/$1.yaml" ;;
    bird) bird_cfg "$1" "$WORK/$1.conf" ;;
  esac
}
node_cfg_file() { case ${N_KIND[$1]} in tern) echo "$WORK/$1.yaml" ;; bird) echo "$WORK/$1.conf" ;; esac; }

# node_reload NAME : re-read the config file (Tern: SIGHUP; BIRD: birdc configure).
node_reload() {
  local name=$1
  case ${N_KIND[$name]} in
    tern) kill -HUP "${PID_OF[$name]}" ;;
    bird) birdc -s "${N_CTL[$name]}" configure >&2 ;;
  esac
}

# --- node queries (dispatch on kind) -----------------------------------------
# peer_state SOCK ADDRESS : prints the state of Tern's peer ADDRESS (exit 1 if absent)
peer_state() { "$TERN" status --socket "$1" --json | python3 "$QUERY" peer-field "$2" state; }
# peer_field SOCK ADDRESS FIELD : one field of a peer in tern status --json
peer_field() { "$TERN" status --socket "$1" --json | python3 "$QUERY" peer-field "$2" "$3"; }
# has_route SOCK PREFIX NEXTHOP [ASPATH] : Tern has a path for PREFIX via NEXTHOP
has_route() {
  "$TERN" routes --socket "$1" --json "$2" | python3 "$QUERY" tern-has-route "$2" "$3" "${4-__any__}"
}
# no_route SOCK PREFIX : Tern has no path at all for PREFIX
# (a non-zero exit saying "not found"/"no route" also counts as no path)
no_route() {
  local out rc
  out=$("$TERN" routes --socket "$1" --json "$2" 2>&1); rc=$?
  if [ "$rc" != 0 ] && printf '%s' "$out" | grep -qiE 'not found|no route|no such|unknown prefix'; then
    echo "$2: none ($out)"; return 0
  fi
  printf '%s' "$out" | python3 "$QUERY" tern-no-route "$2"
}

# birdc_show_route NS SOCK [PREFIX] : `show route all` output
birdc_show_route() { ns_exec "$1" birdc -s "$2" show route ${3:+"$3"} all; }
bird_proto_info() { birdc -s "$1" show protocols all "$2"; }
bird_state() { # CTL PROTO -> BGP state (Established, Active, Idle, Connect, ...)
  birdc -s "$1" show protocols "$2" | awk -v p="$2" '$1==p {print $NF; f=1} END {exit !f}'
}

# node_peer_state NAME PEER_ADDR -> RFC state name
node_peer_state() {
  local name=$1 addr=$2
  case ${N_KIND[$name]} in
    tern) peer_state "$WORK/$name.sock" "$addr" ;;
    bird)
      local st proto
      proto=$(bird_proto_for "$name" "$addr")
      st=$(bird_state "${N_CTL[$name]}" "$proto") || { echo "no protocol $proto"; return 1; }
      echo "$st"
      ;;
  esac
}
bird_proto_for() { # NAME ADDR -> Mesh_* if ADDR is a mesh node, else Global_*
  local n
  for n in "${MESH_NODES[@]}"; do
    if [ "${N_ADDR[$n]}" = "$2" ] && [ "${N_MESH[$1]}" = yes ]; then bird_proto_name Mesh "$2"; return; fi
  done
  bird_proto_name Global "$2"
}
# node_peer_since NAME PEER_ADDR : when the session last changed state
node_peer_since() {
  case ${N_KIND[$1]} in
    tern) peer_field "$WORK/$1.sock" "$2" since ;;
    bird) birdc -s "${N_CTL[$1]}" show protocols "$(bird_proto_for "$1" "$2")" |
      awk -v p="$(bird_proto_for "$1" "$2")" '$1==p {print $5; f=1} END {exit !f}' ;;
  esac
}
# since_same BEFORE NOW : the same session start. BIRD prints "since" (HH:MM:SS.mmm) from
# its monotonic clock converted to wall time on every call, which moves by a millisecond
# now and then; a reset moves it by far more. Tern's ISO time must be equal.
since_same() {
  [ "$1" = "$2" ] && return 0
  local bird='^[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}$'
  [[ $1 =~ $bird && $2 =~ $bird ]] || return 1
  awk -v a="$1" -v b="$2" 'function ms(t, p) { if (split(t, p, /[:.]/) != 4) return -1e12; return ((p[1] * 60 + p[2]) * 60 + p[3]) * 1000 + p[4] }
    BEGIN { d = ms(a) - ms(b); if (d < 0) d = -d; exit !(d <= 10) }'
}
node_established() { # NAME PEER_ADDR
  local st; st=$(node_peer_state "$1" "$2") || { echo "$st"; return 1; }
  echo "$1 -> $2: $st"
  [ "$st" = Established ]
}
# timed_route_gone CHECK WHAT NODE PREFIX LIMIT_MS CUT...: runs CUT (e.g. a link set down),
# then polls NODE's kernel table every 5 ms (for 5 s) until PREFIX is gone; logs the time as
# "WHAT in N ms" and reports CHECK as PASS when it is under LIMIT_MS, else FAIL.
timed_route_gone() {
  local check=$1 what=$2 node=$3 prefix=$4 limit=$5; shift 5
  local t0 gone_ns="" gone_ms
  t0=$(date +%s%N)
  "$@"
  while (( $(date +%s%N) - t0 < 5000000000 )); do
    if [ -z "$(ip -n "$(ns_name "$node")" route show "$prefix")" ]; then gone_ns=$(( $(date +%s%N) - t0 )); break; fi
    sleep 0.005
  done
  if [ -z "$gone_ns" ]; then
    result FAIL "$check" "$prefix still in $node's kernel table 5 s after the cut"; return
  fi
  gone_ms=$(( gone_ns / 1000000 ))
  echo "${SCRIPT_NAME:-interop}: $what in ${gone_ms} ms (limit ${limit} ms)" >&2
  if (( gone_ms < limit )); then result PASS "$check"
  else result FAIL "$check" "route out after ${gone_ms} ms (limit ${limit} ms)"; fi
}

node_not_established() {
  local st; st=$(node_peer_state "$1" "$2")
  echo "$1 -> $2: $st"
  [ "$st" != Established ]
}
# node_has_route NAME PREFIX NEXTHOP [ASPATH]
node_has_route() {
  local name=$1
  case ${N_KIND[$name]} in
    tern) has_route "$WORK/$name.sock" "$2" "$3" "${4-__any__}" ;;
    bird) birdc -s "${N_CTL[$name]}" show route "$2" all | python3 "$QUERY" bird-has-route "$2" "$3" "${4-__any__}" ;;
  esac
}
node_no_route() { # NAME PREFIX
  local name=$1
  case ${N_KIND[$name]} in
    tern) no_route "$WORK/$name.sock" "$2" ;;
    bird) birdc -s "${N_CTL[$name]}" show route "$2" all | python3 "$QUERY" bird-no-route "$2" ;;
  esac
}

# --- captures ----------------------------------------------------------------
P2S="$REPO_ROOT/interop/capture/pcap2streams.py"
# capture_start NAME NS : tcpdump of BGP (tcp port 179) on eth0 into $WORK/NAME.pcap
capture_start() {
  start_bg "$1" "$2" tcpdump -i eth0 -w "$WORK/$1.pcap" -U -s 0 -n 'tcp port 179'
  wait_for "tcpdump $1 listening" 10 grep -q 'listening on' "$WORK/$1.log"
}
# capture_count PCAP SRC TYPE : complete messages of TYPE sent by SRC so far
capture_count() { python3 "$P2S" count --pcap "$1" | awk -v s="$2" -v t="$3" '$1==s && $2==t {n+=$3} END {print n+0}'; }
# capture_notifications PCAP SRC_IP DST_IP : NOTIFICATIONs SRC sent on the first
# connection of the capture, decoded with `tern decode` (python fallback when no
# tern binary): lines "NOTIFICATION code/subcode data=HEX"
capture_notifications() {
  local d="$WORK/streams.$RANDOM"
  mkdir -p "$d"
  python3 "$P2S" extract --pcap "$1" --session s --name "$2=src" --name "$3=dst" --out "$d" >&2 || return 1
  if "$TERN" decode --help >/dev/null 2>&1; then
    "$TERN" decode --keep-going "$d/s-src.bgp" | python3 -c '
import json, sys
for l in sys.stdin:
    try: m = json.loads(l)
    except ValueError: continue
    if m.get("type") == "NOTIFICATION":
        print("NOTIFICATION %s/%s data=%s" % (m.get("code"), m.get("subcode"), m.get("data", "")))'
  else
    python3 "$QUERY" notifications "$d/s-src.bgp"
  fi
}

# --- GoBGP ----------------------------------------------------------------------
GOBGP_PORT=50051
# gobgp_cfg FILE AS ROUTER_ID LOCAL_ADDR NEIGHBOR_ADDR NEIGHBOR_AS [HOLD]
gobgp_cfg() {
  cat >"$1" <<EOF
[global.config]
  as = $2
  router-id = "$3"
  port = 179
  local-address-list = ["$4"]

[[neighbors]]
  [neighbors.config]
    neighbor-address = "$5"
    peer-as = $6
  [neighbors.timers.config]
    hold-time = ${7:-9}
    keepalive-interval = $(( ${7:-9} / 3 ))
    connect-retry = 5
  [neighbors.transport.config]
    local-address = "$4"
  [[neighbors.afi-safis]]
    [neighbors.afi-safis.config]
      afi-safi-name = "ipv4-unicast"
EOF
}
# gobgp_start NAME NS CONFIG
gobgp_start() {
  start_bg "$1" "$2" gobgpd -f "$3" -p --api-hosts "127.0.0.1:$GOBGP_PORT" --pprof-disable
  wait_for "$1: gobgpd API answers" 20 gobgp_cli "$2" global
}
gobgp_cli() { local ns=$1; shift; ns_exec "$ns" gobgp -u 127.0.0.1 -p "$GOBGP_PORT" "$@"; }
gobgp_established() { gobgp_cli "$1" neighbor "$2" | grep -i 'BGP state'; gobgp_cli "$1" neighbor "$2" | grep -qi 'BGP state *= *established'; }
# gobgp_has_route NS PREFIX NEXTHOP ASPATH : in the global RIB (JSON output)
gobgp_has_route() { gobgp_cli "$1" global rib -a ipv4 "$2" -j | python3 "$QUERY" gobgp-has-route "$2" "$3" "${4-__any__}"; }

# --- dataplane: pods ------------------------------------------------------------
# A pod (TESTING.md) is a namespace whose eth0 (IP/32) is one end of a veth; the
# other end, cali<11 hex>, sits in the node's namespace. Inside the pod:
# 169.254.1.1 dev eth0 scope link, default via 169.254.1.1 (answered by proxy ARP
# on the host end, as with Calico; its MAC is ee:ee:ee:ee:ee:ee).
declare -A POD_NODE POD_IP POD_IF
PODS=()

# cali_name KEY : Calico-style host interface name, cali + 11 hex digits of sha1(KEY)
cali_name() { printf 'cali%s' "$(printf '%s' "$1" | sha1sum | cut -c1-11)"; }

# node_default_route NAME : `default dev eth0` in the node's namespace. Proxy ARP
# on the cali* veths answers for 169.254.1.1 only when the node routes that
# address through another interface (on a real host: the default route).
node_default_route() { ip -n "$(ns_name "$1")" route replace default dev eth0; }

# pod_add NODE POD IP : create pod POD (a namespace) on NODE with address IP.
#  - Tern node: unless POD_CFG=0, the pod is appended to N_WORKLOADS[NODE] (so
#    write/reload the node's config after pod_add); Tern installs the /32 and sysctls.
#  - other nodes (BIRD): what the Calico CNI plugin + Felix would do: IP/32 dev
#    cali* (proto boot), proxy_arp=1, proxy_delay=0, forwarding, ip_forward=1.
pod_add() {
  local node=$1 pod=$2 ip=${3%/32} hif nsn nsp
  hif=$(cali_name "$node/$pod")
  nsn=$(ns_name "$node"); nsp=$(ns_name "$pod")
  ns_add "$pod" || return 1
  ip link add "$hif" netns "$nsn" type veth peer name eth0 netns "$nsp" || return 1
  ip -n "$nsn" link set "$hif" address ee:ee:ee:ee:ee:ee
  ip -n "$nsn" link set "$hif" up || return 1
  pod_net_setup "$pod" "$ip" || return 1
  POD_NODE[$pod]=$node; POD_IP[$pod]=$ip; POD_IF[$pod]=$hif
  PODS+=("$pod")
  if [ "${N_KIND[$node]}" = tern ]; then
    [ "${POD_CFG:-1}" = 1 ] && N_WORKLOADS[$node]="${N_WORKLOADS[$node]:-} $pod,$hif,$ip/32"
  else
    pod_cni_host_setup "$node" "$hif" "$ip" || return 1
  fi
  return 0
}
# pod_net_setup POD IP : the pod side (eth0 up with IP/32, the 169.254.1.1 routes)
pod_net_setup() {
  local nsp; nsp=$(ns_name "$1")
  ip -n "$nsp" addr add "$2/32" dev eth0 || return 1
  ip -n "$nsp" link set eth0 up || return 1
  ip -n "$nsp" route add 169.254.1.1 dev eth0 scope link || return 1
  ip -n "$nsp" route add default via 169.254.1.1 dev eth0 || return 1
}
# pod_cni_host_setup NODE HOSTIF IP : the host side for a node without Tern
pod_cni_host_setup() {
  local nsn; nsn=$(ns_name "$1")
  ip netns exec "$nsn" sysctl -qw net.ipv4.ip_forward=1 "net.ipv4.conf.$2.proxy_arp=1" \
    "net.ipv4.neigh.$2.proxy_delay=0" "net.ipv4.conf.$2.forwarding=1" || return 1
  ip -n "$nsn" route replace "$3/32" dev "$2" scope link
}
# pod_ping FROM TO : one ping (-W 2) from pod FROM to pod TO's IP
pod_ping() { ns_exec "$1" ping -n -q -c1 -W2 "${POD_IP[$2]}" >/dev/null 2>&1; }
# pods_ping_all POD... : every pod pings every other pod once; prints the
# failures ("a1 -> b2 (10.244.2.6)") and a count; exit 0 when all answered.
pods_ping_all() {
  local f t ok=0 bad=0
  for f in "$@"; do
    for t in "$@"; do
      [ "$f" = "$t" ] && continue
      if pod_ping "$f" "$t"; then ok=$((ok + 1)); else bad=$((bad + 1)); echo "no answer: $f -> $t (${POD_IP[$t]})"; fi
    done
  done
  echo "$ok answered, $bad unanswered"
  [ "$bad" = 0 ]
}
# pods_ping_matrix POD... : prints a from\to matrix of ok/FAIL (for demos); exit 0 when all ok
pods_ping_matrix() {
  local f t rc=0 line
  line=$(printf '%-8s' 'from\to'); for t in "$@"; do line+=$(printf '%-8s' "$t"); done; echo "$line"
  for f in "$@"; do
    line=$(printf '%-8s' "$f")
    for t in "$@"; do
      if [ "$f" = "$t" ]; then line+=$(printf '%-8s' '-')
      elif pod_ping "$f" "$t"; then line+=$(printf '%-8s' ok)
      else line+=$(printf '%-8s' FAIL); rc=1; fi
    done
    echo "$line"
  done
  return $rc
}
# kroutes NODE [ARGS...] : `ip route show ARGS` in the node's namespace (one line each)
kroutes() { local n=$1; shift; ip -o -n "$(ns_name "$n")" route show "$@"; }
# kroute_has NODE REGEX : some route line of NODE matches the (extended) REGEX
kroute_has() {
  local out; out=$(kroutes "$1")
  if printf '%s\n' "$out" | grep -qE "$2"; then printf '%s\n' "$out" | grep -E "$2"; return 0; fi
  echo "no route matching /$2/ on $1; routes:"; printf '%s\n' "$out"; return 1
}
kroute_hasnt() {
  local out; out=$(kroutes "$1")
  if printf '%s\n' "$out" | grep -qE "$2"; then echo "still there on $1:"; printf '%s\n' "$out" | grep -E "$2"; return 1; fi
  echo "none matching /$2/ on $1"
}
# tern_fib_json NAME : tern fib --json of Tern node NAME
tern_fib_json() { ns_exec "$1" "$TERN" fib --socket "$WORK/$1.sock" --json; }
fib_state_is() { tern_fib_json "$1" | python3 "$QUERY" fib-state "$2" "$3"; }  # NAME PREFIX STATE
# now_ms : milliseconds since the epoch
now_ms() { date +%s%3N; }
