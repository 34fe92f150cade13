#!/usr/bin/env bash
# run-in-vm.sh CMD... — run CMD as root inside a throw-away qemu VM that boots
# Debian's stock kernel (which has the ipip, vxlan, veth, bridge modules) over
# this machine's own root filesystem, and give back CMD's stdout, stderr and
# exit status. For tests the host kernel cannot run (no ipip module here).
#
#   interop/qemu/run-in-vm.sh ip -d link show
#   interop/qemu/run-in-vm.sh env TERN=$PWD/.build/debug/tern bash interop/topologies/overlay-vxlan.sh
#
# What it does:
#   1. apt-get installs what is missing: qemu-system-x86, busybox-static, kmod.
#   2. `apt-get download`s the kernel package that linux-image-amd64 depends on
#      (the -unsigned flavour when there is one) and extracts vmlinuz and
#      /lib/modules/<ver> into .qemu/kernel/<ver>/ (git-ignored), then depmod.
#   3. Builds .qemu/initramfs-<ver>.cpio: busybox-static, an /init script and
#      the .ko files below with their dependencies, in modules.dep order.
#   4. Boots qemu (KVM when /dev/kvm works, else TCG). The guest's /init loads
#      the modules, mounts the host's / read-only over virtio-9p, lays a tmpfs
#      over it with overlayfs (the guest can write /etc, /var, ...; fresh tmpfs on
#      /tmp and /run), bind-mounts the extracted modules on /lib/modules/<ver>
#      (modprobe and module autoloading work), mounts a writable 9p share of the
#      run's output folder at its host path, and switch_roots into the result.
#   5. interop/qemu/guest-run.sh (PID 1 in the guest) mounts proc, sys, dev,
#      runs CMD in the current directory (same path as on the host) with the
#      forwarded variables, writes stdout, stderr and the exit status into the
#      output folder, then powers the VM off.
#   6. This script streams CMD's stdout/stderr as they grow and exits with
#      CMD's status; 124 when VM_TIMEOUT ran out, 125 when the VM failed before
#      CMD ran (the guest console log is printed then).
#
# Variables (all optional):
#   VM_TIMEOUT  seconds before qemu is killed (default 1200)
#   VM_MEM      guest memory in MiB (default 2048)     VM_CPUS  vCPUs (default 2)
#   VM_ENV      names of more variables to forward into the guest (TERN, TERN_*,
#               DEADLINE and KEEP always are)
#   VM_DIR      cache folder (default <repo>/.qemu)
#   VM_KEEP=1   keep the run's output folder (console.log, stdout, stderr, rc)
#   VM_VERBOSE=1  print the guest console while it boots
#   VM_ACCEL    kvm or tcg (default: kvm when /dev/kvm is usable)
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
QDIR=${VM_DIR:-$REPO/.qemu}
VM_TIMEOUT=${VM_TIMEOUT:-1200}
VM_MEM=${VM_MEM:-2048}
VM_CPUS=${VM_CPUS:-2}

# Modules loaded from the initramfs before anything else, with their
# dependencies (read from modules.dep). Built-in ones are skipped.
ROOT_MODULES="virtio_pci 9pnet_virtio 9p overlay"
NET_MODULES="veth bridge ipip vxlan dummy ip_gre tun"

say() { printf 'run-in-vm: %s\n' "$*" >&2; }
die() { say "$*"; exit 125; }

