#!/usr/bin/env bash
# NetworkPolicy at scale (issue 16): 1000 pods and 500 networking.k8s.io/v1 NetworkPolicies
# on one Tern node, next to the same policies rendered as iptables + ipset rules in
# kube-router's layout (the anchor), in the same run.
#
#   sudo interop/bench/policy-scale.sh            # ~10 min on 2 cores
#   sudo RESULTS_OUT=/tmp/results.md interop/bench/policy-scale.sh
#
# Set-up (one node namespace, everything in namespaces made here; the cleanup trap kills
# what it started by pid and deletes the namespaces, also on failure):
#   - node namespace: eth0 192.168.240.1/24 (a veth to an empty namespace) + default route (so proxy ARP answers
#     169.254.1.1), a file datastore, `tern run` (policy enforcement on: the default with a
#     datastore), an IPPool 10.244.0.0/22 with one /22 block, 20 Namespace resources
#     (labels team, env);
#   - 1000 pods, 50 per namespace (labels app=app-<i/4>, tier, role; named port http=80/TCP):
#     998 of them with their pod-side veth end in 4 shared "pods" namespaces, the host end
#     cali<hash> in the node namespace, each registered with `tern workload add -n NS --label
#     ... --port http=80/TCP --datastore-dir DIR`; 2 real pods (client ns-00/pod-0000,
#     server ns-19/pod-0999) in their own namespaces for iperf3;
#   - 500 policies from policy_scale.py gen (a deterministic mix, see its docstring); the
#     server is selected by 10 of them, the allow in the last rule of the last one; the
#     client by 3 egress policies, the allow in the last one.
# Phases:
#   (b)  iperf3 -t IPERF_SECONDS (5), one stream, client -> server: IPERF_REPS rounds of
#        Tern with no policy, then with the 500 policies applied (deleted again between
#        rounds); the model's allowed/denied verdicts for three connections checked in the
#        kernel;
#   (a)  update latency, from the CLI process's start to the first matching `nft monitor`
#        line in the node namespace (policy_scale.py tern-updates): RELABELS (200) relabels
#        (`tern label pod`, a pod moved between two apps and back) and POLICY_CHANGES (50)
#        policy creates/deletes (`tern apply -f` / `tern delete -f`);
#        if a goal is missed: a second relabel burst under `perf record -e cpu-clock -g -p
#        <tern pid>` (PERF=0 to skip), `perf report --no-children` in the work directory;
#   then the daemon is stopped and `inet tern` deleted (the two pods' routes kept);
#   (c)  the anchor: the same pods and policies rendered by policy_scale.py render in
#        kube-router's layout, applied with ipset restore + iptables-restore (iptables-nft);
#        IPERF_REPS rounds of iperf3 with no rules / with it in force (b'); ANCHOR_CHANGES
#        (50) changes, each the whole ruleset regenerated and applied (iptables-save, ipset
#        restore, iptables-restore), timed (a').
# Output: a markdown table on stdout (appended to RESULTS_OUT when set); the samples in the
# work directory (kept with KEEP=1 or on failure).
# Environment: TERN (default .build/release/tern), RELABELS, POLICY_CHANGES, ANCHOR_CHANGES,
# IPERF_SECONDS, IPERF_REPS (3; the median is reported), PERF, KEEP.
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
TERN=${TERN:-$ROOT/.build/release/tern}
PY=$HERE/policy_scale.py
RELABELS=${RELABELS:-200}
POLICY_CHANGES=${POLICY_CHANGES:-50}
ANCHOR_CHANGES=${ANCHOR_CHANGES:-50}
IPERF_SECONDS=${IPERF_SECONDS:-5}
IPERF_REPS=${IPERF_REPS:-3}
PERF=${PERF:-1}
CMDLINE="$0${*:+ $*}"
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$HERE/lib.sh"
bench_init policy-scale tern-polscale
# Before lib.sh's cleanup deletes the namespaces: anything still running inside one of ours
# (started by this run) is stopped by pid.
polscale_cleanup() {
  local rc=$? ns pid
  set +e
  for ns in "${NSS[@]}"; do
    for pid in $(ip netns pids "$ns" 2>/dev/null); do kill -TERM "$pid" 2>/dev/null; done
  done
  (exit "$rc")
  bench_cleanup
}
trap polscale_cleanup EXIT
for t in nft iptables-restore iptables-save ipset iperf3; do
  command -v "$t" >/dev/null || { echo "SKIP: $t not installed"; exit 77; }
