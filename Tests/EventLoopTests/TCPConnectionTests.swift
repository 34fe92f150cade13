import Foundation
import Testing
@testable import EventLoop
#if canImport(Glibc)
import Glibc
#endif

@Suite("TCP listener and connection")
struct TCPConnectionTests {
    /// Echo server + client on `host`: bytes go both ways intact and in order.
    func echo(host: String, payload: [UInt8], seed: UInt64) async throws {
        let loop = EventLoop(label: "test.echo")
        let serverSide = LoopBox<[TCPConnection]>([])
        let listener = try makeListener(loop, host: host) { connection in
            serverSide.value.append(connection)
            connection.onRead = { bytes in
                loop.assertOnLoop()
                #expect(bytes.count <= 64 * 1024)
                #expect(connection.write(bytes))
            }
        }
        let port = loop.sync { listener.localAddress.port }
        #expect(port != 0)

        let received = LoopBox<[UInt8]>([])
        let connected = LoopBox(false)
        let closeReason = LoopBox<CloseReason?>(nil)
        let client = try loop.sync {
            let client = try TCPConnection.connect(to: host, port: port, timeout: .seconds(10), on: loop)
            client.onConnect = {
                loop.assertOnLoop()
                connected.value = true
                // Send in arbitrary chunk sizes.
                var generator = SplitMix64(seed: seed)
                var offset = 0
                while offset < payload.count {
                    let size = min(Int.random(in: 1...70_000, using: &generator), payload.count - offset)
                    #expect(client.write(Array(payload[offset..<offset + size])))
                    offset += size
                }
            }
            client.onRead = { bytes in
                loop.assertOnLoop()
                received.value += bytes
            }
            client.onClose = { reason in closeReason.value = reason }
            return client
        }
        let done = await waitUntil { loop.sync { received.value.count >= payload.count || closeReason.value != nil } }
        #expect(done)
        loop.sync {
            #expect(connected.value)
            #expect(closeReason.value == nil)
            #expect(received.value.count == payload.count)
            #expect(received.value == payload)
            #expect(client.localAddress?.port != nil)
            #expect(client.remoteAddress.port == port)
            #expect(serverSide.value.count == 1)
            if let server = serverSide.value.first {
                #expect(server.remoteAddress == client.localAddress)
                #expect(server.localAddress?.port == port)
            }
            client.close()
            serverSide.value.forEach { $0.close() }
            listener.close()
        }
    }

    @Test func echoSmallIPv4() async throws {
        try await echo(host: "127.0.0.1", payload: Array("hello, tern\n".utf8), seed: 1)
    }

    @Test func echoOneMegabyteIPv4InArbitraryChunks() async throws {
        try await echo(host: "127.0.0.1", payload: testBytes(1 << 20, seed: 42), seed: 7)
    }

    @Test(.enabled(if: FileManager.default.fileExists(atPath: "/proc/net/if_inet6"), "IPv6 is not available"))
    func echoIPv6() async throws {
        try await echo(host: "::1", payload: testBytes(200_000, seed: 3), seed: 9)
    }

