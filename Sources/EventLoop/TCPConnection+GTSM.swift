#if canImport(Glibc)
import Glibc
#endif

// MARK: - GTSM (RFC 5082): minimum TTL in, and the TTL of an accepted connection's SYN

extension TCPConnection {
    /// `IP_MINTTL` (linux/in.h) and `IPV6_MINHOPCOUNT` (linux/in6.h); not every libc names them.
    static let ipMinTTL: Int32 = 21
    static let ipv6MinHopCount: Int32 = 73
    /// `TCP_SAVE_SYN` / `TCP_SAVED_SYN` (linux/tcp.h, Linux 4.2+).
    static let tcpSaveSYN: Int32 = 27
    static let tcpSavedSYN: Int32 = 28

    /// The kernel drops every segment that arrives with a TTL (IPv4) or hop limit (IPv6)
    /// below `minimum` (RFC 5082 §3: 255 - hops + 1).
    static func setMinimumTTL(_ fd: Int32, family: SocketAddress.Family, _ minimum: UInt8, _ operation: String) throws(SocketError) {
        if family == .ipv6 {
            try Syscall.setOption(fd, level: Int32(IPPROTO_IPV6), name: ipv6MinHopCount, value: Int32(minimum),
                                  "set IPV6_MINHOPCOUNT for \(operation)")
        } else {
            try Syscall.setOption(fd, level: Int32(IPPROTO_IP), name: ipMinTTL, value: Int32(minimum),
                                  "set IP_MINTTL for \(operation)")
        }
    }

    /// Drops what this connection receives with a TTL / hop limit below `minimum` from now on.
    public func setMinimumTTL(_ minimum: UInt8) throws(SocketError) {
        try Self.setMinimumTTL(channel.fd, family: remoteAddress.family, minimum, "connection with \(remoteAddress)")
    }

    /// The TTL (IPv4) or hop limit (IPv6) of the SYN that opened this accepted connection,
    /// when its listener saves SYNs (``TCPListener/saveSYNs()``); read once (the kernel
    /// frees the copy). nil when not saved or not readable.
    public func takeSavedSYNTTL() -> UInt8? {
        var buffer = [UInt8](repeating: 0, count: 512)
        var length = socklen_t(buffer.count)
        let rc = buffer.withUnsafeMutableBytes { raw in
            getsockopt(channel.fd, Int32(IPPROTO_TCP), Self.tcpSavedSYN, raw.baseAddress, &length)
        }
        guard rc == 0, length >= 20 else { return nil }
        // The copy starts at the network header: IPv4 TTL at byte 8, IPv6 hop limit at byte 7.
        switch buffer[0] >> 4 {
        case 4: return buffer[8]
        case 6: return length >= 40 ? buffer[7] : nil
        default: return nil
        }
    }
}

extension TCPListener {
    /// Keeps each incoming SYN's headers (`TCP_SAVE_SYN`) so that the TTL it arrived with can
    /// be checked per peer at accept (GTSM, ``TCPConnection/takeSavedSYNTTL()``).
    public func saveSYNs() throws(SocketError) {
        try Syscall.setOption(listeningDescriptor, level: Int32(IPPROTO_TCP), name: TCPConnection.tcpSaveSYN, value: Int32(1),
                              "set TCP_SAVE_SYN on \(localAddress)")
    }
}
