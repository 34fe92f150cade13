import Foundation
import Testing
@testable import EventLoop

/// Regression: a client that writes a small message from `onConnect` (the buffer drains at
/// once, so the write source is suspended right away) must still receive data and EOF.
/// With both sources on one fd, libdispatch on Linux dropped the fd from epoll and reads
/// never arrived (seen as a BGP session stuck in OpenSent after the peer closed).
@Suite("Write on connect, then read")
struct SmallWriteOnConnectTests {
    @Test(arguments: [false, true])
    func clientSeesReplyOrEOFAfterWritingOnConnect(serverCloses: Bool) async throws {
        // The failure was a race inside libdispatch: repeat to make it show.
        for _ in 0..<30 { try await once(serverCloses: serverCloses) }
    }

    func once(serverCloses: Bool) async throws {
        let loop = EventLoop(label: "test.write-on-connect")
        let accepted = LoopBox<[TCPConnection]>([])
        let listener = try makeListener(loop, host: "127.0.0.1") { connection in
            accepted.value.append(connection)
            // Like a BGP speaker refusing a connection in Idle: close at once.
            if serverCloses { connection.close(); return }
            connection.onRead = { _ in _ = connection.write(Array("pong".utf8)) }
        }
        let port = loop.sync { listener.localAddress.port }
        let received = LoopBox<[UInt8]>([])
        let closed = LoopBox<CloseReason?>(nil)
        let client = try loop.sync {
            let c = try TCPConnection.connect(to: "127.0.0.1", port: port, timeout: .seconds(5), on: loop)
            c.onConnect = { _ = c.write(Array("ping".utf8)) }
            c.onRead = { received.value += $0 }
            c.onClose = { closed.value = $0 }
            return c
        }
        let done = await waitUntil {
            loop.sync { serverCloses ? closed.value != nil : received.value == Array("pong".utf8) }
        }
        #expect(done, "serverCloses=\(serverCloses): received \(loop.sync { received.value }), closed \(String(describing: loop.sync { closed.value }))")
        loop.sync {
            client.close()
            listener.close()
            for c in accepted.value { c.close() }
        }
    }
}
