#!/usr/bin/env bash
# dataplane-workloads-cli: N (default 1000) workloads added on node a with
# `tern workload add`; their /32s in a's kernel (dev cali*), advertised (outside
# a's block) and installed in b's kernel (via a); a sample of real pods answers
# pings from b's pod; `tern workload list` shows them; after a restart of a the
# workloads come back from the state file (<dir of controlSocket>/a-workloads.json).
#
#   segment 192.168.85.0/24; AS 64512 mesh
#   tern a .1 block 10.244.1.0/26; workloads 10.250.<i/250>.<i%250+1>/32 on veths
#             cali<11 digits> (peer ends in a "sink" namespace, created with ip -batch);
#             5 of them real pods (p1 p250 p500 p750 p1000)
#   tern b .2 block 10.244.2.0/26; pod b1 10.244.2.5 (from b's config)
SCRIPT_NAME=dataplane-workloads-cli
. "$(dirname "$0")/../lib/netns.sh"

T=dataplane-workloads-cli
declare_tests "$T/converged" "$T/cli-add-all" "$T/list-shows-all" "$T/state-file-written" \
  "$T/kernel-a-all-32s" "$T/kernel-b-all-32s-via-a" "$T/fib-a-all-installed" "$T/pods-ping-sample" \
  "$T/restart-workloads-restored" "$T/restart-kernel-intact" "$T/restart-no-route-deleted" \
  "$T/restart-pods-ping-sample" "$T/cli-del-one" "$T/cli-rejects-invalid" \
  "$T/same-error-three-paths" "$T/state-file-keeps-rejected"

require_root
require_tools ip python3 ping sha1sum xargs
[ -n "$STANDIN" ] && skip_all "dataplane checks need tern itself (no stand-in)"
require_tern

DL=${DEADLINE:-40}
N=${WORKLOADS:-1000}
BIG_DL=$((DL + N / 10))
seg_create 192.168.85 || abort "cannot create segment"
node_add a tern 1 64512 10.244.1.0/26 yes || abort "cannot create node a"
node_add b tern 2 64512 10.244.2.0/26 yes || abort "cannot create node b"
for n in a b; do node_default_route "$n" || abort "default route on $n"; done
ns_add sink || abort "cannot create the sink namespace"
pod_add b b1 10.244.2.5 || abort "pod b1"
for n in a b; do node_start "$n" || abort "$n did not start"; done
P199="proto (199|0xc7)"
SOCK_A=$WORK/a.sock

wl_ip() { echo "10.250.$(($1 / 250)).$(($1 % 250 + 1))"; }
REAL=(1 $((N / 4)) $((N / 2)) $((3 * N / 4)) "$N")
declare -A IS_REAL
REAL_PODS=()
for i in "${REAL[@]}"; do
  [ -n "${IS_REAL[$i]:-}" ] && continue
  IS_REAL[$i]=1
  POD_CFG=0 pod_add a "p$i" "$(wl_ip "$i")" || abort "pod p$i"
  REAL_PODS+=("p$i")
done

converged() { node_established a 192.168.85.2 && node_established b 192.168.85.1 &&
              kroute_has a "^10.244.2.0/26 via 192.168.85.2 dev eth0 $P199"; }
check "$T/converged" "a <-> b Established, a has b's block" "$DL" converged || abort "no session"

# host-side veths for the N - 5 workloads without a pod: one ip -batch per namespace
: >"$WORK/veth-a.batch"; : >"$WORK/veth-sink.batch"; : >"$WORK/workloads.txt"
for ((i = 1; i <= N; i++)); do
  if [ -n "${IS_REAL[$i]:-}" ]; then
    echo "p$i ${POD_IF[p$i]} $(wl_ip "$i")/32" >>"$WORK/workloads.txt"
  else
    hif=$(printf 'cali%011d' "$i")
    echo "link add $hif type veth peer name s$i netns $(ns_name sink)" >>"$WORK/veth-a.batch"
    echo "link set $hif up" >>"$WORK/veth-a.batch"
    echo "link set s$i up" >>"$WORK/veth-sink.batch"
    echo "w$i $hif $(wl_ip "$i")/32" >>"$WORK/workloads.txt"
  fi
done
ip -n "$(ns_name a)" -batch "$WORK/veth-a.batch" || abort "ip -batch (veths on a) failed"
ip -n "$(ns_name sink)" -batch "$WORK/veth-sink.batch" || abort "ip -batch (sink ends) failed"
log "$(ip -n "$(ns_name a)" -o link show | grep -c ' cali') cali* interfaces on a"

