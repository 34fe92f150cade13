#!/usr/bin/env bash
# bfd-frr: a Tern node and FRR 8.4 (zebra + bfdd + bgpd, interop/lib/frr.sh) over eBGP with
# BFD (RFC 5880/5881, 100 ms x 3 both sides; FRR: a bfd profile and `neighbor X bfd profile`).
# BFD comes Up on both ends and Tern's detection time is FRR's multiplier x max(our receive
# interval, FRR's transmit interval); then FRR's bridge port is set down (the link cut, so no
# NOTIFICATION can pass) and Tern must end the BGP session (diagnostic: detection time
# expired) and take FRR's block out of its kernel table in under 1 s (measured from the cut
# and printed), while FRR sees BFD down too; the link restored, BFD and BGP come back. Last,
# FRR's profile is changed at runtime (transmit 200 ms, multiplier 4): Tern follows the Poll
# Sequence (detection time 4 x 200 = 800 ms) with neither BFD nor BGP reset.
#
#   segment 192.168.92.0/24
#   tern a .1 AS 64512 10.244.1.0/26  <->  frr b .2 AS 64513 10.244.2.0/26
# shellcheck disable=SC2317 # the query functions below run indirectly, through check/wait_for ("$@")
SCRIPT_NAME=bfd-frr
. "$(dirname "$0")/../lib/netns.sh"
. "$(dirname "$0")/../lib/frr.sh"

T=bfd-frr
declare_tests "$T/bfd-up-tern" "$T/bfd-up-frr" "$T/bgp-established" "$T/frr-route-in-kernel" \
  "$T/tern-route-in-frr" "$T/frr-intervals-honoured" "$T/frr-packet-captured" \
  "$T/cut-bgp-down-bfd-diag" "$T/cut-routes-out-under-1s" "$T/cut-frr-bfd-down" \
  "$T/restored-bfd-up" "$T/restored-bgp-and-routes" "$T/frr-retimed-bgp-kept"

require_root
require_tools ip python3 tcpdump
require_frr
require_tern

DL=${DEADLINE:-40}
LIMIT_MS=${LIMIT_MS:-1000}
A=192.168.92.1 B=192.168.92.2
seg_create 192.168.92 || abort "cannot create segment"
BFD_TIMERS="minimumRecvInterval: 100, minimumSendInterval: 100, multiplier: 3"
node_add a tern 1 64512 10.244.1.0/26 no "$B:64513" || abort "cannot create node a"
N_PEER_EXTRA[a]="bfd: {enabled: true, $BFD_TIMERS}"
node_add b frr 2 64513 10.244.2.0/26 no "$A:64512" || abort "cannot create node b"
FRR_BFD_PROFILE[b]="receive-interval 100;transmit-interval 100;detect-multiplier 3"
B_PORT=p2   # b's port on the bridge (node_ns_add numbers them in order)
# FRR's BFD control packets (from b, UDP 3784) on b's eth0, for the golden-packet check.
start_bg capture-bfd b tcpdump -i eth0 -w "$WORK/bfd.pcap" -U -s 0 -n "udp dst port 3784 and src host $B"
wait_for "tcpdump listening" 10 grep -q 'listening on' "$WORK/capture-bfd.log" || abort "tcpdump did not start"
node_start a || abort "a did not start"
frr_start b || abort "FRR on b did not start"

# tern_bfd_json_field FIELD : one field of Tern's BFD session with b (tern bfd --json)
tern_bfd_field() {
  ns_exec a "$TERN" bfd --socket "$WORK/a.sock" --json |
    python3 -c 'import json,sys; s=[x for x in json.load(sys.stdin) if x["peer"]==sys.argv[1]]; print(s[0].get(sys.argv[2]) if s else "none"); sys.exit(0 if s else 1)' "$B" "$1"
}
tern_bfd_state() { local s; s=$(tern_bfd_field state); echo "tern: BFD $B $s"; [ "$s" = "$1" ]; }
# tern_status_bfd_up MS : the peer's "bfd" object in `tern status --json` is Up with detection time MS.
tern_status_bfd_up() {
  tern_status_json a "$WORK/a.sock" |
    python3 -c 'import json,sys; p=[x for x in json.load(sys.stdin)["peers"] if x["address"]==sys.argv[1]][0]; b=p.get("bfd"); print(b); sys.exit(0 if b and b["state"]=="Up" and b.get("detectionTime")==float(sys.argv[2]) else 1)' "$B" "$1"
}
frr_kernel_route() { kroute_has a "^10\.244\.2\.0/26 via 192\.168\.92\.2 dev eth0"; }

tern_bfd_up() { tern_bfd_state Up && tern_status_bfd_up 300; }
check "$T/bfd-up-tern" "Tern's BFD session with FRR Up (tern bfd), detection time 300 ms (tern status)" "$DL" \
  tern_bfd_up
check "$T/bfd-up-frr" "FRR's BFD session with Tern up (show bfd peer json)" "$DL" frr_bfd_status b "$A" up
bgp_up() { node_established a "$B" && frr_established b "$A"; }
check "$T/bgp-established" "BGP Established both ends" "$DL" bgp_up
check "$T/frr-route-in-kernel" "FRR's 10.244.2.0/26 in Tern's kernel table" "$DL" frr_kernel_route || abort "no route to cut"
check "$T/tern-route-in-frr" "Tern's 10.244.1.0/26 in FRR's BGP table via $A" "$DL" frr_has_route b 10.244.1.0/26 "$A"

