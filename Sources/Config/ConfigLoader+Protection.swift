import Foundation
import Model
import Yams

// MARK: - Session protection: password (RFC 2385), ttlSecurity (RFC 5082), maxPrefixes (RFC 4486)

/// A `password` / `nodeMeshPassword` mapping as written.
struct PasswordFileEntry: Sendable {
    var file: String?
}

/// A `maxPrefixes` mapping as written.
struct MaxPrefixEntry: Sendable {
    var limit: Int?
    var warningPercent: Int?
    var action: MaxPrefixSettings.Action?
    var restartTime: Int?
}

extension ConfigLoader {
    /// `password: {file: PATH}`: the key is the file's content (a mounted Kubernetes Secret).
    static let passwordFields = FieldTable<PasswordFileEntry>("the password", [
        Field("file", required: "add \"file: <path of the file holding the key>\"", into: \.file) { r, v, path in
            r.nonEmptyText(v, path, what: "a file path")
        },
    ])

    /// `maxPrefixes: {limit, warningPercent, action, restartTime}`.
    static let maxPrefixFields = FieldTable<MaxPrefixEntry>("the prefix limit", [
        Field("limit", required: "add \"limit: <most prefixes per family>\"", into: \.limit) { r, v, path in r.integer(v, path) },
        Field("warningPercent", into: \.warningPercent) { r, v, path in r.integer(v, path) },
        Field("action", into: \.action) { r, v, path in r.choice(v, path, MaxPrefixSettings.Action.self, what: "max-prefix action") },
        Field("restartTime", into: \.restartTime) { r, v, path in r.integer(v, path) },
    ])

    /// Keys of a `password` mapping.
    public static var passwordKeys: [String] { passwordFields.keys }
    /// Keys of a `maxPrefixes` mapping.
    public static var maxPrefixKeys: [String] { maxPrefixFields.keys }
}

/// A TCP MD5 key read from a file (a mounted Kubernetes Secret): ``KeyFile/tcpMD5``, 1-80
/// bytes (Linux's TCP_MD5SIG_MAXKEYLEN, Calico's limit). Shared by the configuration file's
/// `password`/`nodeMeshPassword` and the datastore's `BGPPeer` `password: {file: PATH}`.
public enum PasswordFile {
    public typealias Failure = KeyFile.Failure

    public static func read(_ path: String) -> Result<[UInt8], Failure> { KeyFile.tcpMD5.read(path) }
}

extension Reader {
    /// A `password` mapping: the content of its `file`, less one trailing newline ("\n" or
    /// "\r\n"), 1-80 bytes (Linux's TCP_MD5SIG_MAXKEYLEN). A relative path is taken from the
    /// configuration file's directory. A missing, unreadable, empty or too long file is an
    /// error at the `file` value. Read at every load, so a SIGHUP picks up a rotated key.
    func password(_ v: Node, _ path: String) -> [UInt8]? {
        guard let m = ConfigLoader.passwordFields.read(v, at: path, into: PasswordFileEntry(), self), m.isComplete,
              let name = m.value.file, let at = m["file"] else { return nil }
        let full = relativeToConfigFile(name)
        switch PasswordFile.read(full) {
        case .success(let key): return key
        case .failure(let e):
            fail(at, m.path("file"), e.message, hint: e.hint)
            return nil
        }
    }

    /// `name` as given when absolute (or when the configuration is not a file), else taken
    /// from the configuration file's directory.
    func relativeToConfigFile(_ name: String) -> String {
        let dir = (file as NSString).deletingLastPathComponent
        return name.hasPrefix("/") || file.hasPrefix("<") || dir.isEmpty ? name : (dir as NSString).appendingPathComponent(name)
    }

    /// `ttlSecurity: N` (RFC 5082): hops, 1-255.
    func ttlSecurity(_ v: Node, _ path: String) -> UInt8? {
        integer(v, path).flatMap { n in
            if (1...255).contains(n) { return UInt8(n) }
            fail(v, path, "ttlSecurity \(n) is out of range 1-255", hint: "the peer's distance in hops: 1 for a directly connected peer")
            return nil
        }
    }

    /// A `maxPrefixes` mapping; defaults warningPercent 90, action restart, restartTime 60 s.
    func maxPrefixes(_ v: Node, _ path: String) -> MaxPrefixSettings? {
        guard let m = ConfigLoader.maxPrefixFields.read(v, at: path, into: MaxPrefixEntry(), self), m.isComplete,
              let limit = m.value.limit else { return nil }
        let d = m.value
        return model(m, v, { () throws(ModelError) in
            try MaxPrefixSettings(limit: limit, warningPercent: d.warningPercent ?? 90, action: d.action ?? .restart,
                                  restartTime: d.restartTime ?? 60)
        })
    }
}
