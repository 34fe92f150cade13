import EventLoop

/// The CLI's side of the control socket: one request, one response.
public struct ControlClient {
    /// The socket path (`controlSocket` in the config; default `/run/tern/tern.sock`).
    public let path: String

    public init(path: String) { self.path = path }

    /// Sends `request` and returns the daemon's response. Throws ``ControlClientError`` with a
    /// message fit for a user ("cannot reach tern at P: is `tern run` running?").
    public func send(_ request: ControlProtocol.Request) throws(ControlClientError) -> ControlProtocol.Response {
        let client: UnixSocketClient
        do {
            // Answers are streamed (the route table can be gigabytes of JSON): no small cap.
            client = try UnixSocketClient(path: path, maxResponseLength: 1 << 34)
        } catch {
            throw .unreachable("\(error): is `tern run` running?")
        }
        defer { client.close() }
        do {
            let line = try client.request(ControlProtocol.line(request))
            return try ControlProtocol.parse(ControlProtocol.Response.self, from: line)
        } catch let e as UnixSocketClientError {
            throw .unreachable("lost tern at \(path): \(e)")
        } catch {
            throw .badResponse("tern at \(path) sent a response this CLI does not understand: \(error)")
        }
    }
}

/// Why the CLI could not talk to the daemon.
public enum ControlClientError: Error, CustomStringConvertible {
    case unreachable(String)
    case badResponse(String)

    public var description: String {
        switch self {
        case .unreachable(let m), .badResponse(let m): m
        }
    }
}