# N CLI calls, 8 at a time; each prints "OK <name>" or "FAILED <name>: <error>"
t0=$(now_ms)
# shellcheck disable=SC2016
xargs -P 8 -L 1 sh -c 'if err=$("$0" workload add --socket "$1" --name "$2" --interface "$3" --ip "$4" 2>&1 >/dev/null); then echo "OK $2"; else echo "FAILED $2: $err"; fi' \
  "$TERN" "$SOCK_A" <"$WORK/workloads.txt" >"$WORK/cli-add.log" 2>&1
log "$N x tern workload add: $(($(now_ms) - t0)) ms"
nok=$(grep -c '^OK ' "$WORK/cli-add.log")
if [ "$nok" = "$N" ]; then
  result PASS "$T/cli-add-all"
else
  result FAIL "$T/cli-add-all" "expected $N successful 'tern workload add'; $nok succeeded; first errors: $(grep -v '^OK ' "$WORK/cli-add.log" | head -3 | tr '\n' ' ')"
fi

# Invalid workloads get the same checks as `tern check` (Model's Workload, built on
# IPCore's InterfaceName and MACAddress): "+1:+2:3:4:5:6" is no longer read as
# 01:02:03:04:05:06, "..", a multicast and the all-zero MAC are refused; none is added.
rejects() {  # EXPECTED-WORDS ARGS... : the add fails and its error contains the words
  local want=$1 out; shift
  if out=$("$TERN" workload add --socket "$SOCK_A" --name bad --ip 10.251.0.1 "$@" 2>&1); then
    echo "accepted: $*"; return 1
  fi
  case $out in *"$want"*) return 0 ;; *) echo "error for $* lacks '$want': $out"; return 1 ;; esac
}
invalid_rejected() {
  rejects "is not a MAC address" --interface calibad0 --mac "+1:+2:3:4:5:6" &&
    rejects "is not a valid Linux interface name" --interface ".." &&
    rejects "cannot contain ':'" --interface "eth0:1" &&
    rejects "a multicast MAC address" --interface calibad0 --mac "01:00:5e:00:00:01" &&
    rejects "the all-zero MAC address" --interface calibad0 --mac "00:00:00:00:00:00" &&
    ! "$TERN" workload list --socket "$SOCK_A" --json | grep -q '"bad"'
}
check "$T/cli-rejects-invalid" "tern workload add refuses '+1:+2:3:4:5:6', '..', 'eth0:1', multicast and zero MACs with the reason; nothing added" 1 invalid_rejected

list_count() {  # MIN ORIGIN : tern workload list --json has exactly MIN entries, all of ORIGIN
  "$TERN" workload list --socket "$SOCK_A" --json | python3 -c '
import json, sys
n, origin = int(sys.argv[1]), sys.argv[2]
l = json.load(sys.stdin)
o = {}
for w in l: o[w.get("origin")] = o.get(w.get("origin"), 0) + 1
print("%d workloads, origins %s" % (len(l), o))
sys.exit(0 if len(l) == n and o.get(origin) == n else 1)' "$1" "$2"
}
check "$T/list-shows-all" "tern workload list --json: $N workloads, origin cli" 10 list_count "$N" cli

state_file() {
  python3 -c '
import json, sys
l = json.load(open(sys.argv[1]))
names = {w["name"] for w in l}
print("%s: %d entries" % (sys.argv[1], len(l)))
sys.exit(0 if len(l) == int(sys.argv[2]) and "p1" in names else 1)' "$WORK/a-workloads.json" "$N"
}
check "$T/state-file-written" "$WORK/a-workloads.json holds the $N CLI workloads" 10 state_file

count_a() { local c; c=$(kroutes a proto 199 | grep -cE '^10\.250\.[0-9.]+ dev cali[0-9a-f]+ .*scope link'); echo "a: $c of $N workload /32s dev cali* proto 199"; [ "$c" = "$N" ]; }
count_b() { local c; c=$(kroutes b proto 199 | grep -cE '^10\.250\.[0-9.]+ via 192\.168\.85\.1 dev eth0'); echo "b: $c of $N /32s via 192.168.85.1 proto 199"; [ "$c" = "$N" ]; }
t0=$(now_ms)
check "$T/kernel-a-all-32s" "a's kernel: $N routes 10.250.x.y dev cali* proto 199 scope link" "$BIG_DL" count_a
check "$T/kernel-b-all-32s-via-a" "b's kernel: $N routes 10.250.x.y via 192.168.85.1 proto 199" "$BIG_DL" count_b
log "all $N /32s in a's and b's kernels $(($(now_ms) - t0)) ms after the last CLI call returned"
fib_all() { tern_fib_json a | python3 "$QUERY" fib-states installed; }
check "$T/fib-a-all-installed" "tern fib on a: every row installed" "$DL" fib_all

ping_sample() { local p rc=0; for p in "${REAL_PODS[@]}"; do if pod_ping b1 "$p"; then echo "b1 -> $p ok"; else echo "b1 -> $p (${POD_IP[$p]}) no answer"; rc=1; fi; done; return $rc; }
check "$T/pods-ping-sample" "b1 pings the real pods ${REAL_PODS[*]}" "$DL" ping_sample

