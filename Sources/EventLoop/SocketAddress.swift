#if canImport(Glibc)
import Glibc
#endif
import IPCore

/// An IPv4 or IPv6 address with a port: the value form of `sockaddr_in`/`sockaddr_in6`.
///
/// ```swift
/// let peer = try SocketAddress(parsing: "192.168.77.2", port: 179)
/// peer.description        // "192.168.77.2:179"
/// try SocketAddress(parsing: "::1", port: 179).description   // "[::1]:179"
/// ```
/// IPv6 link-local addresses may carry a zone: `"fe80::1%eth0"`.
public struct SocketAddress: Hashable, Sendable, CustomStringConvertible {
    /// The address family.
    public enum Family: Hashable, Sendable {
        /// `AF_INET`
        case ipv4
        /// `AF_INET6`
        case ipv6
    }

    /// The address bytes in network order: 4 for IPv4, 16 for IPv6.
    public let bytes: [UInt8]
    /// The TCP port (host order).
    public var port: UInt16
    /// The IPv6 scope (interface index) for link-local addresses; 0 otherwise.
    public var scopeID: UInt32

    /// The family, from the number of address bytes.
    public var family: Family { bytes.count == 4 ? .ipv4 : .ipv6 }

    /// Creates an address from raw bytes (4 or 16); `nil` for any other length.
    public init?(bytes: [UInt8], port: UInt16, scopeID: UInt32 = 0) {
        guard bytes.count == 4 || bytes.count == 16 else { return nil }
        self.bytes = bytes
        self.port = port
        self.scopeID = bytes.count == 16 ? scopeID : 0
    }

    /// Parses a numeric IPv4 (`"192.168.77.1"`) or IPv6 (`"::1"`, `"fe80::1%eth0"`) address.
    /// Returns `nil` for anything else (host names are never resolved).
    public init?(ip: String, port: UInt16) {
        var text = Substring(ip)
        var scope: UInt32 = 0
        if let percent = text.firstIndex(of: "%") {
            let zone = String(text[text.index(after: percent)...])
            text = text[..<percent]
            if let number = UInt32(zone) {
                scope = number
            } else {
                scope = if_nametoindex(zone)
                if scope == 0 { return nil }
            }
        }
        let host = String(text)
        var v4 = in_addr()
        if scope == 0, inet_pton(AF_INET, host, &v4) == 1 {
            self.init(bytes: withUnsafeBytes(of: &v4) { Array($0) }, port: port)
            return
        }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, host, &v6) == 1 {
            self.init(bytes: withUnsafeBytes(of: &v6) { Array($0) }, port: port, scopeID: scope)
            return
        }
        return nil
    }

    /// Parses like ``init(ip:port:)`` but throws `EINVAL` naming the text.
    public init(parsing ip: String, port: UInt16) throws(SocketError) {
        guard let address = SocketAddress(ip: ip, port: port) else {
            throw SocketError(.invalidArgument, operation: "parse IP address \"\(ip)\"")
        }
        self = address
    }

    /// Reads a `sockaddr_in` or `sockaddr_in6` from `storage`; `nil` for other families.
    public init?(storage: sockaddr_storage) {
        var storage = storage
        switch Int32(storage.ss_family) {
        case AF_INET:
            let sin = withUnsafeBytes(of: &storage) { $0.load(as: sockaddr_in.self) }
            var addr = sin.sin_addr
            self.init(bytes: withUnsafeBytes(of: &addr) { Array($0) }, port: UInt16(bigEndian: sin.sin_port))
        case AF_INET6:
            let sin6 = withUnsafeBytes(of: &storage) { $0.load(as: sockaddr_in6.self) }
            var addr = sin6.sin6_addr
            self.init(
                bytes: withUnsafeBytes(of: &addr) { Array($0) },
                port: UInt16(bigEndian: sin6.sin6_port),
                scopeID: sin6.sin6_scope_id
            )
        default:
            return nil
        }
    }

    /// The numeric host text: `"192.168.77.1"`, `"::1"`, `"fe80::1%eth0"`.
    public var host: String {
        var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN) + 1)
        let domain = family == .ipv4 ? AF_INET : AF_INET6
        let ok = bytes.withUnsafeBytes { raw in
            inet_ntop(domain, raw.baseAddress, &buffer, socklen_t(buffer.count)) != nil
        }
        guard ok else { return "?" }
        var text = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        if scopeID != 0 {
            var name = [CChar](repeating: 0, count: Int(IF_NAMESIZE) + 1)
            if if_indextoname(scopeID, &name) != nil {
                text += "%" + String(decoding: name.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            } else {
                text += "%\(scopeID)"
            }
        }
        return text
    }

    /// `"192.168.77.1:179"` or `"[::1]:179"`.
    public var description: String {
        family == .ipv4 ? "\(host):\(port)" : "[\(host)]:\(port)"
    }

    /// The `AF_*` constant for this address.
    var domain: Int32 { family == .ipv4 ? AF_INET : AF_INET6 }

    /// Calls `body` with a `sockaddr_in`/`sockaddr_in6` view of this address and its length.
    public func withSockAddr<R>(_ body: (UnsafePointer<sockaddr>, socklen_t) -> R) -> R {
        switch family {
        case .ipv4:
            var sin = sockaddr_in()
            sin.sin_family = sa_family_t(AF_INET)
            sin.sin_port = port.bigEndian
            withUnsafeMutableBytes(of: &sin.sin_addr) { $0.copyBytes(from: bytes) }
            return withUnsafePointer(to: &sin) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    body($0, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
        case .ipv6:
            var sin6 = sockaddr_in6()
            sin6.sin6_family = sa_family_t(AF_INET6)
            sin6.sin6_port = port.bigEndian
            sin6.sin6_scope_id = scopeID
            withUnsafeMutableBytes(of: &sin6.sin6_addr) { $0.copyBytes(from: bytes) }
            return withUnsafePointer(to: &sin6) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    body($0, socklen_t(MemoryLayout<sockaddr_in6>.size))
                }
            }
        }
    }

    /// The same address as a `sockaddr_storage` (for `TCP_MD5SIG`).
    var storage: sockaddr_storage {
        var storage = sockaddr_storage()
        withSockAddr { pointer, length in
            withUnsafeMutableBytes(of: &storage) { raw in
                raw.copyMemory(from: UnsafeRawBufferPointer(start: pointer, count: Int(length)))
            }
        }
        return storage
    }
}

// MARK: - IPCore addresses

extension SocketAddress {
    /// The socket address of `ip` at `port`.
    public init(_ ip: IPAddress, port: UInt16) {
        bytes = ip.octets
        self.port = port
        scopeID = 0
    }

    /// The address without the port; an IPv4 peer reaching an IPv6 listener (shown as
    /// `::ffff:a.b.c.d`, RFC 4291 §2.5.5.2) is given back as the IPv4 address.
    public var ipAddress: IPAddress? {
        guard let a = IPAddress(octets: bytes) else { return nil }
        if case .v6(let v6) = a, v6.high == 0, v6.low >> 32 == 0xFFFF { return .v4(IPv4Address(UInt32(truncatingIfNeeded: v6.low))) }
        return a
    }
}
