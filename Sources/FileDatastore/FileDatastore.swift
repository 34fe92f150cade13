import Datastore
import Foundation
import Glibc

/// A ``Datastore`` in one directory: the single-host store, shared by every process on the host
/// (several daemons in network namespaces, the `tern apply` CLI) that opens the same directory.
///
/// Layout (see ``FileKeyName``, ``FileRecord`` and ``FileLogEntry`` for the formats):
///
///     <directory>/lock         flock(2) target: every operation holds LOCK_EX on it
///     <directory>/revision     the store-wide revision counter
///     <directory>/log          the change log, one `rev op key …` line per revision
///     <directory>/keys/<name>  one file per key: `tern-kv rev=N lease=L` line, then the value
///     <directory>/leases/<id>  one file per lease: TTL and wall-clock expiry
///
/// Every operation, reads included, runs under an exclusive `flock` on `lock` (and a mutex for
/// the threads of this instance: flock belongs to the open file description, so two instances
/// in one process exclude each other like two processes), which is where revisions are
/// assigned and compare-and-swap is checked: concurrent writers never lose an update. Every
/// file write is atomic (temp file in the same directory, fsync, rename, fsync of the directory);
/// the log line is appended and fsynced first, so it is the commit record and a crash half-way
/// is finished by the next operation.
///
/// The log is trimmed to its last `logLimit` entries once it has grown a quarter past that
/// (so trimming is not a rewrite per write); a watch from a revision older than the log's first
/// entry gets a ``DatastoreWatchEvent/resync(_:)``.
///
/// Leases expire by wall clock; whichever process notices first — at the start of every
/// operation, and in every running watch's poll (4 times a second) — deletes the lease's keys,
/// with log entries, so every watch sees them deleted.
public final class FileDatastore: Datastore, @unchecked Sendable {
    /// "file".
    public let kind = "file"
    /// The store's directory, as given (without a trailing `/`).
    public let directory: String
    /// How many log entries are kept for watches to replay (at least 1).
    public let logLimit: Int

    let keysDir: String
    let leasesDir: String
    let logPath: String
    private let lockPath: String
    private let lockFD: Int32
    private let mutex = NSLock()

    /// Opens (creating it when missing) the store in `directory`.
    /// - Throws: ``DatastoreError/unavailable(_:)`` naming the path and the errno text when the
    ///   directory cannot be created or written; ``DatastoreError/invalid(_:)`` for `logLimit` < 1.
    public init(directory: String, logLimit: Int = 10_000) throws(DatastoreError) {
        guard logLimit >= 1 else { throw .invalid("logLimit must be at least 1, not \(logLimit)") }
        var dir = directory
        while dir.count > 1 && dir.hasSuffix("/") { dir.removeLast() }
        guard !dir.isEmpty else { throw .invalid("empty file datastore directory") }
        self.directory = dir
        self.logLimit = logLimit
        keysDir = dir + "/keys"
        leasesDir = dir + "/leases"
        logPath = dir + "/log"
        lockPath = dir + "/lock"
        try FileIO.makeDirectories(dir)
        if access(dir, W_OK) != 0 {
            throw .unavailable("the file datastore directory \(dir) is not writable: \(FileIO.errnoText(errno))")
        }
        try FileIO.makeDirectories(keysDir)
        try FileIO.makeDirectories(leasesDir)
        let fd = Glibc.open(lockPath, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            throw .unavailable("cannot open the file datastore in \(dir): open \(lockPath): \(FileIO.errnoText(errno))")
        }
        lockFD = fd
    }

    deinit { close(lockFD) }

    // MARK: Datastore

    public func get(_ key: String) throws(DatastoreError) -> StoredValue? {
        let name = try FileKeyName.checked(key)
        return try withLock { _ throws(DatastoreError) in try readKey(name: name, key: key) }
    }

