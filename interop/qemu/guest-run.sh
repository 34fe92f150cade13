#!/bin/bash
# PID 1 inside run-in-vm.sh's VM, after switch_root into the host's root
# (read-only 9p + tmpfs overlay). Mounts the kernel file systems, runs
# OUT/cmd.sh with stdout/stderr into OUT, writes OUT/rc, powers off.
OUT=$1
exec </dev/null >/dev/console 2>&1

mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mkdir -p /dev/pts /dev/shm
mount -t devpts -o newinstance,ptmxmode=0666 devpts /dev/pts
mount -t tmpfs -o mode=1777 tmpfs /dev/shm
mount -t cgroup2 cgroup2 /sys/fs/cgroup 2>/dev/null
mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
mount -t bpf bpf /sys/fs/bpf 2>/dev/null
[ -e /dev/fd ] || ln -s /proc/self/fd /dev/fd

hostname tern-vm 2>/dev/null || echo tern-vm > /proc/sys/kernel/hostname
ip link set lo up
echo /sbin/modprobe > /proc/sys/kernel/modprobe

export PATH=/opt/swift/usr/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export HOME=/root TERM=dumb LANG=C.UTF-8 LC_ALL=C.UTF-8 TMPDIR=/tmp
uname -r > "$OUT/kernel"
cut -d' ' -f1 /proc/uptime > "$OUT/boot-seconds"

bash "$OUT/cmd.sh" >"$OUT/stdout" 2>"$OUT/stderr"
rc=$?

# Failing interop scripts keep their logs in /tmp/tern-interop-*: copy them out.
if [ "$rc" != 0 ] && ls -d /tmp/tern-interop-* >/dev/null 2>&1; then
  mkdir -p "$OUT/tmp" && cp -a /tmp/tern-interop-* "$OUT/tmp/" 2>/dev/null
fi
echo "$rc" > "$OUT/rc"
sync
echo o > /proc/sysrq-trigger
sleep 5
echo b > /proc/sysrq-trigger
