# shellcheck shell=bash
# shellcheck disable=SC2034 # a library: the variables it sets are read by the scripts that source it
# FRR (8.4: zebra, bfdd, bgpd) nodes for the namespace topologies. Source after netns.sh:
#
#   . "$(dirname "$0")/../lib/netns.sh"; . "$(dirname "$0")/../lib/frr.sh"
#   require_frr
#   node_add b frr 2 64513 10.244.2.0/26 no "192.168.91.1:64512"   # the node model + namespace
#   FRR_BFD_PROFILE[b]="receive-interval 100;transmit-interval 100;detect-multiplier 3"
#   frr_start b                                                     # configs + daemons
#   frr_bfd_status b 192.168.91.1 up; frr_bgp_state b 192.168.91.1 Established
#
# Each FRR node gets its own directory $WORK/frr-NAME (owned by the frr user: FRR 8.4 drops
# to frr:frr and insists that its user be in the vty group `frrvty`, so root:root is refused
# with "user(root) is not part of vty group"): the per-daemon configs, pid files, the vty
# sockets (--vty_socket), zebra's zserv socket (-z) and bfdd's control socket (--bfdctl),
# so nothing is shared with a system FRR or with another run. The daemons run in the
# foreground through start_bg (so the EXIT trap of netns.sh stops them by pid, newest
# first, and deletes the namespace); their logs are $WORK/NAME-{zebra,bfdd,bgpd}.log.
#
# Why zebra: bfdd 8.4 learns interfaces and addresses from zebra (a single-hop session binds
# to the interface of its local address), and bgpd resolves next hops and installs the routes
# it learns into the namespace's kernel through zebra. staticd is not needed: bgpd announces
# the node's block with `network` and `no bgp network import-check`.

FRR_DIR=${FRR_DIR:-/usr/lib/frr}
declare -A FRR_BFD_PROFILE   # NAME -> ";"-separated lines of the bfd profile "fast" (empty: no BFD)
declare -A FRR_BGP_EXTRA     # NAME -> ";"-separated lines appended to each neighbor ("neighbor X " prefixed)

require_frr() {
  local d
  for d in zebra bfdd bgpd; do [ -x "$FRR_DIR/$d" ] || skip_all "FRR $d not installed ($FRR_DIR)"; done
  command -v vtysh >/dev/null 2>&1 || skip_all "vtysh not installed"
  id frr >/dev/null 2>&1 || skip_all "no frr user (FRR packages create it)"
}

frr_dir() { echo "$WORK/frr-$1"; }

# frr_write_cfg NAME : zebra.conf, bfdd.conf and bgpd.conf from the node model (N_AS, N_ADDR,
# N_BLOCK, N_PEERS = ADDR:AS, N_HOLD) plus FRR_BFD_PROFILE / FRR_BGP_EXTRA.
frr_write_cfg() {
  local name=$1 d p pa pas line hold=${N_HOLD[$1]}
  d=$(frr_dir "$name")
  mkdir -p "$d"
  chmod o+x "$WORK"   # mktemp -d makes it 0700: the frr user must reach its directory
  local common="frr defaults datacenter
hostname $name
log timestamp precision 3
log stdout informational"
  printf '%s\n' "$common" >"$d/zebra.conf"
  {
    printf '%s\n' "$common"
    if [ -n "${FRR_BFD_PROFILE[$name]:-}" ]; then
      echo "bfd"
      echo " profile fast"
      IFS=';' read -ra lines <<<"${FRR_BFD_PROFILE[$name]}"
      for line in "${lines[@]}"; do echo "  $line"; done
      echo " !"
      echo "!"
    fi
  } >"$d/bfdd.conf"
  {
    printf '%s\n' "$common"
    echo "router bgp ${N_AS[$name]}"
    echo " bgp router-id ${N_ADDR[$name]}"
    echo " no bgp ebgp-requires-policy"
    echo " no bgp network import-check"
    for p in ${N_PEERS[$name]}; do
      IFS=: read -r pa pas _ <<<"$p"
      echo " neighbor $pa remote-as $pas"
      echo " neighbor $pa timers $(( hold / 3 )) $hold"
      echo " neighbor $pa timers connect 1"
      [ -n "${FRR_BFD_PROFILE[$name]:-}" ] && echo " neighbor $pa bfd profile fast"
      if [ -n "${FRR_BGP_EXTRA[$name]:-}" ]; then
        IFS=';' read -ra lines <<<"${FRR_BGP_EXTRA[$name]}"
        for line in "${lines[@]}"; do echo " neighbor $pa $line"; done
      fi
    done
    echo " address-family ipv4 unicast"
    [ -n "${N_BLOCK[$name]}" ] && echo "  network ${N_BLOCK[$name]}"
    echo " exit-address-family"
    echo "!"
  } >"$d/bgpd.conf"
  chown -R frr:frr "$d"
}

