# shellcheck shell=bash
# shellcheck disable=SC2034 # a library: the variables it sets are read by the scripts that source it
# Route-reflector helpers for the rr-*.sh topologies. Sources nothing: source it
# AFTER netns.sh (it uses ns_exec, start_bg, wait_for, N_ADDR, WORK, TERN, QUERY).
#
#   . "$(dirname "$0")/../lib/netns.sh"
#   . "$(dirname "$0")/../lib/rr.sh"
#
# Tern nodes of a reflector topology are written here (tern_cfg in netns.sh only
# knows mesh/global peers): rr_tern_node NAME ROLE CLUSTER_ID BLOCK PEER...
# where each PEER is the inside of a YAML flow mapping, e.g.
#   "address: 192.168.90.100, asNumber: 64512, routeReflector: true"

RR_AS=${RR_AS:-64512}

# rr_tern_write NAME FILE ROLE CLUSTER_ID BLOCK PEER...  (CLUSTER_ID/BLOCK may be "")
rr_tern_write() {
  local name=$1 f=$2 role=$3 cluster=$4 block=$5; shift 5
  local p
  {
    echo "nodeName: $name"
    echo "role: $role"
    echo "asNumber: $RR_AS"
    echo "routerID: ${N_ADDR[$name]}"
    echo "listenAddress: 0.0.0.0"
    echo "listenPort: 179"
    echo "controlSocket: $WORK/$name.sock"
    echo "holdTime: ${HOLD:-9}"
    echo "connectRetryTime: 1"
    echo "nodeToNodeMesh: false"
    echo "nodes: []"
    [ -n "$cluster" ] && echo "routeReflectorClusterID: $cluster"
    if [ $# -gt 0 ]; then
      echo "peers:"
      for p in "$@"; do echo "  - {$p}"; done
    else
      echo "peers: []"
    fi
    if [ -n "$block" ]; then echo "blocks: [$block]"; else echo "blocks: []"; fi
    echo "logLevel: ${RR_LOGLEVEL:-debug}"
  } >"$f"
}

# rr_tern_node NAME ROLE CLUSTER_ID BLOCK PEER... : write $WORK/NAME.yaml, mark the
# node as a Tern node (N_KIND) and start it; waits for the control socket.
# shellcheck disable=SC2004 # N_* are associative arrays (declare -A in netns.sh): the $ in the subscript is needed
rr_tern_node() {
  local name=$1; shift
  N_KIND[$name]=tern
  rr_tern_write "$name" "$WORK/$name.yaml" "$@"
  rr_tern_start "$name"
}
# rr_tern_start NAME : (re)start Tern from $WORK/NAME.yaml
rr_tern_start() {
  local name=$1
  start_bg "$name" "$name" "$TERN" run --config "$WORK/$name.yaml" --log-format text
  wait_for "$name: tern control socket answers" 20 tern_status_json "$name" "$WORK/$name.sock"
}

# rr_peer_type NAME ADDR : `type` of Tern NAME's peer ADDR
rr_peer_type() { peer_field "$WORK/$1.sock" "$2" type; }

# rr_tern_path NAME PREFIX NEXTHOP ORIGINATOR CLUSTERLIST
#   Tern NAME has a path for PREFIX with that next hop, ORIGINATOR_ID and
#   CLUSTER_LIST (space-separated, in order; "" = none/empty; "-" = don't care,
#   also for NEXTHOP and ORIGINATOR).
rr_tern_path() {
  ns_exec "$1" "$TERN" routes --socket "$WORK/$1.sock" --json "$2" | python3 -c '
import json, sys
prefix, nh, orig, cl = sys.argv[1:5]
try:
    data = json.load(sys.stdin)
except ValueError:
    print("not JSON"); sys.exit(2)
if isinstance(data, dict):
    data = data.get("routes", [data])
paths = [p for r in data if r.get("prefix") == prefix for p in r.get("paths", [])]
seen = [(p.get("nextHop"), p.get("originatorID"), p.get("clusterList"), p.get("pathID"), p.get("source")) for p in paths]
print("%s: (nextHop, originatorID, clusterList, pathID, source) = %s; want %s %s %s" % (prefix, seen, nh, orig or None, cl.split()))
for p in paths:
    if nh != "-" and p.get("nextHop") != nh:
        continue
    if orig != "-" and (p.get("originatorID") or "") != orig:
        continue
    if cl != "-" and list(p.get("clusterList") or []) != cl.split():
        continue
    sys.exit(0)
sys.exit(1)' "$2" "$3" "$4" "$5"
}

# rr_tern_paths_summary NAME PREFIX : prints "NPATHS NDISTINCT_PATHIDS pathIDs=[..]
# nextHops=[..]" (a missing pathID counts as 0).
rr_tern_paths_summary() {
  ns_exec "$1" "$TERN" routes --socket "$WORK/$1.sock" --json "$2" | python3 -c '
import json, sys
prefix = sys.argv[1]
try:
    data = json.load(sys.stdin)
except ValueError:
    print("0 not-JSON"); sys.exit(2)
if isinstance(data, dict):
    data = data.get("routes", [data])
paths = [p for r in data if r.get("prefix") == prefix for p in r.get("paths", [])]
ids = [p.get("pathID") if p.get("pathID") is not None else 0 for p in paths]
print(len(paths), len(set(ids)), "pathIDs=%s" % ids, "nextHops=%s" % [p.get("nextHop") for p in paths],
      "sources=%s" % [p.get("source") for p in paths])' "$2"
}

# rr_tern_no_path_from NAME PREFIX SOURCE : Tern NAME has no path for PREFIX whose
# source (the peer it came from) is SOURCE (e.g. stale paths of a dead peer are gone)
rr_tern_no_path_from() {
  local s; s=$(rr_tern_paths_summary "$1" "$2") || { echo "$1 $2: $s"; return 1; }
  echo "$1 $2: $s"
  case $s in *"'$3'"* | *"'$3 "*) return 1 ;; esac   # "ADDR" or "ADDR (stale, ...)"
}