# --- restart a (SIGTERM + start): CLI workloads come back from the state file ---
a199_before=$(kroutes a proto 199 | sort)
start_bg mon a ip -ts monitor route
sleep 0.3
stop_bg a TERM
# While a is down, an entry with interface ".." goes into its state file (as a hand edit
# or an older version might leave it): the restart must refuse it with the words
# `tern workload add` and `tern check` use, restore the others, and keep it in the file.
python3 -c '
import json, sys
l = json.load(open(sys.argv[1]))
l.append({"name": "bad-state", "interface": "..", "ipNetworks": ["10.251.0.9/32"], "origin": "cli"})
json.dump(l, open(sys.argv[1], "w"))' "$WORK/a-workloads.json"
start_bg a a "$TERN" run --config "$WORK/a.yaml" --log-format text
wait_for "a: control socket answers (restarted)" 20 tern_status_json a "$SOCK_A" || abort "a did not restart"
check "$T/restart-workloads-restored" "after the restart: tern workload list shows $N workloads, origin cli" 20 list_count "$N" cli
kernel_intact() { count_a && count_b && fib_all && converged; }
check "$T/restart-kernel-intact" "after the restart: $N /32s on a and b again, a's fib all installed" "$BIG_DL" kernel_intact
sleep 1
stop_bg mon
a199_after=$(kroutes a proto 199 | sort)
ndel=$(grep -c 'Deleted' "$WORK/mon.log")
if [ "$ndel" = 0 ] && [ "$a199_before" = "$a199_after" ]; then
  result PASS "$T/restart-no-route-deleted"
else
  result FAIL "$T/restart-no-route-deleted" "expected a's proto 199 routes untouched across the restart; $ndel Deleted lines in $WORK/mon.log (first: $(grep -m3 Deleted "$WORK/mon.log" | tr '\n' ';')); routes equal before/after: $([ "$a199_before" = "$a199_after" ] && echo yes || echo no)"
fi
check "$T/restart-pods-ping-sample" "after the restart b1 pings ${REAL_PODS[*]}" "$DL" ping_sample

# The same invalid workload through the three paths: one message.
DOTS_MSG="\"..\" is not a valid Linux interface name: '.' and '..' are not interface names"
cat >"$WORK/bad-workload.yaml" <<EOF
nodeName: a
asNumber: 64512
routerID: 192.168.85.1
workloads:
  - {name: bad-state, interface: "..", ipNetworks: [10.251.0.9/32]}
EOF
same_error() {
  local cli chk
  cli=$("$TERN" workload add --socket "$SOCK_A" --name bad-cli --interface ".." --ip 10.251.0.10 2>&1) && { echo "CLI accepted '..'"; return 1; }
  chk=$("$TERN" check --config "$WORK/bad-workload.yaml" 2>&1) && { echo "tern check accepted '..'"; return 1; }
  grep -F "entry $N (bad-state) not restored: $DOTS_MSG" "${LOG_OF[a]}" >/dev/null || { echo "a's log lacks the state-file error: $(grep -m1 'bad-state' "${LOG_OF[a]}")"; return 1; }
  case $cli in *"$DOTS_MSG"*) ;; *) echo "CLI error differs: $cli"; return 1 ;; esac
  case $chk in *"workloads[0].interface: $DOTS_MSG"*) ;; *) echo "tern check error differs: $chk"; return 1 ;; esac
  echo "all three say: $DOTS_MSG"
}
check "$T/same-error-three-paths" "interface '..': tern workload add, tern check (with file:line:column) and the state-file loader give one message" 5 same_error

# --- delete one workload: its route leaves a and b ---
victim=p${REAL[1]}
"$TERN" workload del --socket "$SOCK_A" --name "$victim" >&2 || log "workload del $victim failed"
del_one() {
  kroute_hasnt a "^${POD_IP[$victim]} " && kroute_hasnt b "^${POD_IP[$victim]} " && list_count $((N - 1)) cli
}
check "$T/cli-del-one" "tern workload del $victim: ${POD_IP[$victim]}/32 gone from a and b, list shows $((N - 1))" "$DL" del_one
# The del rewrote the state file: the rejected entry is still in it, unchanged.
kept_rejected() {
  python3 -c '
import json, sys
l = json.load(open(sys.argv[1]))
bad = [w for w in l if w["name"] == "bad-state"]
print("%d entries; bad-state: %s" % (len(l), bad))
sys.exit(0 if len(l) == int(sys.argv[2]) and bad and bad[0]["interface"] == ".." else 1)' "$WORK/a-workloads.json" "$N"
}
check "$T/state-file-keeps-rejected" "after a save, the state file still holds the rejected entry (N-1 valid + 1)" 5 kept_rejected
