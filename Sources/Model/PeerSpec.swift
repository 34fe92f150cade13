import IPCore

/// A BGP neighbour with every setting resolved: what a session is started from. The YAML
/// loader fills it (a peer's missing timers take the node's), the mesh derives one per
/// cluster node, and the speaker, `tern status` and reload consume the same value
/// (OpenBGPD's single `struct peer_config`).
public struct PeerSpec: Hashable, Sendable, CustomStringConvertible {
    /// Where the peer came from, in Calico's words.
    public enum PeerType: String, Hashable, Sendable {
        /// Derived from the cluster's nodes because the node-to-node mesh is on (iBGP, our AS).
        case mesh = "node-to-node mesh"
        /// Configured explicitly (Calico's global `BGPPeer`).
        case global
    }

    /// Paths per prefix sent with ADD-PATH when `addPathsCount` is not given: two, enough
    /// for a client to reach a block that two nodes advertise over both (ECMP).
    public static let defaultAddPathsCount = 2
    /// The range of ``addPathsCount``.
    public static let addPathsCountRange = 1...64

    /// The peer's address (unicast).
    public let address: IPAddress
    /// Its BGP port (179 unless several speakers share an address, as in tests).
    public let port: UInt16
    /// Its AS number (RFC 6793: four octets; never 0 or AS_TRANS).
    public let asNumber: UInt32
    /// Proposed hold time in seconds: 0 (no keepalives) or 3...65535 (RFC 4271 §4.2).
    public let holdTime: UInt16
    /// Seconds between connection attempts (RFC 4271 ConnectRetryTimer), 1...65535.
    public let connectRetryTime: UInt16
    /// Wait for the peer to connect; never open the TCP connection ourselves.
    public let passive: Bool
    /// Where the peer came from.
    public let type: PeerType
    /// The node name for mesh peers; the optional label for explicit ones (never empty).
    public let name: String?
    /// The unicast families offered in OPEN (RFC 4760), at least one, each once.
    public let families: [IPFamily]
    /// Our route-reflector client (RFC 4456): what it sends is reflected to every peer.
    public let routeReflectorClient: Bool
    /// Our route reflector (we are its client); informational (`tern status`).
    public let routeReflector: Bool
    /// ADD-PATH offered for every family (RFC 7911).
    public let addPaths: AddPathsSetting
    /// Paths per prefix sent when ADD-PATH send is negotiated, 1...64.
    public let addPathsCount: Int
    /// BFD for this peer (RFC 5880/5881), nil when off. Not negotiated in OPEN: a change is
    /// applied to the BFD session without restarting BGP (see `ConfigDiff.bfdChanged`).
    public let bfd: BFDSettings?
    /// For an eBGP peer: how many hops away it may be. nil: directly connected, sent with
    /// TTL 1 (as BIRD, FRR and GoBGP do without `multihop`); N: TTL N. iBGP sessions use the
    /// system's default TTL.
    public let ebgpMultihop: UInt8?
    /// The TCP MD5 key (RFC 2385), 1-80 bytes, nil when off: signs every segment of the
    /// session and is installed on the listener for this address. Never printed.
    public let password: [UInt8]?
    /// GTSM (RFC 5082): the peer is at most this many hops away (1...255); we send with TTL
    /// 255 and drop what arrives with a TTL below 256 - N. nil when off. Excludes
    /// ``ebgpMultihop``.
    public let ttlSecurity: UInt8?
    /// The prefix limit (RFC 4486), nil when none.
    public let maxPrefixes: MaxPrefixSettings?
    /// Long-lived graceful restart (RFC 9494): the long-lived stale time in seconds we
    /// advertise and the longest we keep the peer's routes as LLGR_STALE after its restart
    /// time ran out (1...16777215); nil when off (`longLivedStaleTime` absent or 0).
    public let longLivedStaleTime: UInt32?

    /// Largest long-lived stale time (24 bits, RFC 9494 §3).
    public static let maxLongLivedStaleTime = 0xFF_FFFF