done
[ -x "$TERN" ] || { echo "SKIP: no $TERN (swift build -c release --product tern)"; exit 77; }

P="tp${RUN}"                     # namespace prefix
NODE=$P-node
M=$WORK/model
DS=$WORK/datastore
SOCK=$WORK/tern.sock
nsx() { local ns=$1; shift; ip netns exec "$ns" "$@"; }
mkns() {
  ip netns add "$1"
  NSS+=("$1")
  ip -n "$1" link set lo up
}
tern_ds() { "$TERN" "$@" --datastore-dir "$DS"; }

log "model: 1000 pods, 500 policies"
python3 "$PY" gen --dir "$M" >"$WORK/gen.json"
python3 "$PY" check --dir "$M" >"$WORK/check.json"
CL_IP=$(awk -F'\t' '$1 == "pod-0000" {print $3}' "$M/pods.tsv")
SV_IP=$(awk -F'\t' '$1 == "pod-0999" {print $3}' "$M/pods.tsv")
CL_IF=$(awk -F'\t' '$1 == "pod-0000" {print $4}' "$M/pods.tsv")
SV_IF=$(awk -F'\t' '$1 == "pod-0999" {print $4}' "$M/pods.tsv")

# --- namespaces and pods ------------------------------------------------------------
mkns "$NODE"
mkns "$P-up"                     # eth0's other end (this kernel has no dummy driver)
ip link add eth0 netns "$NODE" type veth peer name eth0 netns "$P-up"
ip -n "$P-up" link set eth0 up
ip -n "$NODE" addr add 192.168.240.1/24 dev eth0
ip -n "$NODE" link set eth0 up
ip -n "$NODE" route add default dev eth0
for k in 0 1 2 3; do
  mkns "$P-pods$k"
  nsx "$P-pods$k" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
done
for r in client:"$CL_IF":"$CL_IP" server:"$SV_IF":"$SV_IP"; do
  IFS=: read -r name hif ip <<<"$r"
  mkns "$P-$name"
  ip link add "$hif" netns "$NODE" address ee:ee:ee:ee:ee:ee type veth peer name eth0 netns "$P-$name"
  ip -n "$NODE" link set "$hif" up
  ip -n "$P-$name" addr add "$ip/32" dev eth0
  ip -n "$P-$name" link set eth0 up
  ip -n "$P-$name" route add 169.254.1.1 dev eth0 scope link
  ip -n "$P-$name" route add default via 169.254.1.1 dev eth0
done
log "998 veths into 4 shared pod namespaces"
awk -F'\t' -v p="$P" '$5 == "0" { k = n++ % 4; printf "link add %s address ee:ee:ee:ee:ee:ee type veth peer name e%d netns %s-pods%d\n", $4, NR, p, k }' \
  "$M/pods.tsv" >"$WORK/veth.batch"
ip -n "$NODE" -batch "$WORK/veth.batch"
awk -F'\t' '$5 == "0" { printf "link set %s up\n", $4 }' "$M/pods.tsv" | ip -n "$NODE" -batch -
for k in 0 1 2 3; do
  awk -F'\t' -v want="$k" '$5 == "0" { if (n++ % 4 == want) printf "link set e%d up\naddr add %s/32 dev e%d\n", NR, $3, NR }' \
    "$M/pods.tsv" | ip -n "$P-pods$k" -batch -
done

# --- the node --------------------------------------------------------------------------
cat >"$WORK/pool.yaml" <<'EOF'
apiVersion: projectcalico.org/v3
kind: IPPool
metadata: {name: bench}
spec: {cidr: 10.244.0.0/22, blockSize: 22}
EOF
tern_ds apply -f "$WORK/pool.yaml" >&2
tern_ds apply -f "$M/namespaces.yaml" >/dev/null
printf 'nodeName: node-a\ncontrolSocket: %s\nholdTime: 9\nconnectRetryTime: 1\ndatastore: {type: file, path: %s}\nlogLevel: warning\n' \
  "$SOCK" "$DS" >"$WORK/node.yaml"
ip netns exec "$NODE" "$TERN" run --config "$WORK/node.yaml" --log-format text >"$WORK/tern.log" 2>&1 &
TERN_PID=$!                      # ip netns exec execs: this is tern's pid
PIDS+=("$TERN_PID")
log "tern run: pid $TERN_PID"
wait_for $((SECONDS + 30)) "tern control socket" "$TERN" status --socket "$SOCK" --json || exit 1

