#!/usr/bin/env bash
# cni-protocol: the CNI plugin driven exactly as libcni drives it (environment, stdin,
# VERSION first, ADD, CHECK, DEL twice, DEL without prevResult, GC with valid
# attachments, STATUS, every error path with its code), against a real node namespace
# with a running Tern (file datastore, one IPPool) and real pod namespaces.
#
#   segment 192.168.88.0/24; tern a .1; pool 10.251.0.0/16 (blocks /26)
SCRIPT_NAME=cni-protocol
. "$(dirname "$0")/../lib/netns.sh"
. "$(dirname "$0")/../lib/datastore.sh"
. "$(dirname "$0")/../lib/cni.sh"

T=$SCRIPT_NAME
declare_tests "$T/version" "$T/add-result" "$T/add-kernel" "$T/add-registered" "$T/add-ping" "$T/add-again-same-address" \
  "$T/check-ok" "$T/check-detects" "$T/del" "$T/del-twice" "$T/del-no-prevresult" "$T/versions-0.3-0.4" \
  "$T/bad-version" "$T/env-errors" "$T/decode-errors" "$T/static-ip-mac" "$T/failed-add-cleans-up" \
  "$T/daemon-unreachable" "$T/status" "$T/gc" "$T/ipam-alone" "$T/ipv4-pools" "$T/mtu-default" "$T/mtu-config" \
  "$T/pod-labels" "$T/runtimeconfig-ips-mac"

cni_require

ds_use_file_store
seg_create 192.168.88 || abort "cannot create segment"
ds_node_add a 1 || abort "cannot create node a"
node_default_route a || abort "default route on a"
ip -n "$(ns_name a)" link set eth0 mtu 1450 || abort "mtu on a"   # the workload MTU follows the underlay
cni_install || abort "cannot install the plugin"
cat >"$WORK/pool.yaml" <<YAML
apiVersion: projectcalico.org/v3
kind: IPPool
metadata: {name: pool4}
spec: {cidr: 10.251.0.0/16, blockSize: 26}
---
apiVersion: v1
kind: Pod
metadata: {name: plab, namespace: default, labels: {app: web, tier: front}}
YAML
tern_ds seg apply -f "$WORK/pool.yaml" >&2 || abort "tern apply failed"
ds_node_start a || abort "tern a did not start"
wait_for "a holds a block" 20 ds_blocks a || abort "no block for a"
SOCK="$WORK/a.sock"
cni_conf tern 1.0.0 "$SOCK" >"$WORK/conf.json"

# pod_ns POD VAR: a pod namespace (in this shell, so that cleanup deletes it), its path in VAR.
pod_ns() { ns_add "$1" >/dev/null || return 1; printf -v "$2" '%s' "/run/netns/$(ns_name "$1")"; }
rc_is() { echo "rc=$CNI_RC code=$(jget "$WORK/$2.json" code 2>/dev/null) msg=$(jget "$WORK/$2.json" msg 2>/dev/null)"; [ "$CNI_RC" = "$1" ]; }
# holds_nothing HANDLE : the handle has no address (releasing it frees none)
holds_nothing() { ! ns_exec a "$TERN" ipam release --socket "$SOCK" --handle "$1" --json | grep -q '10\.251'; }
code_is() { rc_is 1 "$1" && [ "$(jget "$WORK/$1.json" code)" = "$2" ]; }

# --- VERSION (what podman sends before every ADD/DEL) ---
echo '{"cniVersion":"1.0.0"}' >"$WORK/v.json"
cni_call a ver VERSION dummy dummy "$WORK/v.json" dummy
check "$T/version" "VERSION lists 0.3.1 0.4.0 1.0.0 1.1.0" 1 \
  sh -c "grep -q '\"0.3.1\"' '$WORK/ver.json' && grep -q '\"0.4.0\"' '$WORK/ver.json' && grep -q '\"1.1.0\"' '$WORK/ver.json' && [ $CNI_RC = 0 ]"

