import Model
import Glibc
import Netlink

/// One sysctl to set, by its path under /proc/sys ("net/ipv4/conf/cali1/proxy_arp":
/// slashes, since interface names may contain dots).
public struct Sysctl: Hashable, Sendable, CustomStringConvertible {
    /// What to write.
    public enum Value: Hashable, Sendable {
        /// This text.
        case literal(String)
        /// The current value of another sysctl (rp_filter copied from conf/default).
        case copy(from: String)
    }

    public var key: String
    public var value: Value

    public init(_ key: String, _ value: Value) {
        self.key = key
        self.value = value
    }

    public var description: String {
        switch value {
        case .literal(let v): "\(key)=\(v)"
        case .copy(let from): "\(key)=<\(from)>"
        }
    }

    /// Calico's settings for a workload's host-side interface (REFERENCE.md).
    public static func workloadInterface(_ name: String, rpFilter: RPFilter, ipv6: Bool) -> [Sysctl] {
        var out: [Sysctl] = [
            Sysctl("net/ipv4/conf/\(name)/proxy_arp", .literal("1")),
            Sysctl("net/ipv4/neigh/\(name)/proxy_delay", .literal("0")),
            Sysctl("net/ipv4/conf/\(name)/forwarding", .literal("1")),
            Sysctl("net/ipv4/conf/\(name)/route_localnet", .literal("1")),
        ]
        switch rpFilter {
        case .copy: out.append(Sysctl("net/ipv4/conf/\(name)/rp_filter", .copy(from: "net/ipv4/conf/default/rp_filter")))
        case .value(let v): out.append(Sysctl("net/ipv4/conf/\(name)/rp_filter", .literal("\(v)")))
        }
        if ipv6 {
            out += [
                Sysctl("net/ipv6/conf/\(name)/proxy_ndp", .literal("1")),
                Sysctl("net/ipv6/conf/\(name)/forwarding", .literal("1")),
                Sysctl("net/ipv6/conf/\(name)/accept_ra", .literal("0")),
            ]
        }
        return out
    }
}

/// A sysctl that could not be read or written, with the errno by name.
public struct SysctlError: Error, Hashable, Sendable, CustomStringConvertible {
    public var key: String
    public var error: NetlinkError
    public var description: String { "sysctl \(key): \(error.name) (\(error.reason))" }
}

/// Writes sysctls with plain file I/O under /proc/sys. /proc/sys/net is per network
/// namespace, resolved from the calling thread's namespace: with `namespace` set, the
/// writes run on a thread that entered it (`NetworkNamespace.run`).
public struct SysctlWriter: Sendable {
    public var root: String
    public var namespace: String?

    public init(root: String = "/proc/sys", namespace: String? = nil) {
        self.root = root
        self.namespace = namespace
    }

    /// Sets each sysctl; one failure does not stop the others. Returns the failures.
    public func apply(_ settings: [Sysctl]) -> [SysctlError] {
        guard !settings.isEmpty else { return [] }
        let work = { () -> [SysctlError] in
            var errors: [SysctlError] = []
            for s in settings {
                do {
                    let value: String
                    switch s.value {
                    case .literal(let v): value = v
                    case .copy(let from): value = try self.readHere(from)
                    }
                    try self.writeHere(s.key, value)
                } catch let e as SysctlError {
                    errors.append(e)
                } catch {
                    errors.append(SysctlError(key: s.key, error: NetlinkError(code: EIO, operation: "\(error)")))
                }
            }
            return errors
        }
        guard let namespace else { return work() }
        do {
            return try NetworkNamespace.run(in: namespace, work)
        } catch {
            let e = (error as? NetlinkError) ?? NetlinkError(code: EIO, operation: "enter netns \(namespace)")
            return settings.map { SysctlError(key: $0.key, error: e) }
        }
    }

    /// Reads several sysctls in one entry into the namespace; keys that cannot be read
    /// (an interface just removed) are left out.
    public func read(_ keys: [String]) -> [String: String] {
        let work = { () -> [String: String] in
            var out: [String: String] = [:]
            for k in keys { if let v = try? self.readHere(k) { out[k] = v } }
            return out
        }
        guard let namespace else { return work() }
        return (try? NetworkNamespace.run(in: namespace, work)) ?? [:]
    }

    /// Reads one sysctl (trimmed).
    public func read(_ key: String) throws(SysctlError) -> String {
        guard let namespace else { return try readHere(key) }
        let r: Result<String, SysctlError>
        do {
            r = try NetworkNamespace.run(in: namespace) { () -> Result<String, SysctlError> in
                do throws(SysctlError) { return .success(try readHere(key)) } catch { return .failure(error) }
            }
        } catch {
            throw SysctlError(key: key, error: (error as? NetlinkError) ?? NetlinkError(code: EIO, operation: "enter netns"))
        }
        return try r.get()
    }

    // MARK: - Syscalls, in the current thread's namespace

    func path(_ key: String) -> String { "\(root)/\(key)" }

    func readHere(_ key: String) throws(SysctlError) -> String {
        let fd = open(path(key), O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw SysctlError(key: key, error: NetlinkError(code: errno, operation: "open \(path(key))")) }
        defer { close(fd) }
        var buf = [UInt8](repeating: 0, count: 256)
        var n: Int
        repeat { n = Glibc.read(fd, &buf, buf.count) } while n < 0 && errno == EINTR
        guard n >= 0 else { throw SysctlError(key: key, error: NetlinkError(code: errno, operation: "read \(path(key))")) }
        return String(decoding: buf[0..<n], as: UTF8.self).trimmingWhitespace
    }

    func writeHere(_ key: String, _ value: String) throws(SysctlError) {
        let fd = open(path(key), O_WRONLY | O_CLOEXEC)
        guard fd >= 0 else { throw SysctlError(key: key, error: NetlinkError(code: errno, operation: "open \(path(key))")) }
        defer { close(fd) }
        let bytes = Array((value + "\n").utf8)
        var n: Int
        repeat { n = Glibc.write(fd, bytes, bytes.count) } while n < 0 && errno == EINTR
        guard n == bytes.count else {
            throw SysctlError(key: key, error: NetlinkError(code: n < 0 ? errno : EIO, operation: "write \(path(key))"))
        }
    }
}

extension String {
    var trimmingWhitespace: String {
        String(self.drop { $0.isWhitespace }.reversed().drop { $0.isWhitespace }.reversed())
    }
}
