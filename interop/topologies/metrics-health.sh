#!/usr/bin/env bash
# metrics-health: Prometheus metrics and the health endpoints (issue 15). Two Tern nodes
# in the mesh, both peering with BIRD; node a serves metrics on 127.0.0.1:9091 and health
# on 127.0.0.1:9099 in its namespace, and a real Prometheus (Debian's `prometheus`) in
# the same namespace scrapes it every second.
#   - Prometheus's API reports tern_bgp_session_up = 1 for each of a's two peers;
#   - `curl /metrics | promtool check metrics` is clean;
#   - the prefixes received/accepted/advertised per peer equal `tern status --json`;
#   - readiness (readinessGracePeriod 8 s): 200 once both peers are Established; after
#     the grace period BIRD is killed and readiness stays 200 (one peer is enough); then b
#     stops too and readiness is 503 with the reason; b back, 200 again. Liveness 200.
#
#   segment 192.168.93.0/24
#   tern a .1 AS 64512 10.244.1.0/26 \
#                                      mesh a-b (iBGP), both eBGP to bird c .3 AS 64513 10.244.3.0/26
#   tern b .2 AS 64512 10.244.2.0/26 /
# shellcheck disable=SC2317 # the query functions below run indirectly, through check/wait_for ("$@")
SCRIPT_NAME=metrics-health
. "$(dirname "$0")/../lib/netns.sh"

T=metrics-health
declare_tests "$T/bgp-established" "$T/prometheus-scrapes-session-up" "$T/promtool-check-clean" \
  "$T/values-equal-status" "$T/readiness-200-all-established" "$T/liveness-200" \
  "$T/bird-gone-still-ready" "$T/all-peers-gone-503-with-reason" "$T/peer-back-ready-again" \
  "$T/metrics-404-405" "$T/sighup-aggregate-only"

require_root
require_tools ip bird birdc python3 curl prometheus promtool
require_tern
[ -n "$STANDIN" ] && skip_all "Tern's own endpoints (no stand-in)"

DL=${DEADLINE:-20}
GRACE=8
seg_create 192.168.93 || abort "cannot create segment"
node_add a tern 1 64512 10.244.1.0/26 yes "192.168.93.3:64513" || abort "cannot create node a"
N_EXTRA[a]="metrics: {enabled: true, address: 127.0.0.1, port: 9091}
health: {enabled: true, address: 127.0.0.1, port: 9099, readinessGracePeriod: $GRACE}"
node_add b tern 2 64512 10.244.2.0/26 yes "192.168.93.3:64513" || abort "cannot create node b"
node_add c bird 3 64513 10.244.3.0/26 no "192.168.93.1:64512 192.168.93.2:64512" || abort "cannot create node c"
for n in a b c; do node_start "$n" || abort "$n did not start"; done
A_STARTED=$SECONDS

cat >"$WORK/prometheus.yml" <<PROM
global: {scrape_interval: 1s, evaluation_interval: 1s}
scrape_configs:
  - job_name: tern
    static_configs: [{targets: ["127.0.0.1:9091"]}]
PROM
mkdir -p "$WORK/tsdb"
start_bg prometheus a prometheus --config.file="$WORK/prometheus.yml" --storage.tsdb.path="$WORK/tsdb" \
  --web.listen-address=127.0.0.1:9090

http() { ns_exec a curl -s --max-time 3 "$@"; }
# http_status URL: the status code only.
http_status() { ns_exec a curl -s -o /dev/null -w '%{http_code}' --max-time 3 "$@"; }

all_up() {
  node_established a 192.168.93.2 && node_established a 192.168.93.3 && node_established b 192.168.93.3
}
check "$T/bgp-established" "a Established with b and BIRD, b with BIRD" "$DL" all_up

# Prometheus's own view: tern_bgp_session_up{peer} = 1 for both of a's peers.
prom_session_up() {
  http 'http://127.0.0.1:9090/api/v1/query?query=tern_bgp_session_up' | python3 -c '
import json, sys
d = json.load(sys.stdin)
got = {r["metric"].get("peer"): r["value"][1] for r in d["data"]["result"]}
print(got)
sys.exit(0 if got.get("192.168.93.2") == "1" and got.get("192.168.93.3") == "1" else 1)'
}
check "$T/prometheus-scrapes-session-up" "Prometheus's API: tern_bgp_session_up 1 for 192.168.93.2 and 192.168.93.3" 30 \
  prom_session_up