[ $# -gt 0 ] || { sed -n '2,8p' "$0" >&2; exit 2; }
[ "$(id -u)" = 0 ] || die "needs root (apt-get, qemu with a root-owned 9p share)"

# --- 1. packages ------------------------------------------------------------
has_candidate() { [[ "$(apt-cache policy "$1" 2>/dev/null)" == *"Candidate: "[!\(]* ]]; }
ensure_packages() {
  local p missing=() nocand=()
  for p in "$@"; do
    [ "$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null)" = "install ok installed" ] || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  for p in "${missing[@]}"; do
    has_candidate "$p" || nocand+=("$p")
  done
  if [ ${#nocand[@]} -gt 0 ]; then
    say "apt-get update (no candidate for ${nocand[*]})"
    apt-get update -qq >&2
  fi
  say "apt-get install ${missing[*]}"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
}
ensure_packages qemu-system-x86 busybox-static kmod
DEPMOD=$(command -v depmod || echo /sbin/depmod)

# --- 2. kernel --------------------------------------------------------------
# linux-image-amd64 -> linux-image-<abi>-amd64; prefer its -unsigned twin.
kernel_package() {
  local dep
  dep=$(apt-cache depends linux-image-amd64 2>/dev/null | awk '/Depends: linux-image-/ && !d {print $2; d=1}')
  if [ -z "$dep" ]; then
    apt-get update -qq >&2
    dep=$(apt-cache depends linux-image-amd64 2>/dev/null | awk '/Depends: linux-image-/ && !d {print $2; d=1}')
  fi
  [ -n "$dep" ] || return 1
  if has_candidate "$dep-unsigned"; then echo "$dep-unsigned"; else echo "$dep"; fi
}
if [ -n "${VM_KERNEL_PKG:-}" ]; then KPKG=$VM_KERNEL_PKG; else KPKG=$(kernel_package) || KPKG=""; fi
if [ -z "$KPKG" ]; then
  # Offline and no package index: fall back to a kernel extracted earlier.
  KVER=$(find "$QDIR/kernel" -mindepth 1 -maxdepth 1 -printf '%f\n' 2>/dev/null | sort -V | tail -1)
  [ -n "$KVER" ] || die "cannot find Debian's kernel package (apt-cache depends linux-image-amd64)"
else
  KVER=${KPKG#linux-image-}; KVER=${KVER%-unsigned}
fi
KDIR=$QDIR/kernel/$KVER
if [ ! -f "$KDIR/.done" ]; then
  say "fetching $KPKG (kernel $KVER) into $KDIR"
  rm -rf "$KDIR" "$QDIR/debs"; mkdir -p "$KDIR" "$QDIR/debs"
  (cd "$QDIR/debs" && apt-get download -o APT::Sandbox::User=root "$KPKG" >&2) || die "apt-get download $KPKG failed"
  dpkg-deb -x "$QDIR"/debs/"${KPKG}"_*.deb "$KDIR/x" || die "dpkg-deb -x failed"
  mkdir -p "$KDIR/lib/modules"
  mv "$KDIR/x/boot/vmlinuz-$KVER" "$KDIR/vmlinuz"
  mv "$KDIR/x/boot/config-$KVER" "$KDIR/config"
  mv "$KDIR/x/lib/modules/$KVER" "$KDIR/lib/modules/$KVER"
  rm -rf "$KDIR/x" "$QDIR/debs"
  # Debian ships modules either plain or xz/zst-compressed; busybox insmod in
  # the initramfs wants them plain, so decompress once here.
  find "$KDIR/lib/modules" -name '*.ko.xz' -exec xz -d {} + 2>/dev/null || true
  find "$KDIR/lib/modules" -name '*.ko.zst' -exec sh -c 'for f; do zstd -q -d --rm "$f"; done' sh {} + 2>/dev/null || true
  "$DEPMOD" -b "$KDIR" "$KVER" || die "depmod failed"
  touch "$KDIR/.done"
fi
MODDIR=$KDIR/lib/modules/$KVER

# --- 3. initramfs -----------------------------------------------------------
declare -A SEEN=()
ORDER=()
add_module() { # NAME: its dependencies first (depth first), then itself
  local name=$1 line path dep
  line=$(grep -E "(^|/)${name//_/[_-]}\.ko(\.xz|\.zst)?:" "$MODDIR/modules.dep" || true)
  if [ -z "$line" ]; then
    grep -qE "(^|/)${name//_/[_-]}\.ko" "$MODDIR/modules.builtin" || say "module $name: neither modular nor built in"
    return 0
  fi
  path=${line%%:*}
  [ -n "${SEEN[$path]:-}" ] && return 0
  SEEN[$path]=1
  for dep in ${line#*:}; do
    dep=$(basename "$dep"); dep=${dep%%.ko*}
    add_module "$dep"
  done
  ORDER+=("$path")
}
for m in $ROOT_MODULES $NET_MODULES; do add_module "$m"; done

INITRD=$QDIR/initramfs-$KVER.cpio
STAMP=$(cat "$HERE/init.sh" <(printf '%s\n' "${ORDER[@]}") /bin/busybox | sha1sum | cut -c1-12)
if [ ! -f "$INITRD" ] || [ "$(cat "$INITRD.stamp" 2>/dev/null)" != "$STAMP" ]; then
  say "building $INITRD (${#ORDER[@]} modules)"
  T=$(mktemp -d "$QDIR/initramfs.XXXX")
  mkdir -p "$T"/{bin,dev,proc,sys,mods,lower,upper,newroot}
  cp /bin/busybox "$T/bin/busybox"
  cp "$HERE/init.sh" "$T/init"; chmod 755 "$T/init"
  : > "$T/mods/order"
  for p in "${ORDER[@]}"; do
    cp "$MODDIR/$p" "$T/mods/"
    basename "$p" >> "$T/mods/order"
  done
  (cd "$T" && find . | /bin/busybox cpio -o -H newc -R 0:0 2>/dev/null) > "$INITRD.tmp"
  mv "$INITRD.tmp" "$INITRD"; echo "$STAMP" > "$INITRD.stamp"
  rm -rf "$T"
fi

# --- 4. the run -------------------------------------------------------------
mkdir -p "$QDIR/runs"
OUT=$(mktemp -d "$QDIR/runs/run.XXXXXX")
# shellcheck disable=SC2317 # reached through the EXIT trap
finish() {
  local rc=$?
  # shellcheck disable=SC2086 # TAILS is a list of pids: split on purpose
  [ -n "${TAILS:-}" ] && kill $TAILS 2>/dev/null
  if [ "${VM_KEEP:-0}" = 1 ] || [ -d "$OUT/tmp" ]; then say "output kept in $OUT"; else rm -rf "$OUT"; fi
  exit "$rc"
}
trap finish EXIT

{
  echo "# written by run-in-vm.sh on the host"
  printf 'cd %q || exit 125\n' "$PWD"
  for v in TERN DEADLINE KEEP ${VM_ENV:-} $(compgen -e | grep '^TERN_' || true); do
    [ -n "${!v+x}" ] && printf 'export %s=%q\n' "$v" "${!v}"
  done
  printf 'exec'; printf ' %q' "$@"; printf '\n'
} > "$OUT/cmd.sh"
: > "$OUT/stdout"; : > "$OUT/stderr"

# shellcheck disable=SC2054  # the commas belong to -cpu's value
accel_args() {
  # arch-capabilities off: some nested KVM hosts refuse MSR 0x10a and qemu aborts.
  if [ "$1" = kvm ]; then ACCEL_ARGS=(-enable-kvm -cpu host,-arch-capabilities); else ACCEL_ARGS=(-accel tcg -cpu max); fi
}
# /dev/kvm can be there and still not run a guest (on this project's machines a
# KVM guest hangs before the kernel's first line), so boot the kernel once with
# no root under KVM: it works when the banner appears within 20 s. The answer is
# kept per host kernel and guest kernel in .qemu/accel.*.
kvm_works() {
  [ -r /dev/kvm ] && [ -w /dev/kvm ] || return 1
  local cache log="$QDIR/kvm-probe.log"
  cache="$QDIR/accel.$(uname -r).$KVER"
  if [ ! -s "$cache" ]; then
    accel_args kvm
    timeout -k 5 20 qemu-system-x86_64 "${ACCEL_ARGS[@]}" -machine q35 -m 256 -nographic -no-reboot \
      -nic none -monitor none -serial "file:$log" -kernel "$KDIR/vmlinuz" -append "console=ttyS0 panic=-1" \
      </dev/null >/dev/null 2>&1 || true
    if grep -aq 'Linux version' "$log" 2>/dev/null; then echo kvm > "$cache"; else echo tcg > "$cache"; fi
    rm -f "$log"
  fi
  [ "$(cat "$cache")" = kvm ]
}
ACCEL=${VM_ACCEL:-}
if [ -z "$ACCEL" ]; then
  if kvm_works; then ACCEL=kvm; else ACCEL=tcg; fi
fi
accel_args "$ACCEL"

say "booting Debian kernel $KVER ($ACCEL, ${VM_CPUS} vCPU, ${VM_MEM} MiB, timeout ${VM_TIMEOUT}s)"
START=$(date +%s.%N)
QEMU=(qemu-system-x86_64 -machine q35 -m "$VM_MEM" -smp "$VM_CPUS"
  -nographic -no-reboot -nic none -monitor none -serial "file:$OUT/console.log"
  -kernel "$KDIR/vmlinuz" -initrd "$INITRD"
  -append "console=ttyS0 loglevel=4 panic=-1 rdinit=/init tern.kver=$KVER tern.out=$OUT tern.moddir=$MODDIR tern.stage2=$HERE/guest-run.sh"
  -fsdev "local,id=hostroot,path=/,security_model=passthrough,readonly=on,multidevs=remap"
  -device "virtio-9p-pci,fsdev=hostroot,mount_tag=hostroot"
  -fsdev "local,id=out,path=$OUT,security_model=passthrough"
  -device "virtio-9p-pci,fsdev=out,mount_tag=out")

# Stream CMD's output while it runs (the guest writes straight into $OUT).
TAILS=""
tail -n +1 -s 0.3 -f "$OUT/stdout" & TAILS="$TAILS $!"
tail -n +1 -s 0.3 -f "$OUT/stderr" >&2 & TAILS="$TAILS $!"
if [ "${VM_VERBOSE:-0}" = 1 ]; then : > "$OUT/console.log"; tail -n +1 -s 0.3 -f "$OUT/console.log" >&2 & TAILS="$TAILS $!"; fi

set +e
timeout -k 10 "$VM_TIMEOUT" "${QEMU[@]}" "${ACCEL_ARGS[@]}" </dev/null >"$OUT/qemu.log" 2>&1
QRC=$?
sleep 0.5
# shellcheck disable=SC2086 # TAILS is a list of pids: split on purpose
{ kill $TAILS; wait $TAILS; } 2>/dev/null
TAILS=""
set -e
END=$(date +%s.%N)
ELAPSED=$(awk -v a="$START" -v b="$END" 'BEGIN {printf "%.1f", b - a}')

if [ -s "$OUT/rc" ]; then
  RC=$(cat "$OUT/rc")
  say "guest kernel $(cat "$OUT/kernel" 2>/dev/null || echo "$KVER"): exit $RC after ${ELAPSED}s (boot to CMD $(cat "$OUT/boot-seconds" 2>/dev/null || echo '?')s)"
  exit "$RC"
fi
if [ "$QRC" = 124 ] || [ "$QRC" = 137 ]; then
  say "timed out after ${VM_TIMEOUT}s; guest console (last 40 lines):"; RC=124
else
  say "the VM stopped before CMD finished (qemu exit $QRC); qemu said:"; sed 's/^/  /' "$OUT/qemu.log" >&2
  say "guest console (last 40 lines):"; RC=125
fi
tail -n 40 "$OUT/console.log" | sed 's/^/  /' >&2
exit "$RC"
