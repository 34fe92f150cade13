#!/usr/bin/env bash
# overlay-mode-switch: the pool's encapsulation changed by SIGHUP while a pod pings another
# pod every 20 ms: vxlanMode Never -> Always -> Never. Tern re-programs in place: devices,
# neighbours and FDB first, each route replaced atomically (no delete), the unused
# vxlan.tern removed last. Both nodes are on ONE segment, so plain routing works too.
#
#   router r: 10.0.1.1 (seg1), ip_forward, connected routes only (the nodes' default route)
#   tern a 10.0.1.2  block 10.244.1.0/26  pod a1 10.244.1.5
#   tern b 10.0.1.3  block 10.244.2.0/26  pod b1 10.244.2.5
#
# Loss: a node's own switch must lose nothing (route replaced, never deleted). But two
# nodes cannot switch at the same instant: between the first node's switch and the
# other's, one of them may send VXLAN to a node with no vxlan.tern (Never -> Always), or
# a node may remove vxlan.tern while the other still encapsulates toward it (Always ->
# Never). Both SIGHUPs are sent back to back; `ip -ts monitor link route neigh` on each node
# timestamps those windows. The check: every lost echo was sent (or its reply was sent)
# inside such a cross-node window; the number lost, and the windows, are printed.
SCRIPT_NAME=overlay-mode-switch
. "$(dirname "$0")/../lib/netns.sh"
. "$(dirname "$0")/../lib/overlay.sh"

T=overlay-mode-switch
declare_tests "$T/sessions-established" "$T/plain-routes-at-start" "$T/pods-ping-at-start" \
  "$T/switched-to-vxlan" "$T/vxlan-status" "$T/switched-back-to-plain" "$T/vxlan-device-removed" \
  "$T/no-route-deleted" "$T/vtep-entries-around-routes" "$T/ping-loss-only-in-cross-node-windows" "$T/sessions-not-reset" "$T/pods-ping-at-end"

require_root
require_tools ip bridge python3 ping tcpdump sha1sum
[ -n "$STANDIN" ] && skip_all "overlay checks need tern itself (no stand-in)"
require_tern

DL=${DEADLINE:-40}
INTERVAL=0.02
pools() { printf 'ipPools:\n  - {cidr: 10.244.0.0/16, blockSize: 26, vxlanMode: %s}' "$1"; }
router_add || abort "router"
seg_add seg1 10.0.1 || abort "seg1"
onode_add a seg1 10.0.1 2 10.244.1.0/26 || abort "node a"
onode_add b seg1 10.0.1 3 10.244.2.0/26 || abort "node b"
N_EXTRA[a]=$(pools Never); N_EXTRA[b]=$(pools Never)
pod_add a a1 10.244.1.5 || abort "pod a1"
pod_add b b1 10.244.2.5 || abort "pod b1"
for n in a b; do node_start "$n" || abort "$n did not start"; done

both_up() { node_established a 10.0.1.3 && node_established b 10.0.1.2; }
check "$T/sessions-established" "a <-> b Established on seg1" "$DL" both_up || abort "no sessions"
SINCE_A=$(node_peer_since a 10.0.1.3); SINCE_B=$(node_peer_since b 10.0.1.2)