# --- ADD ---
pod_ns p1 P1 || abort "pod ns"
cni_call a add1 ADD c1 "$P1" "$WORK/conf.json" eth0 "IgnoreUnknown=1;K8S_POD_NAME=p1"
HOSTIF=$(cali_name "default.p1")
IP1=$(jget "$WORK/add1.json" ips.0.address | cut -d/ -f1)
add_result_ok() {
  rc_is 0 add1 || return 1
  [ "$(jget "$WORK/add1.json" cniVersion)" = 1.0.0 ] && [ "$(jget "$WORK/add1.json" interfaces.0.name)" = "$HOSTIF" ] \
    && ! jget "$WORK/add1.json" interfaces.0.sandbox >/dev/null && [ "$(jget "$WORK/add1.json" interfaces.0.mac)" = ee:ee:ee:ee:ee:ee ] \
    && [ "$(jget "$WORK/add1.json" interfaces.1.name)" = eth0 ] && [ "$(jget "$WORK/add1.json" interfaces.1.sandbox)" = "$P1" ] \
    && [ "$(jget "$WORK/add1.json" interfaces.1.mac)" = "$(ip -n "$(ns_name p1)" -j link show eth0 | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["address"])')" ] \
    && [ "$(jget "$WORK/add1.json" ips.0.interface)" = 1 ] && jget "$WORK/add1.json" ips.0.address | grep -q '^10\.251\..*/32$' \
    && ! jget "$WORK/add1.json" ips.0.version >/dev/null \
    && [ "$(jget "$WORK/add1.json" routes.0.dst)" = 0.0.0.0/0 ] && [ "$(jget "$WORK/add1.json" routes.0.gw)" = 169.254.1.1 ]
}
check "$T/add-result" "ADD result: host end $HOSTIF without sandbox, eth0 with sandbox and its MAC, a /32 on interface 1, default via 169.254.1.1" 1 add_result_ok
add_kernel_ok() {
  ip -n "$(ns_name p1)" addr show eth0 | grep -q "inet $IP1/32" \
    && ip -n "$(ns_name p1)" route show | grep -q '^default via 169.254.1.1 dev eth0' \
    && ip -n "$(ns_name p1)" route show | grep -q '^169.254.1.1 dev eth0 scope link' \
    && ip -n "$(ns_name a)" link show "$HOSTIF" | grep -q 'link/ether ee:ee:ee:ee:ee:ee' \
    && ip -n "$(ns_name a)" route show "$IP1/32" | grep -q "dev $HOSTIF"
}
check "$T/add-kernel" "pod eth0 $IP1/32 + 169.254.1.1 routes; host $HOSTIF ee:ee:..; $IP1/32 dev $HOSTIF on the node" 10 add_kernel_ok
registered() {
  ns_exec a "$TERN" workload list --socket "$SOCK" --json | grep -q "\"attachment\" *: *\"tern.c1\"" \
    && tern_ds seg get workloadendpoints -A -o yaml | grep -q "$HOSTIF"
}
check "$T/add-registered" "tern workload list has attachment tern.c1 and the datastore a WorkloadEndpoint on $HOSTIF" 10 registered
check "$T/add-ping" "pod p1 pings its node 192.168.88.1" 10 ns_exec p1 ping -c1 -W1 192.168.88.1

cni_call a add1b ADD c1 "$P1" "$WORK/conf.json" eth0 "IgnoreUnknown=1;K8S_POD_NAME=p1"
check "$T/add-again-same-address" "a repeated ADD of c1 succeeds with the same address $IP1" 1 \
  sh -c "[ $CNI_RC = 0 ] && [ \"\$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[\"ips\"][0][\"address\"])' '$WORK/add1b.json')\" = '$IP1/32' ]"

