#!/usr/bin/env bash
# llgr: long-lived graceful restart (RFC 9494) with BIRD 2 reflectors, the case of
# calico#9259 (every route reflector powered off -> cross-node routes lost).
# Two BIRD 2 reflectors of one cluster (`graceful restart time 5; long lived
# graceful restart on; long lived stale time $STALE;`) and two Tern clients with
# `longLivedStaleTime: $STALE` toward both, no mesh; one pod per client.
#
#   segment 192.168.97.0/24, AS 64512, cluster 10.255.0.7
#   bird rr1 .100 | bird rr2 .101 | tern a .1 10.244.1.0/26 pod a1 10.244.1.5
#                                 | tern b .2 10.244.2.0/26 pod b1 10.244.2.5
#
# Phase 1: both reflectors kill -9 -> the clients keep each other's block in the
# kernel through BIRD's restart time (5 s) and after it as LLGR_STALE (tern routes
# shows the community, tern status llgr.stale); the pods keep pinging all along.
# Reflectors restarted -> routes refreshed, LLGR_STALE gone.
# Speaker side: Tern b killed -> BIRD keeps b's block as LLGR_STALE after Tern's
# restart time (9 s) and reflects it so to a; b restarted -> refreshed.
# Phase 2: both killed again -> after 5 s + $STALE s the routes are removed
# (kernel and RIB), pods no longer reach each other.
SCRIPT_NAME=llgr
. "$(dirname "$0")/../lib/netns.sh"
. "$(dirname "$0")/../lib/rr.sh"

T=llgr
declare_tests "$T/sessions-established" "$T/llgr-negotiated" "$T/bird-llgr-capability" "$T/converged-pods-ping" \
  "$T/kill-reflectors-sessions-down" "$T/kernel-routes-kept-pods-ping" "$T/routes-llgr-stale-after-restart-time" \
  "$T/reflectors-back-routes-refreshed" "$T/bird-keeps-dead-tern-routes-llgr-stale" "$T/tern-node-back-refreshed" \
  "$T/stale-time-expiry-removes-routes"

require_root
require_tools ip bird birdc python3 ping sha1sum tcpdump
[ -z "$STANDIN" ] || skip_all "no stand-in mode for reflector topologies"
require_tern

DL=${DEADLINE:-40}
CL=10.255.0.7
GR=5
STALE=${STALE:-30}
HOLD=9
seg_create 192.168.97 || abort "cannot create segment"
node_add rr1 bird 100 64512 "" no || abort "cannot create rr1"
node_add rr2 bird 101 64512 "" no || abort "cannot create rr2"
node_add a tern 1 64512 10.244.1.0/26 no "192.168.97.100:64512 192.168.97.101:64512" || abort "cannot create a"
node_add b tern 2 64512 10.244.2.0/26 no "192.168.97.100:64512 192.168.97.101:64512" || abort "cannot create b"
CLIENTS=(a b)
RRS=(rr1 rr2)
for n in "${CLIENTS[@]}"; do
  N_PEER_EXTRA[$n]="routeReflector: true, longLivedStaleTime: $STALE"
  node_default_route "$n" || abort "default route on $n"
done
pod_add a a1 10.244.1.5 || abort "pod a1"
pod_add b b1 10.244.2.5 || abort "pod b1"

# rr_bird_llgr_cfg NAME FILE : a BIRD reflector of cluster $CL with GR and LLGR for both clients
rr_bird_llgr_cfg() {
  local me=${N_ADDR[$1]} c
  {
    echo "log stderr all;"
    echo "router id $me;"
    echo "protocol device { scan time 10; }"
    echo "template bgp rrc {"
    echo "  local $me as 64512;"
    echo "  hold time $HOLD; connect retry time 1; error wait time 1, 10;"
    echo "  direct; rr client; rr cluster id $CL;"
    echo "  graceful restart on; graceful restart time $GR;"
    echo "  long lived graceful restart on; long lived stale time $STALE;"
    echo "  ipv4 { import all; export all; gateway direct; };"
    echo "}"
    for c in "${CLIENTS[@]}"; do echo "protocol bgp c_${N_ADDR[$c]//./_} from rrc { neighbor ${N_ADDR[$c]} as 64512; }"; done
  } >"$2"
}
for r in "${RRS[@]}"; do rr_bird_llgr_cfg "$r" "$WORK/$r.conf"; done
capture_start cap-rr1 rr1 || abort "tcpdump on rr1"
for r in "${RRS[@]}"; do rr_bird_start "$r" || abort "$r did not start"; done
for n in "${CLIENTS[@]}"; do node_start "$n" || abort "$n did not start"; done

