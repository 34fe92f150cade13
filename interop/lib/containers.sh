# shellcheck shell=bash
# shellcheck disable=SC2034 # a library: the variables it sets are read by the scripts that source it
# Container runtimes for CNI tests: podman 4.3 (CNI backend) and containerd 1.6
# (`ctr run --cni`), each node namespace being its own "host". Source after netns.sh:
#
#   . "$(dirname "$0")/../lib/netns.sh"
#   . "$(dirname "$0")/../lib/containers.sh"
#   require_root; ctr_require podman containerd
#   ctr_env_init                     # private state + trap; builds the image tarball
#   ns_add a ...                     # node namespaces (netns.sh)
#   cp tern tern-ipam "$CTR_BIN_DIR"/  # (a CNI plugin test) the plugins under test
#   pm_network_file a 10-net '{"cniVersion": ...}'
#   pm a run -d --network net localhost/tern-bb:test ...
#   ctrd_start a && ctrc a run --rm --cni localhost/tern-bb:test c1 sh -c '...'
#
# Private state, one directory per run ($CTR_DIR = $WORK/ctr) and one per node under it:
#
#   $CTR_DIR/bin/             CNI plugins under test (tern, tern-ipam): searched first, then
#                             /usr/lib/cni (Debian's ptp, host-local, portmap, ...)
#   $CTR_DIR/image/           the busybox rootfs and its two tarballs (podman, containerd)
#   $CTR_DIR/n/NODE/net.d/    NODE's conflists (pm_network_file): podman's network_config_dir,
#                             and /etc/cni/net.d for ctr on NODE (bind-mounted, see ctrc)
#   $CTR_DIR/n/NODE/ipam/     a place for host-local's "dataDir" (ctr_ipam_dir NODE)
#   $CTR_DIR/n/NODE/containers.conf, storage.conf, storage/, events.log   NODE's podman
#                             (tmp_dir and runroot: /run/tern-pm.XXXXXX, symlinked as tmp; see ctr_node_init)
#   $CTR_DIR/n/NODE/cni/      /var/lib/cni (libcni's result cache) for ctr on NODE
#   $CTR_DIR/n/NODE/containerd/  config.toml, root/, state/, sock, containerd.log
#
# Each node has its own podman store (image imported once per node, ~0.4 s) so that a node's
# containers, networks and cleanup never see another node's. What stays shared with the host
# (the runtimes do not let it be moved; names are unique so parallel runs do not collide):
# podman's libcni cache /var/lib/cni/results (files <network>-<containerID>-<ifname>), its
# /run/netns/netns-<uuid> container namespaces, runc's state /run/runc/<64 hex id>,
# containers/image's blob-info cache
# /var/lib/containers/cache, containerd shims' /run/containerd/{s,fifo,runc/<namespace>}
# (the ctr namespace is unique per run and node: $CTRD_NS_PREFIX<node>).

CTR_IMAGE=localhost/tern-bb:test
CTR_DIR=""
CTR_BIN_DIR=""
CTR_REASON=""          # why the last ctr_* / ctrd_* check failed
CTRD_NS_PREFIX="t${RUN_ID}"
# All per-node state is in files under $CTR_DIR/n/NODE (not in shell variables), so that
# pm / ctrd_start may be called in a subshell ($(pm ...)) and cleanup still finds it all.
CTR_DEADLINE=${CTR_DEADLINE:-30}