    @Test func connectToClosedPortReportsECONNREFUSED() async throws {
        let loop = EventLoop(label: "test.refused")
        // A port nobody listens on and nobody else can take while we hold it: a socket
        // bound to an ephemeral port that never listens (connecting to it gets a RST).
        let holder = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(holder) }
        let any = try SocketAddress(parsing: "127.0.0.1", port: 0)
        #expect(any.withSockAddr { bind(holder, $0, $1) } == 0)
        let port = try #require(Syscall.address(holder, peer: false)).port
        let reason = LoopBox<CloseReason?>(nil)
        let connected = LoopBox(false)
        _ = try loop.sync {
            let connection = try TCPConnection.connect(to: "127.0.0.1", port: port, timeout: .seconds(10), on: loop)
            connection.onConnect = { connected.value = true }
            connection.onClose = { loop.assertOnLoop(); reason.value = $0 }
            return connection
        }
        #expect(await waitUntil { loop.sync { reason.value != nil } })
        loop.sync {
            #expect(!connected.value)
            guard case .error(let error) = reason.value else {
                Issue.record("expected an error, got \(String(describing: reason.value))")
                return
            }
            #expect(error.code == .connectionRefused)
            #expect(error.name == "ECONNREFUSED")
            #expect(error.operation == "connect to 127.0.0.1:\(port)")
            #expect(error.description.contains("ECONNREFUSED"))
        }
    }

    @Test func bindToUnconfiguredLocalAddressThrows() throws {
        let loop = EventLoop(label: "test.bind")
        #expect {
            try loop.sync {
                _ = try TCPConnection.connect(to: "127.0.0.1", port: 9, from: "192.0.2.77", on: loop)
            }
        } throws: { error in
            (error as? SocketError)?.code == .addressNotAvailable
        }
    }

    @Test func listenerOnUsedPortNamesEADDRINUSE() throws {
        let loop = EventLoop(label: "test.inuse")
        try loop.sync {
            let first = try TCPListener(host: "127.0.0.1", port: 0, on: loop)
            defer { first.close() }
            do {
                let second = try TCPListener(host: "127.0.0.1", port: first.localAddress.port, on: loop)
                second.close()
                Issue.record("second listener on the same port succeeded")
            } catch let error as SocketError {
                #expect(error.name == "EADDRINUSE")
                #expect(error.operation == "bind \(first.localAddress)")
            }
        }
    }
}

@Suite("TCP options")
struct TCPOptionTests {
    @Test func smallReadBudgetStillDeliversEverythingInOrder() async throws {
        // 1 KiB per event in 300-byte chunks: the read path yields and re-schedules often.
        let loop = EventLoop(label: "test.budget")
        let options = ConnectionOptions(readChunkSize: 300, maxReadPerEvent: 1024)
        let payload = testBytes(300_000, seed: 11)
        let received = LoopBox<[UInt8]>([])
        let maxChunk = LoopBox(0)
        let server = LoopBox<TCPConnection?>(nil)
        let listener = try makeListener(loop, options: options) { connection in
            server.value = connection
            connection.onRead = { bytes in
                maxChunk.value = max(maxChunk.value, bytes.count)
                received.value += bytes
            }
        }
        let port = loop.sync { listener.localAddress.port }
        let client = try loop.sync {
            let client = try TCPConnection.connect(to: "127.0.0.1", port: port, on: loop)
            client.onConnect = { _ = client.write(payload) }
            return client
        }
        #expect(await waitUntil { loop.sync { received.value.count >= payload.count } })
        loop.sync {
            #expect(received.value == payload)
            #expect(maxChunk.value <= 300)
            client.close()
            server.value?.close()
            listener.close()
        }
    }

    @Test func md5SignedSessionConnects() async throws {
        let loop = EventLoop(label: "test.md5")
        let key = Array("tern-secret".utf8)
        let peer = try SocketAddress(parsing: "127.0.0.1", port: 0)
        let accepted = LoopBox(false)
        let listener = try makeListener(loop) { connection in
            accepted.value = true
            connection.close()
        }
        do {
            try loop.sync { try listener.setMD5Key(key, for: peer) }
        } catch let error as SocketError where error.code.rawValue == ENOPROTOOPT || error.code.rawValue == ENOENT {
            loop.sync { listener.close() }
            return  // kernel without CONFIG_TCP_MD5SIG: nothing to test
        }
        let port = loop.sync { listener.localAddress.port }
        let connected = LoopBox(false)
        let client = try loop.sync {
            let client = try TCPConnection.connect(to: "127.0.0.1", port: port, md5Key: key, on: loop)
            client.onConnect = { connected.value = true }
            return client
        }
        #expect(await waitUntil { loop.sync { connected.value && accepted.value } })
        loop.sync {
            client.close()
            listener.close()
        }
    }
}