log "registering 1000 workloads (tern workload add, 2 at a time)"
t_reg=$SECONDS
awk -F'\t' -v s="$SOCK" -v d="$DS" '{ printf "workload add --socket %s --name %s -n %s --interface %s --ip %s/32 %s --port http=80/TCP --datastore-dir %s\n", s, $1, $2, $4, $3, $6, d }' \
  "$M/pods.tsv" >"$WORK/register.args"
xargs -P 2 -L 1 "$TERN" <"$WORK/register.args" >"$WORK/register.log"
routes_1000() { [ "$(ip -n "$NODE" route show | grep -c ' dev cali')" -ge 1000 ]; }
wait_for $((SECONDS + 120)) "1000 workload routes" routes_1000 || exit 1
REG_S=$((SECONDS - t_reg))
log "registered in ${REG_S} s"

# --- iperf3 and the connection checks -----------------------------------------------------
start_in() { # start_in NS CMD... : a background process in NS (its own pid), remembered for cleanup
  local ns=$1; shift
  ip netns exec "$ns" "$@" >>"$WORK/bg.log" 2>&1 &
  PIDS+=("$!")
}
start_in "$P-server" iperf3 -s -p 5201
start_in "$P-server" iperf3 -s -p 5202
start_in "$P-client" iperf3 -s -p 5201
sleep 0.5
can_connect() { nsx "$1" timeout 2 bash -c "exec 3<>/dev/tcp/$2/$3" 2>/dev/null; }
# checks PHASE : the three connections against the model's verdicts
checks() {
  local phase=$1 c bad=0 want got
  for c in client:"$SV_IP":5201:client_to_server_5201 client:"$SV_IP":5202:client_to_server_5202 server:"$CL_IP":5201:server_to_client_5201; do
    IFS=: read -r from ip port key <<<"$c"
    if [ "$phase" = none ] || [ "$phase" = bare ]; then want=true; else   # no rules: all allowed
      want=$(python3 -c 'import json,sys; print("true" if json.load(open(sys.argv[1]))[sys.argv[2]]["allowed"] else "false")' "$WORK/check.json" "$key")
    fi
    if can_connect "$P-$from" "$ip" "$port"; then got=true; else got=false; fi
    [ "$want" = "$got" ] || { log "CHECK FAILED ($phase): $key: model allowed=$want, kernel allowed=$got"; bad=$((bad + 1)); }
    record "{\"check\": \"$phase/$key\", \"want\": $want, \"got\": $got}"
  done
  CHECKS[$phase]="$((3 - bad))/3"
}
declare -A CHECKS GBPS
declare -A RUNS
# iperf PHASE N : N runs of iperf3 -t IPERF_SECONDS, Gbit/s appended to RUNS[PHASE]
iperf() {
  local phase=$1 i v
  for ((i = 0; i < $2; i++)); do
    v=$(nsx "$P-client" iperf3 -c "$SV_IP" -p 5201 -t "$IPERF_SECONDS" -J 2>/dev/null |
      python3 -c 'import json,sys; print(round(json.load(sys.stdin)["end"]["sum_received"]["bits_per_second"] / 1e9, 3))' 2>/dev/null) || v=
    if [ -n "$v" ]; then RUNS[$phase]="${RUNS[$phase]:-} $v"; log "iperf3 $phase: $v Gbit/s"; else log "iperf3 $phase: no result"; fi
  done
}
# iperf_summary PHASE : the median of RUNS[PHASE] in GBPS[PHASE]
iperf_summary() {
  local phase=$1
  [ -n "${RUNS[$phase]:-}" ] || { GBPS[$phase]=; return 0; }
  # shellcheck disable=SC2086 # the list's words
  GBPS[$phase]=$(printf '%s\n' ${RUNS[$phase]} | sort -g | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}')
  record "{\"iperf\": \"$phase\", \"gbps\": [$(echo "${RUNS[$phase]}" | xargs | tr ' ' ',')]}"
  log "iperf3 $phase: median ${GBPS[$phase]} of ${RUNS[$phase]}"
}
nft_lines() { { nsx "$NODE" nft list table inet tern 2>/dev/null || true; } | wc -l; }

