#!/usr/bin/env bash
# Kernel-programming benchmark: how fast N IPv4 /32 routes get into (and out of) the kernel.
#
#   sudo interop/bench/kernel-routes.sh
#
# Methods, each in fresh namespaces, side by side in one run for every N in COUNTS:
#   ipbatch  `ip -batch` with N lines `route add 10.x.y.z/32 via 192.168.231.1` (iproute2 sends
#            one request and waits for its ack per line), then N `route replace ... via .3`,
#            then N `route del`: wall time of each `ip -batch` run.
#   tern     the injector (injector.py) sends N /32s over eBGP to `tern run` (dataplane on,
#            routeProtocol 199); install = from the injector's ANNOUNCE_START (right after
#            Established) until the kernel of Tern's namespace holds N more routes; replace =
#            the same N /32s re-announced with NEXT_HOP 192.168.231.3, until N routes proto 199
#            via .3; withdraw = all N withdrawn, until the kernel holds none of them.
#   bird     the same injector and phases against BIRD 2 with
#            `protocol kernel { ipv4 { export all; }; }` (routes proto bird = 12).
#   netlink  Tern's raw netlink batch driver (Tests/NetlinkTests/BatchRateDriver.swift, 100k
#            /32 dev routes, debug build): `TERN_NETLINK_BENCH=1 swift test --filter
#            BatchRateDriver`; printed as reported (once, not per N).
#
# Environment:
#   TERN=path        tern binary (default: .build-kbench/release/tern, else .build-bench-rel)
#   COUNTS="100000 1000000"
#   METHODS="ipbatch tern bird netlink"
#   BUDGET=240       seconds per method and N, everything included
#   SETTLE_MAX=90    at most this long between phases waiting for the receiver to go idle
#                    (< 20 ms CPU per 500 ms); the time and CPU it took are reported
#   NETLINK_SCRATCH=.build-nl   scratch path for the debug test build of the netlink driver
#   STREAM_CACHE=dir pre-encoded streams (default /var/tmp/tern-bench-streams)
#   KEEP=1           keep the work directory (configs, logs, poll traces)
#   TERN_LOG_LEVEL=warning   Tern's logLevel
#
# Progress of install/withdraw is read from /proc/net/fib_triestat (main-table prefix count,
# ~15 ms at 1M routes; the namespace holds nothing else), polled every 20 ms; after each phase
# a netlink dump checks that the routes have the expected protocol (and gateway). The replace
# phase can only be seen in a dump (~0.5 s at 1M), polled with a pause of at least the dump's
# duration, so its resolution is coarse (see the "res" column). See README.md.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
if [ -z "${TERN:-}" ]; then
  TERN=$ROOT/.build-kbench/release/tern
  [ -x "$TERN" ] || TERN=$ROOT/.build-bench-rel/release/tern
fi
COUNTS=${COUNTS:-"100000 1000000"}
METHODS=${METHODS:-"ipbatch tern bird netlink"}
BUDGET=${BUDGET:-240}
SETTLE_MAX=${SETTLE_MAX:-90}
NETLINK_SCRATCH=${NETLINK_SCRATCH:-.build-nl}
STREAM_CACHE=${STREAM_CACHE:-/var/tmp/tern-bench-streams}
INJ_IP=192.168.231.1
RX_IP=192.168.231.2
NH2=192.168.231.3
INJ_AS=64513
RX_AS=64512
CMDLINE="$0${*:+ $*}"
KR="$HERE/kroutes.py"

KILL_WAIT=10
. "$HERE/lib.sh"
bench_init kbench tern-kbench

