import EtcdClient
import Foundation

/// Collects a watch's events for assertions (the watch calls from its own thread).
final class WatchLog: @unchecked Sendable {
    private let cond = NSCondition()
    private var items: [EtcdWatchEvent] = []

    func append(_ e: EtcdWatchEvent) {
        cond.withLock {
            items.append(e)
            cond.broadcast()
        }
    }

    var all: [EtcdWatchEvent] { cond.withLock { items } }

    /// Every delivered change, flattened from the batches.
    var changes: [EtcdEvent] { watchChanges(all) }

    /// Waits (deadline, not a fixed sleep) until `predicate` holds over all events so far; the
    /// predicate runs under the log's lock, so it must use its argument, not the log.
    @discardableResult
    func wait(seconds: Double = 10, until predicate: ([EtcdWatchEvent]) -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        cond.lock()
        defer { cond.unlock() }
        while !predicate(items) {
            if !cond.wait(until: deadline) { return predicate(items) }
        }
        return true
    }
}

/// Polls `condition` every 50 ms until it holds or `seconds` pass.
func eventually(seconds: Double = 10, _ condition: () throws -> Bool) rethrows -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
        if try condition() { return true }
        usleep(50_000)
    }
    return try condition()
}

/// The changes in a list of watch events, flattened from the batches.
func watchChanges(_ events: [EtcdWatchEvent]) -> [EtcdEvent] {
    events.flatMap { e -> [EtcdEvent] in
        if case .events(let b) = e { return b.events }
        return []
    }
}