# ctr_require RUNTIME... : skip the whole topology (skip_all, every check SKIP with the
# reason, exit 0) unless each RUNTIME (podman, containerd) and what it needs is installed.
# Whether a container can really run here is checked by ctr_smoke / ctrd_start.
ctr_require() {
  local r t
  [ "$(id -u)" = 0 ] || skip_all "needs root (network namespaces, container runtimes)"
  require_tools nsenter unshare ip tar
  [ -x /usr/lib/cni/host-local ] || skip_all "containernetworking-plugins not installed (/usr/lib/cni/host-local)"
  if ! /bin/busybox --list 2>/dev/null | grep -qx httpd; then skip_all "busybox-static not installed (/bin/busybox)"; fi
  for r in "$@"; do
    case $r in
      podman) for t in podman runc conmon; do command -v "$t" >/dev/null 2>&1 || skip_all "$t not installed (podman tests)"; done ;;
      containerd) for t in containerd ctr containerd-shim-runc-v2 runc; do command -v "$t" >/dev/null 2>&1 || skip_all "$t not installed (containerd tests)"; done ;;
      *) echo "ctr_require: unknown runtime $r" >&2; return 2 ;;
    esac
  done
}

# ctr_env_init : create $CTR_DIR (private state of this run, see the layout above), build
# the image rootfs tarball (ctr_image_build) and chain ctr_env_cleanup in front of
# netns.sh's EXIT trap (containers and daemons go before the namespaces).
ctr_env_init() {
  CTR_DIR="$WORK/ctr"
  CTR_BIN_DIR="$CTR_DIR/bin"
  mkdir -p "$CTR_BIN_DIR" "$CTR_DIR/image" "$CTR_DIR/n" || return 1
  # Mount points for ctrc's private mount namespace; empty directories (created by the
  # podman / containernetworking-plugins packages anyway).
  mkdir -p /etc/cni/net.d /opt/cni/bin /var/lib/cni
  # shellcheck disable=SC2154 # _ctr_rc is assigned inside the trap string
  trap '_ctr_rc=$?; ctr_env_cleanup; (exit "$_ctr_rc"); cleanup' EXIT
  ctr_image_build
}

# _ctr_ulimits : podman's [containers] default_ulimits, no higher than this shell's hard
# limits (root here lacks CAP_SYS_RESOURCE, so runc cannot raise them) and capped: NPROC at
# 32768 (conmon's own hard limit is lower than the shell's), NOFILE at 1048576.
_ctr_ulimits() {
  local n u
  n=$(ulimit -Hn); u=$(ulimit -Hu)
  [ "$n" = unlimited ] || [ "$n" -gt 1048576 ] && n=1048576
  [ "$u" = unlimited ] || [ "$u" -gt 32768 ] && u=32768
  printf '"nofile=%s:%s", "nproc=%s:%s"' "$n" "$n" "$u" "$u"
}

# ctr_node_dir NODE : NODE's private directory (created with its podman config on first use)
ctr_node_dir() { echo "$CTR_DIR/n/$1"; }
# ctr_ipam_dir NODE : a directory for host-local's "dataDir" on NODE
ctr_ipam_dir() { echo "$CTR_DIR/n/$1/ipam"; }

