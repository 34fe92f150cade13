import CMNL

/// What one nf_tables event message says (NETLINK_NETFILTER, group NFNLGRP_NFTABLES).
///
/// Layout (`<linux/netfilter/nfnetlink.h>`, `<linux/netfilter/nf_tables.h>`): `nlmsg_type` is
/// `(NFNL_SUBSYS_NFTABLES << 8) | NFT_MSG_*`; the payload starts with `struct nfgenmsg`
/// (u8 nfgen_family, u8 version, __be16 res_id), then attributes. Every object message
/// (table, chain, rule, set, set element list, object, flowtable) names its table in attribute
/// 1 (NFTA_TABLE_NAME, NFTA_CHAIN_TABLE, NFTA_RULE_TABLE, NFTA_SET_TABLE,
/// NFTA_SET_ELEM_LIST_TABLE, NFTA_OBJ_TABLE, NFTA_FLOWTABLE_TABLE). NFT_MSG_NEWGEN ends a
/// committed transaction (`nf_tables_gen_notify`, net/netfilter/nf_tables_api.c) with
/// NFTA_GEN_ID, NFTA_GEN_PROC_PID and NFTA_GEN_PROC_NAME (the writer's `comm`); ID and PID are
/// big-endian (`nla_put_be32`), and the PID is `task_pid_nr(current)`: the writing *thread*.
public enum NFTablesMessage: Hashable, Sendable {
    /// An object of `table` in `family` (NFPROTO_*) was added, changed or deleted.
    case touched(family: UInt8, table: String)
    /// A transaction was committed: the new generation and who wrote it (the writing thread's
    /// id and name, and the netlink port id of the writer's socket: the header's `nlmsg_pid`).
    case generation(id: UInt32, pid: UInt32?, process: String?, portID: UInt32)

    /// NFNL_SUBSYS_NFTABLES (10), the high byte of every nf_tables message type.
    static let subsystem = UInt16(NFNL_SUBSYS_NFTABLES)

    /// The NFT_MSG_* types that carry a table name in attribute 1.
    static let objectTypes: Set<UInt16> = Set([
        NFT_MSG_NEWTABLE, NFT_MSG_DELTABLE, NFT_MSG_NEWCHAIN, NFT_MSG_DELCHAIN,
        NFT_MSG_NEWRULE, NFT_MSG_DELRULE, NFT_MSG_NEWSET, NFT_MSG_DELSET,
        NFT_MSG_NEWSETELEM, NFT_MSG_DELSETELEM, NFT_MSG_NEWOBJ, NFT_MSG_DELOBJ,
        NFT_MSG_NEWFLOWTABLE, NFT_MSG_DELFLOWTABLE,
    ].map { UInt16($0.rawValue) })

    /// Attribute 1 of each object message: the table. The header's enums, all 1:
    /// NFTA_TABLE_NAME, NFTA_CHAIN_TABLE, NFTA_RULE_TABLE, NFTA_SET_TABLE,
    /// NFTA_SET_ELEM_LIST_TABLE, NFTA_OBJ_TABLE, NFTA_FLOWTABLE_TABLE (`tableAttributes`).
    static let tableAttribute: UInt16 = 1
    static let tableAttributes: [UInt32] = [
        NFTA_TABLE_NAME.rawValue, NFTA_CHAIN_TABLE.rawValue, NFTA_RULE_TABLE.rawValue, NFTA_SET_TABLE.rawValue,
        NFTA_SET_ELEM_LIST_TABLE.rawValue, NFTA_OBJ_TABLE.rawValue, NFTA_FLOWTABLE_TABLE.rawValue,
    ]

    /// Parses one message; nil for other subsystems, other message types or a short payload.
    public static func parse(_ m: NetlinkMessage) -> NFTablesMessage? {
        guard m.type >> 8 == subsystem, m.payload.count >= 4 else { return nil }
        let kind = m.type & 0xFF
        let attrs = NetlinkAttributes(m.payload[4...])
        if kind == UInt16(NFT_MSG_NEWGEN.rawValue) {
            let id = attrs.u32(UInt16(NFTA_GEN_ID.rawValue)).map { UInt32(bigEndian: $0) } ?? 0
            let pid = attrs.u32(UInt16(NFTA_GEN_PROC_PID.rawValue)).map { UInt32(bigEndian: $0) }
            return .generation(id: id, pid: pid, process: attrs.string(UInt16(NFTA_GEN_PROC_NAME.rawValue)), portID: m.portID)
        }
        guard objectTypes.contains(kind), let table = attrs.string(tableAttribute) else { return nil }
        return .touched(family: m.payload[0], table: table)
    }

    /// NFPROTO_* (`<linux/netfilter.h>`) for nft's family names: inet 1, ip 2, arp 3, netdev 5,
    /// bridge 7, ip6 10.
    public static func family(named name: String) -> UInt8? {
        ["inet": 1, "ip": 2, "arp": 3, "netdev": 5, "bridge": 7, "ip6": 10][name]
    }
}
