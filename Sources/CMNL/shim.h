#ifndef TERN_CMNL_SHIM_H
#define TERN_CMNL_SHIM_H
// libmnl and the kernel's netlink headers. The Netlink target is the only importer.
#include <libmnl/libmnl.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/if_link.h>
#include <linux/neighbour.h>
// nfnetlink: nf_tables events (NFTablesMonitor) and ctnetlink (ConntrackTable).
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink_conntrack.h>

/// NLMSG_ALIGN is a macro Swift cannot import; this is the same computation.
static inline size_t tern_nlmsg_align(size_t len) { return MNL_ALIGN(len); }
#include <sys/syscall.h>
#include <unistd.h>

/// setns(fd, CLONE_NEWNET): glibc declares setns only under _GNU_SOURCE, which a
/// Swift module map does not define; the raw syscall is the same call.
static inline int tern_setns_net(int fd) { return (int)syscall(SYS_setns, fd, 0x40000000 /* CLONE_NEWNET */); }
#endif