settle() { # settle PID END : wait until PID uses < 20 ms CPU per 500 ms (or END, at most
  # SETTLE_MAX s); prints JSON {"settled", "s", "cpu"}: how long and how much CPU it took
  local pid=$1 end=$2 a b c0 t0=$SECONDS
  ((end > SECONDS + SETTLE_MAX)) && end=$((SECONDS + SETTLE_MAX))
  a=$(cpu_of "$pid") || { echo '{"settled":false,"s":0,"cpu":0}'; return 0; }
  c0=$a
  while ((SECONDS < end)); do
    sleep 0.5
    b=$(cpu_of "$pid") || break
    if python3 -c 'import sys; sys.exit(0 if float(sys.argv[2])-float(sys.argv[1]) < 0.02 else 1)' "$a" "$b"; then
      python3 -c 'import sys; print("{\"settled\":true,\"s\":%d,\"cpu\":%.1f}" % (int(sys.argv[1]), float(sys.argv[3])-float(sys.argv[2])))' "$((SECONDS - t0))" "$c0" "$b"
      return 0
    fi
    a=$b
  done
  b=$(cpu_of "$pid" 2>/dev/null || echo "$c0")
  python3 -c 'import sys; print("{\"settled\":false,\"s\":%d,\"cpu\":%.1f}" % (int(sys.argv[1]), float(sys.argv[3])-float(sys.argv[2])))' "$((SECONDS - t0))" "$c0" "$b"
}

jfield() { python3 -c 'import json,sys; v=json.loads(sys.argv[1]).get(sys.argv[2]); print("" if v is None else v)' "$1" "$2"; }

make_pair() { # make_pair NS_INJ NS_RX VETH_PREFIX : two namespaces joined by one veth
  local nsi=$1 nsr=$2 v=$3 x
  ip netns add "$nsi"; NSS+=("$nsi")
  ip netns add "$nsr"; NSS+=("$nsr")
  ip link add "${v}i" netns "$nsi" type veth peer name "${v}r" netns "$nsr"
  ip -n "$nsi" addr add "$INJ_IP/24" dev "${v}i"
  ip -n "$nsi" addr add "$NH2/24" dev "${v}i"
  ip -n "$nsr" addr add "$RX_IP/24" dev "${v}r"
  for x in "$nsi" "$nsr"; do ip -n "$x" link set lo up; done
  ip -n "$nsi" link set "${v}i" up
  ip -n "$nsr" link set "${v}r" up
  # the neighbours exist before the routes do (no ARP in the measured phases)
  ip netns exec "$nsr" ping -c1 -W2 "$INJ_IP" >/dev/null 2>&1 || true
  ip netns exec "$nsr" ping -c1 -W2 "$NH2" >/dev/null 2>&1 || true
}

# --- ip -batch ------------------------------------------------------------------
batch_files() { # batch_files N : write add/replace/del files once per N
  local n=$1
  [ -f "$WORK/add-$n.batch" ] && return 0
  python3 - "$n" "$WORK" "$INJ_IP" "$NH2" <<'EOF'
import ipaddress, sys
n, work, gw, gw2 = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
base = int(ipaddress.IPv4Address("10.0.0.0"))
ips = [str(ipaddress.IPv4Address(base + i)) for i in range(n)]
for name, fmt in (("add", "route add %s/32 via " + gw), ("replace", "route replace %s/32 via " + gw2),
                  ("del", "route del %s/32 via " + gw2)):
    with open(f"{work}/{name}-{n}.batch", "w") as f:
        f.write("\n".join(fmt % ip for ip in ips) + "\n")
EOF
}

timed_batch() { # timed_batch NS FILE -> seconds on stdout (exit 1 when ip failed)
  python3 - "$1" "$2" <<'EOF'
import subprocess, sys, time
t0 = time.monotonic()
r = subprocess.run(["ip", "-n", sys.argv[1], "-batch", sys.argv[2]], stderr=subprocess.PIPE)
dt = time.monotonic() - t0
sys.stderr.write(r.stderr.decode()[-500:])
print(f"{dt:.3f}")
sys.exit(r.returncode)
EOF
}

