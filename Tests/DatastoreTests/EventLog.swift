import Datastore
import Foundation

/// Collects a watch's events (delivered on the watch's thread) for assertions.
final class EventLog: @unchecked Sendable {
    private let cond = NSCondition()
    private var items: [DatastoreWatchEvent] = []

    func append(_ e: DatastoreWatchEvent) {
        cond.withLock {
            items.append(e)
            cond.broadcast()
        }
    }

    var all: [DatastoreWatchEvent] { cond.withLock { items } }

    /// Waits, up to a deadline, until `predicate` holds over the events so far.
    @discardableResult
    func wait(seconds: Double = 10, until predicate: ([DatastoreWatchEvent]) -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        cond.lock()
        defer { cond.unlock() }
        while !predicate(items) {
            if !cond.wait(until: deadline) { return predicate(items) }
        }
        return true
    }
}

extension [DatastoreWatchEvent] {
    /// The puts and deletes, without down/resync.
    var changes: [DatastoreWatchEvent] {
        filter {
            switch $0 {
            case .put, .deleted: return true
            default: return false
            }
        }
    }

    var downs: Int { filter { if case .down = $0 { return true } else { return false } }.count }
}

/// UTF-8 bytes of a string, for values.
func bytes(_ s: String) -> [UInt8] { Array(s.utf8) }

/// The DatastoreError `body` throws, nil when it returns (any other error is reported as
/// `.invalid` naming it, so a comparison with the expected error fails visibly).
func thrown<T>(_ body: () throws -> T) -> DatastoreError? {
    do {
        _ = try body()
        return nil
    } catch let e as DatastoreError {
        return e
    } catch {
        return .invalid("not a DatastoreError: \(error)")
    }
}

/// Runs `body(i)` for i in 0..<n on n threads of their own, all released at once; returns when all are done.
func onThreads(_ n: Int, _ body: @escaping @Sendable (Int) -> Void) {
    let start = DispatchSemaphore(value: 0)
    let done = DispatchSemaphore(value: 0)
    for i in 0..<n {
        let t = Thread {
            start.wait()
            body(i)
            done.signal()
        }
        t.start()
    }
    for _ in 0..<n { start.signal() }
    for _ in 0..<n { done.wait() }
}

/// A value guarded by a lock, for results collected on several threads.
final class Locked<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Value
    init(_ v: Value) { value = v }
    func with<R>(_ body: (inout Value) -> R) -> R { lock.withLock { body(&value) } }
    var get: Value { lock.withLock { value } }
}