# What each side advertises and agreed: Tern's detection time must be FRR's multiplier x
# max(our RequiredMinRx, FRR's DesiredMinTx), computed here from FRR's own report.
intervals() {
  local fm ftx tdt want
  fm=$(frr_bfd_field b "$A" detect-multiplier) || return 1
  ftx=$(frr_bfd_field b "$A" transmit-interval) || return 1
  tdt=$(tern_bfd_field detectionTime) || return 1
  want=$(( fm * (ftx > 100 ? ftx : 100) ))
  echo "FRR: multiplier $fm, transmit $ftx ms; Tern: detection time $tdt ms, expected $want ms"
  python3 -c 'import sys; sys.exit(0 if float(sys.argv[1]) == float(sys.argv[2]) else 1)' "$tdt" "$want"
}
check "$T/frr-intervals-honoured" "Tern's detection time = FRR's multiplier x max(100, FRR's transmit interval)" 10 intervals
ns_exec a "$TERN" bfd --socket "$WORK/a.sock" >&2
frr_vtysh b "show bfd peers" >&2

# A control packet from FRR decoded from the capture: version 1, Up, the intervals of its
# profile, Your Discriminator = Tern's discriminator.
pkt_ok() {
  local tdisc; tdisc=$(tern_bfd_field localDiscriminator) || return 1
  python3 - "$WORK/bfd.pcap" "$tdisc" <<'EOF'
import struct, sys
data = open(sys.argv[1], "rb").read()
off, found = 24, None
while off + 16 <= len(data):
    _, _, incl, _ = struct.unpack_from("<IIII", data, off); off += 16
    frame = data[off:off + incl]; off += incl
    ip = frame[14:]
    if len(ip) < 20 or ip[9] != 17: continue
    ihl = (ip[0] & 15) * 4
    bfd = ip[ihl + 8:]
    if len(bfd) >= 24 and bfd[1] >> 6 == 3: found = (ip[8], bfd)
if not found: print("no Up packet from FRR captured"); sys.exit(1)
ttl, b = found
vers, sta, mult, length = b[0] >> 5, b[1] >> 6, b[2], b[3]
my, your, tx, rx, echo = struct.unpack_from(">IIIII", b, 4)
print("FRR packet: %s ttl %d vers %d sta %d mult %d len %d my %d your %d tx %d rx %d echo %d" %
      (b[:24].hex(), ttl, vers, sta, mult, length, my, your, tx, rx, echo))
ok = (ttl == 255 and vers == 1 and mult == 3 and length == 24 and your == int(sys.argv[2])
      and tx == 100000 and rx == 100000)
sys.exit(0 if ok else 1)
EOF
}
check "$T/frr-packet-captured" "an Up control packet from FRR on the wire: TTL 255, v1, mult 3, 100 ms, Your Discriminator = Tern's" 10 pkt_ok
pkt_ok >&2

# The cut: FRR's bridge port down. Poll Tern's kernel table every few ms from then on.
log "cutting b's link ($B_PORT down)"
timed_route_gone "$T/cut-routes-out-under-1s" "link cut -> FRR's route out of Tern's kernel table (BFD 100 ms x 3)" a 10.244.2.0/26 "$LIMIT_MS" \
  ip -n "$(ns_name seg)" link set "$B_PORT" down
tern_down_bfd() {
  local d; d=$(tern_bfd_field localDiagnostic)
  echo "tern: BFD $(tern_bfd_field state), diagnostic: $d"
  node_not_established a "$B" && [ "$d" = "Control Detection Time Expired" ]
}
check "$T/cut-bgp-down-bfd-diag" "Tern's BGP session with FRR not Established, BFD diagnostic Control Detection Time Expired" 2 tern_down_bfd
check "$T/cut-frr-bfd-down" "FRR's BFD session with Tern down (show bfd peer json)" 5 frr_bfd_status b "$A" down
ns_exec a "$TERN" bfd --socket "$WORK/a.sock" >&2
frr_vtysh b "show bfd peers brief" >&2

log "restoring b's link"
ip -n "$(ns_name seg)" link set "$B_PORT" up
both_bfd_up() { tern_bfd_state Up && frr_bfd_status b "$A" up; }
check "$T/restored-bfd-up" "BFD Up again on both ends" "$DL" both_bfd_up
restored() { bgp_up && frr_kernel_route; }
check "$T/restored-bgp-and-routes" "BGP Established and FRR's route back in Tern's kernel" "$DL" restored

# FRR's profile changed at runtime (transmit 200 ms, multiplier 4): FRR starts a Poll Sequence,
# Tern answers with Final and re-times: detection time 4 x max(100, 200) = 800 ms; neither BFD
# nor BGP reset on Tern ("since" unchanged).
bgp_since=$(node_peer_since a "$B")
bfd_since0=$(tern_bfd_field since)
frr_vtysh b "configure terminal" "bfd" "profile fast" "transmit-interval 200" "detect-multiplier 4" >&2
retimed() {
  local d s bs
  d=$(tern_bfd_field detectionTime); s=$(node_peer_since a "$B"); bs=$(tern_bfd_field since)
  echo "tern: BFD $(tern_bfd_field state), detection $d ms; bgp since $s (was $bgp_since); bfd since $bs (was $bfd_since0)"
  tern_bfd_state Up && python3 -c 'import sys; sys.exit(0 if float(sys.argv[1]) == 800 else 1)' "$d" &&
    [ "$s" = "$bgp_since" ] && [ "$bs" = "$bfd_since0" ] && node_established a "$B"
}
check "$T/frr-retimed-bgp-kept" "after FRR's profile change: Tern's detection time 800 ms, BFD and BGP not reset" 10 retimed
exit $(( FAILS > 0 ))