# --- CHECK ---
jset "$WORK/conf.json" prevResult "$WORK/add1b.json" >"$WORK/conf-prev.json"
cni_call a chk1 CHECK c1 "$P1" "$WORK/conf-prev.json" eth0 "K8S_POD_NAME=p1"
check "$T/check-ok" "CHECK with ADD's result as prevResult succeeds" 1 rc_is 0 chk1
ip -n "$(ns_name p1)" addr del "$IP1/32" dev eth0
cni_call a chk2 CHECK c1 "$P1" "$WORK/conf-prev.json" eth0 "K8S_POD_NAME=p1"
check "$T/check-detects" "CHECK after the pod lost its address fails with code 103" 1 code_is chk2 103
ip -n "$(ns_name p1)" addr add "$IP1/32" dev eth0

# --- DEL ---
cni_call a del1 DEL c1 "$P1" "$WORK/conf-prev.json" eth0 "K8S_POD_NAME=p1"
del_ok() {
  rc_is 0 del1 && ! ip -n "$(ns_name a)" link show "$HOSTIF" >/dev/null 2>&1 \
    && ! ns_exec a "$TERN" workload list --socket "$SOCK" --json | grep -q tern.c1 \
    && ! tern_ds seg get workloadendpoints -A -o yaml | grep -q "$HOSTIF" \
    && holds_nothing tern.c1
}
check "$T/del" "DEL: veth gone, workload and WorkloadEndpoint gone, handle tern.c1 holds nothing" 10 del_ok
cni_call a del2 DEL c1 "$P1" "$WORK/conf-prev.json" eth0 "K8S_POD_NAME=p1"
check "$T/del-twice" "a second DEL succeeds" 1 rc_is 0 del2
cni_call a del3 DEL c1 "" "$WORK/conf.json" eth0 ""
check "$T/del-no-prevresult" "DEL without prevResult and with an empty CNI_NETNS (containerd) succeeds" 1 rc_is 0 del3

# --- older versions ---
pod_ns p2 P2 || abort "pod ns"
cni_conf tern 0.3.1 "$SOCK" >"$WORK/conf031.json"
cni_call a add031 ADD c031 "$P2" "$WORK/conf031.json" eth0 "K8S_POD_NAME=p2"
pod_ns p3 P3 || abort "pod ns"
cni_conf tern 0.4.0 "$SOCK" >"$WORK/conf040.json"
cni_call a add040 ADD c040 "$P3" "$WORK/conf040.json" eth0 "K8S_POD_NAME=p3"
old_ok() {
  [ "$(jget "$WORK/add031.json" ips.0.version)" = 4 ] && [ "$(jget "$WORK/add031.json" cniVersion)" = 0.3.1 ] \
    && [ "$(jget "$WORK/add040.json" ips.0.version)" = 4 ] && [ "$(jget "$WORK/add040.json" cniVersion)" = 0.4.0 ]
}
check "$T/versions-0.3-0.4" "0.3.1 and 0.4.0 ADDs answer in their version's shape (ips[].version)" 1 old_ok
cni_call a d031 DEL c031 "$P2" "$WORK/conf031.json" eth0 "K8S_POD_NAME=p2"
cni_call a d040 DEL c040 "$P3" "$WORK/conf040.json" eth0 "K8S_POD_NAME=p3"
cni_conf tern 0.2.0 "$SOCK" >"$WORK/conf020.json"
cni_call a add020 ADD c020 "$P2" "$WORK/conf020.json" eth0 "K8S_POD_NAME=p2"
check "$T/bad-version" "cniVersion 0.2.0 is refused with code 1" 1 code_is add020 1

