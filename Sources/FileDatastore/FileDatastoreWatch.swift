import Datastore
import Foundation
import Glibc

/// A ``FileDatastore`` watch: a thread that stats the log every 50 ms (a stat is all an idle
/// watch costs) — and at once when inotify(7) reports a write to the store's directory, so a
/// change reaches the watcher in well under a millisecond —, reads what was appended, and calls the handler with the entries after its
/// revision under its prefix, in order. It follows the log across trims (a new inode): when
/// the entries it needs are gone it delivers a ``DatastoreWatchEvent/resync(_:)`` of the prefix.
/// Four times a second it also checks the lease files and, when one has expired, has the store
/// delete its keys (under the lock), so expired keys show up as deletes within ~0.3 s.
///
/// When the directory cannot be read it delivers ``DatastoreWatchEvent/down(_:)`` once, retries
/// with back-off (100 ms doubling to 2 s), and resumes where it was (or resyncs) once it can.
final class FileDatastoreWatch: DatastoreWatch, @unchecked Sendable {
    private let store: FileDatastore
    private let prefix: String
    private let handler: @Sendable (DatastoreWatchEvent) -> Void

    private let state = NSCondition()   // guards cancelled, finished
    private var cancelled = false
    private var finished = false
    private var thread: Thread?

    // The watch thread's own state.
    private var next: Int64
    private var fd: Int32 = -1
    private var inode: ino_t = 0
    private var offset = 0
    private var pending: [UInt8] = []
    /// inotify on the directory (IN_MODIFY, IN_MOVED_TO, IN_CREATE: appends and the trim's
    /// rename); -1 when inotify is not available (then the 50 ms stat alone).
    private var notify: Int32 = -1

    init(store: FileDatastore, prefix: String, afterRevision: Int64, handler: @escaping @Sendable (DatastoreWatchEvent) -> Void) {
        self.store = store
        self.prefix = prefix
        self.handler = handler
        self.next = max(0, afterRevision) + 1
        let t = Thread { [self] in run() }
        t.name = "file-datastore-watch"
        thread = t
        t.start()
    }

    func cancel() {
        state.lock()
        cancelled = true
        state.broadcast()
        let onOwnThread = Thread.current === thread
        while !onOwnThread && !finished { state.wait() }
        state.unlock()
    }

    private var isCancelled: Bool { state.withLock { cancelled } }

    private func deliver(_ event: DatastoreWatchEvent) {
        guard !isCancelled else { return }
        handler(event)
    }

    /// Sleeps `seconds` or until canceled; false when canceled.
    private func sleep(_ seconds: Double) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        state.lock()
        defer { state.unlock() }
        while !cancelled {
            if !state.wait(until: deadline) { break }
        }
        return !cancelled
    }

    /// Waits up to `seconds` for an inotify event (or just sleeps without inotify); false when canceled.
    private func waitForChange(_ seconds: Double) -> Bool {
        if notify < 0 {
            notify = inotify_init1(Int32(IN_CLOEXEC | IN_NONBLOCK))
            if notify >= 0, inotify_add_watch(notify, store.directory, UInt32(IN_MODIFY | IN_MOVED_TO | IN_CREATE)) < 0 {
                close(notify)
                notify = -2   // not available: never retried
            }
        }
        guard notify >= 0 else { return sleep(seconds) }
        var p = pollfd(fd: notify, events: Int16(POLLIN), revents: 0)
        _ = Glibc.poll(&p, 1, Int32(seconds * 1000))
        var buffer = [UInt8](repeating: 0, count: 4096)
        while read(notify, &buffer, buffer.count) > 0 {}   // drain: one poll of the log covers them all
        return !isCancelled
    }

    private func run() {
        var down = false
        var backoff = 0.1
        var polls = 0
        while !isCancelled {
            do throws(DatastoreError) {
                if polls % 5 == 0, try store.hasExpiredLease() {
                    try store.withLock { _ throws(DatastoreError) in }   // the lock sweeps them
                }
                polls += 1
                try poll()
                down = false
                backoff = 0.1
                if !waitForChange(0.05) { break }
            } catch {
                if !down {
                    down = true
                    deliver(.down(error))
                }
                closeLog()
                if !sleep(backoff) { break }
                backoff = min(backoff * 2, 2)
            }
        }
        closeLog()
        if notify >= 0 { close(notify) }
        state.withLock {
            finished = true
            state.broadcast()
        }
    }

    private func closeLog() {
        if fd >= 0 { close(fd) }
        fd = -1
        inode = 0
        offset = 0
        pending = []
    }

    /// Reads what is new in the log and delivers it.
    private func poll() throws(DatastoreError) {
        var st = stat()
        if stat(store.logPath, &st) != 0 {
            let code = errno
            var dst = stat()
            if code == ENOENT, stat(store.keysDir, &dst) == 0 { return }   // nothing written yet
            throw FileIO.failure("stat", code == ENOENT ? store.directory : store.logPath, code)
        }
        if st.st_ino != inode || fd < 0 {
            closeLog()
            fd = try FileIO.open(store.logPath, O_RDONLY)
            inode = st.st_ino
        }
        var now = stat()
        guard fstat(fd, &now) == 0 else { throw FileIO.failure("fstat", store.logPath) }
        let size = Int(now.st_size)
        if size < offset {              // a torn line was cut off
            offset = size
            pending = []
        }
        guard size > offset else { return }
        pending += try FileIO.pread(fd, offset: offset, count: size - offset, path: store.logPath)
        offset = size
        let (lines, consumed) = FileLogEntry.lines(pending)
        pending.removeFirst(consumed)
        for line in lines {
            guard !isCancelled else { return }
            guard let entry = FileLogEntry(line: line) else { continue }
            if entry.revision < next { continue }
            if entry.revision > next {
                // The entries from `next` on were trimmed away: start over from a snapshot.
                let snapshot = try store.list(prefix: prefix)
                deliver(.resync(snapshot))
                next = max(next, snapshot.revision + 1)
                // The snapshot was read after this line was written: it covers it.
                if entry.revision < next { continue }
            }
            next = entry.revision + 1
            guard entry.key.utf8.starts(with: prefix.utf8) else { continue }
            switch entry.op {
            case .put(let value, let lease):
                deliver(.put(StoredValue(key: entry.key, value: value, revision: entry.revision, lease: lease)))
            case .delete:
                deliver(.deleted(key: entry.key, revision: entry.revision))
            }
        }
    }
}
