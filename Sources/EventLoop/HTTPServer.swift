/// A small HTTP/1.1 server on the loop for `GET` endpoints (metrics, health): one request
/// per connection (`Connection: close`), the request head bounded (8 KiB, else 431), a
/// client that sends no whole head in 10 s dropped (408), at most 64 connections at once.
/// The handler runs on the loop and must not block; it answers by path. `GET` and `HEAD`
/// only (405 with `Allow` otherwise); an unknown path is the handler's 404.
public final class HTTPServer: @unchecked Sendable {
    public let loop: EventLoop
    /// The bound address (with the port the kernel chose when 0 was asked).
    public var localAddress: SocketAddress { listener.localAddress }
    /// Answers one request, on the loop.
    public var handler: (HTTPRequestHead) -> HTTPResponse
    /// Errors of the listener (accept failures); the server keeps going.
    public var onError: ((SocketError) -> Void)? {
        get { listener.onError }
        set { listener.onError = newValue }
    }

    private let listener: TCPListener
    private var clients: [ObjectIdentifier: Client] = [:]
    /// Limits (tests lower them).
    public var maxHeadBytes = 8192
    public var maxConnections = 64
    public var requestTimeout: Duration = .seconds(10)

    private final class Client {
        let connection: TCPConnection
        var buffer: [UInt8] = []
        var answered = false
        var timer: LoopTimer?
        init(_ c: TCPConnection) { connection = c }
    }

    /// Binds `address` and serves `handler`. Call on the loop.
    public init(address: SocketAddress, on loop: EventLoop,
                handler: @escaping (HTTPRequestHead) -> HTTPResponse) throws(SocketError) {
        self.loop = loop
        self.handler = handler
        listener = try TCPListener(address: address, backlog: 64,
                                   connectionOptions: ConnectionOptions(maxBufferedBytes: 16 << 20), on: loop)
        listener.onAccept = { [weak self] connection in self?.accepted(connection) }
    }

    /// Stops listening and drops every connection.
    public func close() {
        listener.close()
        for c in clients.values { c.timer?.invalidate(); c.connection.close() }
        clients.removeAll()
    }

    private func accepted(_ connection: TCPConnection) {
        guard clients.count < maxConnections else { connection.close(); return }
        let client = Client(connection)
        let key = ObjectIdentifier(connection)
        clients[key] = client
        connection.onRead = { [weak self, weak client] bytes in
            guard let self, let client else { return }
            self.read(bytes, client)
        }
        connection.onClose = { [weak self] _ in self?.forget(key) }
        let timer = LoopTimer(on: loop) { [weak self, weak client] in
            guard let self, let client, !client.answered else { return }
            self.respond(client, HTTPResponse(status: 408, text: "no whole request in time\n"), headOnly: false)
        }
        client.timer = timer
        timer.arm(after: requestTimeout)
    }

    private func forget(_ key: ObjectIdentifier) {
        clients.removeValue(forKey: key)?.timer?.invalidate()
    }

    private func read(_ bytes: [UInt8], _ client: Client) {
        guard !client.answered else { return }
        client.buffer += bytes
        switch HTTPRequestHead.parse(client.buffer, limit: maxHeadBytes) {
        case .incomplete:
            return
        case .invalid(let status, let reason):
            respond(client, HTTPResponse(status: status, text: reason + "\n"), headOnly: false)
        case .complete(let head):
            guard head.method == "GET" || head.method == "HEAD" else {
                respond(client, HTTPResponse(status: 405, text: "only GET and HEAD\n", headers: ["Allow": "GET, HEAD"]),
                        headOnly: false)
                return
            }
            respond(client, handler(head), headOnly: head.method == "HEAD")
        }
    }

    /// Writes `response` and closes once the kernel took it all (or after 10 s).
    private func respond(_ client: Client, _ response: HTTPResponse, headOnly: Bool) {
        client.answered = true
        client.connection.pauseReading()
        guard client.connection.write(response.encoded(headOnly: headOnly)) else {
            client.connection.close()
            forget(ObjectIdentifier(client.connection))
            return
        }
        closeWhenFlushed(client, deadline: loop.now + 10_000_000_000)
    }

    private func closeWhenFlushed(_ client: Client, deadline: UInt64) {
        if client.connection.bufferedBytes == 0 || client.connection.isClosed || loop.now >= deadline {
            client.connection.close()
            forget(ObjectIdentifier(client.connection))
            return
        }
        client.timer?.cancel()
        let t = LoopTimer(on: loop) { [weak self, weak client] in
            guard let self, let client else { return }
            self.closeWhenFlushed(client, deadline: deadline)
        }
        client.timer = t
        t.arm(after: .milliseconds(5))
    }
}