run_ipbatch() {
  local n=$1
  local d="$WORK/ipbatch-$n"; mkdir -p "$d"
  local nsi="tk$RUN-b$n-inj" nsr="tk$RUN-b$n-rx"
  log "=== ip -batch, N=$n ==="
  batch_files "$n"
  make_pair "$nsi" "$nsr" "tk${RUN}b"
  local ta tr tdl ca cr cd
  ta=$(timed_batch "$nsr" "$WORK/add-$n.batch") || { record "{\"kind\":\"ipbatch\",\"n\":$n,\"ok\":false,\"why\":\"ip -batch add failed\"}"; teardown; return 0; }
  ca=$(ip netns exec "$nsr" python3 "$KR" count --proto 3 --gw "$INJ_IP" 2>/dev/null)
  tr=$(timed_batch "$nsr" "$WORK/replace-$n.batch") || tr=null
  cr=$(ip netns exec "$nsr" python3 "$KR" count --proto 3 --gw "$NH2" 2>/dev/null)
  tdl=$(timed_batch "$nsr" "$WORK/del-$n.batch") || tdl=null
  cd=$(ip netns exec "$nsr" python3 "$KR" count --proto 3 2>/dev/null)
  log "ip -batch N=$n: add ${ta}s ($ca routes), replace ${tr}s ($cr via $NH2), del ${tdl}s ($cd left)"
  record "{\"kind\":\"ipbatch\",\"n\":$n,\"ok\":$([ "$ca" = "$n" ] && echo true || echo false),\"install\":$ta,\"replace\":$tr,\"withdraw\":$tdl,\"check\":\"add $ca, replaced $cr, left $cd\"}"
  teardown
}

# --- BGP receivers (tern, bird) -----------------------------------------------------
run_bgp() {
  local kind=$1 n=$2
  local end=$((SECONDS + BUDGET))
  local d="$WORK/$kind-$n"; mkdir -p "$d"
  local nsi="tk$RUN-${kind:0:1}$n-inj" nsr="tk$RUN-${kind:0:1}$n-rx"
  local proto
  log "=== $kind, N=$n ==="
  case $kind in
    tern) proto=199
      if [ ! -x "$TERN" ]; then record "{\"kind\":\"tern\",\"n\":$n,\"ok\":false,\"why\":\"no tern binary at $TERN\"}"; return 0; fi ;;
    bird) proto=12
      if ! command -v bird >/dev/null || ! command -v birdc >/dev/null; then
        record "{\"kind\":\"bird\",\"n\":$n,\"ok\":false,\"why\":\"bird not installed\"}"; return 0; fi ;;
  esac
  mapfile -t S1 < <(python3 "$HERE/make_stream.py" --out "$STREAM_CACHE" --next-hop "$INJ_IP" --count "$n" --as "$INJ_AS" --plen 32)
  mapfile -t S2 < <(python3 "$HERE/make_stream.py" --out "$STREAM_CACHE" --next-hop "$NH2" --count "$n" --as "$INJ_AS" --plen 32)
  local announce=${S1[0]} withdraw=${S1[1]} replace=${S2[0]}

  make_pair "$nsi" "$nsr" "tk${RUN}${kind:0:1}"
  local base rxpid
  base=$(ip netns exec "$nsr" python3 "$KR" trie)
  case $kind in
    tern)
      cat >"$d/rx.yaml" <<EOF
nodeName: rx
asNumber: $RX_AS
routerID: $RX_IP
listenAddress: $RX_IP
listenPort: 179
controlSocket: $d/rx.sock
holdTime: 90
nodeToNodeMesh: false
peers:
  - {address: $INJ_IP, asNumber: $INJ_AS, passive: true}
blocks: []
dataplane: {routeProtocol: 199}
logLevel: ${TERN_LOG_LEVEL:-warning}
EOF
      ip netns exec "$nsr" "$TERN" run --config "$d/rx.yaml" >"$d/rx.log" 2>&1 &
      rxpid=$!; PIDS+=("$rxpid")
      wait_for "$end" "tern control socket" "$TERN" status --socket "$d/rx.sock" --json || {
        record "{\"kind\":\"tern\",\"n\":$n,\"ok\":false,\"why\":\"tern did not start\"}"; tail -20 "$d/rx.log" >&2; teardown; return 0; }
      ;;
    bird)
      cat >"$d/rx.conf" <<EOF