# --- environment and decode errors ---
env_errors() {
  local rc=0
  ip netns exec "$(ns_name a)" env -i CNI_CONTAINERID=x CNI_NETNS="$P2" CNI_IFNAME=eth0 "$CNI_BIN/tern" <"$WORK/conf.json" >"$WORK/e1.json" || true
  [ "$(jget "$WORK/e1.json" code)" = 4 ] || { echo "no CNI_COMMAND: $(cat "$WORK/e1.json")"; rc=1; }
  ip netns exec "$(ns_name a)" env -i CNI_COMMAND=ADD CNI_NETNS="$P2" CNI_IFNAME=eth0 "$CNI_BIN/tern" <"$WORK/conf.json" >"$WORK/e2.json" || true
  [ "$(jget "$WORK/e2.json" code)" = 4 ] || { echo "no CNI_CONTAINERID: $(cat "$WORK/e2.json")"; rc=1; }
  grep -q CNI_CONTAINERID "$WORK/e2.json" || { echo "message does not name CNI_CONTAINERID"; rc=1; }
  return $rc
}
check "$T/env-errors" "missing CNI_COMMAND / CNI_CONTAINERID: code 4 naming the variable" 1 env_errors
decode_errors() {
  echo '{"cniVersion":"1.0.0", "name": ' >"$WORK/bad1.json"
  cni_call a dec1 ADD cx "$P2" "$WORK/bad1.json" eth0 ""
  code_is dec1 6 || return 1
  echo '{"cniVersion":"1.0.0","type":"tern"}' >"$WORK/bad2.json"
  cni_call a dec2 ADD cx "$P2" "$WORK/bad2.json" eth0 ""
  code_is dec2 7 && grep -q name "$WORK/dec2.json"
}
check "$T/decode-errors" "truncated JSON: code 6; no name: code 7 naming it" 1 decode_errors

# --- static IP and MAC (podman --ip / --mac-address) ---
cni_call a adds ADD cs "$P2" "$WORK/conf.json" eth0 "IgnoreUnknown=1;K8S_POD_NAME=p2;MAC=0e:00:00:00:00:77;IP=10.251.200.77"
static_ok() {
  rc_is 0 adds && [ "$(jget "$WORK/adds.json" ips.0.address)" = 10.251.200.77/32 ] \
    && ip -n "$(ns_name p2)" link show eth0 | grep -q 0e:00:00:00:00:77 \
    && [ "$(jget "$WORK/adds.json" interfaces.1.mac)" = 0e:00:00:00:00:77 ]
}
check "$T/static-ip-mac" "IP= and MAC= in CNI_ARGS are honoured" 1 static_ok
cni_call a dels DEL cs "$P2" "$WORK/conf.json" eth0 "K8S_POD_NAME=p2"

# --- a failed ADD leaves nothing (an eth0 already in the pod) ---
pod_ns p4 P4 || abort "pod ns"
ip -n "$(ns_name p4)" link add eth0 type veth peer name x0 || abort "cannot make an eth0 in p4"   # no dummy module here
cni_call a addf ADD cf "$P4" "$WORK/conf.json" eth0 "K8S_POD_NAME=p4"
failed_clean() {
  code_is addf 103 && ! ip -n "$(ns_name a)" link show "$(cali_name default.p4)" >/dev/null 2>&1 \
    && holds_nothing tern.cf \
    && ! ns_exec a "$TERN" workload list --socket "$SOCK" --json | grep -q tern.cf
}
check "$T/failed-add-cleans-up" "ADD into a pod that has an eth0 fails (103) and leaves no veth, no address, no workload" 1 failed_clean

# --- daemon unreachable, STATUS ---
cni_conf tern 1.1.0 "$WORK/nowhere.sock" >"$WORK/conf-down.json"
cni_call a addd ADD cd "$P4" "$WORK/conf-down.json" eth1 "K8S_POD_NAME=p4"
cni_call a std STATUS "" "" "$WORK/conf-down.json" ""
check "$T/daemon-unreachable" "no daemon: ADD code 100 naming the socket, STATUS code 50" 1 \
  sh -c "[ \"\$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d[\"code\"], sys.argv[2] in d[\"msg\"])' '$WORK/addd.json' '$WORK/nowhere.sock')\" = '100 True' ] && grep -q '\"code\" *: *50' '$WORK/std.json'"