p199="proto (199|0xc7)"
# route_is NODE PREFIX REGEX [NOT_REGEX] : NODE's one kernel route for PREFIX matches
# REGEX and not NOT_REGEX.
route_is() {
  local out; out=$(kroutes "$1" "$2" 2>&1)
  echo "$1: ip route show $2: ${out:-<none>}"
  [ "$(printf '%s\n' "$out" | grep -c .)" = 1 ] || return 1
  grep -qE "$3" <<<"$out" || return 1
  [ -z "${4:-}" ] || ! grep -qE "$4" <<<"$out"
}
no_vxlan() {
  local n rc=0
  for n in a b; do
    if ip -n "$(ns_name "$n")" link show vxlan.tern >/dev/null 2>&1; then echo "$n: vxlan.tern present"; rc=1
    else echo "$n: no vxlan.tern"; fi
  done
  return $rc
}
plain() {
  route_is a 10.244.2.0/26 "^10.244.2.0/26 via 10.0.1.3 dev eth0 $p199( |$)" "onlink|vxlan" &&
  route_is b 10.244.1.0/26 "^10.244.1.0/26 via 10.0.1.2 dev eth0 $p199( |$)" "onlink|vxlan"
}
plain_no_vxlan() { plain && no_vxlan; }
check "$T/plain-routes-at-start" "vxlanMode Never: a: 10.244.2.0/26 via 10.0.1.3 dev eth0 proto 199, b: 10.244.1.0/26 via 10.0.1.2 dev eth0 (no onlink), no vxlan.tern" "$DL" plain_no_vxlan
check "$T/pods-ping-at-start" "a1 <-> b1 ping with plain routing" "$DL" pods_ping_all a1 b1

# Route and link events with timestamps on both nodes. Armed when a marker route (a
# blackhole, nothing is sent) shows up in the monitor's output.
# Each poll deletes and re-adds the marker, so a monitor that started listening late (a
# loaded machine) still sees a fresh event: replacing an identical route may notify nothing.
armed() {
  ip -n "$(ns_name "$1")" route del blackhole 192.0.2.99/32 2>/dev/null
  ip -n "$(ns_name "$1")" route add blackhole 192.0.2.99/32 && grep -q "192.0.2.99" "${LOG_OF[mon-$1]}"
}
for n in a b; do
  start_bg "mon-$n" "$n" ip -ts monitor link route neigh
  wait_for "ip monitor on $n armed" 10 armed "$n" || abort "ip monitor on $n"
  ip -n "$(ns_name "$n")" route del blackhole 192.0.2.99/32
done

# Each echo seen where it starts and ends: a1 sends the request and gets the reply, b1
# gets the request and sends the reply (exact times, and which direction lost it).
for p in a1 b1; do
  start_bg "cap-$p" "$p" tcpdump -i eth0 -n -tt -l icmp
  wait_for "tcpdump in $p listening" 10 grep -q 'listening on' "${LOG_OF[cap-$p]}" || abort "tcpdump in $p"
done
start_bg ping-a1 a1 ping -n -D -i "$INTERVAL" "${POD_IP[b1]}"
replies() { local c; c=$(grep -c 'bytes from' "${LOG_OF[ping-a1]}"); echo "$c replies"; [ "$c" -ge "$1" ]; }
wait_for "the continuous ping a1 -> b1 gets answers" 10 replies 25 || abort "continuous ping does not get answers"

# switch MODE : rewrite both configs, then SIGHUP both nodes back to back.
switch() {
  local n
  for n in a b; do N_EXTRA[$n]=$(pools "$1"); node_write_cfg "$n"; done
  log "switching the pool to vxlanMode $1 (SIGHUP a, b)"
  node_reload a; node_reload b
}
switch Always
vxlan_routes() {
  route_is a 10.244.2.0/26 "^10.244.2.0/26 via 10.0.1.3 dev vxlan.tern $p199 onlink" &&
  route_is b 10.244.1.0/26 "^10.244.1.0/26 via 10.0.1.2 dev vxlan.tern $p199 onlink" &&
  ip -n "$(ns_name a)" neigh show dev vxlan.tern | grep -q "^10.0.1.3 lladdr 02:74:0a:00:01:03 PERMANENT" &&
  ip -n "$(ns_name b)" neigh show dev vxlan.tern | grep -q "^10.0.1.2 lladdr 02:74:0a:00:01:02 PERMANENT"
}
check "$T/switched-to-vxlan" "after SIGHUP with vxlanMode Always: a: 10.244.2.0/26 via 10.0.1.3 dev vxlan.tern onlink, b: 10.244.1.0/26 via 10.0.1.2 dev vxlan.tern onlink, VTEP neighbours in place" "$DL" vxlan_routes
vxlan_status() {
  local n rc=0
  for n in a b; do
    overlay_field "$n" '[(p["cidr"], p["encapsulation"], p.get("problem")) for p in o["pools"]], [(d["name"], d["state"], d["mtu"]) for d in o["devices"]]' || rc=1
    [ "$(overlay_field "$n" '[(p["encapsulation"], p.get("problem")) for p in o["pools"]] == [("VXLAN Always", None)] and [(d["name"], d["state"]) for d in o["devices"]] == [("vxlan.tern", "up")]')" = True ] || rc=1
  done
  return $rc
}
check "$T/vxlan-status" "tern status --json on a and b: the pool is 'VXLAN Always' without problem, vxlan.tern up" 10 vxlan_status
# Let the ping run over the tunnel for a while.
wait_for "50 more replies through vxlan.tern" 10 replies $(( $(grep -c 'bytes from' "${LOG_OF[ping-a1]}") + 50 )) >/dev/null

