import Foundation
import Testing
@testable import EventLoop

@Suite struct HTTPRequestHeadTests {
    static func parse(_ s: String, limit: Int = 8192) -> HTTPRequestHead.ParseResult {
        HTTPRequestHead.parse(Array(s.utf8), limit: limit)
    }

    @Test func prometheusScrape() {
        guard case .complete(let h) = Self.parse(
            "GET /metrics?x=1 HTTP/1.1\r\nHost: 127.0.0.1:9091\r\nUser-Agent: Prometheus/2.45.3\r\nAccept: text/plain \r\n\r\n")
        else { Issue.record("not complete"); return }
        #expect(h.method == "GET")
        #expect(h.path == "/metrics")
        #expect(h.query == "x=1")
        #expect(h.header("accept") == "text/plain")
        #expect(h.header("USER-AGENT") == "Prometheus/2.45.3")
    }

    @Test func incompleteUntilBlankLine() {
        #expect(Self.parse("GET / HTTP/1.1\r\nHost: x\r\n") == .incomplete)
        #expect(Self.parse("GET / HTTP/1.0\n\n") != .incomplete)
    }

    @Test func bounded() {
        let long = "GET / HTTP/1.1\r\nHost: x\r\nX: " + String(repeating: "a", count: 200)
        #expect(Self.parse(long, limit: 100) == .invalid(status: 431, reason: "request head over 100 bytes"))
    }

    @Test func rejects() {
        func status(_ s: String) -> Int? {
            if case .invalid(let st, _) = Self.parse(s) { return st }
            return nil
        }
        #expect(status("GET /\r\n\r\n") == 400)
        #expect(status("GET / HTTP/2.0\r\n\r\n") == 505)
        #expect(status("GET / HTTP/1.1\r\n\r\n") == 400)  // no Host
        #expect(status("GET metrics HTTP/1.0\r\n\r\n") == 400)
        #expect(status("GET / HTTP/1.0\r\nbad header\r\n\r\n") == 400)
        #expect(status("G(T / HTTP/1.0\r\n\r\n") == 400)
    }

    @Test func responseBytes() {
        let r = HTTPResponse(status: 503, contentType: "application/json", text: "{}")
        let text = String(decoding: r.encoded(), as: UTF8.self)
        #expect(text.hasPrefix("HTTP/1.1 503 Service Unavailable\r\n"))
        #expect(text.contains("Content-Length: 2\r\n"))
        #expect(text.hasSuffix("Connection: close\r\n\r\n{}"))
        #expect(String(decoding: r.encoded(headOnly: true), as: UTF8.self).hasSuffix("\r\n\r\n"))
    }
}

@Suite struct HTTPServerTests {
    /// Sends `request` to `port` and reads until the server closes.
    static func exchange(_ request: String, port: UInt16) throws -> String {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = port.bigEndian
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        var tv = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        let rc = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard rc == 0 else { throw POSIXError(.ECONNREFUSED) }
        let bytes = Array(request.utf8)
        _ = bytes.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, 0) }
        var out: [UInt8] = []
        var buf = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = buf.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n <= 0 { break }
            out += buf[0..<n]
        }
        return String(decoding: out, as: UTF8.self)
    }

    @Test func servesAndCloses() async throws {
        let loop = EventLoop(label: "http-test")
        let big = String(repeating: "x", count: 3 << 20)
        let server = try loop.sync {
            try HTTPServer(address: SocketAddress(parsing: "127.0.0.1", port: 0), on: loop) { head in
                switch head.path {
                case "/ok": HTTPResponse(status: 200, text: "fine\n")
                case "/big": HTTPResponse(status: 200, text: big)
                default: HTTPResponse(status: 404, text: "no\n")
                }
            }
        }
        let port = loop.sync { server.localAddress.port }
        let ok = try Self.exchange("GET /ok HTTP/1.1\r\nHost: t\r\n\r\n", port: port)
        #expect(ok.hasPrefix("HTTP/1.1 200 OK\r\n"))
        #expect(ok.hasSuffix("\r\n\r\nfine\n"))
        #expect(try Self.exchange("GET /nope HTTP/1.0\r\n\r\n", port: port).hasPrefix("HTTP/1.1 404 "))
        let post = try Self.exchange("POST /ok HTTP/1.0\r\n\r\n", port: port)
        #expect(post.hasPrefix("HTTP/1.1 405 "))
        #expect(post.contains("Allow: GET, HEAD\r\n"))
        let head = try Self.exchange("HEAD /ok HTTP/1.0\r\n\r\n", port: port)
        #expect(head.hasSuffix("Connection: close\r\n\r\n"))
        // A body larger than the socket buffers arrives whole before the close.
        let b = try Self.exchange("GET /big HTTP/1.0\r\n\r\n", port: port)
        #expect(b.hasPrefix("HTTP/1.1 200 OK\r\n"))
        #expect(b.utf8.count > big.utf8.count && b.hasSuffix(big), "got \(b.utf8.count) bytes")
        loop.sync { server.close() }
    }

    /// A client that never finishes its head gets 408 after the timeout; one whose head is
    /// too long gets 431; the loop keeps serving others meanwhile.
    @Test func slowAndOversizedClients() async throws {
        let loop = EventLoop(label: "http-test-2")
        let server = try loop.sync {
            let s = try HTTPServer(address: SocketAddress(parsing: "127.0.0.1", port: 0), on: loop) { _ in
                HTTPResponse(status: 200, text: "ok\n")
            }
            s.requestTimeout = .milliseconds(300)
            s.maxHeadBytes = 256
            return s
        }
        let port = loop.sync { server.localAddress.port }
        #expect(try Self.exchange("GET / HTTP/1.1\r\nHost: t\r\n", port: port).hasPrefix("HTTP/1.1 408 "))
        let long = "GET / HTTP/1.1\r\nHost: t\r\nX: " + String(repeating: "a", count: 400) + "\r\n\r\n"
        #expect(try Self.exchange(long, port: port).hasPrefix("HTTP/1.1 431 "))
        #expect(try Self.exchange("GET / HTTP/1.0\r\n\r\n", port: port).hasPrefix("HTTP/1.1 200 "))
        loop.sync { server.close() }
    }
}
