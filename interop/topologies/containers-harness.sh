#!/usr/bin/env bash
# containers-harness: the container-runtime harness (interop/lib/containers.sh) with Debian's
# own CNI plugins (ptp + host-local + portmap) in place of tern: podman 4.3 (CNI backend)
# and containerd 1.6 `ctr run --cni` in two node namespaces. Needs no tern binary.
#
#   node a eth0 10.99.0.1/24 --veth-- node b eth0 10.99.0.2/24
#   a: network "hna" ptp + host-local 10.98.1.0/24 + portmap; route 10.98.2.0/24 via .2
#   b: network "hnb" ptp + host-local 10.98.2.0/24 + portmap; route 10.98.1.0/24 via .1
#   podman ca on a (--ip 10.98.1.77, -p 18080:80, busybox httpd), podman cb on b,
#   ctr container on b (containerd of b, the same conflist)
# shellcheck disable=SC2317 # the query functions below run indirectly, through check/wait_for ("$@")
SCRIPT_NAME=containers-harness
. "$(dirname "$0")/../lib/netns.sh"
. "$(dirname "$0")/../lib/containers.sh"

T=containers-harness
declare_tests "$T/podman-run" "$T/podman-static-ip" "$T/podman-ping-across-nodes" \
  "$T/podman-portmap-from-other-node" "$T/podman-del-at-exit-by-conmon" \
  "$T/ctr-run-cni-ping" "$T/ctr-del-releases-ip" "$T/bin-dir-plugin-podman" "$T/bin-dir-plugin-ctr"

require_root
require_tools ip curl
ctr_require podman containerd
DL=${DEADLINE:-30}

ctr_env_init || abort "ctr_env_init"
ns_add a || abort "namespace a"
ns_add b || abort "namespace b"
veth_pair a eth0 b eth0 || abort "veth a-b"
ip -n "$(ns_name a)" addr add 10.99.0.1/24 dev eth0 || abort "address a"
ip -n "$(ns_name b)" addr add 10.99.0.2/24 dev eth0 || abort "address b"
ip -n "$(ns_name a)" route add 10.98.2.0/24 via 10.99.0.2 || abort "route a"
ip -n "$(ns_name b)" route add 10.98.1.0/24 via 10.99.0.1 || abort "route b"
for n in a b; do ip netns exec "$(ns_name "$n")" sysctl -qw net.ipv4.ip_forward=1 || abort "ip_forward $n"; done

# A chained spy plugin in $CTR_BIN_DIR (where a test puts tern): logs one line per call
# (command, CNI_CONTAINERID, CNI_NETNS) and passes prevResult through.
SPYLOG="$WORK/spy.log"
cat >"$CTR_BIN_DIR/tern-spy" <<'EOF'
#!/usr/bin/env python3
import json, os, sys
cmd = os.environ.get("CNI_COMMAND", "")
conf = json.load(sys.stdin)
if cmd == "VERSION":
    print(json.dumps({"cniVersion": "1.0.0", "supportedVersions": ["0.3.1", "0.4.0", "1.0.0"]}))
    sys.exit(0)
with open(conf["log"], "a") as f:
    f.write("%s id=%s netns=%s\n" % (cmd, os.environ.get("CNI_CONTAINERID", ""), os.environ.get("CNI_NETNS", "")))
if cmd == "ADD":
    print(json.dumps(conf["prevResult"]))
EOF
chmod +x "$CTR_BIN_DIR/tern-spy"