# settle : until `inet tern` stops changing for 2 s; SETTLED_S = last change - T0 (poll resolution)
settle_table() {
  local last=-1 stable=0 n t_change
  t_change=$(date +%s.%N)
  while ((stable < 4)); do
    sleep 0.5
    n=$(nft_lines)
    if [ "$n" = "$last" ]; then stable=$((stable + 1)); else stable=0; last=$n; t_change=$(date +%s.%N); fi
  done
  SETTLED_S=$(python3 -c "import sys; print(f'{float(sys.argv[1]) - float(sys.argv[2]):.2f}')" "$t_change" "$T0")
  TABLE_LINES=$last
}
# iperf3 rounds, interleaved (the load of a shared machine drifts): no policy, then the 500
checks none
for ((round = 0; round < IPERF_REPS; round++)); do
  if ((round > 0)); then
    tern_ds delete -f "$M/policies.yaml" >/dev/null
    T0=$(date +%s.%N); settle_table
  fi
  iperf tern-0 1
  log "applying 500 policies"
  T0=$(date +%s.%N)
  tern_ds apply -f "$M/policies.yaml" >/dev/null
  settle_table
  [ -n "${BULK_S:-}" ] || BULK_S=$SETTLED_S
  log "table settled: $TABLE_LINES lines, ${SETTLED_S} s after tern apply started"
  ((round > 0)) || checks tern
  iperf tern-500 1
done
iperf_summary tern-0
iperf_summary tern-500

log "update latency: $RELABELS relabels, $POLICY_CHANGES policy creates/deletes"
nsx "$NODE" python3 "$PY" tern-updates --dir "$M" --tern "$TERN" --ds "$DS" --relabels "$RELABELS" \
  --policies "$POLICY_CHANGES" --out "$WORK/tern-updates.json" >"$WORK/tern-updates.summary"
cat "$WORK/tern-updates.summary" >&2
missed=$(python3 - "$WORK/tern-updates.summary" "${GBPS[tern-500]:-0}" "${GBPS[tern-0]:-0}" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1])); g5, g0 = float(sys.argv[2] or 0), float(sys.argv[3] or 0)
bad = [k for k in ("relabel", "policy") if d[k]["p99"] is None or d[k]["p99"] > 0.020 or d[k]["seen"] < d[k]["n"]]
if g0 <= 0 or g5 / g0 < 0.95: bad.append("throughput")
print(" ".join(bad))
EOF
)
if [ -n "$missed" ] && [ "$PERF" = 1 ] && command -v perf >/dev/null; then
  log "goal missed ($missed): a relabel burst under perf record -p $TERN_PID"
  perf record -e cpu-clock -g -o "$WORK/perf-tern.data" -p "$TERN_PID" >/dev/null 2>&1 &
  perf_pid=$!
  PIDS+=("$perf_pid")
  sleep 1
  nsx "$NODE" python3 "$PY" tern-updates --dir "$M" --tern "$TERN" --ds "$DS" --relabels 100 --policies 0 \
    --out "$WORK/tern-updates-perf.json" >"$WORK/tern-updates-perf.summary" || true
  kill -INT "$perf_pid"; wait "$perf_pid" 2>/dev/null || true
  perf report -i "$WORK/perf-tern.data" --no-children --sort dso,sym -g none --stdio 2>/dev/null | grep -E '^ +[0-9.]+%' | head -60 >"$WORK/perf-tern.txt" || true
  # inclusive time of Tern's own functions: where the self time above comes from
  perf report -i "$WORK/perf-tern.data" --children --sort sym -g none --stdio 2>/dev/null | grep -E '^ +[0-9.]+%' |
    grep -E 'Policy|Node\.|NFT|Conntrack|getifaddrs|Datastore' | head -40 | { swift demangle --simplified 2>/dev/null || cat; } >"$WORK/perf-tern-children.txt" || true
  perf_samples=$(perf script -i "$WORK/perf-tern.data" -F time 2>/dev/null | wc -l)
  log "perf report: $WORK/perf-tern.txt"
fi
TERN_CPU=$(cpu_of "$TERN_PID" || echo 0)
TERN_RSS=$(awk '/VmHWM/ {print $2}' "/proc/$TERN_PID/status" 2>/dev/null || echo 0)
grep -iE ' (error|fault|fatal)' "$WORK/tern.log" | head -5 >&2 || true

