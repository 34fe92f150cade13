#!/usr/bin/env bash
# cni-podman: real container runtimes attach workloads through Tern's CNI plugin. Two Tern
# nodes (file datastore, one IPPool) and a BIRD mesh member; podman 4.3 (CNI backend) on
# each Tern node with the conflist of etc/cni/10-tern.conflist (tern + tern-ipam, then
# Debian's portmap with snat):
#   - containers on a and b get addresses of their node's block, are registered, ping each
#     other across nodes and ping a pod behind BIRD; --ip is honoured; -p 18080:80 reaches
#     a container from the other node through the chained portmap; a container that exits
#     has its address released by the DEL podman runs at exit (conmon's cleanup);
#   - containerd 1.6 `ctr run --cni` on b: the container pings a's, and its DEL (with an
#     empty CNI_NETNS) releases its address;
#   - BIRD 2 itself in a podman container on a at a fixed --ip, peering eBGP with a's Tern
#     (a BGPPeer for that address, node: a; BIRD multihop, it sits behind 169.254.1.1): the
#     prefix it originates reaches b with a as next hop and a container on b pings it.
#
#   segment 192.168.90.0/24; tern a .1, b .2; bird .10 (block 10.99.90.0/26); pool 10.253.0.0/16
# shellcheck disable=SC2317 # the query functions run indirectly, through check/wait_for
SCRIPT_NAME=cni-podman
. "$(dirname "$0")/../lib/netns.sh"
. "$(dirname "$0")/../lib/datastore.sh"
. "$(dirname "$0")/../lib/cni.sh"
. "$(dirname "$0")/../lib/containers.sh"

T=$SCRIPT_NAME
declare_tests "$T/podman-run" "$T/address-from-block" "$T/registered" "$T/ping-across-nodes" "$T/ping-bird-pod" \
  "$T/static-ip" "$T/portmap" "$T/exit-releases" "$T/ctr-run-cni" "$T/ctr-exit-releases" \
  "$T/bird-container-established" "$T/bird-prefix-via-node" "$T/bird-prefix-ping" "$T/bandwidth-chained"

cni_require bird birdc curl ldd
ctr_require podman containerd
DL=${DEADLINE:-40}

ds_use_file_store
ctr_env_init || abort "ctr_env_init"
seg_create 192.168.90 || abort "cannot create segment"
for n in a:1 b:2; do ds_node_add "${n%:*}" "${n#*:}" || abort "cannot create node ${n%:*}"; done
node_add bird bird 10 64512 10.99.90.0/26 yes || abort "cannot create bird"
MESH_NODES=(a b bird)
for n in a b; do N_AS[$n]=64512; done
for n in a b bird; do node_default_route "$n" || abort "default route on $n"; done
pod_add bird pbird 10.99.90.5 || abort "pod behind bird"
{ cp "$TERN_CNI" "$CTR_BIN_DIR/tern" && cp "$TERN_CNI" "$CTR_BIN_DIR/tern-ipam"; } || abort "cannot install the plugin"

cat >"$WORK/cluster.yaml" <<YAML
apiVersion: projectcalico.org/v3
kind: IPPool
metadata: {name: pods}
spec: {cidr: 10.253.0.0/16, blockSize: 26}
---
apiVersion: projectcalico.org/v3
kind: Node
metadata: {name: bird}
spec: {bgp: {ipv4Address: 192.168.90.10/24}}
YAML
tern_ds seg apply -f "$WORK/cluster.yaml" >&2 || abort "tern apply failed"
for n in a b; do ds_node_start "$n" || abort "tern $n did not start"; done
node_start bird || abort "bird did not start"
wait_for "a and b mesh with each other and BIRD" "$DL" ds_full_mesh 2 || abort "no mesh"
wait_for "a and b hold a block" 20 sh -c "[ -n \"\$(\"$TERN\" status --socket '$WORK/a.sock' --json | python3 '$QUERY' datastore-field blocks)\" ]" || abort "no block"

# The shipped conflist, with this run's control socket.
# b's adds Debian's bandwidth plugin after portmap (a pod ingress limit: a tbf on the host end).
pm_network_file a 10-tern "$(sed "s|/run/tern/tern.sock|$WORK/a.sock|" "$REPO_ROOT/etc/cni/10-tern.conflist")" || abort "conflist a"
pm_network_file b 10-tern "$(sed "s|/run/tern/tern.sock|$WORK/b.sock|" "$REPO_ROOT/etc/cni/10-tern.conflist" | python3 -c '
import json, sys
c = json.load(sys.stdin)
c["plugins"].append({"type": "bandwidth", "ingressRate": 100000000, "ingressBurst": 1000000})
print(json.dumps(c))')" || abort "conflist b"
ctr_smoke a || skip_all "$CTR_REASON"

