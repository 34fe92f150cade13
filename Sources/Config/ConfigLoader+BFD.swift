import Model
import Yams

// MARK: - bfd (per peer) and nodeMeshBFD (the mesh)

/// A `bfd` mapping as written (nil: not written, or rejected).
struct BFDEntry: Sendable {
    var enabled: Bool?
    var minimumRecvInterval: Int?
    var minimumSendInterval: Int?
    var multiplier: Int?
    var graceful: Bool?
    var multihop: Bool?
    var minimumTTL: Int?
    var authentication: BFDAuthenticationSettings?
}

/// A `bfd.authentication` mapping as written.
struct BFDAuthenticationEntry: Sendable {
    var type: BFDAuthenticationSettings.AuthType?
    var keyID: Int?
    var key: [UInt8]?
}

/// What a `bfd` mapping says: BFD off, or on with these settings.
enum BFDChoice: Sendable, Hashable {
    case off
    case on(BFDSettings)

    /// The settings when on.
    var settings: BFDSettings? {
        if case .on(let s) = self { return s }
        return nil
    }
}

extension ConfigLoader {
    /// One `bfd` mapping (a peer's `bfd`, the top-level `nodeMeshBFD`); intervals in ms.
    static let bfdFields = FieldTable<BFDEntry>("the BFD settings", [
        Field("enabled", into: \.enabled) { r, v, path in r.bool(v, path) },
        Field("minimumRecvInterval", into: \.minimumRecvInterval) { r, v, path in r.integer(v, path) },
        Field("minimumSendInterval", into: \.minimumSendInterval) { r, v, path in r.integer(v, path) },
        Field("multiplier", into: \.multiplier) { r, v, path in r.integer(v, path) },
        Field("graceful", into: \.graceful) { r, v, path in r.bool(v, path) },
        Field("multihop", into: \.multihop) { r, v, path in r.bool(v, path) },
        Field("minimumTTL", into: \.minimumTTL) { r, v, path in r.integer(v, path) },
        Field("authentication", into: \.authentication) { r, v, path in r.bfdAuthentication(v, path) },
    ])

    /// `bfd.authentication: {type, keyID, keyFile}` (RFC 5880 §6.7.4).
    static let bfdAuthenticationFields = FieldTable<BFDAuthenticationEntry>("the BFD authentication", [
        Field("type", required: "add \"type: keyed-sha1\" (or meticulous-keyed-sha1)", into: \.type) { r, v, path in
            r.choice(v, path, BFDAuthenticationSettings.AuthType.self, what: "BFD authentication type")
        },
        Field("keyID", into: \.keyID) { r, v, path in r.integer(v, path) },
        Field("keyFile", required: "add \"keyFile: <path of the file holding the key>\"", into: \.key) { r, v, path in
            r.bfdKeyFile(v, path)
        },
    ])

    /// Keys of a `bfd.authentication` mapping.
    public static var bfdAuthenticationKeys: [String] { bfdAuthenticationFields.keys }

    /// Keys of a `bfd` mapping.
    public static var bfdKeys: [String] { bfdFields.keys }
}

extension Reader {
    /// A `bfd` mapping: `enabled` defaults to true once the mapping is written, the
    /// intervals to 100 ms and the multiplier to 3 (BIRD's defaults are 10 ms and 5; these
    /// are the 100 ms × 3 = 300 ms detection). Nil when something is wrong (reported
    /// at the key's line and column).
    func bfd(_ v: Node, _ path: String) -> BFDChoice? {
        guard let m = ConfigLoader.bfdFields.read(v, at: path, into: BFDEntry(), self), m.isComplete else { return nil }
        let d = m.value
        guard let settings = model(m, v, { () throws(ModelError) in
            try BFDSettings(minimumRecvInterval: d.minimumRecvInterval ?? 100, minimumSendInterval: d.minimumSendInterval ?? 100,
                            multiplier: d.multiplier ?? 3, graceful: d.graceful ?? false,
                            multihop: d.multihop, minimumTTL: d.minimumTTL, authentication: d.authentication)
        }) else { return nil }
        return d.enabled == false ? .off : .on(settings)
    }
}

extension Reader {
    /// A `bfd.authentication` mapping; `keyID` defaults to 1 (BIRD's and FRR's first key).
    func bfdAuthentication(_ v: Node, _ path: String) -> BFDAuthenticationSettings? {
        guard let m = ConfigLoader.bfdAuthenticationFields.read(v, at: path, into: BFDAuthenticationEntry(), self), m.isComplete,
              let type = m.value.type, let key = m.value.key else { return nil }
        let keyID = m.value.keyID ?? 1
        return model(m, v, { () throws(ModelError) in try BFDAuthenticationSettings(type: type, keyID: keyID, key: key) })
    }

    /// A BFD SHA1 key file (``KeyFile/bfdSHA1``): 1-20 bytes less one trailing newline. A
    /// relative path is taken from the configuration file's directory; read at every load,
    /// so a SIGHUP picks up a rotated key.
    func bfdKeyFile(_ v: Node, _ path: String) -> [UInt8]? {
        guard let name = nonEmptyText(v, path, what: "a file path") else { return nil }
        switch KeyFile.bfdSHA1.read(relativeToConfigFile(name)) {
        case .success(let key): return key
        case .failure(let e):
            fail(v, path, e.message, hint: e.hint)
            return nil
        }
    }
}