# BIRD 2 receiver: one eBGP session, every best route exported to the kernel (main table).
log stderr { warning, error, fatal };
router id $RX_IP;
debug protocols off;
protocol device { }
protocol kernel { ipv4 { export all; }; }
protocol bgp inj {
  local $RX_IP as $RX_AS;
  neighbor $INJ_IP as $INJ_AS;
  passive on;
  hold time 90;
  debug off;
  ipv4 { import all; export none; };
}
EOF
      ip netns exec "$nsr" bird -f -c "$d/rx.conf" -s "$d/rx.ctl" -P "$d/rx.pid" >"$d/rx.log" 2>&1 &
      rxpid=$!; PIDS+=("$rxpid")
      wait_for "$end" "bird control socket" birdc -s "$d/rx.ctl" show status || {
        record "{\"kind\":\"bird\",\"n\":$n,\"ok\":false,\"why\":\"bird did not start\"}"; tail -20 "$d/rx.log" >&2; teardown; return 0; }
      ;;
  esac

  local inj="$d/inj.events" left out1 out2 out3 c1 c2 c3 injpid
  : >"$inj"
  left=$((end - SECONDS))
  # phase 1: install (poller first, then the injector)
  ip netns exec "$nsr" python3 "$KR" wait --metric trie --base "$base" --target "$n" --cmp ge \
    --events "$inj" --event ANNOUNCE_START --deadline "$left" --interval 0.02 --pid "$rxpid" \
    --trace "$d/trace-install.txt" >"$d/install.json" &
  local mpid=$!
  ip netns exec "$nsi" python3 "$HERE/injector.py" --local "$INJ_IP" --peer "$RX_IP" --as "$INJ_AS" \
    --announce "$announce" --replace "$replace" --withdraw "$withdraw" >>"$inj" 2>"$d/inj.err" &
  injpid=$!; PIDS+=("$injpid")
  wait "$mpid" || true
  out1=$(cat "$d/install.json")
  c1=$(ip netns exec "$nsr" python3 "$KR" count --proto "$proto" --gw "$INJ_IP" 2>/dev/null)
  log "$kind N=$n install: $out1 (dump: $c1 routes proto $proto via $INJ_IP)"
  if [ "$(jfield "$out1" ok)" != True ]; then
    record "{\"kind\":\"$kind\",\"n\":$n,\"ok\":false,\"why\":\"install not reached\",\"install_raw\":$out1}"
    tail -20 "$d/rx.log" >&2; cat "$inj" >&2; teardown; return 0
  fi
  local st1 st2
  st1=$(settle "$rxpid" "$end")
  log "$kind N=$n after install: settle $st1"

  # phase 2: replace (same prefixes, NEXT_HOP .3); seen only in a dump
  left=$((end - SECONDS))
  ip netns exec "$nsr" python3 "$KR" wait --metric dump --proto "$proto" --gw "$NH2" --target "$n" --cmp ge \
    --events "$inj" --event REPLACE_START --kick "$injpid" --signal USR2 --deadline "$left" \
    --interval 0.02 --gap-factor 1 --pid "$rxpid" --trace "$d/trace-replace.txt" >"$d/replace.json" || true
  out2=$(cat "$d/replace.json"); [ -n "$out2" ] || out2='{"ok":false,"why":"budget exhausted","count":null}'
  c2=$(ip netns exec "$nsr" python3 "$KR" count --proto "$proto" 2>/dev/null)
  log "$kind N=$n replace: $out2 (dump: $c2 routes proto $proto)"
  st2=$(settle "$rxpid" "$end")
  log "$kind N=$n after replace: settle $st2"

  # phase 3: withdraw all
  left=$((end - SECONDS))
  ip netns exec "$nsr" python3 "$KR" wait --metric trie --base "$base" --target 0 --cmp eq \
    --events "$inj" --event WITHDRAW_START --kick "$injpid" --signal USR1 --deadline "$left" \
    --interval 0.02 --pid "$rxpid" --trace "$d/trace-withdraw.txt" >"$d/withdraw.json" || true
  out3=$(cat "$d/withdraw.json"); [ -n "$out3" ] || out3='{"ok":false,"why":"budget exhausted","count":null}'
  c3=$(ip netns exec "$nsr" python3 "$KR" count --proto "$proto" 2>/dev/null)
  log "$kind N=$n withdraw: $out3 (dump: $c3 routes proto $proto left)"
  local rss
  rss=$(awk '/VmHWM/ {print $2}' "/proc/$rxpid/status" 2>/dev/null || echo 0)
  record "{\"kind\":\"$kind\",\"n\":$n,\"ok\":true,\"install_raw\":$out1,\"replace_raw\":$out2,\"withdraw_raw\":$out3,\"hwm_kb\":${rss:-0},\"settle1\":$st1,\"settle2\":$st2,\"check\":\"install $c1 via .1, after replace $c2, after withdraw $c3\"}"
  if grep -qiE 'error|fail|ENOBUFS' "$d/rx.log"; then
    log "$kind log has errors:"; grep -iE 'error|fail|ENOBUFS' "$d/rx.log" | head -5 >&2
  fi
  teardown
}