cni_conf tern 1.1.0 "$SOCK" >"$WORK/conf11.json"
cni_call a st STATUS "" "" "$WORK/conf11.json" ""
check "$T/status" "STATUS with the daemon up: exit 0, no output" 1 sh -c "[ $CNI_RC = 0 ] && [ ! -s '$WORK/st.json' ] || [ \"\$(tr -d '[:space:]' <'$WORK/st.json')\" = '' ]"

# --- GC ---
pod_ns p5 P5 || abort "pod ns"; pod_ns p6 P6 || abort "pod ns"
cni_call a g1 ADD keep1 "$P5" "$WORK/conf11.json" eth0 "K8S_POD_NAME=p5"
cni_call a g2 ADD gone2 "$P6" "$WORK/conf11.json" eth0 "K8S_POD_NAME=p6"
python3 -c 'import json,sys; c=json.load(open(sys.argv[1])); c["cni.dev/valid-attachments"]=[{"containerID":"keep1","ifname":"eth0"}]; print(json.dumps(c))' \
  "$WORK/conf11.json" >"$WORK/conf-gc.json"
cni_call a gc GC "" "" "$WORK/conf-gc.json" ""
gc_ok() {
  rc_is 0 gc && ip -n "$(ns_name a)" link show "$(cali_name default.p5)" >/dev/null 2>&1 \
    && ! ip -n "$(ns_name a)" link show "$(cali_name default.p6)" >/dev/null 2>&1 \
    && ns_exec a "$TERN" workload list --socket "$SOCK" --json | grep -q tern.keep1 \
    && ! ns_exec a "$TERN" workload list --socket "$SOCK" --json | grep -q tern.gone2 \
    && ns_exec a "$TERN" ipam allocate --socket "$SOCK" --handle tern.keep1 --json | grep -q "$(jget "$WORK/g1.json" ips.0.address | cut -d/ -f1)"
}
check "$T/gc" "GC with valid-attachments [keep1]: gone2's veth, workload and address freed; keep1 intact" 10 gc_ok

# --- tern-ipam on its own (as another main plugin would call it: SPEC.md "IP Allocation") ---
printf '{"cniVersion":"1.0.0","name":"other","type":"ptp","controlSocket":"%s","ipam":{"type":"tern-ipam"}}\n' "$SOCK" >"$WORK/ipam.json"
cni_call a ia ADD ipam1 "$P5" "$WORK/ipam.json" eth1 "" tern-ipam
IA=$(jget "$WORK/ia.json" ips.0.address | cut -d/ -f1)
ipam_alone() {
  rc_is 0 ia && echo "$IA" | grep -q '^10\.251\.' && ! jget "$WORK/ia.json" interfaces.0 >/dev/null \
    && ! ip -n "$(ns_name p5)" link show eth1 >/dev/null 2>&1 \
    && ns_exec a "$TERN" ipam allocate --socket "$SOCK" --handle other.ipam1 --json | grep -q "\"$IA/" || return 1
  cni_call a id DEL ipam1 "$P5" "$WORK/ipam.json" eth1 "" tern-ipam
  rc_is 0 id && holds_nothing other.ipam1
}
check "$T/ipam-alone" "tern-ipam called directly: ADD gives an address of a's block under handle other.ipam1 and makes no interface; DEL frees it" 1 ipam_alone

# --- ipam.ipv4_pools: only the pools named (calico-ipam's key) ---
printf '{"cniVersion":"1.0.0","name":"tern","type":"tern","controlSocket":"%s","ipam":{"type":"tern-ipam","ipv4_pools":["pool4"]}}\n' "$SOCK" >"$WORK/pools-ok.json"
printf '{"cniVersion":"1.0.0","name":"tern","type":"tern","controlSocket":"%s","ipam":{"type":"tern-ipam","ipv4_pools":["nosuch"]}}\n' "$SOCK" >"$WORK/pools-bad.json"
pod_ns p8 P8 || abort "pod ns"; pod_ns p9 P9 || abort "pod ns"
cni_call a pok ADD pool1 "$P8" "$WORK/pools-ok.json" eth0 "K8S_POD_NAME=p8"
cni_call a pbad ADD pool2 "$P9" "$WORK/pools-bad.json" eth0 "K8S_POD_NAME=p9"
pools_ok() {
  jget "$WORK/pok.json" ips.0.address | grep -q '^10\.251\.' && code_is pbad 104 && grep -q nosuch "$WORK/pbad.json" \
    && ! ip -n "$(ns_name a)" link show "$(cali_name default.p9)" >/dev/null 2>&1
}
check "$T/ipv4-pools" "ipv4_pools [pool4] gives an address of pool4; [nosuch] fails with 104 naming it and leaves no veth" 1 pools_ok