# --- podman on a and b ---
IDLE='while [ ! -e /tmp/quit ]; do sleep 0.1; done'
pm a run -d --name "ca$RUN_ID" --network tern -p 18080:80 "$CTR_IMAGE" sh -c "httpd -p 80 -h /www; $IDLE" \
  >"$WORK/ca.id" 2>"$WORK/ca.err" || log "podman run ca: $(cat "$WORK/ca.err")"
STATIC=$(ds_block_host b 40)
pm b run -d --name "cb$RUN_ID" --network tern --ip "$STATIC" "$CTR_IMAGE" sh -c "$IDLE" \
  >"$WORK/cb.id" 2>"$WORK/cb.err" || log "podman run cb: $(cat "$WORK/cb.err")"
CA=$(cat "$WORK/ca.id") CB=$(cat "$WORK/cb.id")
running() { local s; s=$(pm "$1" inspect --format '{{.State.Status}}' "$2") || return 1; echo "$2: $s"; [ "$s" = running ]; }
both_running() { cat "$WORK/ca.err" "$WORK/cb.err"; running a "$CA" && running b "$CB"; }
check "$T/podman-run" "podman run --network tern: containers running on a and b" "$DL" both_running
eth0_ip() { pm "$1" exec "$2" ip -4 -o addr show eth0 | awk '{print $4}' | cut -d/ -f1; }
CA_IP=$(eth0_ip a "$CA")
in_block() { python3 -c 'import ipaddress,sys; sys.exit(0 if ipaddress.ip_address(sys.argv[1]) in ipaddress.ip_network(sys.argv[2]) else 1)' "$1" "$2"; }
from_block() { echo "ca: $CA_IP, a's block: $(ds_blocks a)"; [ -n "$CA_IP" ] && in_block "$CA_IP" "$(ds_blocks a | awk '{print $1}')" \
  && pm a exec "$CA" ip -4 -o addr show eth0 | grep -q "$CA_IP/32"; }
check "$T/address-from-block" "ca's eth0 has a /32 from a's block" "$DL" from_block
registered() {
  ns_exec a "$TERN" workload list --socket "$WORK/a.sock" | grep -q "$CA_IP/32" \
    && tern_ds seg get workloadendpoints -A -o yaml | grep -q "$CA_IP/32"
}
check "$T/registered" "ca is in a's tern workload list and a WorkloadEndpoint" "$DL" registered
pings() { pm a exec "$CA" ping -c1 -W2 "$STATIC" && pm b exec "$CB" ping -c1 -W2 "$CA_IP"; }
check "$T/ping-across-nodes" "ca ($CA_IP) <-> cb ($STATIC) ping across nodes" "$DL" pings
# The BIRD node's config has no kernel protocol: what it would install, by hand.
for n in a b; do ip -n "$(ns_name bird)" route replace "$(ds_blocks "$n" | awk '{print $1}')" via "${N_ADDR[$n]}"; done
check "$T/ping-bird-pod" "ca pings BIRD's pod 10.99.90.5" "$DL" pm a exec "$CA" ping -c1 -W2 10.99.90.5
has_static() { local got; got=$(pm b exec "$CB" ip -4 -o addr show eth0); echo "$got"; grep -q "inet $STATIC/32" <<<"$got"; }
check "$T/static-ip" "--ip $STATIC is cb's eth0 address" "$DL" has_static
check "$T/bandwidth-chained" "bandwidth after tern + portmap on b: a tbf qdisc on cb's host end" "$DL" \
  sh -c "tc -n '$(ns_name b)' qdisc show dev '$(cali_name "default.cb$RUN_ID")' | grep -q tbf"
check "$T/portmap" "node b fetches 192.168.90.1:18080 (portmap DNAT to ca:80)" "$DL" \
  sh -c "nsenter --net=/run/netns/$(ns_name b) curl -sS --max-time 2 http://192.168.90.1:18080/ | grep -qx tern-bb"

