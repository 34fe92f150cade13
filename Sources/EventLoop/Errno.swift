#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A POSIX error number with its symbolic name, in the style of swift-system's `Errno`.
///
/// `Errno(rawValue: ECONNREFUSED).name == "ECONNREFUSED"`; `message` is `strerror`'s text.
public struct Errno: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    /// The raw `errno` value.
    public let rawValue: Int32

    /// Wraps a raw `errno` value.
    public init(rawValue: Int32) { self.rawValue = rawValue }

    /// The calling thread's current `errno`.
    public static var current: Errno { Errno(rawValue: errno) }

    /// The symbolic name (`"ECONNREFUSED"`), or `"errno N"` for numbers not in the table.
    public var name: String { Errno.names[rawValue] ?? "errno \(rawValue)" }

    /// The C library's description (`strerror`), e.g. `"Connection refused"`.
    public var message: String { String(cString: strerror(rawValue)) }

    /// The symbolic name.
    public var description: String { name }

    // MARK: - Common values

    /// Interrupted system call (retried by the syscall layer, never surfaced).
    public static let interrupted = Errno(rawValue: EINTR)
    /// Resource temporarily unavailable (would block).
    public static let wouldBlock = Errno(rawValue: EAGAIN)
    /// Operation now in progress (non-blocking connect).
    public static let inProgress = Errno(rawValue: EINPROGRESS)
    /// Connection refused by the peer.
    public static let connectionRefused = Errno(rawValue: ECONNREFUSED)
    /// Connection reset by the peer.
    public static let connectionReset = Errno(rawValue: ECONNRESET)
    /// Broken pipe (peer closed while we were writing).
    public static let brokenPipe = Errno(rawValue: EPIPE)
    /// Connection timed out (also used for Tern's own connect timeout).
    public static let timedOut = Errno(rawValue: ETIMEDOUT)
    /// Address already in use.
    public static let addressInUse = Errno(rawValue: EADDRINUSE)
    /// Cannot assign requested address (local address not configured).
    public static let addressNotAvailable = Errno(rawValue: EADDRNOTAVAIL)
    /// Network is unreachable.
    public static let networkUnreachable = Errno(rawValue: ENETUNREACH)
    /// No route to host.
    public static let hostUnreachable = Errno(rawValue: EHOSTUNREACH)
    /// No such file or directory.
    public static let noSuchFile = Errno(rawValue: ENOENT)
    /// Invalid argument (also used for unparsable addresses).
    public static let invalidArgument = Errno(rawValue: EINVAL)
    /// Permission denied.
    public static let permissionDenied = Errno(rawValue: EACCES)
    /// Too many open files in this process.
    public static let tooManyOpenFiles = Errno(rawValue: EMFILE)
    /// Name too long (e.g. a unix socket path over 107 bytes).
    public static let nameTooLong = Errno(rawValue: ENAMETOOLONG)
    /// No buffer space available.
    public static let noBufferSpace = Errno(rawValue: ENOBUFS)

    private static let names: [Int32: String] = [
        EPERM: "EPERM", ENOENT: "ENOENT", ESRCH: "ESRCH", EINTR: "EINTR", EIO: "EIO",
        ENXIO: "ENXIO", E2BIG: "E2BIG", EBADF: "EBADF", EAGAIN: "EAGAIN", ENOMEM: "ENOMEM",
        EACCES: "EACCES", EFAULT: "EFAULT", EBUSY: "EBUSY", EEXIST: "EEXIST", ENODEV: "ENODEV",
        ENOTDIR: "ENOTDIR", EISDIR: "EISDIR", EINVAL: "EINVAL", ENFILE: "ENFILE", EMFILE: "EMFILE",
        ENOSPC: "ENOSPC", EPIPE: "EPIPE", ERANGE: "ERANGE", ENAMETOOLONG: "ENAMETOOLONG",
        ENOSYS: "ENOSYS", ELOOP: "ELOOP", ENOTSOCK: "ENOTSOCK", EDESTADDRREQ: "EDESTADDRREQ",
        EMSGSIZE: "EMSGSIZE", EPROTOTYPE: "EPROTOTYPE", ENOPROTOOPT: "ENOPROTOOPT",
        EPROTONOSUPPORT: "EPROTONOSUPPORT", EOPNOTSUPP: "EOPNOTSUPP", EAFNOSUPPORT: "EAFNOSUPPORT",
        EADDRINUSE: "EADDRINUSE", EADDRNOTAVAIL: "EADDRNOTAVAIL", ENETDOWN: "ENETDOWN",
        ENETUNREACH: "ENETUNREACH", ENETRESET: "ENETRESET", ECONNABORTED: "ECONNABORTED",
        ECONNRESET: "ECONNRESET", ENOBUFS: "ENOBUFS", EISCONN: "EISCONN", ENOTCONN: "ENOTCONN",
        ETIMEDOUT: "ETIMEDOUT", ECONNREFUSED: "ECONNREFUSED", EHOSTDOWN: "EHOSTDOWN",
        EHOSTUNREACH: "EHOSTUNREACH", EALREADY: "EALREADY", EINPROGRESS: "EINPROGRESS",
        EPROTO: "EPROTO",
    ]
}