# frr_start NAME : write the configs and start zebra, bfdd and bgpd in NAME's namespace;
# wait until each answers on its vty.
frr_start() {
  local name=$1 d dm
  d=$(frr_dir "$name")
  frr_write_cfg "$name"
  for dm in zebra bfdd bgpd; do
    local extra=()
    [ "$dm" = bfdd ] && extra=(--bfdctl "$d/bfdd.sock")
    start_bg "$name-$dm" "$name" "$FRR_DIR/$dm" -u frr -g frr --vty_socket "$d" -z "$d/zserv.api" \
      -i "$d/$dm.pid" -f "$d/$dm.conf" "${extra[@]}"
    wait_for "$name: $dm answers on its vty" 20 frr_vtysh_daemon "$name" "$dm" || return 1
  done
}
frr_vtysh_daemon() { ns_exec "$1" vtysh --vty_socket "$(frr_dir "$1")" -d "$2" -c 'show version' >/dev/null; }

# frr_vtysh NAME CMD... : vtysh -c CMD (each argument one command) in NAME's namespace
frr_vtysh() {
  local name=$1 c args=(); shift
  for c in "$@"; do args+=(-c "$c"); done
  ns_exec "$name" vtysh --vty_socket "$(frr_dir "$name")" "${args[@]}"
}

# frr_bfd_json NAME PEER : `show bfd peer PEER json`
frr_bfd_json() { frr_vtysh "$1" "show bfd peer $2 json"; }
# frr_bfd_field NAME PEER FIELD : one field of it (status, diagnostic, detect-multiplier,
# receive-interval, transmit-interval, remote-*, ...)
frr_bfd_field() {
  frr_bfd_json "$1" "$2" | python3 -c 'import json,sys
try: d=json.load(sys.stdin)
except ValueError: sys.exit(1)
v=d.get(sys.argv[1]); print(v); sys.exit(0 if v is not None else 1)' "$3"
}
# frr_bfd_status NAME PEER WANT : FRR's BFD session with PEER has status WANT (up, down, init, ...)
frr_bfd_status() {
  local s; s=$(frr_bfd_field "$1" "$2" status) || { echo "no BFD session for $2 on $1"; return 1; }
  echo "$1: BFD $2 $s (diag $(frr_bfd_field "$1" "$2" diagnostic))"
  [ "$s" = "$3" ]
}
# frr_bgp_state NAME PEER : prints bgpState (Established, Active, Connect, Idle, ...)
frr_bgp_state() {
  frr_vtysh "$1" "show bgp neighbor $2 json" | python3 -c 'import json,sys
try: d=json.load(sys.stdin)[sys.argv[1]]
except (ValueError, KeyError): print("none"); sys.exit(1)
print(d.get("bgpState"))' "$2"
}
frr_established() { local s; s=$(frr_bgp_state "$1" "$2"); echo "$1 -> $2: $s"; [ "$s" = Established ]; }
frr_not_established() { local s; s=$(frr_bgp_state "$1" "$2"); echo "$1 -> $2: $s"; [ "$s" != Established ]; }
# frr_has_route NAME PREFIX NEXTHOP : FRR's BGP table has a best path for PREFIX via NEXTHOP
frr_has_route() {
  frr_vtysh "$1" "show ip bgp $2 json" | python3 -c 'import json,sys
try: d=json.load(sys.stdin)
except ValueError: d={}
ok=False
for p in d.get("paths", []):
    nh=[n.get("ip") for n in p.get("nexthops", [])]
    print(sys.argv[1], "via", nh, "best" if p.get("bestpath", {}).get("overall") else "")
    ok = ok or (sys.argv[2] in nh and p.get("valid", False))
if not d.get("paths"): print(sys.argv[1], "not in the BGP table of FRR")
sys.exit(0 if ok else 1)' "$2" "$3"
}
