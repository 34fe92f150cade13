#if canImport(Glibc)
import Glibc
#endif

/// The thin syscall layer: every C call used by this module is wrapped exactly once here.
///
/// Calls are retried on `EINTR` (except `close`, which must not be retried on Linux) and
/// failures become a ``SocketError`` naming the operation. Reads and writes return an
/// ``IOResult`` instead of throwing so that "would block" is an ordinary value.
enum Syscall {
    /// The outcome of a non-blocking `read`/`write`.
    enum IOResult: Equatable {
        /// This many bytes were transferred (0 from `read` means end of file).
        case done(Int)
        /// `EAGAIN`/`EWOULDBLOCK`: try again when the source fires.
        case wouldBlock
        /// Any other error.
        case failed(Errno)
    }

    /// Runs `body` until it does not fail with `EINTR`; `-1` becomes a ``SocketError``.
    @inline(__always)
    static func retrying<T: BinaryInteger>(
        _ operation: @autoclosure () -> String, _ body: () -> T
    ) throws(SocketError) -> T {
        while true {
            let result = body()
            if result != -1 { return result }
            let code = Errno.current
            if code == .interrupted { continue }
            throw SocketError(code, operation: operation())
        }
    }

    // MARK: - Sockets

    /// `socket(domain, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0)`.
    static func socket(domain: Int32, type: Int32, blocking: Bool = false) throws(SocketError) -> Int32 {
        var flags = type | Int32(SOCK_CLOEXEC.rawValue)
        if !blocking { flags |= Int32(SOCK_NONBLOCK.rawValue) }
        return try retrying("create socket") { Glibc.socket(domain, flags, 0) }
    }

    /// `setsockopt` with a value of type `T`.
    static func setOption<T: BitwiseCopyable>(
        _ fd: Int32, level: Int32, name: Int32, value: T, _ operation: @autoclosure () -> String
    ) throws(SocketError) {
        _ = try retrying(operation()) {
            withUnsafeBytes(of: value) { raw in
                Glibc.setsockopt(fd, level, name, raw.baseAddress, socklen_t(raw.count))
            }
        }
    }

    /// `getsockopt(SOL_SOCKET, SO_ERROR)`: the pending error of a socket, `nil` when none.
    static func pendingError(_ fd: Int32) -> Errno? {
        var value: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        if Glibc.getsockopt(fd, SOL_SOCKET, SO_ERROR, &value, &length) == -1 { return Errno.current }
        return value == 0 ? nil : Errno(rawValue: value)
    }

    /// `bind(fd, address)`.
    static func bind(_ fd: Int32, _ address: SocketAddress, _ operation: @autoclosure () -> String) throws(SocketError) {
        _ = try retrying(operation()) { address.withSockAddr { Glibc.bind(fd, $0, $1) } }
    }

    /// `bind` for a unix socket path.
    static func bind(_ fd: Int32, unixPath: String) throws(SocketError) {
        _ = try retrying("bind unix socket \(unixPath)") {
            UnixPath.withSockAddr(unixPath) { pointer, length in
                guard let pointer else { errno = ENAMETOOLONG; return Int32(-1) }
                return Glibc.bind(fd, pointer, length)
            }
        }
    }

    /// `connect(fd, address)`; `EINPROGRESS` is returned as `false`, success as `true`.
    static func connect(_ fd: Int32, _ address: SocketAddress, _ operation: @autoclosure () -> String) throws(SocketError) -> Bool {
        do throws(SocketError) {
            _ = try retrying(operation()) { address.withSockAddr { Glibc.connect(fd, $0, $1) } }
            return true
        } catch where error.code == .inProgress {
            return false
        }
    }

    /// Blocking `connect` for a unix socket path.
    static func connect(_ fd: Int32, unixPath: String, _ operation: @autoclosure () -> String) throws(SocketError) {
        _ = try retrying(operation()) {
            UnixPath.withSockAddr(unixPath) { pointer, length in
                guard let pointer else { errno = ENAMETOOLONG; return Int32(-1) }
                return Glibc.connect(fd, pointer, length)
            }
        }
    }