all_up() {
  local n r rc=0
  for r in "${RRS[@]}"; do
    for n in "${CLIENTS[@]}"; do
      st=$(bird_state "${N_CTL[$r]}" "c_${N_ADDR[$n]//./_}"); echo "$r -> $n: $st"; [ "$st" = Established ] || rc=1
      node_established "$n" "${N_ADDR[$r]}" || rc=1
    done
  done
  return $rc
}
check "$T/sessions-established" "4 BIRD reflector<->Tern client sessions Established on both ends" "$DL" all_up || abort "sessions down"

# llgr_field NODE PEER : "negotiated staleTime stale" of tern status --json's llgr for PEER
llgr_field() {
  tern_status_json "$1" "$WORK/$1.sock" | python3 -c '
import json, sys
addr = sys.argv[1]
peers = [p for p in json.load(sys.stdin).get("peers", []) if p.get("address") == addr]
l = (peers[0].get("llgr") if peers else None) or {}
print(l.get("negotiated"), l.get("staleTime"), l.get("stale"))' "$2"
}
negotiated() {
  local n r v rc=0
  for n in "${CLIENTS[@]}"; do for r in "${RRS[@]}"; do
    v=$(llgr_field "$n" "${N_ADDR[$r]}"); echo "$n -> $r llgr: $v"; [ "$v" = "True $STALE False" ] || rc=1
  done; done
  return $rc
}
check "$T/llgr-negotiated" "tern status --json: llgr negotiated, staleTime $STALE, not stale, for each client->reflector" 10 negotiated

# The LLGR capability BIRD sends (capability code 71 in its OPEN), from the capture on rr1.
bird_cap() {
  python3 - "$WORK/cap-rr1.pcap" "${N_ADDR[rr1]}" "$STALE" <<'PY'
import struct, sys, socket
pcap, src, stale = sys.argv[1], socket.inet_aton(sys.argv[2]), int(sys.argv[3])
data = open(pcap, "rb").read()
off, found = 24, None
while off + 16 <= len(data):
    incl = struct.unpack("<I", data[off + 8:off + 12])[0]
    pkt = data[off + 16:off + 16 + incl]
    off += 16 + incl
    ip = pkt[14:]
    if len(ip) < 20 or ip[12:16] != src: continue
    tcp = ip[(ip[0] & 15) * 4:]
    payload = tcp[(tcp[12] >> 4) * 4:]
    i = payload.find(b"\xff" * 16)
    if i < 0 or len(payload) < i + 29 or payload[i + 18] != 1: continue
    opt = payload[i + 29:]
    j = 0
    while j + 2 <= len(opt):       # optional parameters: type 2 = capabilities
        t, l = opt[j], opt[j + 1]
        caps, k = opt[j + 2:j + 2 + l], 0
        while t == 2 and k + 2 <= len(caps):
            c, cl = caps[k], caps[k + 1]
            if c == 71: found = caps[k:k + 2 + cl]
            k += 2 + cl
        j += 2 + l
    if found: break
if not found: print("no OPEN with capability 71 from rr1 in the capture"); sys.exit(1)
print("BIRD's LLGR capability:", found.hex(" "))
want = bytes([71, 7, 0, 1, 1, 0]) + stale.to_bytes(3, "big")
ok = found == want or (found[:5] == want[:5] and found[6:] == want[6:])   # F bit may be either
print("expected", want.hex(" "), "(F bit either way)")
sys.exit(0 if ok else 1)
PY
}
check "$T/bird-llgr-capability" "BIRD's OPEN carries capability 71 = 0001 01 flags $STALE s (the golden of LLGRCapabilityTests)" 10 bird_cap &&
  log "$(bird_cap 2>&1 | head -1)"

