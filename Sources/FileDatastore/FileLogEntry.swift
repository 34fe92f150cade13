import Foundation
import Datastore

/// One line of the change log (`log`), one per revision, oldest first:
///
///     42 put %2Ftern%2Fippools%2Fdefault 0 eyJhcGlWZXJzaW9uIjoi...
///     43 del %2Ftern%2Fippools%2Fdefault
///
/// `rev op key`, the key encoded as in ``FileKeyName``; a put also carries its lease (0: none)
/// and the value in base64, so a watch replays every write exactly, whatever happened to the
/// key since. Revisions in the log are consecutive. The log is the commit record: a writer
/// appends the line (and fsyncs) before it touches the key file and the counter, so a process
/// that crashes in between is finished by the next writer (``FileDatastore`` replays the tail).
struct FileLogEntry: Equatable {
    enum Op: Equatable {
        case put(value: [UInt8], lease: Int64?)
        case delete
    }

    var revision: Int64
    var key: String
    var op: Op

    var line: [UInt8] {
        switch op {
        case .put(let value, let lease):
            return Array("\(revision) put \(FileKeyName.encode(key)) \(lease ?? 0) \(Data(value).base64EncodedString())\n".utf8)
        case .delete:
            return Array("\(revision) del \(FileKeyName.encode(key))\n".utf8)
        }
    }

    /// Parses one line (without its newline); nil when malformed.
    init?(line: ArraySlice<UInt8>) {
        let fields = line.split(separator: UInt8(ascii: " "), omittingEmptySubsequences: false)
        guard fields.count >= 3, let rev = Int64(String(decoding: fields[0], as: UTF8.self)),
              let key = FileKeyName.decode(String(decoding: fields[2], as: UTF8.self)) else { return nil }
        switch String(decoding: fields[1], as: UTF8.self) {
        case "put":
            guard fields.count == 5, let lease = Int64(String(decoding: fields[3], as: UTF8.self)),
                  let value = Data(base64Encoded: Data(fields[4])) else { return nil }
            op = .put(value: [UInt8](value), lease: lease == 0 ? nil : lease)
        case "del":
            guard fields.count == 3 else { return nil }
            op = .delete
        default:
            return nil
        }
        revision = rev
        self.key = key
    }

    init(revision: Int64, key: String, op: Op) {
        self.revision = revision
        self.key = key
        self.op = op
    }

    /// The leading revision of a line, without parsing the rest.
    static func revision(of line: ArraySlice<UInt8>) -> Int64? {
        let digits = line.prefix(while: { $0 != UInt8(ascii: " ") })
        return Int64(String(decoding: digits, as: UTF8.self))
    }

    /// The complete lines of `bytes` (each without its newline) and the length they cover.
    static func lines(_ bytes: [UInt8]) -> (lines: [ArraySlice<UInt8>], consumed: Int) {
        var out: [ArraySlice<UInt8>] = []
        var start = 0
        for i in bytes.indices where bytes[i] == UInt8(ascii: "\n") {
            if i > start { out.append(bytes[start..<i]) }
            start = i + 1
        }
        return (out, start)
    }
}
