#!/usr/bin/env bash
# Captures the UPDATEs GoBGP sends for routes that carry a Tunnel Encapsulation attribute
# (RFC 9012) and writes them to gobgp-tunnel-encap.bgp beside this script.
#
#   sudo Tests/BGPWireTests/Fixtures/tunnel-encapsulation/capture.sh
#
# Root (network namespaces), gobgpd + gobgp, python3 with grpcio. One veth pair between
# namespace te-gobgp-$$ (gobgpd, AS 64512, 192.168.79.1) and te-peer-$$ (bgp_listener.py,
# AS 64513, 192.168.79.2). gobgp_add_paths.py adds three routes through gobgpd's gRPC API;
# the listener writes every byte gobgpd sent it. Everything is removed on exit.
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
OUT=${OUT:-$HERE/gobgp-tunnel-encap.bgp}
NG=te-gobgp-$$ NP=te-peer-$$ WORK=$(mktemp -d)
PIDS=()
cleanup() {
  set +e
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
  ip netns del "$NG" 2>/dev/null; ip netns del "$NP" 2>/dev/null
  rm -rf "$WORK"
}
trap cleanup EXIT

ip netns add "$NG"; ip netns add "$NP"
ip link add te-g0-$$ type veth peer name te-p0-$$
ip link set te-g0-$$ netns "$NG"; ip link set te-p0-$$ netns "$NP"
ip -n "$NG" addr add 192.168.79.1/24 dev te-g0-$$; ip -n "$NG" link set te-g0-$$ up; ip -n "$NG" link set lo up
ip -n "$NP" addr add 192.168.79.2/24 dev te-p0-$$; ip -n "$NP" link set te-p0-$$ up; ip -n "$NP" link set lo up

cat > "$WORK/gobgpd.toml" <<TOML
[global.config]
  as = 64512
  router-id = "192.168.79.1"
  port = -1
[[neighbors]]
  [neighbors.config]
    neighbor-address = "192.168.79.2"
    peer-as = 64513
  [neighbors.timers.config]
    connect-retry = 1
  [[neighbors.afi-safis]]
    [neighbors.afi-safis.config]
      afi-safi-name = "ipv4-unicast"
TOML

ip netns exec "$NP" python3 "$HERE/bgp_listener.py" 192.168.79.2 "$WORK/stream.bgp" 3 60 &
LISTENER=$!
sleep 0.5
ip netns exec "$NG" gobgpd -f "$WORK/gobgpd.toml" --api-hosts 127.0.0.1:50051 --pprof-disable >"$WORK/gobgpd.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 100); do ip netns exec "$NG" gobgp global >/dev/null 2>&1 && break; sleep 0.1; done
ip netns exec "$NG" python3 "$HERE/gobgp_add_paths.py" 127.0.0.1:50051 192.168.79.1
ip netns exec "$NG" gobgp global rib -a ipv4
wait "$LISTENER"
cp "$WORK/stream.bgp" "$OUT"
gobgpd --version
echo "wrote $OUT ($(stat -c %s "$OUT") bytes)"
