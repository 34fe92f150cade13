#!/bin/busybox sh
# shellcheck shell=dash
# /init of run-in-vm.sh's initramfs (busybox-static). Loads the modules listed
# in /mods/order, builds the guest root (host / read-only over 9p + a tmpfs
# overlay), then switch_roots into it and hands over to guest-run.sh.
/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev

fail() {
  echo "init: $*"
  # Leave the reason where the host looks for it, if the output share is up.
  echo o > /proc/sysrq-trigger; sleep 5; echo b > /proc/sysrq-trigger
}

arg() { tr ' ' '\n' < /proc/cmdline | sed -n "s/^tern\.$1=//p"; }
KVER=$(arg kver); OUT=$(arg out); MODDIR=$(arg moddir); STAGE2=$(arg stage2)

while read -r m; do
  insmod "/mods/$m" 2>/dev/null || echo "init: insmod $m failed"
done < /mods/order

# The virtio-9p devices may appear a little after virtio_pci is loaded.
mounted=0
for _ in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do
  if mount -t 9p -o trans=virtio,version=9p2000.L,ro,msize=512000,cache=loose hostroot /lower 2>/dev/null; then
    mounted=1; break
  fi
  sleep 0.2
done
[ $mounted = 1 ] || fail "cannot mount the host root over 9p"

mount -t tmpfs -o mode=755 tmpfs /upper
mkdir -p /upper/u /upper/w
if ! mount -t overlay overlay -o lowerdir=/lower,upperdir=/upper/u,workdir=/upper/w /newroot; then
  echo "init: overlayfs failed; read-only root with tmpfs on /etc, /var, /root"
  mount --bind /lower /newroot
  for d in etc var root; do
    mkdir -p "/upper/$d"; cp -a "/lower/$d/." "/upper/$d/" 2>/dev/null
    mount --bind "/upper/$d" "/newroot/$d"
  done
fi
mount -t tmpfs -o mode=1777 tmpfs /newroot/tmp
mount -t tmpfs -o mode=755 tmpfs /newroot/run
mkdir -p /newroot/run/netns /newroot/run/lock

mkdir -p "/newroot/lib/modules/$KVER" "/newroot$OUT"
mount --bind "/newroot$MODDIR" "/newroot/lib/modules/$KVER" || fail "cannot bind $MODDIR"
mount -t 9p -o trans=virtio,version=9p2000.L,msize=512000 out "/newroot$OUT" || fail "cannot mount the output share"
[ -f "/newroot$STAGE2" ] || fail "no $STAGE2 in the guest root"

umount /proc /sys 2>/dev/null
umount /dev 2>/dev/null
exec switch_root /newroot /bin/bash "$STAGE2" "$OUT"
