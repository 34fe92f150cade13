import ArgumentParser
import TernAPI
import Foundation

/// Options shared by every command that talks to a running `tern run`.
struct SocketOptions: ParsableArguments {
    @Option(name: .long, help: "The control socket of the running daemon.")
    var socket: String = "/run/tern/tern.sock"

    @Flag(name: .long, help: "Print JSON instead of text.")
    var json = false

    /// Sends `request`; on failure prints the reason to stderr and exits 1.
    func send(_ request: ControlProtocol.Request) throws -> ControlProtocol.Response {
        let response: ControlProtocol.Response
        do {
            response = try ControlClient(path: socket).send(request)
        } catch {
            FileHandle.standardError.write(Data("tern: \(error)\n".utf8))
            throw ExitCode(1)
        }
        guard response.ok else {
            FileHandle.standardError.write(Data("tern: \(response.error?.message ?? "request failed")\n".utf8))
            throw ExitCode(1)
        }
        return response
    }

    /// Pretty-printed, key-sorted JSON of `value` on stdout.
    func printJSON<T: Encodable>(_ value: T) throws {
        let enc = JSONEncoder()
        enc.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        print(String(decoding: try enc.encode(value), as: UTF8.self))
    }
}

/// `tern status`: like `calicoctl node status` / `birdc show protocols`.
struct StatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status", abstract: "Show the node and its BGP sessions (from the running daemon).")

    @OptionGroup var options: SocketOptions

    func run() throws {
        let response = try options.send(.init(.status))
        guard let status = response.status else { throw ExitCode(1) }
        if options.json { try options.printJSON(status) } else { print(StatusView.status(status), terminator: "") }
    }
}

/// `tern routes`: the Loc-RIB with every candidate path and why the best one won.
struct RoutesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "routes", abstract: "Show the BGP routing table (Loc-RIB) of the running daemon.")

    @OptionGroup var options: SocketOptions

    @Argument(help: "Only this prefix (CIDR).")
    var prefix: String?

    @Flag(name: .long, help: "The received paths that were ignored (loops, the import filter), and why.")
    var rejected = false

    func run() throws {
        if rejected {
            let list = try options.send(.init(.routes, rejected: true)).rejected ?? []
            if options.json { try options.printJSON(list); return }
            var t = TextTable(["PREFIX", "PATH ID", "FROM", "REASON"])
            for r in list { t.add([r.prefix, r.pathID.map(String.init) ?? "-", r.peer, r.reason]) }
            print(list.isEmpty ? "No paths were ignored." : t.rendered)
            return
        }
        let response = try options.send(.init(.routes, prefix: prefix))
        let routes = response.routes ?? []
        if options.json { try options.printJSON(routes) } else { print(StatusView.routes(routes), terminator: "") }
    }
}

/// `tern bfd`: the BFD sessions, like `birdc show bfd sessions`.
struct BFDCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bfd", abstract: "Show the BFD sessions (RFC 5880) of the running daemon.")

    @OptionGroup var options: SocketOptions

    func run() throws {
        let response = try options.send(.init(.bfd))
        let sessions = response.bfd ?? []
        if options.json { try options.printJSON(sessions) } else { print(StatusView.bfd(sessions), terminator: "") }
    }
}
