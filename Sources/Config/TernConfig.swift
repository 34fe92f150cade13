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

/// Log verbosity, spelled as swift-log spells it.
public enum LogLevel: String, Sendable, Hashable, CaseIterable {
    case trace, debug, info, notice, warning, error, critical
}

/// How log lines are written.
public enum LogFormat: String, Sendable, Hashable, CaseIterable {
    case text, json
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
    /// BFD for every node-to-node mesh peer (`nodeMeshBFD`), nil when off.
    public var nodeMeshBFD: BFDSettings?
    /// The TCP MD5 key (RFC 2385) of every node-to-node mesh peer (`nodeMeshPassword:
    /// {file: PATH}`, Calico's `nodeMeshPassword`), nil when off.
    public var nodeMeshPassword: [UInt8]?
    /// Long-lived graceful restart (RFC 9494) for every node-to-node mesh peer
    /// (`nodeMeshLongLivedStaleTime`, seconds), nil when off.
    public var nodeMeshLongLivedStaleTime: UInt32?
    /// Ignore eBGP paths whose AS_PATH does not start with the peer's AS (RFC 4271 §6.3,
    /// FRR's `enforce-first-as`); false for route servers that do not prepend.
    public var enforceFirstAS: Bool = true
    /// RFC 4456 cluster ID: set, this speaker reflects routes between its peers (those with
    /// `routeReflectorClient` are its clients). Redundant reflectors of one cluster share it.
    public var routeReflectorClusterID: IPv4Address?
    public var nodes: [NodeSpec] = []
    /// The explicit `peers`, each resolved (a timer left out took the top-level value when
    /// the file was read).
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
    /// NetworkPolicy enforcement (`policy`).
    public var policy = PolicySettings()
    /// Prometheus metrics (`metrics`) and the health endpoints (`health`).
    public var metrics = MetricsSettings()
    public var health = HealthSettings()
    /// The node's IPv6 address (dual stack): set, IPv4 mesh sessions also carry IPv6 unicast
    /// and IPv6 routes go with it as next hop. Not a file key: the daemon takes the first
    /// global IPv6 address of the interface holding the node's IPv4 address (``meshPeers``).
    public var ipv6NextHop: IPv6Address?
    /// The cluster datastore, when the file names one: the nodes, pools, peers and this
    /// node's blocks then also come from there (docs/DATASTORE.md).
    public var datastore: DatastoreSettings?
    /// Whether the file wrote `asNumber`; when it did not (a datastore config), the AS is
    /// this node's `Node` resource's, else the cluster's `BGPConfiguration`'s, else 64512.
    public var asNumberWritten = true

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
    public var meshSelf: PeerEndpoint {
        if let me = nodes.first(where: { $0.name == nodeName }) { return PeerEndpoint(address: me.address, port: me.port) }
        return PeerEndpoint(address: .v4(routerID), port: listenPort)
    }

    /// True when `id` is this speaker: our `nodes` entry, or the router ID or a specific
    /// listen address on our listen port. (Another port on the same address is another
    /// speaker, which is how several speakers share one host in tests.)
    public func isSelf(_ id: PeerEndpoint) -> Bool {
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
    ///
    /// The node entries and the top-level AS and timers are validated values (the loader
    /// checked them), so a mesh peer cannot fail ``PeerSpec``'s rules; a `TernConfig` built
    /// by hand with an invalid AS or timer stops here with the rule it broke.
    public var meshPeers: [PeerSpec] {
        guard nodeToNodeMesh else { return [] }
        let me = meshSelf
        var seen = Set<PeerEndpoint>()
        var out: [PeerSpec] = []
        for node in nodes where node.name != nodeName {
            let id = PeerEndpoint(address: node.address, port: node.port)
            guard !isSelf(id), seen.insert(id).inserted else { continue }
            do {
                out.append(try PeerSpec(
                    address: node.address, port: node.port, asNumber: asNumber, holdTime: holdTime,
                    connectRetryTime: connectRetryTime, passive: TernConfig.meshPassive(peer: id, local: me),
                    type: .mesh, name: node.name, families: node.address.family == .v4 && ipv6NextHop != nil ? [.v4, .v6] : [node.address.family],
                    bfd: nodeMeshBFD, password: nodeMeshPassword, longLivedStaleTime: nodeMeshLongLivedStaleTime))
            } catch {
                preconditionFailure("mesh peer \(id) from an unchecked TernConfig: \(error.field): \(error)")
            }
        }
        return out
    }

    /// Calico's mesh direction: passive when the peer's address text sorts after ours
    /// (then the port, for speakers sharing an address).
    public static func meshPassive(peer: PeerEndpoint, local: PeerEndpoint) -> Bool {
        let p = peer.address.description, l = local.address.description
        if p != l { return p > l }
        return peer.port > local.port
    }

    /// Every peer to run: mesh peers, then explicit peers, one per address and port.
    /// An explicit peer replaces a mesh peer at the same place (it was asked for by hand);
    /// of repeated explicit peers the first wins (the loader reports repeats as errors).
    public var effectivePeers: [PeerSpec] {
        var seen = Set<PeerEndpoint>()
        let explicit = peers.filter { seen.insert($0.endpoint).inserted }
        return meshPeers.filter { !seen.contains($0.endpoint) } + explicit
    }
}

extension IPAddress {
    /// Parses dotted-quad or IPv6 text.
    init?(parsing text: some StringProtocol) {
        if let a = IPv4Address(text) { self = .v4(a) }
        else if let a = IPv6Address(text) { self = .v6(a) }
        else { return nil }
    }
}
