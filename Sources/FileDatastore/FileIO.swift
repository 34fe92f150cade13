#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Datastore

/// The POSIX calls the file store is made of, each failing with a ``DatastoreError/unavailable(_:)``
/// that names the path and the errno text (`open /var/lib/tern/store/log: Permission denied`).
enum FileIO {
    /// strerror of `code`.
    static func errnoText(_ code: Int32) -> String { String(cString: strerror(code)) }

    static func failure(_ what: String, _ path: String, _ code: Int32 = errno) -> DatastoreError {
        .unavailable("\(what) \(path): \(errnoText(code))")
    }

    /// open(2), retried on EINTR.
    static func open(_ path: String, _ flags: Int32, _ mode: mode_t = 0o644) throws(DatastoreError) -> Int32 {
        while true {
            let fd = Glibc.open(path, flags | O_CLOEXEC, mode)
            if fd >= 0 { return fd }
            if errno != EINTR { throw failure("open", path) }
        }
    }

    /// The whole file, nil when it does not exist.
    static func read(_ path: String) throws(DatastoreError) -> [UInt8]? {
        let fd = Glibc.open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 {
            if errno == ENOENT { return nil }
            throw failure("open", path)
        }
        defer { close(fd) }
        return try readAll(fd, path: path)
    }

    /// Everything from `fd`'s current offset to its end.
    static func readAll(_ fd: Int32, path: String) throws(DatastoreError) -> [UInt8] {
        var out: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw failure("read", path)
            }
            if n == 0 { return out }
            out.append(contentsOf: chunk[0..<n])
        }
    }

    /// `count` bytes at `offset` (fewer at the end of the file).
    static func pread(_ fd: Int32, offset: Int, count: Int, path: String) throws(DatastoreError) -> [UInt8] {
        var buf = [UInt8](repeating: 0, count: count)
        var got = 0
        while got < count {
            let n = buf.withUnsafeMutableBytes { Glibc.pread(fd, $0.baseAddress! + got, count - got, off_t(offset + got)) }
            if n < 0 {
                if errno == EINTR { continue }
                throw failure("read", path)
            }
            if n == 0 { break }
            got += n
        }
        return Array(buf[0..<got])
    }

    /// write(2) of every byte.
    static func writeAll(_ fd: Int32, _ bytes: [UInt8], path: String) throws(DatastoreError) {
        var done = 0
        while done < bytes.count {
            let n = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + done, bytes.count - done) }
            if n < 0 {
                if errno == EINTR { continue }
                throw failure("write", path)
            }
            done += n
        }
    }

    static func fsync(_ fd: Int32, path: String) throws(DatastoreError) {
        if Glibc.fsync(fd) != 0 { throw failure("fsync", path) }
    }

    /// fsync of a directory: makes renames and unlinks in it durable.
    static func syncDirectory(_ dir: String) throws(DatastoreError) {
        let fd = try open(dir, O_RDONLY | O_DIRECTORY)
        defer { close(fd) }
        try fsync(fd, path: dir)
    }

    /// Replaces `dir/name` atomically: a temp file in the same directory, fsync, rename over the
    /// name, fsync of the directory. Readers see the old content or the new one, never a mix.
    static func writeAtomically(_ bytes: [UInt8], dir: String, name: String) throws(DatastoreError) {
        let temp = "\(dir)/.tmp-\(getpid())-\(UInt64.random(in: 0...UInt64.max))"
        let fd = try open(temp, O_WRONLY | O_CREAT | O_EXCL)
        do throws(DatastoreError) {
            try writeAll(fd, bytes, path: temp)
            try fsync(fd, path: temp)
            close(fd)
        } catch {
            close(fd)
            unlink(temp)
            throw error
        }
        let target = "\(dir)/\(name)"
        if rename(temp, target) != 0 {
            let code = errno
            unlink(temp)
            throw failure("rename to", target, code)
        }
        try syncDirectory(dir)
    }

    /// Removes `dir/name` (durably); false when it was not there.
    @discardableResult
    static func remove(dir: String, name: String) throws(DatastoreError) -> Bool {
        let path = "\(dir)/\(name)"
        if unlink(path) != 0 {
            if errno == ENOENT { return false }
            throw failure("unlink", path)
        }
        try syncDirectory(dir)
        return true
    }

    /// The names in a directory (without `.` and `..`).
    static func names(in dir: String) throws(DatastoreError) -> [String] {
        guard let d = opendir(dir) else { throw failure("opendir", dir) }
        defer { closedir(d) }
        var out: [String] = []
        while let entry = readdir(d) {
            let name = withUnsafePointer(to: entry.pointee.d_name) { p in
                p.withMemoryRebound(to: CChar.self, capacity: Int(NAME_MAX) + 1) { String(cString: $0) }
            }
            if name != "." && name != ".." { out.append(name) }
        }
        return out
    }

    /// mkdir -p, with the failing component and errno text in the error.
    static func makeDirectories(_ path: String) throws(DatastoreError) {
        var current = path.hasPrefix("/") ? "" : "."
        for component in path.split(separator: "/") {
            current += "/" + component
            if mkdir(current, 0o755) != 0 {
                let code = errno
                var st = stat()
                if code == EEXIST, stat(current, &st) == 0, (st.st_mode & S_IFMT) == S_IFDIR { continue }
                throw .unavailable("cannot create the file datastore directory \(path): mkdir \(current): \(errnoText(code == EEXIST ? ENOTDIR : code))")
            }
        }
    }
}
