import Foundation
import EtcdTestSupport

/// A listening socket on 127.0.0.1 that accepts connections and either never answers
/// (`reply` nil) or writes `reply` once per connection and closes it.
final class FakeHTTPServer: @unchecked Sendable {
    let url: String
    private let fd: Int32
    private let lock = NSLock()
    private var stopped = false
    private var clients: [Int32] = []

    init(reply: String?) throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        self.fd = fd
        guard fd >= 0 else { throw ServerError("socket: errno \(errno)") }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        let ok = withUnsafeMutablePointer(to: &addr) { p in
            p.withMemoryRebound(to: sockaddr.self, capacity: 1) { sa in
                bind(fd, sa, len) == 0 && getsockname(fd, sa, &len) == 0 && listen(fd, 16) == 0
            }
        }
        guard ok else { throw ServerError("bind/listen: errno \(errno)") }
        url = "http://127.0.0.1:\(UInt16(bigEndian: addr.sin_port))"
        let listener = fd
        start(listener: listener, reply: reply)
    }

    private func start(listener: Int32, reply: String?) {
        Thread { [self] in
            while true {
                let client = accept(listener, nil, nil)
                if client < 0 { return }   // stop() shut the listener down
                guard let reply else {
                    lock.withLock { clients.append(client) }   // hold it open, say nothing
                    continue
                }
                var buf = [UInt8](repeating: 0, count: 4096)
                _ = read(client, &buf, buf.count)
                _ = reply.utf8CString.withUnsafeBufferPointer { write(client, $0.baseAddress, $0.count - 1) }
                close(client)
            }
        }.start()
    }

    func stop() {
        lock.withLock {
            guard !stopped else { return }
            stopped = true
            shutdown(fd, Int32(SHUT_RDWR))
            close(fd)
            clients.forEach { close($0) }
        }
    }
}
