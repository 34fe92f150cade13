#!/usr/bin/env bash
# datastore-etcd-ha: a 3-member etcd cluster serving TLS with client certificates (a CA,
# server and client certificates made here with openssl); three Tern nodes list all three
# endpoints with caFile/certFile/keyFile. A CLI without a client certificate is refused.
# Then the member every node talks to first is killed: no session resets, and a BGPPeer
# applied through another member takes effect on every node.
#
#   segment 192.168.88.0/24; etcd e1 .101, e2 .102, e3 .103; tern a .1, b .2, c .3; tor .254
SCRIPT_NAME=datastore-etcd-ha
. "$(dirname "$0")/../lib/netns.sh"
. "$(dirname "$0")/../lib/datastore.sh"

T=datastore-etcd-ha
declare_tests "$T/etcd-cluster-up" "$T/no-client-cert-refused" "$T/full-mesh" "$T/blocks-disjoint" \
  "$T/member-killed-no-reset" "$T/apply-via-other-member" "$T/status-connected"

require_root
require_tools ip etcd openssl bird birdc python3 curl
[ -n "$STANDIN" ] && skip_all "datastore topologies need tern itself (no stand-in)"
require_tern

DL=${DEADLINE:-40}
PKI="$WORK/pki"
mkdir -p "$PKI"
mkcert() { # NAME SUBJECT [SAN]
  openssl req -new -newkey rsa:2048 -nodes -keyout "$PKI/$1-key.pem" -out "$PKI/$1.csr" -subj "/CN=$2" 2>/dev/null || return 1
  local ext="$PKI/$1.ext"
  if [ -n "${3:-}" ]; then printf 'subjectAltName=%s\nextendedKeyUsage=serverAuth,clientAuth\n' "$3" >"$ext"
  else printf 'extendedKeyUsage=clientAuth\n' >"$ext"; fi
  openssl x509 -req -in "$PKI/$1.csr" -CA "$PKI/ca.pem" -CAkey "$PKI/ca-key.pem" -CAcreateserial -days 2 \
    -extfile "$ext" -out "$PKI/$1.pem" 2>/dev/null
}
openssl req -x509 -new -newkey rsa:2048 -nodes -keyout "$PKI/ca-key.pem" -out "$PKI/ca.pem" -days 2 -subj "/CN=tern-test-ca" 2>/dev/null ||
  abort "cannot make the CA"
for i in 1 2 3; do mkcert "e$i" "e$i" "IP:192.168.88.10$i" || abort "cannot make e$i's certificate"; done
mkcert client tern-node || abort "cannot make the client certificate"

seg_create 192.168.88 || abort "cannot create segment"
for i in 1 2 3; do node_ns_add "e$i" "10$i" || abort "cannot create e$i"; done
for n in a:1 b:2 c:3; do ds_node_add "${n%:*}" "${n#*:}" || abort "cannot create node ${n%:*}"; done
node_add tor bird 254 64513 "" no "192.168.88.1:64512 192.168.88.2:64512 192.168.88.3:64512" || abort "cannot create tor"
for n in a b c tor; do node_default_route "$n" || abort "default route on $n"; done

CLUSTER="e1=http://192.168.88.101:2380,e2=http://192.168.88.102:2380,e3=http://192.168.88.103:2380"
for i in 1 2 3; do
  ETCD_SCHEME=https etcd_start "e$i" "e$i" "192.168.88.10$i" "$CLUSTER" --client-cert-auth --trusted-ca-file "$PKI/ca.pem" \
    --cert-file "$PKI/e$i.pem" --key-file "$PKI/e$i-key.pem" || abort "e$i did not start"
done
ETCD_CURL_FLAGS=(--cacert "$PKI/ca.pem" --cert "$PKI/client.pem" --key "$PKI/client-key.pem")
healthy() { local i; for i in 1 2 3; do ETCD_SCHEME=https etcd_healthy "e$i" "192.168.88.10$i" || return 1; done; }
check "$T/etcd-cluster-up" "the 3 members answer /health over TLS with a client certificate" 30 healthy

ENDPOINTS="https://192.168.88.101:2379,https://192.168.88.102:2379,https://192.168.88.103:2379"
DS_YAML="{type: etcd, endpoints: [${ENDPOINTS//,/, }], caFile: $PKI/ca.pem, certFile: $PKI/client.pem, keyFile: $PKI/client-key.pem}"
DS_FLAGS=(--etcd-endpoints "$ENDPOINTS" --etcd-ca "$PKI/ca.pem" --etcd-cert "$PKI/client.pem" --etcd-key "$PKI/client-key.pem")
cat >"$WORK/pool.yaml" <<YAML
apiVersion: projectcalico.org/v3
kind: IPPool
metadata: {name: pods}
spec: {cidr: 10.252.0.0/16, blockSize: 26}
YAML
refused() {
  local out
  if out=$(ns_exec e1 "$TERN" apply -f "$WORK/pool.yaml" --etcd-endpoints "$ENDPOINTS" --etcd-ca "$PKI/ca.pem" 2>&1); then
    echo "accepted without a client certificate: $out"; return 1
  fi
  echo "$out"
  tern_ds e1 apply -f "$WORK/pool.yaml"
}
check "$T/no-client-cert-refused" "apply without a client certificate fails with an error; with it, succeeds" 20 refused

for n in a b c; do ds_node_start "$n" || abort "$n did not start"; done
check "$T/full-mesh" "a, b, c: 2 Established mesh peers each" "$DL" ds_full_mesh 2
check "$T/blocks-disjoint" "a, b, c each hold one /26 of 10.252.0.0/16, all different" "$DL" ds_blocks_disjoint

since_a_b=$(ds_peer_since a 192.168.88.2)
since_b_c=$(ds_peer_since b 192.168.88.3)
stop_bg e1 KILL
node_start tor || abort "tor did not start"
cat >"$WORK/tor.yaml" <<YAML
apiVersion: projectcalico.org/v3
kind: BGPPeer
metadata: {name: tor}
spec: {peerIP: 192.168.88.254, asNumber: 64513}
YAML
apply_tor() { ns_exec e2 "$TERN" apply -f "$WORK/tor.yaml" --etcd-endpoints "https://192.168.88.102:2379" \
  --etcd-ca "$PKI/ca.pem" --etcd-cert "$PKI/client.pem" --etcd-key "$PKI/client-key.pem"; }
wait_for "apply tor through e2" 20 apply_tor || abort "apply tor"
tor_up() { local n rc=0; for n in a b c; do node_established "$n" 192.168.88.254 || rc=1; done; return $rc; }
check "$T/apply-via-other-member" "e1 killed; a BGPPeer applied through e2: a, b, c peer with tor" "$DL" tor_up
untouched() {
  [ "$(ds_peer_since a 192.168.88.2)" = "$since_a_b" ] && [ "$(ds_peer_since b 192.168.88.3)" = "$since_b_c" ] && ds_full_mesh 2
}
check "$T/member-killed-no-reset" "mesh sessions Established since before e1 was killed" 5 untouched
all_up() { local n rc=0; for n in a b c; do ds_state_is "$n" connected || rc=1; done; return $rc; }
check "$T/status-connected" "a, b, c: datastore connected (through e2/e3)" "$DL" all_up
