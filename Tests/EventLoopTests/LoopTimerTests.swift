import Foundation
import Testing
@testable import EventLoop

@Suite("Loop timers")
struct LoopTimerTests {
    @Test func rearmMovesDeadlineEarlier() async {
        let loop = EventLoop(label: "test.timer.earlier")
        let fired = LoopBox<[UInt64]>([])
        let deadline = LoopBox<UInt64>(0)
        let timer = loop.sync {
            let timer = LoopTimer(on: loop) { loop.assertOnLoop(); fired.value.append(loop.now) }
            timer.arm(after: .seconds(3600))
            deadline.value = loop.now + 20_000_000
            timer.arm(at: deadline.value)  // moved from an hour to 20 ms
            return timer
        }
        #expect(await waitUntil { loop.sync { !fired.value.isEmpty } })
        loop.sync {
            #expect(fired.value.count == 1)
            #expect(fired.value[0] >= deadline.value)
            #expect(!timer.isArmed)
        }
    }

    @Test func rearmMovesDeadlineLater() async {
        let loop = EventLoop(label: "test.timer.later")
        let fired = LoopBox<[UInt64]>([])
        let deadline = LoopBox<UInt64>(0)
        let timer = loop.sync {
            let timer = LoopTimer(on: loop) { loop.assertOnLoop(); fired.value.append(loop.now) }
            timer.arm(after: .milliseconds(5))
            deadline.value = loop.now + 80_000_000
            timer.arm(at: deadline.value)
            return timer
        }
        #expect(await waitUntil { loop.sync { !fired.value.isEmpty } })
        loop.sync {
            #expect(fired.value.count == 1)
            // Never before the re-armed deadline (monotonic comparison, not a duration check).
            #expect(fired.value[0] >= deadline.value)
            _ = timer
        }
    }

    @Test func cancelPreventsFiringAndTimerCanBeRearmed() async {
        let loop = EventLoop(label: "test.timer.cancel")
        let cancelledFired = LoopBox(0)
        let sentinelFired = LoopBox(false)
        let (cancelled, sentinel) = loop.sync {
            let cancelled = LoopTimer(on: loop) { cancelledFired.value += 1 }
            let sentinel = LoopTimer(on: loop) { loop.assertOnLoop(); sentinelFired.value = true }
            cancelled.arm(after: .milliseconds(10))
            cancelled.cancel()
            sentinel.arm(after: .milliseconds(100))
            return (cancelled, sentinel)
        }
        #expect(await waitUntil { loop.sync { sentinelFired.value } })
        loop.sync {
            #expect(cancelledFired.value == 0)
            #expect(!cancelled.isArmed)
            cancelled.arm(after: .zero)
        }
        #expect(await waitUntil { loop.sync { cancelledFired.value == 1 } })
        loop.sync {
            cancelled.invalidate()
            cancelled.arm(after: .zero)  // ignored after invalidate
            sentinelFired.value = false
            sentinel.arm(after: .milliseconds(50))
        }
        #expect(await waitUntil { loop.sync { sentinelFired.value } })
        #expect(loop.sync { cancelledFired.value } == 1)
    }

    @Test func pastDeadlineFiresOnALaterTurn() async {
        let loop = EventLoop(label: "test.timer.past")
        let fired = LoopBox(false)
        let timer = loop.sync {
            let timer = LoopTimer(on: loop) { loop.assertOnLoop(); fired.value = true }
            timer.arm(at: 1)
            #expect(!fired.value)  // not synchronously
            return timer
        }
        #expect(await waitUntil { loop.sync { fired.value } })
        _ = timer
    }

    @Test func releasingTheTimerCancelsIt() async {
        let loop = EventLoop(label: "test.timer.release")
        let fired = LoopBox(0)
        let sentinelFired = LoopBox(false)
        let sentinel = loop.sync {
            var timer: LoopTimer? = LoopTimer(on: loop) { fired.value += 1 }
            timer?.arm(after: .milliseconds(10))
            timer = nil
            let sentinel = LoopTimer(on: loop) { sentinelFired.value = true }
            sentinel.arm(after: .milliseconds(80))
            return sentinel
        }
        #expect(await waitUntil { loop.sync { sentinelFired.value } })
        #expect(loop.sync { fired.value } == 0)
        _ = sentinel
    }

    @Test func nowIsMonotonicAndExecuteRunsOnTheLoop() async {
        let loop = EventLoop(label: "test.now")
        let a = loop.now
        let b = loop.now
        #expect(b >= a)
        let ran = LoopBox(false)
        loop.execute { loop.assertOnLoop(); ran.value = true }
        #expect(await waitUntil { loop.sync { ran.value } })
    }
}