BA=${N_BLOCK[b]}; BB=${N_BLOCK[a]}
kern_both() { kroute_has a "^${BA%/*}/26 via ${N_ADDR[b]} .*proto 199" && kroute_has b "^${BB%/*}/26 via ${N_ADDR[a]} .*proto 199"; }
pods() { pod_ping a1 b1 && pod_ping b1 a1 && echo "a1 <-> b1 ping ok"; }
conv() { kern_both && pods; }
check "$T/converged-pods-ping" "each client has the other's block in the kernel (proto 199) and a1 <-> b1 ping" "$DL" conv

# has_community NODE PREFIX WANT(yes|no) : every path of PREFIX on NODE has LLGR_STALE (yes) / none has it (no)
has_community() {
  tern_routes_json "$1" "$WORK/$1.sock" "$2" | python3 -c '
import json, sys
prefix, want = sys.argv[1], sys.argv[2]
data = json.load(sys.stdin)
if isinstance(data, dict): data = data.get("routes", [data])
paths = [p for r in data if r.get("prefix") == prefix for p in r.get("paths", [])]
seen = [(p.get("source"), p.get("nextHop"), p.get("communities")) for p in paths]
print(prefix, "paths (source, nextHop, communities):", seen)
stale = [("LLGR_STALE" in (p.get("communities") or [])) for p in paths]
if not paths: sys.exit(1)
sys.exit(0 if (all(stale) if want == "yes" else not any(stale)) else 1)' "$2" "$3"
}
stale_everywhere() {
  local n r v rc=0
  has_community a "$BA" yes || rc=1
  has_community b "$BB" yes || rc=1
  for n in "${CLIENTS[@]}"; do for r in "${RRS[@]}"; do
    v=$(llgr_field "$n" "${N_ADDR[$r]}"); echo "$n -> $r llgr: $v"; [ "${v##* }" = True ] || rc=1
  done; done
  return $rc
}
kill_reflectors() {
  local r
  for r in "${RRS[@]}"; do log "kill -9 $r (pid ${PID_OF[$r]})"; kill -KILL "${PID_OF[$r]}"; done
  for r in "${RRS[@]}"; do wait "${PID_OF[$r]}" 2>/dev/null; done
}
rrs_down() {
  local n r rc=0
  for n in "${CLIENTS[@]}"; do for r in "${RRS[@]}"; do node_not_established "$n" "${N_ADDR[$r]}" || rc=1; done; done
  return $rc
}

# --- phase 1: kill every reflector; routes kept, then LLGR_STALE ---------------------
killed_at=$SECONDS
kill_reflectors
check "$T/kill-reflectors-sessions-down" "both clients' sessions to both reflectors not Established" 15 rrs_down
# From the kill until well after the restart time ($GR s) has run out, every poll: the
# kernel routes are there and the pods ping; LLGR_STALE must appear only once the restart
# time is over (not during plain graceful restart) and within 6 s of it (a poll of pings and tern calls takes 1-3 s on a loaded machine).
keep() { kern_both >/dev/null && pods; }
phase1() {
  local end=$((killed_at + GR + 10)) first="" out
  while ((SECONDS < end)); do
    if ! out=$(keep 2>&1); then echo "lost after $((SECONDS - killed_at)) s: $out"; return 2; fi
    local at=$((SECONDS - killed_at))    # when this poll started
    if [ -z "$first" ] && stale_everywhere >/dev/null 2>&1; then first=$at; fi
    sleep 0.25
  done
  echo "kernel routes and pings held $((GR + 10)) s after the kill; LLGR_STALE first seen after ${first:-never} s"
  [ -n "$first" ] || return 3
  ((first >= GR - 1 && first <= GR + 6)) || return 3
}
out=$(phase1); rc=$?
log "$out"
if [ $rc = 2 ]; then result FAIL "$T/kernel-routes-kept-pods-ping" "$(echo "$out" | tr '\n' ' ' | cut -c1-300)"
else result PASS "$T/kernel-routes-kept-pods-ping"; fi
ns_exec a "$TERN" status --socket "$WORK/a.sock" >&2 || true      # the text view, for the log
ns_exec a "$TERN" routes --socket "$WORK/a.sock" "$BA" >&2 || true
if [ $rc = 0 ] && stale_everywhere >&2; then
  result PASS "$T/routes-llgr-stale-after-restart-time"
else
  result FAIL "$T/routes-llgr-stale-after-restart-time" "expected LLGR_STALE on both clients' routes and llgr.stale between $((GR - 1)) and $((GR + 6)) s after the kill; $(echo "$out" | tr '\n' ' ' | cut -c1-200); now: $(stale_everywhere 2>&1 | tr '\n' ' ' | cut -c1-200)"