switch Never
check "$T/switched-back-to-plain" "after SIGHUP with vxlanMode Never: routes via <node> dev eth0 again (no onlink)" "$DL" plain
check "$T/vxlan-device-removed" "vxlan.tern removed on a and b" "$DL" no_vxlan
wait_for "50 more replies with plain routing" 10 replies $(( $(grep -c 'bytes from' "${LOG_OF[ping-a1]}") + 50 )) >/dev/null
stop_bg ping-a1 INT
sleep 0.2   # the last reply reaches both captures
stop_bg cap-a1 INT; stop_bg cap-b1 INT
stop_bg mon-a TERM; stop_bg mon-b TERM   # (background jobs ignore SIGINT; ip monitor has no handler)

no_delete() {
  local n p rc=0 del changes
  for n in a b; do
    p=$([ "$n" = a ] && echo 10.244.2.0/26 || echo 10.244.1.0/26)
    del=$(grep -E "^\[[^]]*\] Deleted ${p//./\\.} " "${LOG_OF[mon-$n]}")
    changes=$(grep -E "^\[[^]]*\] (Deleted )?${p//./\\.} " "${LOG_OF[mon-$n]}")
    echo "$n: route events for $p:"; printf '%s\n' "$changes"
    [ -z "$del" ] || { echo "$n: DELETED: $del"; rc=1; }
    # The monitor saw the replacement by the tunnel route (else it proves nothing). The
    # way back shows up here too; when it is missing, switched-back-to-plain has failed.
    grep -qE "${p//./\\.} via .* dev vxlan\.tern " <<<"$changes" || { echo "$n: the monitor missed the switch to vxlan.tern"; rc=1; }
    grep -qE "${p//./\\.} via .* dev eth0 " <<<"$changes" || echo "$n: (no switch back to eth0 seen)"
  done
  return $rc
}
check "$T/no-route-deleted" "ip monitor on a and b: the remote block's route was replaced (to vxlan.tern, and back), never Deleted" 1 no_delete

# switch_events.py MODE : what the monitors and the ping saw, timed.
#   order: per node, the remote VTEP's neighbour and FDB entries were added before the
#          route moved to vxlan.tern, and removed only after it moved back to eth0.
#   loss:  echoes lost, and whether each lies in a cross-node window.
cat >"$WORK/switch_events.py" <<'PY'
import re, sys
from datetime import datetime
mode, ping, mon_a, mon_b, cap_a1, cap_b1 = sys.argv[1:7]
SLACK = 0.003   # ip monitor timestamps an event when it reads it
node_ip = {"a": "10.0.1.2", "b": "10.0.1.3"}
other = {"a": "b", "b": "a"}
remote = {"a": "10.244.2.0/26", "b": "10.244.1.0/26"}

