import IPCore
import BGPWire

// MARK: - Path

/// One path to a prefix: who sent it, its RFC 7911 path identifier (0 without add-path)
/// and its interned attributes. 16 bytes.
public struct Path: Sendable, Equatable, CustomStringConvertible {
    /// The source peer (``PeerID/local`` for locally originated routes).
    public let peer: PeerID
    /// The ADD-PATH path identifier (0 when the peer does not use add-path).
    public let pathID: UInt32
    /// The shared attribute set.
    public let attributeSet: AttributeSet

    public init(peer: PeerID, pathID: UInt32, attributeSet: AttributeSet) {
        self.peer = peer
        self.pathID = pathID
        self.attributeSet = attributeSet
    }

    /// The path attributes.
    public var attributes: PathAttributes { attributeSet.value.attributes }

    /// The next hop: NEXT_HOP for IPv4, the first MP_REACH_NLRI next hop otherwise; nil
    /// for locally originated routes.
    public var nextHop: IPAddress? {
        if let n = attributeSet.value.attributes.nextHop { return .v4(n) }
        return attributeSet.value.nextHops.first
    }

    /// Same source, same path identifier, same attribute set (identity).
    public static func == (a: Path, b: Path) -> Bool {
        a.peer == b.peer && a.pathID == b.pathID && a.attributeSet === b.attributeSet
    }

    /// Same source and path identifier (the key a path is replaced or withdrawn by).
    func hasKey(_ peer: PeerID, _ pathID: UInt32) -> Bool { self.peer == peer && self.pathID == pathID }

    public var description: String {
        let id = pathID == 0 ? "" : " path \(pathID)"
        return "from \(peer)\(id): \(attributes.asPath?.description ?? "")"
    }
}

// MARK: - PathList

/// The candidate paths of one prefix, the best one first. The common case of a single path
/// is stored inline (16 bytes, no allocation); more paths live in an array.
enum PathList: Sendable {
    case one(Path)
    case many([Path])

    var count: Int {
        switch self {
        case .one: 1
        case .many(let a): a.count
        }
    }

    /// The best path (index 0).
    var best: Path {
        switch self {
        case .one(let p): p
        case .many(let a): a[0]
        }
    }

    subscript(i: Int) -> Path {
        switch self {
        case .one(let p): p
        case .many(let a): a[i]
        }
    }

    var paths: [Path] {
        switch self {
        case .one(let p): [p]
        case .many(let a): a
        }
    }

    func firstIndex(peer: PeerID, pathID: UInt32) -> Int? {
        switch self {
        case .one(let p): return p.hasKey(peer, pathID) ? 0 : nil
        case .many(let a): return a.firstIndex { $0.hasKey(peer, pathID) }
        }
    }

    func contains(peer: PeerID) -> Bool {
        switch self {
        case .one(let p): p.peer == peer
        case .many(let a): a.contains { $0.peer == peer }
        }
    }

    mutating func append(_ p: Path) {
        switch self {
        case .one(let q): self = .many([q, p])
        case .many(var a):
            self = .many([])  // release our reference so `a` is uniquely held
            a.append(p)
            self = .many(a)
        }
    }

    mutating func replace(at i: Int, with p: Path) {
        switch self {
        case .one: self = .one(p)
        case .many(var a):
            self = .many([])
            a[i] = p
            self = .many(a)
        }
    }

    /// Removes path `i`; false when it was the last one (the list must then be dropped).
    mutating func remove(at i: Int) -> Bool {
        switch self {
        case .one: return false
        case .many(var a):
            self = .many([])
            a.remove(at: i)
            self = a.count == 1 ? .one(a[0]) : .many(a)
            return true
        }
    }

    /// Removes every path from `peer`; false when none is left.
    mutating func removeAll(from peer: PeerID) -> Bool {
        switch self {
        case .one(let p): return p.peer != peer
        case .many(var a):
            self = .many([])
            a.removeAll { $0.peer == peer }
            if a.isEmpty { return false }
            self = a.count == 1 ? .one(a[0]) : .many(a)
            return true
        }
    }

    mutating func moveToFront(_ i: Int) {
        guard i != 0, case .many(var a) = self else { return }
        self = .many([])
        a.swapAt(0, i)
        self = .many(a)
    }
}

extension PathList {
    /// Gives every path of `peer` to `other` (same path ID and attributes, same order).
    mutating func renamePeer(_ peer: PeerID, to other: PeerID) {
        func moved(_ p: Path) -> Path { p.peer == peer ? Path(peer: other, pathID: p.pathID, attributeSet: p.attributeSet) : p }
        switch self {
        case .one(let p): self = .one(moved(p))
        case .many(let a):
            self = .many([])
            self = .many(a.map(moved))
        }
    }
}
