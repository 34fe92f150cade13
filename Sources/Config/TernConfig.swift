import IPCore
import BGPWire
import Model

/// What this speaker is in the cluster.
public enum NodeRole: String, Sendable, Hashable, CaseIterable {
    /// An ordinary node: advertises its own blocks to its peers.
    case node
    /// A standalone route reflector (RFC 4456): BGP only, no dataplane by default. Its
    /// cluster ID is `routeReflectorClusterID`, or its router ID when that is not set.
    case reflector
}

/// `peers[].addPaths`: which way ADD-PATH (RFC 7911) is offered to the peer.
public enum AddPathsSetting: String, Sendable, Hashable, CaseIterable {
    /// No ADD-PATH capability.
    case none
    /// We send several paths per prefix (`addPathsCount`).
    case send
    /// We accept several paths per prefix.
    case receive
    /// Both.
    case both

    /// True for ``send`` and ``both``.
    public var sends: Bool { self == .send || self == .both }
}

/// Log verbosity, spelled as swift-log spells it.
public enum LogLevel: String, Sendable, Hashable, CaseIterable {
    case trace, debug, info, notice, warning, error, critical
}

/// How log lines are written.
public enum LogFormat: String, Sendable, Hashable, CaseIterable {
    case text, json
}

/// One entry of `peers` as written: timers left out (nil) follow the top-level values.
public struct PeerSpec: Hashable, Sendable {
    public var address: IPAddress
    public var asNumber: UInt32
    public var port: UInt16
    /// nil: the top-level `holdTime`.
    public var holdTime: UInt16?
    /// nil: the top-level `connectRetryTime`.
    public var connectRetryTime: UInt16?
    public var passive: Bool
    public var name: String?
    public var families: [AddressFamily]
    /// The peer is our route-reflector client (needs `routeReflectorClusterID`).
    public var routeReflectorClient: Bool
    /// The peer is our route reflector (we are its client): shown as type "reflector".
    public var routeReflector: Bool
    /// ADD-PATH offered for every family of the peer (RFC 7911).
    public var addPaths: AddPathsSetting
    /// Paths per prefix we send when ADD-PATH send is negotiated.
    public var addPathsCount: Int

    public init(address: IPAddress, asNumber: UInt32, port: UInt16 = 179, holdTime: UInt16? = nil,
                connectRetryTime: UInt16? = nil, passive: Bool = false, name: String? = nil,
                families: [AddressFamily] = [.ipv4Unicast], routeReflectorClient: Bool = false,
                routeReflector: Bool = false, addPaths: AddPathsSetting = .none,
                addPathsCount: Int = PeerConfig.defaultAddPathsCount) {
        self.address = address
        self.asNumber = asNumber
        self.port = port
        self.holdTime = holdTime
        self.connectRetryTime = connectRetryTime
        self.passive = passive
        self.name = name
        self.families = families
        self.routeReflectorClient = routeReflectorClient
        self.routeReflector = routeReflector
        self.addPaths = addPaths
        self.addPathsCount = addPathsCount
    }
}

/// A peer is identified by where it is reached: address and port.
public struct PeerID: Hashable, Sendable, CustomStringConvertible {
    public var address: IPAddress
    public var port: UInt16

    public init(address: IPAddress, port: UInt16) {
        self.address = address
        self.port = port
    }

    /// "192.0.2.1:179" or "[2001:db8::1]:179".
    public var description: String {
        switch address {
        case .v4: "\(address):\(port)"
        case .v6: "[\(address)]:\(port)"
        }
    }
}

/// A peer with everything resolved: what a session is started from.
public struct PeerConfig: Hashable, Sendable, CustomStringConvertible {
    /// Where the peer came from, in Calico's words.
    public enum PeerType: String, Hashable, Sendable {
        /// Derived from `nodes` because `nodeToNodeMesh` is on (always iBGP, our AS).
        case mesh = "node-to-node mesh"
        /// Listed under `peers`.
        case global
    }

    public var address: IPAddress
    public var port: UInt16
    public var asNumber: UInt32
    public var holdTime: UInt16
    public var connectRetryTime: UInt16
    /// Wait for the peer to connect; never open the TCP connection ourselves.
    public var passive: Bool
    public var type: PeerType
    /// The node name for mesh peers; the optional label for explicit ones.
    public var name: String?
    public var families: [AddressFamily]
    /// Our route-reflector client (RFC 4456): what it sends is reflected to every peer.
    public var routeReflectorClient: Bool
    /// Our route reflector (we are its client); informational (`tern status`).
    public var routeReflector: Bool
    /// ADD-PATH offered for every family (RFC 7911).
    public var addPaths: AddPathsSetting
    /// Paths per prefix sent when ADD-PATH send is negotiated.
    public var addPathsCount: Int

