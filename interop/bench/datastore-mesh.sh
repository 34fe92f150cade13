#!/usr/bin/env bash
# datastore-mesh: 100 simulated nodes (real ClusterAgents: registration, liveness lease,
# block claim, watch) register at once in one real etcd; prints the time from the last
# registration to every node seeing all the others, and etcd's handled requests per node
# per minute at rest (etcd's own grpc_server_handled_total counters). Not a test.
#
#   interop/bench/datastore-mesh.sh [NODES] [REST_SECONDS]     (defaults 100, 60)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
nodes=${1:-100}; rest=${2:-60}
command -v etcd >/dev/null || { echo "etcd not installed (make deps)"; exit 1; }
swift build -c release --package-path "$root" --product cluster-bench >/dev/null
dir=$(mktemp -d "${TMPDIR:-/tmp}/tern-bench-etcd.XXXX")
port=$((23000 + RANDOM % 1000))
etcd --name b --data-dir "$dir/data" --listen-client-urls "http://127.0.0.1:$port" \
  --advertise-client-urls "http://127.0.0.1:$port" --listen-peer-urls "http://127.0.0.1:$((port + 1000))" \
  --initial-advertise-peer-urls "http://127.0.0.1:$((port + 1000))" --initial-cluster "b=http://127.0.0.1:$((port + 1000))" \
  >"$dir/etcd.log" 2>&1 &
etcd_pid=$!
trap 'kill $etcd_pid 2>/dev/null; wait $etcd_pid 2>/dev/null; rm -rf "$dir"' EXIT
for _ in $(seq 50); do curl -sf "http://127.0.0.1:$port/health" >/dev/null && break; sleep 0.1; done
echo "etcd $(etcd --version | head -1 | awk '{print $3}') on 127.0.0.1:$port (data in $dir), $(nproc) cores"
"$root/.build/release/cluster-bench" "http://127.0.0.1:$port" "$nodes" "$rest"
