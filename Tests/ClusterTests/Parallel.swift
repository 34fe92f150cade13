import Foundation

/// Runs work on really concurrent threads: `DispatchQueue.concurrentPerform` runs only as
/// many iterations at once as there are cores (two on the test host), so 50 "parallel"
/// ADDs would be two at a time. Here each iteration has a thread of its own, all released
/// at once from a barrier, and ``maxInFlight`` reports how many were inside `body` together.
final class Parallel: @unchecked Sendable {
    private let lock = NSLock()
    private var inFlight = 0
    /// The most iterations that were inside `body` at one moment.
    private(set) var maxInFlight = 0

    /// Runs `body(0..<count)` on `count` threads and waits for all of them.
    func run(_ count: Int, _ body: @escaping @Sendable (Int) -> Void) {
        let start = DispatchSemaphore(value: 0)
        let group = DispatchGroup()
        for i in 0..<count {
            group.enter()
            let t = Thread {
                start.wait()
                self.enter()
                body(i)
                self.leave()
                group.leave()
            }
            t.stackSize = 1 << 20
            t.start()
        }
        for _ in 0..<count { start.signal() }
        group.wait()
    }

    /// Marks one more worker inside its critical work (called by the workers themselves too).
    func enter() { lock.withLock { inFlight += 1; maxInFlight = max(maxInFlight, inFlight) } }
    func leave() { lock.withLock { inFlight -= 1 } }
}