    /// Paths per prefix sent with ADD-PATH when `addPathsCount` is not given: two, enough
    /// for a client to reach a block that two nodes advertise over both (ECMP).
    public static let defaultAddPathsCount = 2

    public init(address: IPAddress, port: UInt16 = 179, asNumber: UInt32, holdTime: UInt16 = 90,
                connectRetryTime: UInt16 = 5, passive: Bool = false, type: PeerType = .global,
                name: String? = nil, families: [AddressFamily] = [.ipv4Unicast],
                routeReflectorClient: Bool = false, routeReflector: Bool = false,
                addPaths: AddPathsSetting = .none, addPathsCount: Int = PeerConfig.defaultAddPathsCount) {
        self.address = address
        self.port = port
        self.asNumber = asNumber
        self.holdTime = holdTime
        self.connectRetryTime = connectRetryTime
        self.passive = passive
        self.type = type
        self.name = name
        self.families = families
        self.routeReflectorClient = routeReflectorClient
        self.routeReflector = routeReflector
        self.addPaths = addPaths
        self.addPathsCount = addPathsCount
    }

    public var id: PeerID { PeerID(address: address, port: port) }

    /// The peer type `tern status` shows: "reflector client" (our client), "reflector" (our
    /// reflector), else where the peer came from ("node-to-node mesh", "global").
    public var displayType: String {
        if routeReflectorClient { return "reflector client" }
        if routeReflector { return "reflector" }
        return type.rawValue
    }

    /// "node-b (192.168.77.2:179, AS 64512, node-to-node mesh, passive)".
    public var description: String {
        let what = "\(id), AS \(asNumber), \(displayType)\(passive ? ", passive" : "")"
        if let name { return "\(name) (\(what))" }
        return what
    }
}

/// Tern's whole configuration, as read from one YAML file (see `config/node-a.yaml`).
/// Defaults are those of the file format: a key left out gets the value set here.
public struct TernConfig: Hashable, Sendable {
    public var nodeName: String
    public var role: NodeRole = .node
    public var asNumber: UInt32
    public var routerID: IPv4Address
    public var listenAddress: IPAddress = .v4(IPv4Address(0))
    public var listenPort: UInt16 = 179
    public var controlSocket: String = TernConfig.defaultControlSocket
    /// Proposed hold time in seconds: 0 (no keepalives) or 3...65535 (RFC 4271 §4.2).
    public var holdTime: UInt16 = 90
    /// Seconds between connection attempts (RFC 4271 ConnectRetryTimer), 1...65535.
    public var connectRetryTime: UInt16 = 5
    public var nodeToNodeMesh: Bool = true
    /// RFC 4456 cluster ID: set, this speaker reflects routes between its peers (those with
    /// `routeReflectorClient` are its clients). Redundant reflectors of one cluster share it.
    public var routeReflectorClusterID: IPv4Address?
    public var nodes: [NodeSpec] = []
    public var peers: [PeerSpec] = []
    /// This node's address blocks, advertised to every peer.
    public var blocks: [IPPrefix] = []
    /// The cluster's IP pools and their encapsulation (the same list on every node).
    public var ipPools: [IPPool] = []
    public var logLevel: LogLevel = .info
    public var logFormat: LogFormat = .text
    /// Local workloads (pods) the dataplane routes to.
    public var workloads: [Workload] = []
    /// The dataplane agent's settings.
    public var dataplane = DataplaneSettings()

    public static let defaultControlSocket = "/run/tern/tern.sock"

    /// The cluster ID the RIB reflects with: `routeReflectorClusterID`, or for `role:
    /// reflector` without one the router ID (RFC 4456 §7); nil: not a reflector.
    public var reflectorClusterID: IPv4Address? {
        routeReflectorClusterID ?? (role == .reflector ? routerID : nil)
    }

    /// A configuration with the three required values and every default.
    public init(nodeName: String, asNumber: UInt32, routerID: IPv4Address) {
        self.nodeName = nodeName
        self.asNumber = asNumber
        self.routerID = routerID
    }