    /// A validated peer. Each rule's error names its field (``ModelError/field``): a unicast
    /// `address`, `asNumber`/`port`/`holdTime`/`connectRetryTime` as ``validASNumber(_:whose:)``
    /// and its siblings check them, a non-empty `name`, at least one family, not both
    /// `routeReflector` and `routeReflectorClient`, `addPathsCount` in 1...64.
    public init(address: IPAddress, port: UInt16 = 179, asNumber: UInt32, holdTime: UInt16 = 90,
                connectRetryTime: UInt16 = 5, passive: Bool = false, type: PeerType = .global,
                name: String? = nil, families: [IPFamily] = [.v4],
                routeReflectorClient: Bool = false, routeReflector: Bool = false,
                addPaths: AddPathsSetting = .none, addPathsCount: Int = PeerSpec.defaultAddPathsCount,
                bfd: BFDSettings? = nil, ebgpMultihop: UInt8? = nil, password: [UInt8]? = nil,
                ttlSecurity: UInt8? = nil, maxPrefixes: MaxPrefixSettings? = nil,
                longLivedStaleTime: UInt32? = nil) throws(ModelError) {
        if let t = longLivedStaleTime, t > UInt32(PeerSpec.maxLongLivedStaleTime) {
            throw ModelError(field: "longLivedStaleTime", "longLivedStaleTime \(t) is out of range 0-\(PeerSpec.maxLongLivedStaleTime) seconds",
                             hint: "3600 (an hour) is usual; 0 turns LLGR off")
        }
        self.longLivedStaleTime = longLivedStaleTime == 0 ? nil : longLivedStaleTime
        if let h = ebgpMultihop, h == 0 {
            throw ModelError(field: "ebgpMultihop", "ebgpMultihop 0 is not a hop count", hint: "use 2-255 hops, or leave it out for a directly connected peer")
        }
        if address.isUnspecified || address.isMulticast {
            throw ModelError(field: "address", "\(address) cannot be a peer's address (it is not a unicast host address)",
                             hint: "give the address the peer's BGP speaker is reached at")
        }
        self.address = address
        self.port = try PeerSpec.validPort(Int(port))
        self.asNumber = try PeerSpec.validASNumber(Int(asNumber), whose: "the peer's")
        self.holdTime = try PeerSpec.validHoldTime(Int(holdTime))
        self.connectRetryTime = try PeerSpec.validConnectRetryTime(Int(connectRetryTime))
        if let name, name.isEmpty { throw ModelError(field: "name", "a peer's name cannot be empty", hint: "remove the key or give a label") }
        guard !families.isEmpty else {
            throw ModelError(field: "families", "needs at least one address family", hint: "use [ipv4], [ipv6] or [ipv4, ipv6]")
        }
        guard Set(families).count == families.count else {
            throw ModelError(field: "families", "lists a family twice", hint: "name each family once")
        }
        if routeReflector && routeReflectorClient {
            throw ModelError(field: "routeReflector", "a peer cannot be both our reflector and our client",
                             hint: "keep routeReflector (it reflects to us) or routeReflectorClient (we reflect to it)")
        }
        guard PeerSpec.addPathsCountRange.contains(addPathsCount) else {
            throw ModelError(field: "addPathsCount", "\(addPathsCount) paths per prefix is out of range 1-64",
                             hint: "2 is usual (ECMP over two nodes)")
        }
        self.passive = passive
        self.type = type
        self.name = name
        self.families = families
        self.routeReflectorClient = routeReflectorClient
        self.routeReflector = routeReflector
        self.addPaths = addPaths
        self.addPathsCount = addPathsCount
        if let password, password.isEmpty || password.count > PeerSpec.maxPasswordLength {
            throw ModelError(field: "password", "a TCP MD5 key must be 1-\(PeerSpec.maxPasswordLength) bytes, this one has \(password.count)",
                             hint: "Linux's TCP_MD5SIG_MAXKEYLEN is 80")
        }
        if let t = ttlSecurity, t == 0 {
            throw ModelError(field: "ttlSecurity", "ttlSecurity 0 is not a hop count", hint: "use 1 for a directly connected peer, or leave it out")
        }
        if ttlSecurity != nil && ebgpMultihop != nil {
            throw ModelError(field: "ttlSecurity", "ttlSecurity and ebgpMultihop cannot both be set",
                             hint: "ttlSecurity: N already allows N hops (TTL 255 out, at least 256-N in); remove ebgpMultihop")
        }
        self.bfd = bfd
        self.ebgpMultihop = ebgpMultihop
        self.password = password
        self.ttlSecurity = ttlSecurity
        self.maxPrefixes = maxPrefixes
    }

    /// The longest TCP MD5 key (Linux `TCP_MD5SIG_MAXKEYLEN`; Calico's limit too).
    public static let maxPasswordLength = 80

    /// GTSM (RFC 5082 §3): the smallest TTL / hop limit accepted from the peer, 256 - N;
    /// nil without ``ttlSecurity``.
    public var minimumTTL: UInt8? { ttlSecurity.map { UInt8(256 - Int($0)) } }

