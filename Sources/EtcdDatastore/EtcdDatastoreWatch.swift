import Datastore
import EtcdClient
import Foundation

/// An ``EtcdDatastore`` watch that keeps itself going: a supervising thread runs one
/// ``EtcdWatch`` stream at a time and, when it ends,
/// - compacted (its revision is gone): lists the prefix, delivers ``DatastoreWatchEvent/resync(_:)``
///   and watches on from the list's revision;
/// - dropped (etcd down, connection lost): delivers ``DatastoreWatchEvent/down(_:)`` once per
///   outage, waits (200 ms doubling to 5 s), and starts a new stream from the revision after the
///   last one delivered — which etcd answers with the writes made meanwhile, or with compacted.
///
/// Events are delivered one at a time, in revision order (from the stream's thread or the
/// supervisor's, never both at once); none after ``cancel()`` returns.
final class EtcdDatastoreWatch: DatastoreWatch, @unchecked Sendable {
    private let store: EtcdDatastore
    private let prefix: String
    private let handler: @Sendable (DatastoreWatchEvent) -> Void

    private let state = NSCondition()       // guards everything below
    private var cancelled = false
    private var finished = false
    private var next: Int64                 // the first revision not yet delivered
    private var ended: EtcdWatchEvent?      // the current stream's final event
    private var connected = false           // the current stream was established
    private var thread: Thread?
    private var streamThread: Thread?       // the thread delivering the current stream's events

    init(store: EtcdDatastore, prefix: String, afterRevision: Int64, handler: @escaping @Sendable (DatastoreWatchEvent) -> Void) {
        self.store = store
        self.prefix = prefix
        self.handler = handler
        self.next = max(0, afterRevision) + 1
        let t = Thread { [self] in run() }
        t.name = "etcd-datastore-watch"
        thread = t
        t.start()
    }

    func cancel() {
        state.lock()
        cancelled = true
        state.broadcast()
        // From the handler (on the supervisor's or a stream's thread): do not wait for ourselves.
        let onOwnThread = Thread.current === thread || Thread.current === streamThread
        while !onOwnThread && !finished { state.wait() }
        state.unlock()
    }

    private var isCancelled: Bool { state.withLock { cancelled } }

    private func deliver(_ event: DatastoreWatchEvent) {
        guard !isCancelled else { return }
        handler(event)
    }

    /// The stream's callback (on the stream's thread).
    private func onStream(_ event: EtcdWatchEvent) {
        state.withLock { streamThread = Thread.current }
        switch event {
        case .started:
            state.withLock {
                connected = true
                state.broadcast()
            }
        case .events(let batch):
            for e in batch.events {
                guard !isCancelled else { return }
                switch e.kind {
                case .put: deliver(.put(EtcdDatastore.stored(e.kv)))
                case .delete: deliver(.deleted(key: e.kv.key, revision: e.modRevision))
                }
                state.withLock { next = max(next, e.modRevision + 1) }
            }
        case .compacted, .dropped:
            state.withLock {
                ended = event
                state.broadcast()
            }
        }
    }

    private func sleep(_ seconds: Double) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        state.lock()
        defer { state.unlock() }
        while !cancelled {
            if !state.wait(until: deadline) { break }
        }
        return !cancelled
    }

    private func run() {
        var down = false
        var backoff = 0.2
        var needResync = false
        while !isCancelled {
            if needResync {
                do throws(DatastoreError) {
                    let snapshot = try store.list(prefix: prefix)
                    deliver(.resync(snapshot))
                    state.withLock { next = snapshot.revision + 1 }
                    needResync = false
                    down = false
                    backoff = 0.2
                } catch {
                    if !down { down = true; deliver(.down(error)) }
                    if !sleep(backoff) { break }
                    backoff = min(backoff * 2, 5)
                    continue
                }
            }
            let from: Int64 = state.withLock {
                ended = nil
                connected = false
                return next
            }
            let stream = store.client.watch(prefix: prefix, fromRevision: from) { [weak self] e in self?.onStream(e) }
            // Wait for the stream to end (or for cancel).
            state.lock()
            while !cancelled && ended == nil { state.wait() }
            let end = ended
            let wasConnected = connected
            state.unlock()
            stream.cancel()                 // joins the stream's thread: no more events from it
            guard let end, !isCancelled else { break }
            if wasConnected {               // the outage (if any) had ended
                down = false
                backoff = 0.2
            }
            switch end {
            case .compacted:
                needResync = true
            case .dropped(let error, _):
                if !down {
                    down = true
                    deliver(.down(EtcdDatastore.map(error)))
                }
                _ = sleep(backoff)
                backoff = min(backoff * 2, 5)
            default:
                break
            }
        }
        state.withLock {
            finished = true
            state.broadcast()
        }
    }
}
