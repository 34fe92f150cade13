import Foundation
import Testing
@testable import EventLoop
#if canImport(Glibc)
import Glibc
#endif

@Suite("Closing")
struct CloseTests {
    @Test func closeIsIdempotentAndNoCallbackRunsAfterIt() async throws {
        let loop = EventLoop(label: "test.close")
        let server = LoopBox<TCPConnection?>(nil)
        let serverClosed = LoopBox<CloseReason?>(nil)
        let listener = try makeListener(loop) { connection in
            server.value = connection
            connection.onClose = { serverClosed.value = $0 }
            // Keep sending so the client has reads pending when it closes.
            _ = connection.write(testBytes(512 * 1024, seed: 5))
        }
        let port = loop.sync { listener.localAddress.port }
        let readsAfterClose = LoopBox(0)
        let closedLocally = LoopBox(false)
        let clientCallbacksAfterClose = LoopBox(0)
        let client = try loop.sync {
            let client = try TCPConnection.connect(to: "127.0.0.1", port: port, on: loop)
            client.onRead = { _ in
                loop.assertOnLoop()
                if closedLocally.value { readsAfterClose.value += 1 }
                // Close from inside the first read callback, twice, with output pending.
                _ = client.write(testBytes(1000, seed: 1))
                client.close()
                client.close()
                closedLocally.value = true
            }
            client.onClose = { _ in clientCallbacksAfterClose.value += 1 }
            client.onWritable = { clientCallbacksAfterClose.value += 1 }
            return client
        }
        #expect(await waitUntil { loop.sync { closedLocally.value } })
        // The server seeing the close is the sentinel that the client's teardown happened.
        #expect(await waitUntil { loop.sync { serverClosed.value != nil } })
        loop.sync {
            #expect(readsAfterClose.value == 0)
            #expect(clientCallbacksAfterClose.value == 0)
            #expect(client.isClosed)
            #expect(!client.write([1, 2, 3]))
            client.close()
            server.value?.close()
            server.value?.close()
            listener.close()
            listener.close()
            #expect(listener.isClosed)
        }
    }

    @Test func closeWhileConnectingOrPausedOrWritingDoesNotCrash() async throws {
        let loop = EventLoop(label: "test.close.states")
        let accepted = LoopBox<[TCPConnection]>([])
        let listener = try makeListener(loop) { connection in
            accepted.value.append(connection)
            connection.pauseReading()  // suspended read source at close time
        }
        let port = loop.sync { listener.localAddress.port }
        let events = LoopBox(0)
        // Closed in the same turn as connect: inactive sources at close time.
        loop.sync {
            let early = try? TCPConnection.connect(to: "127.0.0.1", port: port, on: loop)
            early?.onConnect = { events.value += 1 }
            early?.onClose = { _ in events.value += 1 }
            early?.close()
        }
        // Closed with a suspended write source and pending output.
        let connected = LoopBox(false)
        let busy = try loop.sync {
            let busy = try TCPConnection.connect(to: "127.0.0.1", port: port, on: loop)
            busy.onConnect = { connected.value = true }
            return busy
        }
        #expect(await waitUntil { loop.sync { connected.value && accepted.value.count == 2 } })
        loop.sync {
            busy.pauseReading()
            for _ in 0..<200 where busy.write(testBytes(64 * 1024, seed: 2)) {}
            #expect(busy.bufferedBytes > 0)
            busy.close()
            accepted.value.forEach { $0.close() }
        }
        // Sentinel: a later timer proves the loop kept running and nothing fired.
        let tick = LoopBox(false)
        let timer = loop.sync {
            let timer = LoopTimer(on: loop) { tick.value = true }
            timer.arm(after: .milliseconds(50))
            return timer
        }
        #expect(await waitUntil { loop.sync { tick.value } })
        loop.sync {
            #expect(events.value == 0)
            listener.close()
            _ = timer
        }
    }

    @Test func connectTimeoutIsReportedAsETIMEDOUT() async throws {
        // A listener whose accept queue is full drops further SYNs, so connect hangs.
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        let any = try SocketAddress(parsing: "127.0.0.1", port: 0)
        #expect(any.withSockAddr { bind(fd, $0, $1) } == 0)
        #expect(listen(fd, 0) == 0)
        let port = try #require(Syscall.address(fd, peer: false)).port

        let loop = EventLoop(label: "test.connect.timeout")
        let reasons = LoopBox<[CloseReason]>([])
        let connections = try loop.sync {
            try (0..<4).map { _ in
                let connection = try TCPConnection.connect(to: "127.0.0.1", port: port,
                                                           timeout: .milliseconds(300), on: loop)
                connection.onClose = { reasons.value.append($0) }
                return connection
            }
        }
        let sawTimeout = await waitUntil {
            loop.sync { reasons.value.contains { if case .error(let e) = $0 { e.code == .timedOut } else { false } } }
        }
        #expect(sawTimeout)
        loop.sync {
            for reason in reasons.value {
                if case .error(let error) = reason, error.code == .timedOut {
                    #expect(error.name == "ETIMEDOUT")
                    #expect(error.operation == "connect to 127.0.0.1:\(port)")
                }
            }
            connections.forEach { $0.close() }
        }
    }
}