def events(path):
    ev = []
    for l in open(path):
        m = re.match(r"\[([0-9T:.\-]+)\] (.*)", l)
        if m: ev.append((datetime.fromisoformat(m.group(1)).timestamp(), m.group(2)))
    return ev
ev = {"a": events(mon_a), "b": events(mon_b)}
def first(n, pred, after=0.0):
    return next((t for t, l in ev[n] if t >= after and pred(l)), None)
def route_to(n, dev):
    return lambda l: l.startswith(remote[n] + " ") and (" dev %s " % dev) in l
up = lambda l: re.match(r"\d+: vxlan\.tern: <[^>]*\bUP\b", l) is not None
# vxlan.tern stops decapsulating when it is closed (a link event without UP, sent before
# the RTM_DELLINK) or at the latest when it is deleted.
down = lambda l: re.match(r"(Deleted )?\d+: vxlan\.tern: <", l) is not None and not up(l)
def vtep_add(n):   # the remote VTEP's neighbour (lladdr ... PERMANENT) and FDB (NOARP PERMANENT) entries
    ip = node_ip[other[n]]
    return lambda l: l.startswith(ip + " dev vxlan.tern lladdr ") and "PERMANENT" in l
def vtep_del(n):
    ip = node_ip[other[n]]
    return lambda l: l.startswith("Deleted " + ip + " dev vxlan.tern") or (l.startswith(ip + " dev vxlan.tern ") and "lladdr" not in l)
t_vx = {n: first(n, route_to(n, "vxlan.tern")) for n in "ab"}
t_plain = {n: first(n, route_to(n, "eth0"), after=(t_vx[n] or 0)) for n in "ab"}
t_up = {n: first(n, up) for n in "ab"}
t_down = {n: first(n, down, after=(t_vx[n] or 0)) for n in "ab"}
t_add = {n: [t for t, l in ev[n] if vtep_add(n)(l)] for n in "ab"}
t_del = {n: first(n, vtep_del(n), after=(t_vx[n] or 0)) for n in "ab"}
fmt = lambda v: ("%.4f" % v) if v else "-"
for n in "ab":
    print("%s: vxlan.tern up %s, VTEP %s entries added %s, route -> vxlan.tern %s, route -> eth0 %s, first VTEP entry removal %s, vxlan.tern down %s"
          % (n, fmt(t_up[n]), node_ip[other[n]], ",".join(fmt(t) for t in t_add[n]) or "-", fmt(t_vx[n]), fmt(t_plain[n]), fmt(t_del[n]), fmt(t_down[n])))

if mode == "order":
    bad = []
    for n in "ab":
        if t_vx[n] is None: bad.append("%s: no switch to vxlan.tern seen" % n); continue
        if len([t for t in t_add[n] if t <= t_vx[n]]) < 2: bad.append("%s: neighbour and FDB entry not both in place before the route moved to vxlan.tern" % n)
        if t_del[n] is not None and (t_plain[n] is None or t_del[n] < t_plain[n]):
            bad.append("%s: a VTEP entry was removed (%s) before the route moved back to eth0 (%s)" % (n, fmt(t_del[n]), fmt(t_plain[n])))
        if t_down[n] is not None and (t_plain[n] is None or t_down[n] < t_plain[n]):
            bad.append("%s: vxlan.tern went down (%s) before the route moved back to eth0 (%s)" % (n, fmt(t_down[n]), fmt(t_plain[n])))
    for b in bad: print(b)
    sys.exit(1 if bad else 0)

# Echoes: from the captures in a1 and b1 (tcpdump -tt): request sent by a1 / got by b1,
# reply sent by b1 / got by a1.
def capture(path):
    out = {}
    for l in open(path):
        m = re.match(r"(\d+\.\d+) IP (\S+) > (\S+): ICMP echo (request|reply), id \d+, seq (\d+)", l)
        if m: out.setdefault((m.group(4), int(m.group(5))), float(m.group(1)))
    return out