# --- without Tern -------------------------------------------------------------------------
log "stopping tern; deleting inet tern"
kill_pid "$TERN_PID"
nsx "$NODE" nft delete table inet tern 2>/dev/null || true
for r in "$CL_IF":"$CL_IP" "$SV_IF":"$SV_IP"; do   # the two real pods routed as before
  IFS=: read -r hif ip <<<"$r"
  nsx "$NODE" sysctl -qw net.ipv4.ip_forward=1 "net.ipv4.conf.$hif.proxy_arp=1" "net.ipv4.neigh.$hif.proxy_delay=0" "net.ipv4.conf.$hif.forwarding=1"
  ip -n "$NODE" route replace "$ip/32" dev "$hif" scope link
done
checks bare
log "the anchor: kube-router's iptables + ipset rendering"
nsx "$NODE" python3 "$PY" render --dir "$M" --out "$WORK/kr" >"$WORK/kr.stats"
anchor_on() {
  local t0; t0=$(date +%s.%N)
  nsx "$NODE" ipset restore <"$WORK/kr.ipset"
  nsx "$NODE" iptables-restore <"$WORK/kr.iptables"
  [ -n "${ANCHOR_BULK_S:-}" ] || ANCHOR_BULK_S=$(python3 -c "import sys,time; print(f'{time.time() - float(sys.argv[1]):.2f}')" "$t0")
}
anchor_off() {
  printf '*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\nCOMMIT\n' | nsx "$NODE" iptables-restore
  nsx "$NODE" ipset destroy
}
for ((round = 0; round < IPERF_REPS; round++)); do
  iperf bare 1
  anchor_on
  ((round > 0)) || checks iptables
  iperf iptables-500 1
  ((round == IPERF_REPS - 1)) || anchor_off
done
iperf_summary bare
iperf_summary iptables-500
nsx "$NODE" python3 "$PY" anchor-updates --dir "$M" --changes "$ANCHOR_CHANGES" --out "$WORK/anchor-updates.json" >"$WORK/anchor-updates.summary"
cat "$WORK/anchor-updates.summary" >&2

# --- the table -------------------------------------------------------------------------------
python3 - "$WORK" "$CMDLINE" "$TERN" "$REG_S" "$BULK_S" "$ANCHOR_BULK_S" "$TERN_CPU" "$TERN_RSS" \
  "${GBPS[tern-0]:-}" "${GBPS[tern-500]:-}" "${GBPS[bare]:-}" "${GBPS[iptables-500]:-}" \
  "${CHECKS[none]:-}" "${CHECKS[tern]:-}" "${CHECKS[bare]:-}" "${CHECKS[iptables]:-}" "$IPERF_SECONDS" "$IPERF_REPS" >"$WORK/table.md" <<'EOF'
import json, os, platform, subprocess, sys, time
w, cmd, tern, reg, bulk, abulk, cpu, rss, g0, g5, gb, gi, c0, ct, cb, ci, secs, reps = sys.argv[1:]
tu = json.load(open(f"{w}/tern-updates.summary"))
au = json.load(open(f"{w}/anchor-updates.summary"))
samples = json.load(open(f"{w}/anchor-updates.json"))
kr = json.load(open(f"{w}/kr.stats"))
gen = json.load(open(f"{w}/gen.json"))
def pct(xs, p):
    xs = sorted(xs)
    if not xs: return None
    return xs[max(0, min(len(xs) - 1, int(round(p / 100.0 * len(xs) + 0.5)) - 1))]
ms = lambda v: "-" if v is None else f"{v * 1000:.1f}"
f = lambda v: float(v) if v else None
g0, g5, gb, gi = f(g0), f(g5), f(gb), f(gi)
ratio = lambda a, b: "-" if a is None or b is None or b == 0 else f"{a / b:.2f}"
apply_only = [s["apply_s"] for s in samples]
tot = [s["total_s"] for s in samples]
out = []
line = lambda *c: out.append("| " + " | ".join(str(x) for x in c) + " |")
line("figure", "Tern (nftables)", "kube-router layout (iptables-nft + ipset)", "Tern / iptables")
out.append("| --- | --- | --- | --- |")
rl, po = tu["relabel"], tu["policy"]
line(f"relabel, CLI start -> kernel, p50 ms ({rl['seen']}/{rl['n']} seen)", ms(rl["p50"]),
     f"{ms(pct(tot, 50))} (apply only {ms(pct(apply_only, 50))})", ratio(rl["p50"], pct(apply_only, 50)))
line("relabel p99 ms", ms(rl["p99"]), f"{ms(pct(tot, 99))} (apply only {ms(pct(apply_only, 99))})", ratio(rl["p99"], pct(apply_only, 99)))
line(f"policy create/delete, CLI start -> kernel, p50 ms ({po['seen']}/{po['n']} seen)", ms(po["p50"]), "(same: every change is a full resync)",
     ratio(po["p50"], pct(apply_only, 50)))