# ctr_node_init NODE : NODE's podman config (containers.conf, storage.conf) and store, with
# the image imported. Called by pm and pm_network_file; idempotent.
ctr_node_init() {
  local node=$1 d
  [ -n "$CTR_DIR" ] || { echo "ctr_node_init: call ctr_env_init first" >&2; return 1; }
  d=$(ctr_node_dir "$node")
  [ -f "$d/ready" ] && return 0
  local tmp
  mkdir -p "$d/net.d" "$d/ipam" "$d/storage/root" "$d/cni" || return 1
  # podman's tmp_dir and the storage runroot live in a short directory of their own, not
  # under $WORK: podman refuses a --runroot longer than 50 characters, and conmon passes
  # --runroot (and --tmpdir) to the `podman container cleanup` it runs when a container
  # exits, which then failed with "the specified runroot is longer than 50 characters" —
  # silently: no cleanup, no CNI DEL, and an attached `podman run` waited 20 s for conmon.
  tmp=$(mktemp -d /run/tern-pm.XXXXXX) || return 1
  mkdir -p "$tmp/runroot" || return 1
  ln -sfn "$tmp" "$d/tmp"
  cat >"$d/containers.conf" <<EOF
[containers]
default_ulimits = [$(_ctr_ulimits)]

[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
events_logger = "file"
events_logfile_path = "$d/events.log"
tmp_dir = "$tmp"
lock_type = "file"
static_dir = "$d/storage/root/libpod"
volume_path = "$d/storage/root/volumes"

[network]
network_backend = "cni"
network_config_dir = "$d/net.d"
cni_plugin_dirs = ["$CTR_BIN_DIR", "/usr/lib/cni"]
EOF
  cat >"$d/storage.conf" <<EOF
[storage]
driver = "${CTR_STORAGE_DRIVER:-overlay}"
graphroot = "$d/storage/root"
runroot = "$tmp/runroot"
EOF
  _pm_env "$node" podman import --change 'CMD ["/bin/sh"]' "$CTR_DIR/image/rootfs.tar" "$CTR_IMAGE" >/dev/null 2>"$d/import.log" ||
    { CTR_REASON="podman import failed: $(tail -1 "$d/import.log")"; return 1; }
  touch "$d/ready"
}

# ctr_image_build : the offline image's rootfs tarball $CTR_DIR/image/rootfs.tar, once per
# run: /bin/busybox (static) with links sh ip ping nc wget cat sleep httpd ls echo touch true false hostname grep,
# /www/index.html ("tern-bb") for `httpd -h /www`. pm imports it per node (podman import,
# ~0.4 s); ctrd_start imports the docker-archive saved from the first podman store.
ctr_image_build() {
  local r="$CTR_DIR/image/rootfs" a
  [ -f "$CTR_DIR/image/rootfs.tar" ] && return 0
  mkdir -p "$r/bin" "$r/proc" "$r/sys" "$r/dev" "$r/etc" "$r/tmp" "$r/www" "$r/var/run" || return 1
  cp /bin/busybox "$r/bin/" || return 1
  for a in sh ip ping nc wget cat sleep httpd ls echo touch true false hostname grep; do ln -sf busybox "$r/bin/$a"; done
  echo tern-bb >"$r/www/index.html"
  echo 'root:x:0:0:root:/:/bin/sh' >"$r/etc/passwd"
  echo 'root:x:0:' >"$r/etc/group"
  tar -C "$r" -cf "$CTR_DIR/image/rootfs.tar" . || return 1
}

# _pm_env NODE CMD... : CMD with NODE's podman config in its environment (no netns change)
_pm_env() {
  local d; d=$(ctr_node_dir "$1"); shift
  CONTAINERS_CONF="$d/containers.conf" CONTAINERS_STORAGE_CONF="$d/storage.conf" "$@"
}

# pm NODE ARGS... : podman ARGS in NODE's network namespace with NODE's private config.
# nsenter --net, not `ip netns exec`: the latter remounts /sys, hiding the cgroup mounts
# runc needs. conmon (and the `podman container cleanup` it runs when a container exits,
# which is where the CNI DEL happens) inherits the namespace and the config.
pm() {
  local node=$1; shift
  ctr_node_init "$node" || { echo "pm: $CTR_REASON" >&2; return 1; }
  _pm_env "$node" nsenter --net="/run/netns/$(ns_name "$node")" podman "$@"
}

# pm_network_file NODE NAME JSON : write conflist JSON as NAME.conflist into NODE's conflist
# directory (podman: `--network <its "name">`; ctr on NODE: the first file in lexical order).
pm_network_file() {
  ctr_node_init "$1" || return 1
  printf '%s\n' "$3" >"$(ctr_node_dir "$1")/net.d/$2.conflist"
}

# ctr_smoke NODE : can podman run a container here? (`--network none`, runs `true`);
# on failure CTR_REASON has podman's last error line.
ctr_smoke() {
  local out
  if out=$(pm "$1" run --rm --network none "$CTR_IMAGE" true 2>&1); then return 0; fi
  CTR_REASON="podman cannot run a container here: $(printf '%s\n' "$out" | grep -v '^$' | tail -1)"
  return 1
}

# --- containerd -----------------------------------------------------------------
# ctr (not containerd) runs the CNI plugins for `ctr run --cni`, from its own process and
# with libcni's fixed defaults: conflist = first file of /etc/cni/net.d, plugins in
# /opt/cni/bin:/usr/lib/cni, result cache /var/lib/cni. So ctr must run in the node's
# namespace (the host end lands there) and ctrc gives it a private mount namespace with
# NODE's dirs bind-mounted over those three paths. containerd itself only runs the task;
# it runs in the node namespace too, and its CRI plugin (unused: no CRI client in Debian 12)
# is pointed at the private dirs.

# ctrd_start NODE : a private containerd for NODE (config, root, state and socket under
# $CTR_DIR/n/NODE/containerd), started in NODE's namespace; waits for the socket, imports
# the image and runs one container without network. Returns 1 with CTR_REASON on failure.
ctrd_start() {
  local node=$1 d c
  d="$(ctr_node_dir "$node")/containerd"
  c="$d/config.toml"
  ctr_node_init "$node" || return 1
  mkdir -p "$d/root" "$d/state" || return 1
  cat >"$c" <<EOF
version = 2
root = "$d/root"
state = "$d/state"
[grpc]
  address = "$d/sock"
[ttrpc]
  address = ""
[debug]
  address = ""
[metrics]
  address = ""
[plugins."io.containerd.grpc.v1.cri"]
  stream_server_address = "127.0.0.1"
  stream_server_port = "0"
[plugins."io.containerd.grpc.v1.cri".cni]
  bin_dir = "$CTR_BIN_DIR:/usr/lib/cni"
  conf_dir = "$(ctr_node_dir "$node")/net.d"
EOF
  nsenter --net="/run/netns/$(ns_name "$node")" containerd --config "$c" >>"$d/containerd.log" 2>&1 &
  echo $! >"$d/pid"
  log "started containerd for $node (pid $!), socket $d/sock"
  wait_for "$node: containerd answers" "$CTR_DEADLINE" ctr --address "$d/sock" version ||
    { CTR_REASON="containerd did not answer on $d/sock: $(tail -1 "$d/containerd.log")"; return 1; }
  if [ ! -f "$CTR_DIR/image/docker.tar" ]; then
    pm "$node" save --format docker-archive -o "$CTR_DIR/image/docker.tar" "$CTR_IMAGE" >/dev/null 2>&1 ||
      { CTR_REASON="podman save failed"; return 1; }
  fi
  local out
  out=$(ctrc "$node" image import "$CTR_DIR/image/docker.tar" 2>&1) ||
    { CTR_REASON="ctr image import failed: $out"; return 1; }
  out=$(ctrc "$node" run --rm "$CTR_IMAGE" "smoke-$RUN_ID" true 2>&1) ||
    { CTR_REASON="ctr cannot run a container here: $(printf '%s\n' "$out" | tail -1)"; return 1; }
}

# ctrd_ns NODE : the containerd namespace ctrc uses for NODE (unique per run and node; the
# CNI_CONTAINERID ctr sends is "<namespace>-<container id>")
ctrd_ns() { echo "${CTRD_NS_PREFIX}$1"; }

# ctrc NODE ARGS... : `ctr --address SOCK -n NAMESPACE ARGS` in NODE's network namespace
# and a private mount namespace where /etc/cni/net.d, /opt/cni/bin and /var/lib/cni are
# NODE's net.d, $CTR_BIN_DIR and NODE's cni/ (see above).
ctrc() {
  local node=$1 d; shift
  d=$(ctr_node_dir "$node")
  # shellcheck disable=SC2016 # single quotes on purpose: $1.. are the inner sh's arguments
  nsenter --net="/run/netns/$(ns_name "$node")" unshare --mount --propagation private \
    sh -c 'mount --bind "$1/net.d" /etc/cni/net.d && mount --bind "$2" /opt/cni/bin &&
      mount --bind "$1/cni" /var/lib/cni || exit 125
      sock=$3 ns=$4; shift 4; exec ctr --address "$sock" -n "$ns" "$@"' \
    sh "$d" "$CTR_BIN_DIR" "$d/containerd/sock" "$(ctrd_ns "$node")" "$@"
}

# --- cleanup --------------------------------------------------------------------
# _ctr_pids_under DIR PROGRAM : pids of PROGRAM whose command line names DIR (conmon, shims)
_ctr_pids_under() {
  local f p cmd
  for f in /proc/[0-9]*/cmdline; do
    p=${f#/proc/}; p=${p%/cmdline}
    cmd=$(tr '\0' ' ' 2>/dev/null <"$f") || continue
    case ${cmd%% *} in */"$2" | "$2") ;; *) continue ;; esac
    case $cmd in *"$1"*) echo "$p" ;; esac
  done
  return 0
}