# conflist NAME SUBNET IPAMDIR : ptp + host-local + portmap (snat, portMappings) + tern-spy
conflist() {
  cat <<EOF
{"cniVersion": "1.0.0", "name": "$1", "plugins": [
  {"type": "ptp", "ipMasq": false,
   "ipam": {"type": "host-local", "ranges": [[{"subnet": "$2"}]], "routes": [{"dst": "0.0.0.0/0"}], "dataDir": "$3"}},
  {"type": "portmap", "snat": true, "capabilities": {"portMappings": true}},
  {"type": "tern-spy", "log": "$SPYLOG"}]}
EOF
}
NETA="hna$RUN_ID" NETB="hnb$RUN_ID"
IPAMA="$(ctr_ipam_dir a)/$NETA" IPAMB="$(ctr_ipam_dir b)/$NETB"
pm_network_file a 10-hn "$(conflist "$NETA" 10.98.1.0/24 "$(ctr_ipam_dir a)")" || abort "conflist a"
pm_network_file b 10-hn "$(conflist "$NETB" 10.98.2.0/24 "$(ctr_ipam_dir b)")" || abort "conflist b"
ctr_smoke a || skip_all "$CTR_REASON"

# --- podman -------------------------------------------------------------------------
# Both containers idle until /tmp/quit exists, then exit by themselves (so that only
# conmon's `podman container cleanup` can run the CNI DEL).
IDLE='while [ ! -e /tmp/quit ]; do sleep 0.1; done'
CA_IP=10.98.1.77
run_ok=1
pm a run -d --name "ca$RUN_ID" --network "$NETA" --ip "$CA_IP" -p 18080:80 "$CTR_IMAGE" \
  sh -c "httpd -p 80 -h /www; $IDLE" >"$WORK/ca.id" 2>"$WORK/ca.err" || { run_ok=0; log "podman run ca: $(cat "$WORK/ca.err")"; }
pm b run -d --name "cb$RUN_ID" --network "$NETB" "$CTR_IMAGE" sh -c "$IDLE" >"$WORK/cb.id" 2>"$WORK/cb.err" ||
  { run_ok=0; log "podman run cb: $(cat "$WORK/cb.err")"; }
CA_ID=$(cat "$WORK/ca.id") CB_ID=$(cat "$WORK/cb.id")

running() { # NODE ID
  local s; s=$(pm "$1" inspect --format '{{.State.Status}}' "$2") || return 1
  echo "$2: $s"; [ "$s" = running ]
}
both_running() { running a "$CA_ID" && running b "$CB_ID"; }
if [ "$run_ok" = 1 ]; then
  check "$T/podman-run" "podman containers running on a and b" "$DL" both_running
else
  result FAIL "$T/podman-run" "podman run failed: $(cat "$WORK/ca.err" "$WORK/cb.err" | tr '\n' ' ' | cut -c1-300)"
  abort "podman run failed"
fi

# eth0_ip NODE ID : the container's IPv4 address on eth0 (from inside: ip addr)
eth0_ip() { pm "$1" exec "$2" ip -4 -o addr show eth0 | awk '{print $4}' | cut -d/ -f1; }
has_ip() { local got; got=$(pm "$1" exec "$2" ip -4 -o addr show eth0); echo "$got"; grep -q "inet $3/" <<<"$got"; }
check "$T/podman-static-ip" "--ip $CA_IP shown by ip addr inside ca" "$DL" has_ip a "$CA_ID" "$CA_IP"
CB_IP=$(eth0_ip b "$CB_ID")
log "cb has $CB_IP"

pings() { pm a exec "$CA_ID" ping -c1 -W2 "$CB_IP" && pm b exec "$CB_ID" ping -c1 -W2 "$CA_IP"; }
check "$T/podman-ping-across-nodes" "ca ($CA_IP) <-> cb ($CB_IP) ping" "$DL" pings

portmap_get() { nsenter --net="/run/netns/$(ns_name b)" curl -sS --max-time 2 "http://10.99.0.1:18080/" | grep -x tern-bb; }
check "$T/podman-portmap-from-other-node" "node b fetches 10.99.0.1:18080 (portmap DNAT to ca:80)" "$DL" portmap_get