line("policy create/delete p99 ms", ms(po["p99"]), "", ratio(po["p99"], pct(apply_only, 99)))
line("CLI process alone (label / apply), p50 ms", f"{ms(rl['cli_p50'])} / {ms(po['cli_p50'])}", "n/a", "")
line(f"iperf3 Gbit/s, no policy (median of {reps} x {secs} s)", f"{g0:.2f}" if g0 else "-", f"{gb:.2f} (no rules at all)" if gb else "-", "")
line("iperf3 Gbit/s, 500 policies, 1000 pods", f"{g5:.2f}" if g5 else "-", f"{gi:.2f}" if gi else "-", ratio(g5, gi))
line("throughput ratio 500 policies / no policy", ratio(g5, g0), ratio(gi, gb), "")
line("Tern vs no rules at all (500 policies / bare kernel)", ratio(g5, gb), "", "")
line("whole policy set into the kernel, s (tern apply of 500 / first restore)", bulk, abulk, "")
line("connection checks (model verdicts hold) none / enforced", f"{c0} / {ct}", f"{cb} / {ci}", "")
line("kube-router rendering size", "", f"{kr['chains']} chains, {kr['rules']} rules, {kr['ipsets']} ipsets, {kr['ipset_entries']} entries", "")
line("tern CPU s (whole run) / peak RSS MB", f"{float(cpu):.1f} / {int(rss) / 1024:.0f}", "", "")
line("policies / ingress rules / egress-isolating policies", f"{gen['policies']} / {gen['ingress_rules']} / {gen['egress_policies']}", "same", "")
line("1000 workloads registered (tern workload add, 2 at a time), s", reg, "", "")
cpu_model = "?"
for l in open("/proc/cpuinfo"):
    if l.startswith("model name"):
        cpu_model = l.split(":", 1)[1].strip(); break
nft = subprocess.run(["nft", "--version"], capture_output=True, text=True).stdout.strip()
ipt = subprocess.run(["iptables", "--version"], capture_output=True, text=True).stdout.strip()
print(f"### policy-scale {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}")
print()
print(f"Command: `{cmd}`  ")
print(f"nproc {os.cpu_count()}; CPU \"{cpu_model}\"; kernel {platform.release()}; load {os.getloadavg()[0]:.1f}; "
      f"tern {tern}; {nft}; {ipt}")
print()
print("\n".join(out))
print()
goal = lambda ok: "MET" if ok else "NOT MET"
p99 = max(x for x in (rl["p99"], po["p99"]) if x is not None) if (rl["p99"] or po["p99"]) else None
print(f"- Goal update p99 <= 20 ms: {goal(p99 is not None and p99 <= 0.020 and rl['seen'] == rl['n'] and po['seen'] == po['n'])}"
      f" (worst p99 {ms(p99)} ms); ahead of the iptables rendering's apply p99 {ms(pct(apply_only, 99))} ms: {goal(p99 is not None and p99 < pct(apply_only, 99))}")
tr = g5 / g0 if g5 and g0 else None
tri = gi / gb if gi and gb else None
print(f"- Goal throughput with 500 policies >= 0.95 x no policy: {goal(tr is not None and tr >= 0.95)} ({ratio(g5, g0)});"
      f" ahead of the iptables rendering ({ratio(gi, gb)}): {goal(tr is not None and tri is not None and tr >= tri)}")
print(f"- Anchor: per change, render (python, {ms(au['render_p50'])} ms p50) + iptables-save + ipset restore + iptables-restore "
      f"(the apply); the ratios use the apply alone (a Go generator is faster than this python one).")
EOF
if [ -f "$WORK/perf-tern.txt" ]; then
  { echo; echo "perf record -e cpu-clock -g -p <tern> during 100 relabels (${perf_samples:-?} samples at 4 kHz); perf report --no-children, top:"; echo
    echo '```'; head -25 "$WORK/perf-tern.txt"; echo '```'; echo; echo "inclusive (--children), Tern's functions:"; echo
    echo '```'; cut -c1-160 "$WORK/perf-tern-children.txt"; echo '```'; } >>"$WORK/table.md"
fi
cat "$WORK/table.md"
if [ -n "${RESULTS_OUT:-}" ]; then { cat "$WORK/table.md"; echo; } >>"$RESULTS_OUT"; fi
log "done"