    /// Our own place as the mesh sees it: our `nodes` entry (by name) when there is one,
    /// otherwise the router ID on `listenPort`.
    public var meshSelf: PeerID {
        if let me = nodes.first(where: { $0.name == nodeName }) { return PeerID(address: me.address, port: me.port) }
        return PeerID(address: .v4(routerID), port: listenPort)
    }

    /// True when `id` is this speaker: our `nodes` entry, or the router ID or a specific
    /// listen address on our listen port. (Another port on the same address is another
    /// speaker, which is how several speakers share one host in tests.)
    public func isSelf(_ id: PeerID) -> Bool {
        if id == meshSelf { return true }
        guard id.port == listenPort else { return false }
        if id.address == .v4(routerID) { return true }
        return !listenAddress.isUnspecified && id.address == listenAddress
    }

    /// The node-to-node mesh peers: when `nodeToNodeMesh` is on, every `nodes` entry but
    /// ourselves (by name, or by `isSelf`), first of each address and port. All are iBGP
    /// with our AS number and the top-level timers; the family follows the node's address.
    ///
    /// Passive rule (the documented default, not yet configurable): as Calico's confd writes
    /// BIRD's config, we are `passive` toward a peer whose address is *lexically* greater
    /// than ours, and the lower side connects. It is Go template string comparison, so
    /// "10.0.0.5" > "10.0.0.10"; Tern compares the same text so that a mesh mixing Tern and
    /// BIRD nodes never has both ends passive. Equal addresses (speakers sharing a host)
    /// compare by port.
    public var meshPeers: [PeerConfig] {
        guard nodeToNodeMesh else { return [] }
        let me = meshSelf
        var seen = Set<PeerID>()
        var out: [PeerConfig] = []
        for node in nodes where node.name != nodeName {
            let id = PeerID(address: node.address, port: node.port)
            guard !isSelf(id), seen.insert(id).inserted else { continue }
            out.append(PeerConfig(
                address: node.address, port: node.port, asNumber: asNumber, holdTime: holdTime,
                connectRetryTime: connectRetryTime, passive: TernConfig.meshPassive(peer: id, local: me),
                type: .mesh, name: node.name, families: [node.address.family]))
        }
        return out
    }

    /// Calico's mesh direction: passive when the peer's address text sorts after ours
    /// (then the port, for speakers sharing an address).
    public static func meshPassive(peer: PeerID, local: PeerID) -> Bool {
        let p = peer.address.description, l = local.address.description
        if p != l { return p > l }
        return peer.port > local.port
    }

    /// The explicit `peers`, resolved against the top-level timers (type `.global`).
    public var globalPeers: [PeerConfig] {
        peers.map { spec in
            PeerConfig(address: spec.address, port: spec.port, asNumber: spec.asNumber,
                       holdTime: spec.holdTime ?? holdTime,
                       connectRetryTime: spec.connectRetryTime ?? connectRetryTime,
                       passive: spec.passive, type: .global, name: spec.name, families: spec.families,
                       routeReflectorClient: spec.routeReflectorClient, routeReflector: spec.routeReflector,
                       addPaths: spec.addPaths, addPathsCount: spec.addPathsCount)
        }
    }

    /// Every peer to run: mesh peers, then explicit peers, one per address and port.
    /// An explicit peer replaces a mesh peer at the same place (it was asked for by hand);
    /// of repeated explicit peers the first wins (the loader reports repeats as errors).
    public var effectivePeers: [PeerConfig] {
        var seen = Set<PeerID>()
        let explicit = globalPeers.filter { seen.insert($0.id).inserted }
        return meshPeers.filter { !seen.contains($0.id) } + explicit
    }
}

extension IPAddress {
    /// 0.0.0.0 or ::.
    var isUnspecified: Bool {
        switch self {
        case .v4(let a): a.value == 0
        case .v6(let a): a.high == 0 && a.low == 0
        }
    }

    /// The unicast family of this address.
    var family: AddressFamily {
        switch self {
        case .v4: .ipv4Unicast
        case .v6: .ipv6Unicast
        }
    }

    /// Parses dotted-quad or IPv6 text.
    init?(parsing text: some StringProtocol) {
        if let a = IPv4Address(text) { self = .v4(a) }
        else if let a = IPv6Address(text) { self = .v6(a) }
        else { return nil }
    }
}
