import Foundation
import Testing
@testable import EventLoop
#if canImport(Glibc)
import Glibc
#endif

@Suite("Signals")
struct SignalSourceTests {
    @Test func sighupArrivesOnTheLoop() async throws {
        let loop = EventLoop(label: "test.signal")
        let received = LoopBox<[Int32]>([])
        let signals = try SignalSource(signals: [SIGHUP], on: loop) { number in
            loop.assertOnLoop()
            received.value.append(number)
        }
        kill(getpid(), SIGHUP)
        #expect(await waitUntil { loop.sync { received.value.contains(SIGHUP) } })
        loop.sync { signals.cancel(); signals.cancel() }
        // After cancel the signal is ignored, not fatal.
        kill(getpid(), SIGHUP)
        let tick = LoopBox(false)
        let timer = loop.sync {
            let timer = LoopTimer(on: loop) { tick.value = true }
            timer.arm(after: .milliseconds(50))
            return timer
        }
        #expect(await waitUntil { loop.sync { tick.value } })
        #expect(loop.sync { received.value.count } == 1)
        _ = timer
    }
}