    public func list(prefix: String) throws(DatastoreError) -> DatastoreSnapshot {
        try withLock { rev throws(DatastoreError) in
            var values: [StoredValue] = []
            for name in try FileIO.names(in: keysDir) {
                guard let key = FileKeyName.decode(name), key.utf8.starts(with: prefix.utf8),
                      let v = try readKey(name: name, key: key) else { continue }
                values.append(v)
            }
            values.sort { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }
            return DatastoreSnapshot(values: values, revision: rev)
        }
    }

    @discardableResult
    public func create(_ key: String, _ value: [UInt8], lease: Int64?) throws(DatastoreError) -> StoredValue {
        let name = try FileKeyName.checked(key)
        return try withLock { rev throws(DatastoreError) in
            if let current = try readKey(name: name, key: key) { throw .alreadyExists(key: key, current: current) }
            return try write(key, value, lease: lease, revision: &rev)
        }
    }

    @discardableResult
    public func update(_ key: String, _ value: [UInt8], ifRevision: Int64, lease: Int64?) throws(DatastoreError) -> StoredValue {
        let name = try FileKeyName.checked(key)
        return try withLock { rev throws(DatastoreError) in
            let current = try readKey(name: name, key: key)
            guard let current, current.revision == ifRevision else { throw .conflict(key: key, current: current) }
            return try write(key, value, lease: lease, revision: &rev)
        }
    }

    @discardableResult
    public func put(_ key: String, _ value: [UInt8], lease: Int64?) throws(DatastoreError) -> StoredValue {
        _ = try FileKeyName.checked(key)
        return try withLock { rev throws(DatastoreError) in try write(key, value, lease: lease, revision: &rev) }
    }

    /// With `ifRevision`, an absent key is a ``DatastoreError/conflict(key:current:)`` with `current`
    /// nil (as in etcd, where the compare fails); without, it returns false.
    @discardableResult
    public func delete(_ key: String, ifRevision: Int64?) throws(DatastoreError) -> Bool {
        let name = try FileKeyName.checked(key)
        return try withLock { rev throws(DatastoreError) in
            let current = try readKey(name: name, key: key)
            if let ifRevision, current?.revision != ifRevision { throw .conflict(key: key, current: current) }
            guard current != nil else { return false }
            rev += 1
            try commit(FileLogEntry(revision: rev, key: key, op: .delete))
            return true
        }
    }

    public func grantLease(ttl: Int) throws(DatastoreError) -> Int64 {
        guard ttl > 0 else { throw .invalid("lease TTL must be positive, not \(ttl)") }
        return try withLock { _ throws(DatastoreError) in
            var id: Int64
            repeat { id = Int64.random(in: 1...(Int64.max >> 1)) } while access("\(leasesDir)/\(id)", F_OK) == 0
            let lease = FileRecord.Lease(ttl: Int64(ttl), expiresMillis: FileRecord.nowMillis() + Int64(ttl) * 1000)
            try FileIO.writeAtomically(FileRecord.leaseFile(lease), dir: leasesDir, name: String(id))
            return id
        }
    }

    public func keepAlive(_ lease: Int64) throws(DatastoreError) {
        try withLock { _ throws(DatastoreError) in
            guard var l = try readLease(lease) else { throw .leaseNotFound(lease) }
            l.expiresMillis = FileRecord.nowMillis() + l.ttl * 1000
            try FileIO.writeAtomically(FileRecord.leaseFile(l), dir: leasesDir, name: String(lease))
        }
    }

    public func revoke(_ lease: Int64) throws(DatastoreError) {
        try withLock { rev throws(DatastoreError) in
            guard try readLease(lease) != nil else { return }
            try deleteKeys(ofLease: lease, revision: &rev)
        }
    }

    public func watch(prefix: String, afterRevision: Int64,
                      handler: @escaping @Sendable (DatastoreWatchEvent) -> Void) -> DatastoreWatch {
        FileDatastoreWatch(store: self, prefix: prefix, afterRevision: afterRevision, handler: handler)
    }

    // MARK: Under the lock

