#ifndef TERN_CMNL_SHIM_H
#define TERN_CMNL_SHIM_H
// libmnl and the kernel's netlink headers. The Netlink target is the only importer.
#include <libmnl/libmnl.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/if_link.h>
#include <linux/neighbour.h>

/// NLMSG_ALIGN is a macro Swift cannot import; this is the same computation.
static inline size_t tern_nlmsg_align(size_t len) { return MNL_ALIGN(len); }
#endif