promtool_clean() { http http://127.0.0.1:9091/metrics >"$WORK/scrape.txt" && promtool check metrics <"$WORK/scrape.txt"; }
check "$T/promtool-check-clean" "curl /metrics | promtool check metrics: no problems" 10 promtool_clean

# The scrape's per-peer prefix counts equal tern status --json (read together; retried
# until both agree, as routes may still move).
values_equal() {
  http http://127.0.0.1:9091/metrics >"$WORK/scrape2.txt" || return 1
  tern_status_json a "$WORK/a.sock" | python3 -c '
import json, re, sys
status = json.load(sys.stdin)
m = {}
for line in open(sys.argv[1]):
    g = re.match(r"^(tern_bgp_prefixes_(?:received|accepted|advertised))\{([^}]*)\} (\S+)$", line.strip())
    if not g: continue
    labels = dict(re.findall(r"(\w+)=\"([^\"]*)\"", g.group(2)))
    key = (g.group(1), labels["peer"])
    m[key] = m.get(key, 0) + float(g.group(3))
ok = bool(status["peers"])
for p in status["peers"]:
    a = p["address"]
    want = (p["prefixesReceived"], p["prefixesAccepted"], p["prefixesSent"])
    got = tuple(m.get((n, a)) for n in ("tern_bgp_prefixes_received", "tern_bgp_prefixes_accepted", "tern_bgp_prefixes_advertised"))
    print(a, "status", want, "metrics", got)
    ok = ok and got == tuple(float(x) for x in want) and want[0] > 0
sys.exit(0 if ok else 1)' "$WORK/scrape2.txt"
}
check "$T/values-equal-status" "prefixes received/accepted/advertised per peer in /metrics equal tern status --json" 10 values_equal

# readiness BODY_PATTERN STATUS: GET /readiness answers STATUS with a body matching the pattern.
readiness() {
  local body code
  body=$(http -w '\n%{http_code}' http://127.0.0.1:9099/readiness) || return 1
  code=${body##*$'\n'}; body=${body%$'\n'*}
  echo "$code $body"
  [ "$code" = "$2" ] && printf '%s' "$body" | grep -qE "$1"
}
check "$T/readiness-200-all-established" "GET /readiness 200 with 2 of 2 peers Established" "$DL" \
  readiness '"ready":true.*"peersEstablished":2,"peersConfigured":2' 200
liveness() { local out; out=$(http -w ' %{http_code}' http://127.0.0.1:9099/liveness); echo "$out"; [[ "$out" == *'"live":true'*' 200' ]]; }
check "$T/liveness-200" "GET /liveness 200, live" 5 liveness

# After the grace period one Established peer is enough.
wait_for "a's readiness grace period over" $((GRACE + 10)) readiness '"inGracePeriod":false' 200 ||
  log "grace period not over after $((SECONDS - A_STARTED)) s"
log "killing BIRD"
stop_bg c
bird_gone_ready() {
  node_not_established a 192.168.93.3 >/dev/null && readiness '"ready":true.*"peersEstablished":1,"peersConfigured":2' 200 &&
    http http://127.0.0.1:9091/metrics | grep -E '^tern_bgp_(session_flaps_total|session_up)\{peer="192\.168\.93\.3"\}' |
    tr '\n' ' ' | grep -E 'flaps_total\{peer="192\.168\.93\.3"\} 1( |$)' | grep -qE 'session_up\{peer="192\.168\.93\.3"\} 0'
}
check "$T/bird-gone-still-ready" "BIRD gone: a's readiness 200 with 1 of 2 peers Established; its session_up 0, flaps_total 1" "$DL" bird_gone_ready

log "stopping b"
stop_bg b
check "$T/all-peers-gone-503-with-reason" "b gone too: readiness 503, reason \"no BGP peer is Established\"" "$DL" \
  readiness '"ready":false,"reasons":\["no BGP peer is Established' 503

node_start b || abort "b did not start again"
check "$T/peer-back-ready-again" "b back: readiness 200 again" "$DL" \
  readiness '"ready":true.*"peersEstablished":1' 200

codes() {
  local n m
  n=$(http_status http://127.0.0.1:9091/nope); m=$(http_status -X POST http://127.0.0.1:9091/metrics)
  echo "GET /nope $n, POST /metrics $m"; [ "$n" = 404 ] && [ "$m" = 405 ] && liveness >/dev/null
}
check "$T/metrics-404-405" "GET /nope 404, POST /metrics 405, liveness still 200" 5 codes

# SIGHUP: aggregateOnly on, in place (the server stays; no peer label; sums and counts).
series() { http http://127.0.0.1:9091/metrics | grep -vc '^#'; }
log "per-peer scrape: $(series) series"
N_EXTRA[a]="metrics: {enabled: true, address: 127.0.0.1, port: 9091, aggregateOnly: true}
health: {enabled: true, address: 127.0.0.1, port: 9099, readinessGracePeriod: $GRACE}"
node_write_cfg a
node_reload a
aggregate() {
  local m; m=$(http http://127.0.0.1:9091/metrics) || return 1
  printf '%s\n' "$m" | grep -E '^tern_bgp_(session_up|peers) '
  ! printf '%s\n' "$m" | grep -q 'peer=' && printf '%s\n' "$m" | grep -qxE 'tern_bgp_session_up 1(\.0)?' &&
    printf '%s\n' "$m" | grep -qxE 'tern_bgp_peers 2(\.0)?' && printf '%s\n' "$m" | promtool check metrics
}
check "$T/sighup-aggregate-only" "after SIGHUP with aggregateOnly: no peer label, tern_bgp_session_up 1 of tern_bgp_peers 2, promtool clean" 10 aggregate
log "aggregate scrape: $(series) series"
exit $(( FAILS > 0 ))