# --- raw netlink driver ------------------------------------------------------------
run_netlink() {
  log "=== Tern raw netlink batch driver (debug build, swift test) ==="
  local out="$WORK/netlink.txt"
  if ! command -v swift >/dev/null; then record '{"kind":"netlink","ok":false,"why":"no swift"}'; return 0; fi
  (cd "$ROOT" && TERN_NETLINK_BENCH=1 timeout "$BUDGET" swift test --scratch-path "$NETLINK_SCRATCH" \
     --filter BatchRateDriver) >"$out" 2>&1 || log "swift test exited non-zero (see $out)"
  grep 'netlink-bench' "$out" >&2 || { tail -20 "$out" >&2; }
  python3 - "$out" >>"$RESULTS" <<'EOF'
import json, re, sys
rates = {}
for line in open(sys.argv[1]):
    m = re.search(r"netlink-bench (.*): (\d+) routes in ([\d.]+) s", line)
    if m:
        rates[m.group(1)] = (int(m.group(2)), float(m.group(3)))
print(json.dumps({"kind": "netlink", "ok": bool(rates), "rates": rates}))
EOF
}

# --- run ---------------------------------------------------------------------------
mkdir -p "$STREAM_CACHE"
for n in $COUNTS; do
  for m in $METHODS; do
    case $m in
      ipbatch) run_ipbatch "$n" ;;
      tern | bird) run_bgp "$m" "$n" ;;
      netlink) ;;
      *) log "unknown method $m" ;;
    esac
  done
done
case " $METHODS " in *" netlink "*) run_netlink ;; esac

# --- report ------------------------------------------------------------------------
python3 - "$RESULTS" "$CMDLINE" "$TERN" "$COUNTS" "$METHODS" <<'EOF'
import json, os, platform, subprocess, sys, time
results = [json.loads(l) for l in open(sys.argv[1])]
cmdline, tern = sys.argv[2], sys.argv[3]

def sh(*a):
    try:
        r = subprocess.run(a, capture_output=True, text=True, timeout=10)
        return (r.stdout + r.stderr).strip().splitlines()[0]
    except Exception:
        return "?"

cpu = "?"
for line in open("/proc/cpuinfo"):
    if line.startswith("model name"):
        cpu = line.split(":", 1)[1].strip(); break
names = {"ipbatch": "ip -batch", "tern": "Tern (BGP -> kernel)", "bird": "BIRD 2 (BGP -> kernel)"}
base = {r["n"]: r for r in results if r["kind"] == "ipbatch" and r.get("ok")}
rows = []