    /// Runs `body` holding the mutex and the exclusive flock, after finishing any half-done
    /// write and deleting the keys of expired leases; `body` gets the current revision to
    /// advance as it commits.
    func withLock<T>(_ body: (inout Int64) throws(DatastoreError) -> T) throws(DatastoreError) -> T {
        mutex.lock()
        defer { mutex.unlock() }
        while flock(lockFD, LOCK_EX) != 0 {
            if errno != EINTR { throw FileIO.failure("flock", lockPath) }
        }
        defer { flock(lockFD, LOCK_UN) }
        // The lock fd outlives a directory that was removed or moved away: without this check a
        // read would find "no such key" instead of failing.
        var st = stat()
        if stat(keysDir, &st) != 0 { throw FileIO.failure("stat", keysDir) }
        var rev = try recoverRevision()
        try sweepExpiredLeases(now: FileRecord.nowMillis(), revision: &rev)
        return try body(&rev)
    }

    /// True when some lease file says it has expired (read without the lock: a watch's cheap check).
    func hasExpiredLease() throws(DatastoreError) -> Bool {
        let now = FileRecord.nowMillis()
        for name in try FileIO.names(in: leasesDir) {
            guard let id = Int64(name), let l = try readLease(id) else { continue }
            if l.expiresMillis <= now { return true }
        }
        return false
    }

    private func write(_ key: String, _ value: [UInt8], lease: Int64?, revision rev: inout Int64) throws(DatastoreError) -> StoredValue {
        if let lease, try readLease(lease) == nil { throw .leaseNotFound(lease) }
        rev += 1
        try commit(FileLogEntry(revision: rev, key: key, op: .put(value: value, lease: lease)))
        return StoredValue(key: key, value: value, revision: rev, lease: lease)
    }

    /// Log line first (the commit point), then the key file, then the counter; then trimming.
    private func commit(_ entry: FileLogEntry) throws(DatastoreError) {
        try appendLog(entry.line)
        try apply(entry)
        try FileIO.writeAtomically(Array("\(entry.revision)\n".utf8), dir: directory, name: "revision")
        try trimLog(lastRevision: entry.revision)
    }

    private func apply(_ entry: FileLogEntry) throws(DatastoreError) {
        let name = FileKeyName.encode(entry.key)
        switch entry.op {
        case .put(let value, let lease):
            let v = StoredValue(key: entry.key, value: value, revision: entry.revision, lease: lease)
            try FileIO.writeAtomically(FileRecord.keyFile(v), dir: keysDir, name: name)
        case .delete:
            try FileIO.remove(dir: keysDir, name: name)
        }
    }

    private func appendLog(_ line: [UInt8]) throws(DatastoreError) {
        var fd = Glibc.open(logPath, O_WRONLY | O_APPEND | O_CLOEXEC)
        if fd < 0 && errno == ENOENT {
            fd = try FileIO.open(logPath, O_WRONLY | O_APPEND | O_CREAT)
            try FileIO.syncDirectory(directory)
        } else if fd < 0 {
            throw FileIO.failure("open", logPath)
        }
        defer { close(fd) }
        try FileIO.writeAll(fd, line, path: logPath)
        try FileIO.fsync(fd, path: logPath)
    }

    /// Keeps the last `logLimit` entries once there are a quarter more than that.
    private func trimLog(lastRevision: Int64) throws(DatastoreError) {
        let fd = try FileIO.open(logPath, O_RDONLY)
        defer { close(fd) }
        let head = try FileIO.pread(fd, offset: 0, count: 24, path: logPath)
        guard let first = FileLogEntry.revision(of: head[...]) else { return }
        let slack = Int64(max(1, logLimit / 4))
        guard lastRevision - first + 1 > Int64(logLimit) + slack else { return }
        let all = try FileIO.readAll(fd, path: logPath)
        let keepFrom = lastRevision - Int64(logLimit) + 1
        var kept: [UInt8] = []
        for line in FileLogEntry.lines(all).lines {
            guard let r = FileLogEntry.revision(of: line), r >= keepFrom else { continue }
            kept += line
            kept.append(UInt8(ascii: "\n"))
        }
        try FileIO.writeAtomically(kept, dir: directory, name: "log")
    }