    /// `listen(fd, backlog)`.
    static func listen(_ fd: Int32, backlog: Int32, _ operation: @autoclosure () -> String) throws(SocketError) {
        _ = try retrying(operation()) { Glibc.listen(fd, backlog) }
    }

    /// `accept(fd)`, then `O_NONBLOCK` and `FD_CLOEXEC` on the new descriptor (`accept4` is
    /// not exported by the Glibc module): `nil` when no connection is pending.
    static func accept(_ fd: Int32, _ operation: @autoclosure () -> String) throws(SocketError) -> Int32? {
        let client: Int32
        do throws(SocketError) {
            client = try retrying(operation()) { Glibc.accept(fd, nil, nil) }
        } catch where error.code == .wouldBlock || error.code.rawValue == EWOULDBLOCK {
            return nil
        }
        do throws(SocketError) {
            try setNonBlocking(client, operation())
            return client
        } catch {
            close(client)
            throw error
        }
    }

    /// Sets `O_NONBLOCK` and `FD_CLOEXEC` on `fd`.
    static func setNonBlocking(_ fd: Int32, _ operation: @autoclosure () -> String) throws(SocketError) {
        let flags = try retrying(operation()) { Glibc.fcntl(fd, F_GETFL) }
        _ = try retrying(operation()) { Glibc.fcntl(fd, F_SETFL, flags | O_NONBLOCK) }
        _ = try retrying(operation()) { Glibc.fcntl(fd, F_SETFD, FD_CLOEXEC) }
    }

    /// `getsockname` (`peer == false`) or `getpeername` (`peer == true`) as a ``SocketAddress``.
    static func address(_ fd: Int32, peer: Bool) -> SocketAddress? {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let result = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                peer ? Glibc.getpeername(fd, $0, &length) : Glibc.getsockname(fd, $0, &length)
            }
        }
        guard result == 0 else { return nil }
        return SocketAddress(storage: storage)
    }

    // MARK: - I/O

    /// One non-blocking `read` into `buffer`.
    static func read(_ fd: Int32, into buffer: UnsafeMutableRawBufferPointer) -> IOResult {
        while true {
            let n = Glibc.read(fd, buffer.baseAddress, buffer.count)
            if n >= 0 { return .done(n) }
            let code = Errno.current
            switch code.rawValue {
            case EINTR: continue
            case EAGAIN, EWOULDBLOCK: return .wouldBlock
            default: return .failed(code)
            }
        }
    }

    /// One non-blocking `send(MSG_NOSIGNAL)` from `buffer` (no SIGPIPE on a closed peer).
    static func write(_ fd: Int32, from buffer: UnsafeRawBufferPointer) -> IOResult {
        while true {
            let n = Glibc.send(fd, buffer.baseAddress, buffer.count, Int32(MSG_NOSIGNAL))
            if n >= 0 { return .done(n) }
            let code = Errno.current
            switch code.rawValue {
            case EINTR: continue
            case EAGAIN, EWOULDBLOCK: return .wouldBlock
            default: return .failed(code)
            }
        }
    }

    /// `close(fd)`. Never retried: on Linux the descriptor is gone even after `EINTR`.
    static func close(_ fd: Int32) {
        _ = Glibc.close(fd)
    }
}

/// Building a `sockaddr_un` from a path.
enum UnixPath {
    /// Calls `body` with a `sockaddr_un` for `path`, or with `nil` when the path is too long.
    static func withSockAddr<R>(_ path: String, _ body: (UnsafePointer<sockaddr>?, socklen_t) -> R) -> R {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        let capacity = MemoryLayout.size(ofValue: address.sun_path)
        guard bytes.count < capacity, !bytes.isEmpty else { return body(nil, 0) }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: bytes)
            raw[bytes.count] = 0
        }
        let length = socklen_t(MemoryLayout<sockaddr_un>.offset(of: \.sun_path)! + bytes.count + 1)
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { body($0, length) }
        }
    }
}
