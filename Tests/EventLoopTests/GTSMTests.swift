import Foundation
import Testing
@testable import EventLoop

/// RFC 5082 socket support on loopback: the TTL of an accepted connection's SYN (saved by
/// the listener), and a minimum TTL that drops what arrives below it.
@Suite("GTSM socket options")
struct GTSMTests {
    @Test func savedSYNCarriesTheSendersTTL() async throws {
        let loop = EventLoop(label: "test.gtsm.syn")
        let seen = LoopBox<[UInt8?]>([])
        let listener = try makeListener(loop) { connection in
            seen.value.append(connection.takeSavedSYNTTL())
            seen.value.append(connection.takeSavedSYNTTL())   // read once: the kernel frees it
        }
        try loop.sync { try listener.saveSYNs() }
        let port = loop.sync { listener.localAddress.port }
        let client = try loop.sync {
            try TCPConnection.connect(to: SocketAddress(parsing: "127.0.0.1", port: port), ttl: 77, on: loop)
        }
        #expect(await waitUntil { loop.sync { seen.value.count == 2 } })
        loop.sync {
            #expect(seen.value == [77, nil])
            client.close()
            listener.close()
        }
    }

    @Test func minimumTTLAboveTheSendersDropsTheHandshake() async throws {
        let loop = EventLoop(label: "test.gtsm.min")
        let accepted = LoopBox(0)
        let listener = try makeListener(loop) { _ in accepted.value += 1 }
        let port = loop.sync { listener.localAddress.port }
        // The listener answers with the default TTL (64): below 255 the SYN-ACK is dropped.
        let closed = LoopBox<CloseReason?>(nil), connected = LoopBox(false)
        let dropped = try loop.sync {
            let c = try TCPConnection.connect(to: SocketAddress(parsing: "127.0.0.1", port: port), timeout: .milliseconds(700),
                                              minimumTTL: 255, on: loop)
            c.onConnect = { connected.value = true }
            c.onClose = { closed.value = $0 }
            return c
        }
        #expect(await waitUntil(timeout: .seconds(10)) { loop.sync { closed.value != nil } })
        loop.sync { #expect(!connected.value) }
        // With a minimum the listener's packets meet (64), the same connect works.
        let ok = try loop.sync {
            let c = try TCPConnection.connect(to: SocketAddress(parsing: "127.0.0.1", port: port), minimumTTL: 64, on: loop)
            c.onConnect = { connected.value = true }
            return c
        }
        #expect(await waitUntil { loop.sync { connected.value } })
        loop.sync {
            dropped.close()
            ok.close()
            listener.close()
        }
    }
}