def f(v, fmt="{:.2f}"):
    return "-" if v is None else fmt.format(v)

for r in results:
    if r["kind"] == "netlink":
        continue
    n = r["n"]
    name = names[r["kind"]]
    if not r.get("ok"):
        rows.append([name, f"{n:,}", "FAILED", "-", "-", "-", "-", "-", r.get("why", "")])
        continue
    if r["kind"] == "ipbatch":
        ins, rep, wd, res = r["install"], r.get("replace"), r.get("withdraw"), None
        note = r.get("check", "")
    else:
        i, p, w = r["install_raw"], r["replace_raw"], r["withdraw_raw"]
        ins = i["elapsed"]
        rep = p["elapsed"] if p.get("ok") else None
        wd = w["elapsed"] if w.get("ok") else None
        res = "/".join(f(x.get("resolution"), "{:.2f}") for x in (i, p, w))
        note = r.get("check", "") + f"; CPU install {i.get('cpu_phase', 0):.1f} s; peak RSS {r.get('hwm_kb', 0) // 1024} MB"
        for label, st in (("after install", r.get("settle1")), ("after replace", r.get("settle2"))):
            if st and (st["cpu"] >= 1 or not st["settled"]):
                note += (f"; {label} busy {st['s']} s more ({st['cpu']:.1f} s CPU)" if st["settled"]
                         else f"; {label} NOT idle after {st['s']} s ({st['cpu']:.1f} s CPU)")
        if not p.get("ok"):
            note += f"; replace NOT reached ({p.get('count')} of {n})"
        if not w.get("ok"):
            note += f"; withdraw NOT reached ({w.get('count')} left)"
    b = base.get(n)
    ratio = lambda mine, key: (f"{b[key] / mine:.2f}x" if b and mine and b.get(key) else "-")
    rows.append([name, f"{n:,}", f(ins), f"{n / ins:,.0f}", f(rep) + (f" ({n / rep:,.0f}/s)" if rep else ""),
                 f(wd) + (f" ({n / wd:,.0f}/s)" if wd else ""),
                 " / ".join([ratio(ins, "install"), ratio(rep, "replace"), ratio(wd, "withdraw")]), res or "-", note])
for r in results:
    if r["kind"] == "netlink" and r.get("ok"):
        for label, (n, s) in r["rates"].items():
            rows.append([f"Tern netlink driver: {label} (debug)", f"{n:,}", f"{s:.3f}", f"{n / s:,.0f}", "-", "-", "-", "-",
                         "dev routes, BatchRateDriver"])
    elif r["kind"] == "netlink":
        rows.append(["Tern netlink driver", "-", "FAILED", "-", "-", "-", "-", "-", r.get("why", "no figures")])

hdr = ["method", "N", "install s", "routes/s", "replace s", "withdraw s", "speed-up vs ip -batch (inst/repl/wd)", "res s (i/r/w)", "notes"]
w = [max(len(str(x[i])) for x in rows + [hdr]) for i in range(len(hdr) - 1)]
print()
print("  ".join(h.ljust(w[i]) for i, h in enumerate(hdr[:-1])))
for r in rows:
    print("  ".join(str(x).ljust(w[i]) for i, x in enumerate(r[:-1])) + "  " + r[-1])
print()
print(f"Command: `{cmdline}` (COUNTS=\"{sys.argv[4]}\", METHODS=\"{sys.argv[5]}\")  ")
print(f"Date: {time.strftime('%Y-%m-%d %H:%M %Z')}; nproc {os.cpu_count()}; CPU \"{cpu}\"; kernel {platform.release()}; "
      f"load average before the report {os.getloadavg()[0]:.2f}  ")
print(f"Versions: {sh('ip', '-V')}; {sh('bird', '--version') or '?'}; tern {tern}")
print()
print("| " + " | ".join(hdr) + " |")
print("|" + "|".join(" --- " for _ in hdr) + "|")
for r in rows:
    print("| " + " | ".join(str(x) for x in r) + " |")
EOF
