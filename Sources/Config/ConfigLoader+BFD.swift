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
    ])

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
                            multiplier: d.multiplier ?? 3, graceful: d.graceful ?? false)
        }) else { return nil }
        return d.enabled == false ? .off : .on(settings)
    }
}
