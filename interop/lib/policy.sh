# shellcheck shell=bash
# shellcheck disable=SC2034 # a library
# Helpers for NetworkPolicy topologies (source after netns.sh): pods with a namespace and
# labels registered with `tern workload add`, TCP servers inside pods, connection probes.
#
#   policy_pod NODE NS POD IP LABELS...   a pod (veth, /32) registered as NS/POD with labels
#   pod_serve POD PORT...                 a TCP server in POD on each PORT (answers its name)
#   pod_connects FROM IP PORT             0 when FROM opens IP:PORT within 1 s

# policy_pod NODE NS POD IP [key=value...] : the veth and pod side as pod_add makes them,
# then `tern workload add -n NS --label ...` on NODE's daemon (socket $WORK/NODE.sock).
policy_pod() {
  local node=$1 ns=$2 pod=$3 ip=$4 l args=()
  shift 4
  for l in "$@"; do args+=(--label "$l"); done
  POD_CFG=0 pod_add "$node" "$pod" "$ip" || return 1
  ns_exec "$node" "$TERN" workload add --socket "$WORK/$node.sock" --name "$pod" -n "$ns" \
    --interface "${POD_IF[$pod]}" --ip "$ip/32" "${args[@]}" "${DS_FLAGS[@]}" >/dev/null
}

# pod_serve POD PORT... : one python3 process serving TCP on every PORT of POD's address:
# it answers the pod's name and closes; on ports 9000 and above it echoes every line instead
# (for long-lived connections, pod_stream).
pod_serve() {
  local pod=$1; shift
  start_bg "serve-$pod" "$pod" python3 -c '
import socket, sys, threading
name, ports = sys.argv[1], [int(p) for p in sys.argv[2:]]
def serve(port):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("0.0.0.0", port)); s.listen(64)
    while True:
        c, _ = s.accept()
        if port >= 9000:
            threading.Thread(target=echo, args=(c,), daemon=True).start()
            continue
        try: c.sendall(name.encode() + b"\n")
        finally: c.close()
def echo(c):
    with c:
        for line in c.makefile("rb"):
            c.sendall(line)
for p in ports[1:]: threading.Thread(target=serve, args=(p,), daemon=True).start()
serve(ports[0])' "$pod" "$@"
}

# pod_connects FROM IP PORT : connect from pod FROM with a 1 s timeout and read the answer.
pod_connects() {
  ns_exec "$1" python3 -c '
import socket, sys
try:
    s = socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=1)
    sys.exit(0 if s.recv(64) else 1)
except OSError:
    sys.exit(1)' "$2" "$3"
}
pod_refused() { ! pod_connects "$@"; }

# pod_stream FROM IP PORT FILE : a long-lived connection from pod FROM sending a line every
# 50 ms; FILE gets the monotonic time of the last echo (one line, rewritten), so a cut
# connection shows as a FILE that stops changing. Runs in the background (start_bg).
pod_stream() {
  start_bg "stream-$1-$3" "$1" python3 -c '
import os, socket, sys, time
s = socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=0.2)
while True:
    try:
        s.sendall(b"x\n")
        if s.recv(64):
            with open(sys.argv[3] + ".tmp", "w") as out: out.write("%f\n" % time.monotonic())
            os.replace(sys.argv[3] + ".tmp", sys.argv[3])
    except OSError:
        pass
    time.sleep(0.05)' "$2" "$3" "$4"
}
# stream_age FILE : seconds since FILE's last echo.
stream_age() { python3 -c 'import sys,time; print("%.2f" % (time.monotonic() - float(open(sys.argv[1]).read())))' "$1"; }

# udp_sink POD PORT FILE : counts datagrams to PORT by source address; FILE gets "addr count" lines.
udp_sink() {
  start_bg "sink-$1-$2" "$1" python3 -c '
import collections, os, socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("0.0.0.0", int(sys.argv[1])))
n = collections.Counter()
while True:
    _, (addr, _) = s.recvfrom(2048); n[addr] += 1
    with open(sys.argv[2] + ".tmp", "w") as f: f.write("".join("%s %d\n" % kv for kv in n.items()))
    os.replace(sys.argv[2] + ".tmp", sys.argv[2])' "$2" "$3"
}
# udp_flood POD IP PORT SECONDS : a datagram every millisecond for SECONDS (background).
udp_flood() {
  start_bg "flood-$1" "$1" python3 -c '
import socket, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); end = time.monotonic() + float(sys.argv[3])
while time.monotonic() < end:
    try: s.sendto(b"x", (sys.argv[1], int(sys.argv[2])))
    except OSError: pass
    time.sleep(0.001)' "$2" "$3" "$4"
}
# received FILE ADDR : datagrams FILE's sink got from ADDR.
received() { awk -v a="$2" '$1 == a {n = $2} END {print n + 0}' "$1" 2>/dev/null || echo 0; }

# tern_policy NODE ARGS... : `tern policy ARGS` against NODE's daemon.
tern_policy() { local node=$1; shift; ns_exec "$node" "$TERN" policy "$@" --socket "$WORK/$node.sock"; }
# nft_counter NODE NAME : packets of named counter NAME in NODE's table inet tern (0 when none).
nft_counter() {
  ns_exec "$1" nft -j list counter inet tern "$2" 2>/dev/null |
    python3 -c 'import json,sys
try: print(next(o["counter"]["packets"] for o in json.load(sys.stdin)["nftables"] if "counter" in o))
except Exception: print(0)'
}