ca, cb = capture(cap_a1), capture(cap_b1)
summary = [l.strip() for l in open(ping) if "packets transmitted" in l]
seqs = sorted(s for (k, s) in ca if k == "request")
if not seqs:
    print("a1 sent no echo request"); sys.exit(1)
last = seqs[-1]
windows = {}   # (x, y): when what x encapsulates toward y finds no working vxlan.tern at y
for x, y in (("a", "b"), ("b", "a")):
    w = []
    if t_vx[x] and t_up[y] and t_vx[x] < t_up[y]:
        w.append((t_vx[x], t_up[y], "%s encapsulates before %s's vxlan.tern is up" % (x, y)))
    # y tears vxlan.tern down right after removing its VTEP entries; the kernel reports the
    # device down only after an RCU grace period, so the window opens at the removal.
    t_close = t_del[y] or t_down[y]
    if t_close and (t_plain[x] is None or t_close < t_plain[x]):
        w.append((t_close, t_plain[x] or float("inf"), "%s still encapsulates while %s tears vxlan.tern down" % (x, y)))
    windows[(x, y)] = w
    for s0, e0, what in w: print("cross-node window %s->%s: %.1f ms (%s)" % (x, y, (e0 - s0) * 1000, what))
def inside(t, key):
    return any(s0 - SLACK <= t <= e0 + SLACK for s0, e0, _ in windows[key])
lost, bad = [], []
for q in range(seqs[0], last):   # the echo outstanding when ping was stopped is not counted
    req = ca.get(("request", q))
    if req is None: continue
    if ("request", q) not in cb:
        lost.append("%d: request a->b lost, sent %.4f" % (q, req))
        if not inside(req, ("a", "b")): bad.append(q)
    elif ("reply", q) not in ca:
        rep = cb.get(("reply", q))
        if rep is None:
            lost.append("%d: b1 got the request at %.4f but sent no reply" % (q, cb[("request", q)])); bad.append(q)
        else:
            lost.append("%d: reply b->a lost, sent %.4f" % (q, rep))
            if not inside(rep, ("b", "a")): bad.append(q)
print("%s; echoes 1-%d: %d lost%s" % (summary[0] if summary else "no ping summary", last - 1, len(lost), ":" if lost else ""))
for l in lost: print("  " + l + (" (OUTSIDE any cross-node window)" if int(l.split(":")[0]) in bad else " (in a cross-node window)"))
sys.exit(1 if bad else 0)
PY
switch_events() { python3 "$WORK/switch_events.py" "$1" "${LOG_OF[ping-a1]}" "${LOG_OF[mon-a]}" "${LOG_OF[mon-b]}" "${LOG_OF[cap-a1]}" "${LOG_OF[cap-b1]}"; }
check "$T/vtep-entries-around-routes" "on a and b: the remote VTEP's neighbour and FDB entries were in place before the route moved to vxlan.tern; no VTEP entry removed and vxlan.tern not closed before the route moved back to eth0" 1 switch_events order
check "$T/ping-loss-only-in-cross-node-windows" "the 20 ms ping a1 -> b1 across both switches lost no echo outside the cross-node windows (a node's own switch loses nothing)" 1 switch_events loss
# The figures, also when the checks passed (loss inside a window is reported, not hidden).
switch_events loss 2>&1 | while IFS= read -r l; do log "switch: $l"; done

sessions_same() {
  local sa sb; sa=$(node_peer_since a 10.0.1.3); sb=$(node_peer_since b 10.0.1.2)
  echo "since a -> b: $SINCE_A then $sa; b -> a: $SINCE_B then $sb"
  [ -n "$sa" ] && [ "$sa" = "$SINCE_A" ] && [ "$sb" = "$SINCE_B" ] && both_up
}
check "$T/sessions-not-reset" "the switches did not reset the a <-> b session (same 'since')" 5 sessions_same
check "$T/pods-ping-at-end" "a1 <-> b1 ping after switching back" "$DL" pods_ping_all a1 b1
