import Foundation
import Testing
@testable import EventLoop

/// State touched only on the loop queue; tests read it through `loop.sync`.
final class LoopBox<Value>: @unchecked Sendable {
    var value: Value
    init(_ value: Value) { self.value = value }
}

/// Polls `condition` until it holds or `timeout` passes; returns whether it held.
/// Used for every wait in these tests: no fixed sleep is ever an assertion.
func waitUntil(
    timeout: Duration = .seconds(20), _ condition: @Sendable () -> Bool
) async -> Bool {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if condition() { return true }
        try? await Task.sleep(for: .milliseconds(5))
    }
    return condition()
}

/// A seeded generator so "arbitrary" chunkings are reproducible.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// `count` pseudo-random bytes.
func testBytes(_ count: Int, seed: UInt64) -> [UInt8] {
    var generator = SplitMix64(seed: seed)
    var bytes = [UInt8](repeating: 0, count: count)
    for index in bytes.indices { bytes[index] = UInt8(truncatingIfNeeded: generator.next()) }
    return bytes
}

/// A listener on `host` port 0 whose accepted connections are handed to `accepted`.
func makeListener(
    _ loop: EventLoop, host: String = "127.0.0.1", options: ConnectionOptions = .default,
    accepted: @escaping (TCPConnection) -> Void
) throws -> TCPListener {
    try loop.sync {
        let listener = try TCPListener(host: host, port: 0, connectionOptions: options, on: loop)
        listener.onAccept = { connection in
            loop.assertOnLoop()
            accepted(connection)
        }
        return listener
    }
}