    /// The TTL of this session's packets when the peer's AS is not `localAS` (eBGP):
    /// ``ebgpMultihop`` or 1; nil for iBGP (the system default).
    /// With ``ttlSecurity`` (either kind of peer): 255 (RFC 5082 §3).
    public func ttl(localAS: UInt32) -> UInt8? {
        if ttlSecurity != nil { return 255 }
        return asNumber == localAS ? nil : (ebgpMultihop ?? 1)
    }

    /// Where the peer is reached: its identity among the node's peers.
    public var endpoint: PeerEndpoint { PeerEndpoint(address: address, port: port) }

    /// The peer type `tern status` shows: "reflector client" (our client), "reflector" (our
    /// reflector), else where the peer came from ("node-to-node mesh", "global").
    public var displayType: String {
        if routeReflectorClient { return "reflector client" }
        if routeReflector { return "reflector" }
        return type.rawValue
    }

    /// "node-b (192.168.77.2:179, AS 64512, node-to-node mesh, passive)".
    public var description: String {
        let what = "\(endpoint), AS \(asNumber), \(displayType)\(passive ? ", passive" : "")"
        if let name { return "\(name) (\(what))" }
        return what
    }

    // MARK: - One rule per value (shared with the loader, which reads integers of any size)

    /// An AS number: 1...4294967295 but not AS_TRANS 23456 (RFC 6793 §2); 0 is reserved
    /// (RFC 7607). `whose` words the hint ("the peer's", "this node's").
    public static func validASNumber(_ n: Int, whose: String) throws(ModelError) -> UInt32 {
        let hint = "use \(whose) AS number; private ones are 64512-65534 and 4200000000-4294967294"
        if n == 0 { throw ModelError(field: "asNumber", "AS 0 is reserved and cannot be used (RFC 7607)", hint: hint) }
        if n == 23456 { throw ModelError(field: "asNumber", "23456 is AS_TRANS, not a real AS number", hint: "use \(whose) 4-octet AS number") }
        guard n > 0 && n <= Int(UInt32.max) else {
            throw ModelError(field: "asNumber", "\(n) is out of range; AS numbers are 1-4294967295", hint: hint)
        }
        return UInt32(n)
    }

    /// A hold time: 0 or 3...65535 seconds (RFC 4271 §4.2).
    public static func validHoldTime(_ n: Int) throws(ModelError) -> UInt16 {
        if n == 1 || n == 2 {
            throw ModelError(field: "holdTime", "hold time \(n) is not allowed; it must be 0 or at least 3 seconds (RFC 4271 §4.2)",
                             hint: "use 3 or more, usually 90, or 0 to turn keepalives off")
        }
        guard (0...65535).contains(n) else {
            throw ModelError(field: "holdTime", "hold time \(n) is out of range 0 or 3-65535 seconds", hint: "90 is usual")
        }
        return UInt16(n)
    }

    /// Seconds between connection attempts: 1...65535.
    public static func validConnectRetryTime(_ n: Int) throws(ModelError) -> UInt16 {
        guard (1...65535).contains(n) else {
            throw ModelError(field: "connectRetryTime", "connect retry time \(n) is out of range 1-65535 seconds",
                             hint: n <= 0 ? "0 would retry without pause; 5 is usual" : "5 is usual")
        }
        return UInt16(n)
    }

    /// A TCP port: 1...65535.
    public static func validPort(_ n: Int) throws(ModelError) -> UInt16 {
        if n <= 0 { throw ModelError(field: "port", "port \(n) must be positive", hint: "BGP's port is 179") }
        guard n <= 65535 else { throw ModelError(field: "port", "port \(n) is out of range 1-65535", hint: "BGP's port is 179") }
        return UInt16(n)
    }

    /// The family a configuration names: "ipv4"/"ipv6", optionally with "-unicast".
    public static func family(named name: String) -> IPFamily? {
        switch name.lowercased() {
        case "ipv4", "ipv4-unicast", "ipv4unicast": .v4
        case "ipv6", "ipv6-unicast", "ipv6unicast": .v6
        default: nil
        }
    }
}

/// Where a peer is reached, address and port: how a node tells its peers apart (several
/// speakers may share an address on different ports, as in tests).
public struct PeerEndpoint: Hashable, Sendable, CustomStringConvertible {
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

/// Which way ADD-PATH (RFC 7911) is offered to a peer.
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
