/// The request line and headers of one HTTP/1.x request (RFC 9112 §2-§5), as the small
/// ``HTTPServer`` reads them: enough for `GET /metrics` from Prometheus and a probe from
/// the kubelet or curl. Pure: bytes in, a value or a status out.
public struct HTTPRequestHead: Sendable, Hashable {
    /// The method token as sent (`GET`, `HEAD`, ...).
    public let method: String
    /// The path of the request target, without its query.
    public let path: String
    /// The query after `?`, nil when there is none.
    public let query: String?
    /// `HTTP/1.0` or `HTTP/1.1`.
    public let version: String
    /// Header fields in order, names lowercased, values trimmed.
    public let headers: [(name: String, value: String)]

    public static func == (a: Self, b: Self) -> Bool {
        a.method == b.method && a.path == b.path && a.query == b.query && a.version == b.version
            && a.headers.map(\.name) == b.headers.map(\.name) && a.headers.map(\.value) == b.headers.map(\.value)
    }

    public func hash(into h: inout Hasher) {
        h.combine(method); h.combine(path); h.combine(query); h.combine(version)
    }

    /// The first value of header `name` (case-insensitive).
    public func header(_ name: String) -> String? {
        let n = name.lowercased()
        return headers.first { $0.name == n }?.value
    }

    /// What ``parse(_:limit:)`` found.
    public enum ParseResult: Sendable, Hashable {
        /// The head is not complete yet (no empty line) and within the limit.
        case incomplete
        /// A whole head.
        case complete(HTTPRequestHead)
        /// Not a request this server takes: answer with this status and close.
        case invalid(status: Int, reason: String)
    }

    /// Parses the head at the start of `bytes`: complete once `CRLF CRLF` (or bare `LF LF`)
    /// arrived; more than `limit` bytes without it is 431. A body is never read (GET only).
    public static func parse(_ bytes: [UInt8], limit: Int = 8192) -> ParseResult {
        guard let end = headEnd(bytes) else {
            return bytes.count > limit ? .invalid(status: 431, reason: "request head over \(limit) bytes") : .incomplete
        }
        guard end <= limit else { return .invalid(status: 431, reason: "request head over \(limit) bytes") }
        guard let text = String(validating: bytes[..<end], as: UTF8.self) else {
            return .invalid(status: 400, reason: "request head is not UTF-8")
        }
        // "\r\n" is one Character in Swift: split on either form of line end.
        var lines = text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" })
        while lines.last?.isEmpty == true { lines.removeLast() }
        guard let first = lines.first else { return .invalid(status: 400, reason: "empty request") }
        let parts = first.split(separator: " ", omittingEmptySubsequences: false)
        guard parts.count == 3, !parts[0].isEmpty, !parts[1].isEmpty else {
            return .invalid(status: 400, reason: "malformed request line")
        }
        let version = String(parts[2])
        guard version == "HTTP/1.1" || version == "HTTP/1.0" else {
            return .invalid(status: 505, reason: "HTTP version \(version) not supported")
        }
        let method = String(parts[0])
        guard method.utf8.allSatisfy({ isTokenByte($0) }) else { return .invalid(status: 400, reason: "malformed method") }
        var target = Substring(parts[1])
        if target.hasPrefix("http://") || target.hasPrefix("https://") {
            // Absolute form (RFC 9112 §3.2.2): keep the path.
            let rest = target.drop(while: { $0 != ":" }).dropFirst(3)
            target = rest.firstIndex(of: "/").map { rest[$0...] } ?? "/"
        }
        guard target.hasPrefix("/") else { return .invalid(status: 400, reason: "request target is not a path") }
        let path: String
        let query: String?
        if let q = target.firstIndex(of: "?") {
            path = String(target[..<q])
            query = String(target[target.index(after: q)...])
        } else {
            path = String(target)
            query = nil
        }
        var headers: [(name: String, value: String)] = []
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { return .invalid(status: 400, reason: "malformed header line") }
            let name = line[..<colon]
            guard !name.isEmpty, name.utf8.allSatisfy({ isTokenByte($0) }) else {
                return .invalid(status: 400, reason: "malformed header name")
            }
            let value = line[line.index(after: colon)...].trimmingPrefix(while: { $0 == " " || $0 == "\t" })
            var v = Substring(value)
            while v.last == " " || v.last == "\t" { v = v.dropLast() }
            headers.append((name.lowercased(), String(v)))
        }
        if version == "HTTP/1.1", !headers.contains(where: { $0.name == "host" }) {
            return .invalid(status: 400, reason: "HTTP/1.1 request without Host")
        }
        return .complete(HTTPRequestHead(method: method, path: path, query: query, version: version, headers: headers))
    }

    /// The index just past the blank line ending the head, nil before it arrived.
    static func headEnd(_ b: [UInt8]) -> Int? {
        var i = 0
        while i < b.count {
            if b[i] == 0x0A {
                if i + 1 < b.count, b[i + 1] == 0x0A { return i + 2 }
                if i + 2 < b.count, b[i + 1] == 0x0D, b[i + 2] == 0x0A { return i + 3 }
            }
            i += 1
        }
        return nil
    }

    /// RFC 9110 §5.6.2 tchar.
    static func isTokenByte(_ c: UInt8) -> Bool {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"): true
        default: "!#$%&'*+-.^_`|~".utf8.contains(c)
        }
    }
}