# ctr_env_cleanup : remove every container this run made (podman rm -f per node, ctr task
# kill + container rm per containerd), stop the containerds (TERM, then KILL, by pid),
# kill leftover conmon / containerd-shim processes whose command line names $CTR_DIR or a
# private socket, unmount whatever is still mounted under $CTR_DIR and delete the stores.
# Runs from the EXIT trap before netns.sh's cleanup; logs and configs stay when $WORK is kept.
ctr_env_cleanup() {
  set +e
  [ -n "$CTR_DIR" ] && [ -d "$CTR_DIR/n" ] || return 0
  local node d id p m tmp
  local nodes=()
  for d in "$CTR_DIR"/n/*/; do [ -d "$d" ] && nodes+=("$(basename "$d")"); done
  for node in "${nodes[@]}"; do
    [ -f "$(ctr_node_dir "$node")/containerd/pid" ] || continue
    for id in $(ctrc "$node" tasks ls -q 2>/dev/null); do
      ctrc "$node" tasks kill -s KILL "$id" >/dev/null 2>&1
      ctrc "$node" tasks rm -f "$id" >/dev/null 2>&1
    done
    for id in $(ctrc "$node" containers ls -q 2>/dev/null); do ctrc "$node" containers rm "$id" >/dev/null 2>&1; done
  done
  for node in "${nodes[@]}"; do
    [ -f "$(ctr_node_dir "$node")/ready" ] && pm "$node" rm -a -f -t 0 >/dev/null 2>>"$CTR_DIR/cleanup.log"
  done
  local prefixes=("$CTR_DIR/")
  for node in "${nodes[@]}"; do
    d=$(ctr_node_dir "$node")
    if [ -f "$d/containerd/pid" ]; then
      p=$(cat "$d/containerd/pid")
      kill -TERM "$p" 2>/dev/null
      for _ in $(seq 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
      kill -KILL "$p" 2>/dev/null
      wait "$p" 2>/dev/null
      for p in $(_ctr_pids_under "$d/containerd/sock" containerd-shim-runc-v2); do kill -KILL "$p" 2>/dev/null; done
      rmdir "/run/containerd/runc/$(ctrd_ns "$node")" 2>/dev/null   # the shims' runc root for our namespace
    fi
    tmp=$(readlink "$d/tmp") && prefixes+=("$tmp/")
  done
  for p in $(_ctr_pids_under "$CTR_DIR/" conmon); do kill -KILL "$p" 2>/dev/null; done
  # what is still mounted under our directories, deepest first
  for p in "${prefixes[@]}"; do
    while read -r m; do umount -l "$m" 2>/dev/null; done < <(awk -v d="$p" 'index($2, d) == 1 {print $2}' /proc/mounts | sort -r)
  done
  for node in "${nodes[@]}"; do
    d=$(ctr_node_dir "$node")
    tmp=$(readlink "$d/tmp") && case $tmp in /run/tern-pm.*) rm -rf "$tmp" ;; esac
    rm -rf "$d/storage" "$d/containerd/root" "$d/containerd/state"
  done
  rm -rf "$CTR_DIR/image/rootfs"
  return 0
}
