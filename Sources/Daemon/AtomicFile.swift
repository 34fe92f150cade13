import Foundation

/// Durable whole-file replacement: a temporary file in the same directory, written and
/// fsynced, renamed over the target, then the directory fsynced, so after a crash the file
/// is either the old one or the new one, never a torn mix (the workload state file; the
/// file datastore does the same).
enum AtomicFile {
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    static func write(_ data: Data, to path: String) throws(Failure) {
        let dir = (path as NSString).deletingLastPathComponent
        let temp = "\(path).tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        func fail(_ what: String, _ code: Int32 = errno) -> Failure {
            Failure(description: "\(what): \(String(cString: strerror(code)))")
        }
        let fd = open(temp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw fail("cannot create \(temp)") }
        var ok = false
        defer { if !ok { unlink(temp) } }
        let written: Int = data.withUnsafeBytes { raw in
            var off = 0
            while off < raw.count {
                let n = Glibc.write(fd, raw.baseAddress! + off, raw.count - off)
                if n < 0 { if errno == EINTR { continue }; return -1 }
                off += n
            }
            return off
        }
        if written != data.count { let e = errno; close(fd); throw fail("cannot write \(temp)", e) }
        if fsync(fd) != 0 { let e = errno; close(fd); throw fail("cannot fsync \(temp)", e) }
        close(fd)
        if rename(temp, path) != 0 { throw fail("cannot rename \(temp) to \(path)") }
        ok = true
        let dfd = open(dir.isEmpty ? "." : dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if dfd >= 0 { _ = fsync(dfd); close(dfd) }
    }
}