# --- MTU: the node's workload MTU (underlay 1450, no overlay), or the config's "mtu" ---
wl_mtu() { ns_exec a "$TERN" status --socket "$SOCK" --json | python3 -c 'import json,sys; print(((json.load(sys.stdin).get("overlay") or {}).get("workloadMTU")))'; }
mtu_of() { ip -n "$(ns_name "$1")" -j link show eth0 | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["mtu"])'; }
pod_ns p10 P10 || abort "pod ns"
cni_call a m1 ADD mtu1 "$P10" "$WORK/conf.json" eth0 "K8S_POD_NAME=p10"
check "$T/mtu-default" "without \"mtu\" the pod's eth0 has the node's workload MTU (tern status: $(wl_mtu)) = 1450" 1 \
  sh -c "[ '$(mtu_of p10)' = 1450 ] && [ '$(wl_mtu)' = 1450 ] && [ \"\$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[\"interfaces\"][1][\"mtu\"])' '$WORK/m1.json')\" = 1450 ]"
cni_conf tern 1.0.0 "$SOCK" '"mtu":1400' >"$WORK/conf-mtu.json"
pod_ns p11 P11 || abort "pod ns"
cni_call a m2 ADD mtu2 "$P11" "$WORK/conf-mtu.json" eth0 "K8S_POD_NAME=p11"
check "$T/mtu-config" "\"mtu\": 1400 in the config sets the pod's eth0 and the host end to 1400" 1 \
  sh -c "[ '$(mtu_of p11)' = 1400 ] && ip -n '$(ns_name a)' link show '$(cali_name default.p11)' | grep -q 'mtu 1400'"

# --- labels from the datastore's Pod of that namespace and name ---
pod_ns p12 P12 || abort "pod ns"
cni_call a lab ADD lab1 "$P12" "$WORK/conf.json" eth0 "K8S_POD_NAMESPACE=default;K8S_POD_NAME=plab"
labels_ok() { tern_ds seg get workloadendpoints -A -o yaml | python3 -c '
import sys
text = sys.stdin.read(); block = [b for b in text.split("---") if "'"$(cali_name default.plab)"'" in b]
print(block[0] if block else "no WorkloadEndpoint on the interface")
sys.exit(0 if block and "app: web" in block[0] and "tier: front" in block[0] else 1)'; }
check "$T/pod-labels" "the WorkloadEndpoint of pod default/plab carries the Pod resource's labels app=web, tier=front" 10 labels_ok

# --- the ips / mac capabilities (runtimeConfig) ---
cni_conf tern 1.0.0 "$SOCK" '"runtimeConfig":{"ips":["10.251.201.9/16"],"mac":"0e:00:00:00:00:99"}' >"$WORK/conf-rc.json"
pod_ns p13 P13 || abort "pod ns"
cni_call a rc ADD rc1 "$P13" "$WORK/conf-rc.json" eth0 "K8S_POD_NAME=p13"
check "$T/runtimeconfig-ips-mac" "runtimeConfig ips/mac: the pod gets 10.251.201.9/32 and MAC 0e:00:00:00:00:99" 1 \
  sh -c "[ \"\$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[\"ips\"][0][\"address\"])' '$WORK/rc.json')\" = 10.251.201.9/32 ] && ip -n '$(ns_name p13)' link show eth0 | grep -q 0e:00:00:00:00:99"