# --- containerd on b ---
CTR_NAME="k$RUN_ID"
if ctrd_start b; then
  out=$(ctrc b run --rm --cni "$CTR_IMAGE" "$CTR_NAME" sh -c "ip -4 -o addr show eth0; ping -c1 -W2 $CA_IP" 2>&1); rc=$?
  printf '%s\n' "$out" | sed 's/^/  ctr: /' >&2
  CTR_IP=$(sed -n 's/.*inet \(10\.253\.[0-9.]*\)\/32.*/\1/p' <<<"$out" | head -1)
  if [ "$rc" = 0 ] && [ -n "$CTR_IP" ] && in_block "$CTR_IP" "$(ds_blocks b | awk '{print $1}')"; then
    result PASS "$T/ctr-run-cni"
  else
    result FAIL "$T/ctr-run-cni" "expected an address of b's block and a reply from $CA_IP; ctr exited $rc: $(printf '%s' "$out" | tr '\n' ' ' | cut -c1-300)"
  fi
  ctr_gone() {
    ! tern_ds seg ipam show -o wide | grep "tern.$(ctrd_ns b)-$CTR_NAME" \
      && ! ns_exec b "$TERN" workload list --socket "$WORK/b.sock" | grep -q "${CTR_IP:-none}/32"
  }
  check "$T/ctr-exit-releases" "after ctr's container exits (DEL with an empty CNI_NETNS): its address and workload are gone" "$DL" ctr_gone
else
  result SKIP "$T/ctr-run-cni" "$CTR_REASON"
  result SKIP "$T/ctr-exit-releases" "$CTR_REASON"
fi

# --- BIRD in a container on a, peering with a's Tern ---
BIRD_IP=$(ds_block_host a 50)
R="$CTR_DIR/image/bird-rootfs"
{ cp -a "$CTR_DIR/image/rootfs" "$R" && mkdir -p "$R/usr/sbin" "$R/run/bird" "$R/etc"; } || abort "bird rootfs"
cp "$(command -v bird)" "$R/usr/sbin/bird" || abort "copy bird"
for lib in $(ldd "$(command -v bird)" | grep -o '/[^ ]*'); do mkdir -p "$R$(dirname "$lib")" && cp -L "$lib" "$R$lib"; done
cat >"$R/etc/bird.conf" <<EOF
router id $BIRD_IP;
protocol device {}
protocol static { ipv4; route 10.254.77.0/24 blackhole; }
protocol bgp tern { local $BIRD_IP as 65077; neighbor 192.168.90.1 as 64512; multihop 2;
  ipv4 { import none; export where source = RTS_STATIC; }; }
EOF
{ tar -C "$R" -cf "$CTR_DIR/image/bird.tar" . && pm a import --change 'CMD ["/bin/sh"]' "$CTR_DIR/image/bird.tar" localhost/tern-bird:test >/dev/null; } \
  || abort "import the BIRD image"
cat >"$WORK/peer.yaml" <<YAML
apiVersion: projectcalico.org/v3
kind: BGPPeer
metadata: {name: bird-in-pod}
spec: {node: a, peerIP: $BIRD_IP, asNumber: 65077}
YAML
tern_ds seg apply -f "$WORK/peer.yaml" >&2 || abort "apply the BGPPeer"
pm a run -d --name "bp$RUN_ID" --network tern --ip "$BIRD_IP" --cap-add NET_ADMIN localhost/tern-bird:test \
  sh -c "ip addr add 10.254.77.1/32 dev lo && exec /usr/sbin/bird -f -c /etc/bird.conf -s /run/bird/bird.ctl" \
  >"$WORK/bp.id" 2>"$WORK/bp.err" || log "podman run bird: $(cat "$WORK/bp.err")"
check "$T/bird-container-established" "a's session with BIRD in the container ($BIRD_IP, AS 65077) Established" "$DL" \
  node_established a "$BIRD_IP"
check "$T/bird-prefix-via-node" "b routes BIRD's 10.254.77.0/24 via a (192.168.90.1)" "$DL" \
  kroute_has b "^10\.254\.77\.0/24 via 192\.168\.90\.1 "
check "$T/bird-prefix-ping" "cb on b pings 10.254.77.1 inside BIRD's container" "$DL" pm b exec "$CB" ping -c1 -W2 10.254.77.1

# --- a container that exits releases its address (podman's DEL from conmon's cleanup) ---
pm a exec "$CA" touch /tmp/quit
released() {
  local out; out=$(tern_ds seg ipam show -o wide); echo "$out" | grep "$CA_IP " && return 1
  ! ns_exec a "$TERN" workload list --socket "$WORK/a.sock" | grep -q "$CA_IP/32" \
    && ! ip -n "$(ns_name a)" -o link show | grep -q "$(cali_name "default.ca$RUN_ID")"
}
check "$T/exit-releases" "ca exits by itself: its address, workload and veth are gone" "$DL" released
