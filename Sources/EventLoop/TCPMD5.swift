#if canImport(Glibc)
import Glibc
#endif

/// TCP MD5 signatures (RFC 2385) through `setsockopt(TCP_MD5SIG)` on Linux.
enum TCPMD5 {
    /// The largest key Linux accepts (`TCP_MD5SIG_MAXKEYLEN`).
    static let maxKeyLength = 80

    /// Installs `key` for segments to/from `peer` on `fd`; an empty key removes it.
    static func set(fd: Int32, key: [UInt8], peer: SocketAddress) throws(SocketError) {
        guard key.count <= maxKeyLength else {
            throw SocketError(.invalidArgument, operation: "set TCP_MD5SIG for \(peer.host) (key longer than 80 bytes)")
        }
        var signature = tcp_md5sig()
        signature.tcpm_addr = peer.storage
        signature.tcpm_keylen = UInt16(key.count)
        withUnsafeMutableBytes(of: &signature.tcpm_key) { $0.copyBytes(from: key) }
        try Syscall.setOption(fd, level: Int32(IPPROTO_TCP), name: TCP_MD5SIG, value: signature,
                              "set TCP_MD5SIG for \(peer.host)")
    }
}
