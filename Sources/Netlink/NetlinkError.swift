import Glibc

/// A failed netlink operation: the errno the kernel (or a syscall) returned, by name,
/// the operation in words, and the kernel's extended ACK message when it sent one
/// (`NLMSGERR_ATTR_MSG`, `<linux/netlink.h>`, enabled with `NETLINK_EXT_ACK`).
public struct NetlinkError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The positive errno value (EEXIST = 17, ...).
    public var code: Int32
    /// What was attempted, e.g. "add route 10.244.1.5/32 dev 3".
    public var operation: String
    /// The kernel's extended ACK text, e.g. "Nexthop device is not up".
    public var kernelMessage: String?
    /// The request's sequence number when the error came back as an NLMSG_ERROR.
    public var sequence: UInt32?
    /// The failed request's `nlmsg_type` (RTM_NEWLINK...) when the kernel answered one.
    public var requestType: UInt16?

    /// Builds an error from a positive errno.
    public init(code: Int32, operation: String, kernelMessage: String? = nil, sequence: UInt32? = nil,
                requestType: UInt16? = nil) {
        self.code = code
        self.operation = operation
        self.kernelMessage = kernelMessage
        self.sequence = sequence
        self.requestType = requestType
    }

    /// EOPNOTSUPP on RTM_NEWLINK: the kernel has no driver for the IFLA_INFO_KIND asked for
    /// (`rtnl_newlink` in net/core/rtnetlink.c, extended ACK "Unknown device type", after
    /// its module autoload failed), e.g. "ipip" on a kernel built without it.
    public var isUnsupportedLinkKind: Bool { code == EOPNOTSUPP && requestType == NL.newLink }

    /// The symbolic errno name ("EEXIST"), or "errno N" for ones not in the table.
    public var name: String { Self.names[code] ?? "errno \(code)" }

    /// `strerror(3)` text.
    public var reason: String { String(cString: strerror(code)) }

    public var description: String {
        var s = "\(operation): \(name) (\(reason))"
        if let m = kernelMessage, !m.isEmpty { s += ": \(m)" }
        return s
    }

    // MARK: - errno names (<asm-generic/errno-base.h>, <asm-generic/errno.h>)

    static let names: [Int32: String] = [
        EPERM: "EPERM", ENOENT: "ENOENT", ESRCH: "ESRCH", EINTR: "EINTR", EIO: "EIO",
        ENXIO: "ENXIO", E2BIG: "E2BIG", EBADF: "EBADF", EAGAIN: "EAGAIN", ENOMEM: "ENOMEM",
        EACCES: "EACCES", EFAULT: "EFAULT", EBUSY: "EBUSY", EEXIST: "EEXIST", ENODEV: "ENODEV",
        ENOTDIR: "ENOTDIR", EINVAL: "EINVAL", ENFILE: "ENFILE", EMFILE: "EMFILE", ENOSPC: "ENOSPC",
        ERANGE: "ERANGE", ENAMETOOLONG: "ENAMETOOLONG", ENOSYS: "ENOSYS", ENOBUFS: "ENOBUFS",
        ENOTSUP: "EOPNOTSUPP", EAFNOSUPPORT: "EAFNOSUPPORT", EPROTONOSUPPORT: "EPROTONOSUPPORT",
        EADDRINUSE: "EADDRINUSE", EADDRNOTAVAIL: "EADDRNOTAVAIL", ENETDOWN: "ENETDOWN",
        ENETUNREACH: "ENETUNREACH", EHOSTUNREACH: "EHOSTUNREACH", ENOMSG: "ENOMSG",
        EMSGSIZE: "EMSGSIZE", ECONNREFUSED: "ECONNREFUSED", ETIMEDOUT: "ETIMEDOUT",
        ENOTCONN: "ENOTCONN", EPROTO: "EPROTO", EOVERFLOW: "EOVERFLOW", ENOTEMPTY: "ENOTEMPTY",
        EDQUOT: "EDQUOT",
    ]

    /// The calling thread's errno as an error for `operation`.
    static func fromErrno(_ operation: String) -> NetlinkError {
        NetlinkError(code: errno, operation: operation)
    }
}
