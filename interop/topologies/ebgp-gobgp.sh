#!/usr/bin/env bash
# ebgp-gobgp: Tern (AS 64512) <-> GoBGP 3 (AS 64513), eBGP on one segment.
#
#   segment 192.168.78.0/24
#   tern  a     .1  AS 64512  block 10.244.1.0/26  peer 192.168.78.2 AS 64513
#   gobgp gobgp .2  AS 64513  route 10.50.0.0/24 (gobgp global rib add)
SCRIPT_NAME=ebgp-gobgp
. "$(dirname "$0")/../lib/netns.sh"

T=ebgp-gobgp
declare_tests "$T/session-established" "$T/gobgp-receives-tern-block" "$T/tern-receives-gobgp-route" \
  "$T/withdraw-reaches-tern"

require_root
require_tools ip gobgpd gobgp python3
[ -z "$STANDIN" ] || require_tools bird birdc
require_tern

DL=${DEADLINE:-40}
seg_create 192.168.78 || abort "cannot create segment"
node_add a tern 1 64512 10.244.1.0/26 no "192.168.78.2:64513" || abort "cannot create node a"
node_add gobgp gobgp 2 64513 "" no || abort "cannot create node gobgp"

gobgp_cfg "$WORK/gobgp.toml" 64513 192.168.78.2 192.168.78.2 192.168.78.1 64512 9
gobgp_start gobgp gobgp "$WORK/gobgp.toml" || abort "gobgpd did not start"
gobgp_cli gobgp global rib add 10.50.0.0/24 nexthop 192.168.78.2 >&2 || abort "gobgp global rib add failed"
node_start a || abort "tern a did not start"

both_up() { node_established a 192.168.78.2 && gobgp_established gobgp 192.168.78.1; }
check "$T/session-established" "a<->gobgp Established on both ends" "$DL" both_up

check "$T/gobgp-receives-tern-block" "GoBGP has 10.244.1.0/26 next hop 192.168.78.1 (next-hop-self) AS path 64512" \
  "$DL" gobgp_has_route gobgp 10.244.1.0/26 192.168.78.1 64512

check "$T/tern-receives-gobgp-route" "tern a has 10.50.0.0/24 next hop 192.168.78.2 AS path 64513" \
  "$DL" node_has_route a 10.50.0.0/24 192.168.78.2 64513

gobgp_cli gobgp global rib del 10.50.0.0/24 >&2
check "$T/withdraw-reaches-tern" "10.50.0.0/24 gone from tern a after gobgp global rib del" \
  "$DL" node_no_route a 10.50.0.0/24