# --- containerd -----------------------------------------------------------------------
# ctr on b uses b's first conflist (the same network as cb); its container pings ca.
CTR_NAME="c$RUN_ID"
if ctrd_start b; then
  out=$(ctrc b run --rm --cni "$CTR_IMAGE" "$CTR_NAME" sh -c "ip -4 -o addr show eth0; ping -c1 -W2 $CA_IP" 2>&1)
  rc=$?
  printf '%s\n' "$out" | sed 's/^/  ctr: /' >&2
  if [ "$rc" = 0 ] && grep -q 'inet 10.98.2.' <<<"$out"; then
    result PASS "$T/ctr-run-cni-ping"
  else
    result FAIL "$T/ctr-run-cni-ping" "expected eth0 in 10.98.2.0/24 and a ping reply from $CA_IP; ctr exited $rc: $(printf '%s' "$out" | tr '\n' ' ' | cut -c1-300)"
  fi
  CTR_IP=$(sed -n 's/.*inet \(10\.98\.2\.[0-9]*\)\/.*/\1/p' <<<"$out" | head -1)
  # host-local: one file per allocated address (content: CNI_CONTAINERID + ifname)
  ctr_released() {
    local f; f=$(grep -l "$(ctrd_ns b)-$CTR_NAME" "$IPAMB"/10.* 2>/dev/null)
    if [ -n "$f" ]; then echo "still allocated: $f"; return 1; fi
    [ -n "$CTR_IP" ] && [ -e "$IPAMB/$CTR_IP" ] && { echo "$IPAMB/$CTR_IP exists"; return 1; }
    echo "no allocation for $(ctrd_ns b)-$CTR_NAME in $IPAMB: $(ls "$IPAMB")"
    [ -n "$CTR_IP" ]
  }
  check "$T/ctr-del-releases-ip" "host-local allocation of the ctr container ($CTR_IP) released after exit" "$DL" ctr_released
else
  result SKIP "$T/ctr-run-cni-ping" "$CTR_REASON"
  result SKIP "$T/ctr-del-releases-ip" "$CTR_REASON"
fi

# --- podman DEL at exit ----------------------------------------------------------------
# Only files are polled (no podman command that could clean up itself): the allocation
# can only go through conmon's exit command, `podman container cleanup`.
[ -e "$IPAMA/$CA_IP" ] || log "no host-local file $IPAMA/$CA_IP before exit (ls: $(ls "$IPAMA"))"
pm a exec "$CA_ID" touch /tmp/quit
ca_released() {
  if [ -e "$IPAMA/$CA_IP" ]; then echo "$IPAMA/$CA_IP still there"; return 1; fi
  grep -q "\"ID\":\"$CA_ID\".*\"Status\":\"cleanup\"" "$(ctr_node_dir a)/events.log" ||
    { echo "no cleanup event for $CA_ID in events.log"; return 1; }
  echo "released; cleanup event logged"
}
check "$T/podman-del-at-exit-by-conmon" "ca exits by itself: $CA_IP released by podman container cleanup" "$DL" ca_released

# spy_has REGEX... : every REGEX matches a line of the spy's log
spy_has() {
  local r; for r in "$@"; do grep -qE "$r" "$SPYLOG" || { echo "no /$r/ in spy log:"; cat "$SPYLOG"; return 1; }; done
  echo "spy log has: $*"
}
check "$T/bin-dir-plugin-podman" "tern-spy from CTR_BIN_DIR: podman ADD and DEL for ca" "$DL" \
  spy_has "^ADD id=$CA_ID netns=/run/netns/" "^DEL id=$CA_ID "
if [ "${T_DONE[$T/ctr-run-cni-ping]:-SKIP}" != SKIP ]; then
  check "$T/bin-dir-plugin-ctr" "tern-spy from CTR_BIN_DIR: ctr ADD (netns /proc/PID/ns/net) and DEL (empty netns)" "$DL" \
    spy_has "^ADD id=$(ctrd_ns b)-$CTR_NAME netns=/proc/[0-9]+/ns/net\$" "^DEL id=$(ctrd_ns b)-$CTR_NAME netns=\$"
else
  result SKIP "$T/bin-dir-plugin-ctr" "${CTR_REASON:-containerd not started}"
fi
exit 0