# rr_tern_prefixes NAME : the prefixes in Tern NAME's RIB (tern routes --json)
rr_tern_prefixes() {
  ns_exec "$1" "$TERN" routes --socket "$WORK/$1.sock" --json | python3 -c '
import json, sys
data = json.load(sys.stdin)
if isinstance(data, dict):
    data = data.get("routes", [data])
print(" ".join(sorted(r.get("prefix") for r in data if r.get("paths"))))'
}

# rr_bird_path NAME PREFIX NEXTHOP ORIGINATOR CLUSTERLIST : BIRD (show route all)
# has a route for PREFIX via NEXTHOP with BGP.originator_id / BGP.cluster_list.
rr_bird_path() {
  birdc -s "${N_CTL[$1]}" show route "$2" all | python3 -c '
import re, sys
prefix, nh, orig, cl = sys.argv[1:5]
text = sys.stdin.read()
routes, cur = [], None
for line in text.splitlines():
    m = re.match(r"^(\S+/\d+)?\s+(unicast|blackhole|unreachable)\s+\[(\S+)", line)
    if m:
        cur = {"net": m.group(1) or (cur or {}).get("net"), "gw": None, "orig": "", "cl": ""}
        routes.append(cur); continue
    if cur is None: continue
    s = line.strip()
    m = re.match(r"^via (\S+)", s)
    if m: cur["gw"] = m.group(1)
    elif s.startswith("BGP.originator_id:"): cur["orig"] = s.split(":", 1)[1].strip()
    elif s.startswith("BGP.cluster_list:"): cur["cl"] = " ".join(s.split(":", 1)[1].split())
rs = [r for r in routes if r["net"] == prefix]
print("%s: %s; want via %s originator_id %s cluster_list %s" % (prefix, rs or text.strip()[-200:], nh, orig, cl))
ok = any(r["gw"] == nh and (orig == "-" or r["orig"] == orig) and (cl == "-" or r["cl"] == cl) for r in rs)
sys.exit(0 if ok else 1)' "$2" "$3" "$4" "$5"
}

# rr_bird_reflector_cfg NAME FILE CLUSTER_ID CLIENT_ADDR... : BIRD 2 as a route
# reflector (no block of its own), one `rr client; rr cluster id` protocol per client.
rr_bird_reflector_cfg() {
  local name=$1 f=$2 cluster=$3; shift 3
  local me=${N_ADDR[$name]} c
  {
    echo "# BIRD 2 route reflector $name (generated by interop/lib/rr.sh)"
    echo "log stderr ${RR_BIRD_LOG:-all};"
    echo "router id $me;"
    echo "protocol device { scan time 10; }"
    echo "template bgp rrc {"
    echo "  local $me as $RR_AS;"
    echo "  hold time ${HOLD:-9};"
    echo "  connect retry time 1;"
    echo "  error wait time 1, 10;"
    echo "  direct;"
    echo "  rr client;"
    echo "  rr cluster id $cluster;"
    echo "  ${RR_BIRD_PASSIVE:+passive on;}"
    echo "  ipv4 { import all; export all; gateway direct; };"
    echo "}"
    for c in "$@"; do echo "protocol bgp c_${c//./_} from rrc { neighbor $c as $RR_AS; }"; done
  } >"$f"
}

# rr_bird_start NAME : start BIRD with $WORK/NAME.conf; waits for its socket.
# shellcheck disable=SC2004 # N_* are associative arrays (declare -A in netns.sh): the $ in the subscript is needed
rr_bird_start() {
  local name=$1
  N_KIND[$name]=bird
  N_CTL[$name]="$WORK/$name.ctl"
  rm -f "$WORK/$name.ctl"
  start_bg "$name" "$name" bird -f -c "$WORK/$name.conf" -s "$WORK/$name.ctl" -P "$WORK/$name.pid"
  wait_for "$name: bird control socket answers" 20 birdc -s "$WORK/$name.ctl" show status
}