fi

# --- reflectors back: refreshed, not stale ------------------------------------------
for r in "${RRS[@]}"; do rr_bird_start "$r" || abort "$r did not restart"; done
refreshed() {
  local n r v rc=0
  all_up >/dev/null || { echo "sessions not all up"; rc=1; }
  has_community a "$BA" no || rc=1
  has_community b "$BB" no || rc=1
  for n in "${CLIENTS[@]}"; do for r in "${RRS[@]}"; do
    v=$(llgr_field "$n" "${N_ADDR[$r]}"); echo "$n -> $r llgr: $v"; [ "$v" = "True $STALE False" ] || rc=1
  done; done
  kern_both >/dev/null && pods || rc=1
  return $rc
}
check "$T/reflectors-back-routes-refreshed" "reflectors restarted: sessions up, routes without LLGR_STALE, llgr.stale false, pods ping" "$DL" refreshed

# --- speaker side: a Tern node dies; BIRD (LLGR receiver of Tern's capability 71) keeps
# its block past Tern's restart time (min(hold 9 s, 120 s) = 9 s) as LLGR_STALE and
# reflects it with the community to a (LLGR peer), which keeps forwarding on it.
bird_stale() { # RR : BIRD RR has b's block with community (65535,6)
  local out; out=$(birdc -s "${N_CTL[$1]}" show route "$BA" all)
  echo "$1: $(echo "$out" | grep -E "via|community" | tr '\n' ' ')"
  echo "$out" | grep -q "BGP.community:.*(65535,6)"
}
b_killed_at=$SECONDS
log "kill -9 tern b (pid ${PID_OF[b]})"; kill -KILL "${PID_OF[b]}"; wait "${PID_OF[b]}" 2>/dev/null
speaker_side() { bird_stale rr1 && bird_stale rr2 && has_community a "$BA" yes && kroute_has a "^${BA%/*}/26 via ${N_ADDR[b]} .*proto 199" >/dev/null; }
if check "$T/bird-keeps-dead-tern-routes-llgr-stale" "BIRD reflectors keep b's block as LLGR_STALE after Tern's 9 s restart time; a has it with LLGR_STALE, in the kernel" 25 speaker_side; then
  log "LLGR_STALE at BIRD and a $((SECONDS - b_killed_at)) s after b was killed"
fi
rm -f "$WORK/b.sock"
node_start b || abort "b did not restart"
b_back() { all_up >/dev/null || { echo "sessions not all up"; return 1; }; ! bird_stale rr1 && ! bird_stale rr2 && has_community a "$BA" no && conv; }
check "$T/tern-node-back-refreshed" "b restarted: BIRD and a have b's block without LLGR_STALE, pods ping" "$DL" b_back

# --- phase 2: killed again; after GR + STALE the routes go ---------------------------
kill_reflectors
t0=$SECONDS
gone() {
  kroute_hasnt a "^${BA%/*}/26 via" && kroute_hasnt b "^${BB%/*}/26 via" || return 1
  tern_routes_json a "$WORK/a.sock" "$BA" | python3 "$QUERY" tern-no-route "$BA" || return 1
  tern_routes_json b "$WORK/b.sock" "$BB" | python3 "$QUERY" tern-no-route "$BB"
}
early=0
# Not before the restart time plus the stale time (less 2 s of slack for the poll)...
while ((SECONDS - t0 < GR + STALE - 2)); do
  if gone >/dev/null 2>&1; then early=1; break; fi
  sleep 1
done
if [ $early = 1 ]; then
  result FAIL "$T/stale-time-expiry-removes-routes" "routes removed after $((SECONDS - t0)) s, before restart time + stale time ($((GR + STALE)) s)"
elif wait_for "routes removed after restart + stale time" 15 gone; then
  log "routes removed $((SECONDS - t0)) s after the second kill (restart $GR s + stale $STALE s)"
  result PASS "$T/stale-time-expiry-removes-routes"
else
  result FAIL "$T/stale-time-expiry-removes-routes" "expected both blocks gone from kernel and RIB about $((GR + STALE)) s after the kill; seen: $(printf '%s' "$WAIT_LAST" | tr '\n' ' ' | cut -c1-300)"
fi