    /// The current revision: the counter, or — when a writer died after appending its log line —
    /// the log's last revision, after replaying the missing lines onto the key files. A torn
    /// last line (no newline) is cut off.
    private func recoverRevision() throws(DatastoreError) -> Int64 {
        let counterBytes = try FileIO.read("\(directory)/revision") ?? []
        let counter = Int64(String(decoding: counterBytes, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
        let fd = Glibc.open(logPath, O_RDWR | O_CLOEXEC)
        if fd < 0 {
            if errno == ENOENT { return counter }
            throw FileIO.failure("open", logPath)
        }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw FileIO.failure("fstat", logPath) }
        var size = Int(st.st_size)
        var newlines: [Int] = []       // the last newline and the one before it
        while true {
            guard size > 0 else { return counter }
            newlines = []
            var end = size
            while end > 0 && newlines.count < 2 {
                let start = max(0, end - 4096)
                let chunk = try FileIO.pread(fd, offset: start, count: end - start, path: logPath)
                for i in chunk.indices.reversed() where chunk[i] == UInt8(ascii: "\n") {
                    newlines.append(start + i)
                    if newlines.count == 2 { break }
                }
                end = start
            }
            if newlines.first == size - 1 { break }
            // A torn last line (its writer died mid-write): cut it off and look again.
            size = (newlines.first ?? -1) + 1
            guard ftruncate(fd, off_t(size)) == 0 else { throw FileIO.failure("ftruncate", logPath) }
        }
        let lineStart = newlines.count >= 2 ? newlines[1] + 1 : 0
        let head = try FileIO.pread(fd, offset: lineStart, count: 24, path: logPath)
        guard let last = FileLogEntry.revision(of: head[...]) else { return counter }
        guard last > counter else { return counter }
        let all = try FileIO.pread(fd, offset: 0, count: size, path: logPath)
        for line in FileLogEntry.lines(all).lines {
            guard let r = FileLogEntry.revision(of: line), r > counter, let entry = FileLogEntry(line: line) else { continue }
            try apply(entry)
        }
        try FileIO.writeAtomically(Array("\(last)\n".utf8), dir: directory, name: "revision")
        return last
    }

    private func sweepExpiredLeases(now: Int64, revision rev: inout Int64) throws(DatastoreError) {
        for name in try FileIO.names(in: leasesDir) {
            guard let id = Int64(name), let l = try readLease(id), l.expiresMillis <= now else { continue }
            try deleteKeys(ofLease: id, revision: &rev)
        }
    }

    /// Deletes every key attached to `lease` (one revision and log entry each), then the lease.
    private func deleteKeys(ofLease lease: Int64, revision rev: inout Int64) throws(DatastoreError) {
        var keys: [String] = []
        for name in try FileIO.names(in: keysDir) {
            guard let key = FileKeyName.decode(name), let v = try readKey(name: name, key: key), v.lease == lease else { continue }
            keys.append(key)
        }
        keys.sort { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        for key in keys {
            rev += 1
            try commit(FileLogEntry(revision: rev, key: key, op: .delete))
        }
        try FileIO.remove(dir: leasesDir, name: String(lease))
    }

    private func readKey(name: String, key: String) throws(DatastoreError) -> StoredValue? {
        let path = "\(keysDir)/\(name)"
        guard let bytes = try FileIO.read(path) else { return nil }
        guard let v = FileRecord.parseKeyFile(bytes, key: key) else {
            throw .unavailable("\(path) is not a key file (no `tern-kv rev=N lease=L` header line)")
        }
        return v
    }

    private func readLease(_ id: Int64) throws(DatastoreError) -> FileRecord.Lease? {
        guard let bytes = try FileIO.read("\(leasesDir)/\(id)") else { return nil }
        return FileRecord.parseLease(bytes)
    }
}
