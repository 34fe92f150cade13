import Foundation
import Testing
@testable import EventLoop
#if canImport(Glibc)
import Glibc
#endif

@Suite("Control socket")
struct UnixSocketTests {
    func temporaryDirectory() -> String {
        "/tmp/tern-evloop-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
    }

    @Test func serverEchoesAJSONLineToTheClient() async throws {
        let directory = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/run/ctl.sock"  // parent directories are created
        let loop = EventLoop(label: "test.unix")
        let server = try loop.sync {
            let server = try UnixSocketServer(path: path, on: loop)
            server.onConnection = { connection in
                loop.assertOnLoop()
                connection.onLine = { line in
                    loop.assertOnLoop()
                    connection.send(line: #"{"echo":\#(line)}"#)
                }
            }
            return server
        }
        var info = stat()
        #expect(lstat(path, &info) == 0)
        #expect(info.st_mode & 0o777 == 0o600)

        let client = try UnixSocketClient(path: path, timeout: .seconds(10))
        let response = try client.request(#"{"command":"status"}"#)
        #expect(response == #"{"echo":{"command":"status"}}"#)
        // Several requests on one connection, one line each.
        #expect(try client.request("[1]") == #"{"echo":[1]}"#)
        let big = "\"" + String(repeating: "x", count: 300_000) + "\""
        #expect(try client.request(big) == #"{"echo":\#(big)}"#)
        client.close()

        loop.sync { server.close(); server.close() }
        #expect(!FileManager.default.fileExists(atPath: path))
    }

    @Test func clientNamesTheSocketWhenNoServerExists() throws {
        let path = temporaryDirectory() + "/missing.sock"
        #expect {
            _ = try UnixSocketClient(path: path)
        } throws: { error in
            guard let error = error as? UnixSocketClientError,
                  case .unreachable(_, _, let cause) = error else { return false }
            return cause.code == .noSuchFile
                && error.description.hasPrefix("cannot reach tern at \(path)")
                && error.description.contains("ENOENT")
        }
    }

    @Test func staleSocketIsReplacedAndRefusesClientsUntilThen() async throws {
        let directory = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let path = directory + "/ctl.sock"
        // A stale socket file: bound, never listening, closed.
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        _ = UnixPath.withSockAddr(path) { bind(fd, $0, $1) }
        close(fd)
        #expect(FileManager.default.fileExists(atPath: path))
        #expect {
            _ = try UnixSocketClient(path: path)
        } throws: { error in
            (error as? UnixSocketClientError)?.description.hasPrefix("cannot reach tern at \(path): ECONNREFUSED") == true
        }

        let loop = EventLoop(label: "test.unix.stale")
        let server = try loop.sync {
            let server = try UnixSocketServer(path: path, on: loop)
            server.onConnection = { connection in connection.onLine = { connection.send(line: $0) } }
            return server
        }
        // A second server on a live socket is refused, and the first keeps working.
        _ = loop.sync {
            #expect {
                _ = try UnixSocketServer(path: path, on: loop)
            } throws: { error in
                (error as? SocketError)?.code == .addressInUse
            }
        }
        let client = try UnixSocketClient(path: path)
        #expect(try client.request("ping") == "ping")
        loop.sync { server.close() }
    }

    @Test func serverSideCloseIsSeenByTheClient() async throws {
        let directory = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/ctl.sock"
        let loop = EventLoop(label: "test.unix.close")
        let server = try loop.sync {
            let server = try UnixSocketServer(path: path, on: loop)
            server.onConnection = { connection in connection.onLine = { _ in connection.close() } }
            return server
        }
        let client = try UnixSocketClient(path: path, timeout: .seconds(10))
        #expect {
            _ = try client.request("bye")
        } throws: { error in
            if case .closedByServer = error as? UnixSocketClientError { return true }
            return false
        }
        loop.sync { server.close() }
    }
}
