/// Netlink: the kernel's routing interface through libmnl.
/// PLACEHOLDER — replaced by the netlink work.
public enum NetlinkModule {}
