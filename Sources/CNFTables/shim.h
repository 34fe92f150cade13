#ifndef TERN_CNFTABLES_SHIM_H
#define TERN_CNFTABLES_SHIM_H
// libnftables (nftables' high-level library: the `nft` language and JSON, libnftables(3)).
// The NFTables target is the only importer.
#include <nftables/libnftables.h>
#endif
