import Foundation
import Model

/// Tern's control API: the values the daemon sends and its clients (the CLI, the CNI plugin)
/// read; the daemon sends values, clients format them (OpenBGPD's `IMSG_CTL_*` with bgpctl
/// doing the formatting). Clients link this target, never the daemon.
///
/// On the control socket, one JSON request per line and one JSON response per line, each
/// carrying the API version:
///
/// ```
/// -> {"apiVersion":1,"command":"status"}
/// <- {"apiVersion":1,"ok":true,"status":{"nodeName":"node-a",...}}
/// -> {"apiVersion":1,"command":"routes","prefix":"10.244.1.0/26"}
/// <- {"apiVersion":1,"ok":true,"routes":[...]}
/// <- {"apiVersion":1,"ok":false,"error":{"code":"unknownCommand","message":"unknown command 'x' (known: ...)"}}
/// ```
///
/// Versioning: a daemon answers a request of another ``version`` with the error
/// ``APIError/Code/unsupportedVersion`` (and its own version in the envelope); fields are
/// only ever added within a version, so an older client ignores what it does not know.
public enum ControlProtocol {
    /// The API version this build speaks.
    public static let version = 1

    /// The commands, as named on the wire.
    public enum Command: String, Codable, Sendable, CaseIterable {
        /// The node, its sessions and its overlay: answered with ``Response/status``.
        case status
        /// The Loc-RIB (or one prefix of it, ``Request/prefix``): ``Response/routes``.
        case routes
        /// Desired vs kernel routes: ``Response/fib``.
        case fib
        /// Adds ``Request/workload`` (kept across restarts): every workload in ``Response/workloads``.
        case workloadAdd = "workload-add"
        /// Deletes the workload named in ``Request/workload``: ``Response/workloads``.
        case workloadDelete = "workload-del"
        /// Every workload, from the configuration and from the API: ``Response/workloads``.
        case workloadList = "workload-list"
        /// An address for ``Request/ipam``'s handle from this node's IPAM blocks (the
        /// datastore): ``Response/ipam``. The same handle again returns the same address.
        case ipamAllocate = "ipam-allocate"
        /// Frees every address of ``Request/ipam``'s handle: ``Response/ipam`` lists them.
        case ipamRelease = "ipam-release"
        /// CNI GC: frees this node's addresses whose handle starts with ``Request/ipam``'s
        /// `handle` and is not in its `keep` list: ``Response/ipam`` lists them.
        case ipamGC = "ipam-gc"
        /// Every BFD session (RFC 5880): ``Response/bfd``.
        case bfd
        /// Every NetworkPolicy and the pods it selects, with counters: ``Response/policies``.
        case policyList = "policy-list"
        /// Allowed or denied, and why, for ``Request/explain``: ``Response/explanation``.
        case policyExplain = "policy-explain"
        /// The nft table desired vs in the kernel: ``Response/policyDataplane``.
        case policyDataplane = "policy-dataplane"
    }

    /// A received path the RIB ignored (`tern routes --rejected`).
    public struct RejectedPath: Codable, Sendable, Equatable {
        public var prefix: String
        public var pathID: UInt32?
        /// The peer's address (and port when not 179).
        public var peer: String
        /// `asLoop`, `originatorLoop`, `clusterLoop`, `firstASMismatch`, `martian`,
        /// `ownAddress`, `invalidNextHop` (docs/OPERATIONS.md, "Import safety").
        public var reason: String

        public init(prefix: String, pathID: UInt32?, peer: String, reason: String) {
            self.prefix = prefix
            self.pathID = pathID
            self.peer = peer
            self.reason = reason
        }
    }

    /// What `ipam-allocate` / `ipam-release` act on.
    public struct IPAMRequest: Codable, Sendable, Equatable {
        /// Who holds the address: the CNI plugin passes `<network>.<container ID>`.
        public var handle: String
        /// "ipv4" (default) or "ipv6".
        public var family: String?
        /// A specific address (podman's `--ip`), else the lowest free one.
        public var address: String?
        /// For `ipam-gc`: the handles still in use (the runtime's valid attachments).
        public var keep: [String]?
        /// For `ipam-allocate`: only these pools (names or CIDRs; calico-ipam's
        /// `ipv4_pools`/`ipv6_pools`), else every enabled pool whose `nodeSelector` matches.
        public var pools: [String]?

        public init(handle: String, family: String? = nil, address: String? = nil, keep: [String]? = nil,
                    pools: [String]? = nil) {
            self.pools = pools
            self.handle = handle
            self.family = family
            self.address = address
            self.keep = keep
        }
    }

    /// An address `ipam-allocate` gave (or `ipam-release` freed).
    public struct IPAMAddress: Codable, Sendable, Equatable {
        /// The host prefix (/32 or /128).
        public var address: String
        /// The IPAM block it is in.
        public var block: String?
        /// From another node's block (no own block was free): this node advertises it as a /32.
        public var borrowed: Bool?

        public init(address: String, block: String? = nil, borrowed: Bool? = nil) {
            self.address = address
            self.block = block
            self.borrowed = borrowed
        }
    }

    /// A request from a client.
    public struct Request: Codable, Sendable, Equatable {
        /// The client's ``ControlProtocol/version``.
        public var apiVersion: Int
        /// What to do, a ``Command`` raw value (kept as text so that an unknown command gets
        /// a specific error rather than a decoding failure).
        public var command: String
        /// For `routes`: only this prefix (CIDR).
        public var prefix: String?
        /// For `workload-add` / `workload-del`.
        public var workload: Workload?
        /// For `ipam-allocate` / `ipam-release`.
        public var ipam: IPAMRequest?
        /// For `routes`: the paths the RIB ignored instead (``Response/rejected``).
        public var rejected: Bool?
        /// For `policy-explain`.
        public var explain: PolicyExplainRequest?

        public init(_ command: Command, prefix: String? = nil, workload: Workload? = nil, ipam: IPAMRequest? = nil,
                    rejected: Bool? = nil, explain: PolicyExplainRequest? = nil) {
            self.explain = explain
            apiVersion = ControlProtocol.version
            self.command = command.rawValue
            self.prefix = prefix
            self.workload = workload
            self.ipam = ipam
            self.rejected = rejected
        }

        /// A request with any command text and version (tests, other clients).
        public init(command: String, apiVersion: Int = ControlProtocol.version, prefix: String? = nil, workload: Workload? = nil) {
            self.apiVersion = apiVersion
            self.command = command
            self.prefix = prefix
            self.workload = workload
        }

        /// The command, or the error a daemon answers for this request's envelope.
        public func validated() -> Result<Command, APIError> {
            guard apiVersion == ControlProtocol.version else {
                return .failure(APIError(.unsupportedVersion,
                                         "this daemon speaks API version \(ControlProtocol.version), the client sent \(apiVersion)"))
            }
            guard let c = Command(rawValue: command) else {
                let known = Command.allCases.map(\.rawValue).joined(separator: ", ")
                return .failure(APIError(.unknownCommand, "unknown command '\(command)' (known: \(known))"))
            }
            return .success(c)
        }
    }

    /// The daemon's answer.
    public struct Response: Codable, Sendable, Equatable {
        /// The daemon's ``ControlProtocol/version``.
        public var apiVersion: Int
        public var ok: Bool
        /// Why the request failed (`ok` false).
        public var error: APIError?
        public var status: Status?
        public var routes: [Route]?
        public var workloads: [Workload]?
        public var fib: [FIBRow]?
        /// `ipam-allocate`: the address; `ipam-release`: those freed.
        public var ipam: [IPAMAddress]?
        /// `routes` with `rejected`: every received path that was ignored, and why.
        public var rejected: [RejectedPath]?
        /// `tern bfd`.
        public var bfd: [BFDSession]?
        /// `policy-list`.
        public var policies: [PolicyRow]?
        /// `policy-explain`.
        public var explanation: PolicyExplanation?
        /// `policy-dataplane`.
        public var policyDataplane: PolicyDataplane?

        public init(ok: Bool, error: APIError? = nil, status: Status? = nil, routes: [Route]? = nil,
                    workloads: [Workload]? = nil, fib: [FIBRow]? = nil, ipam: [IPAMAddress]? = nil, bfd: [BFDSession]? = nil) {
            self.ipam = ipam
            apiVersion = ControlProtocol.version
            self.ok = ok
            self.error = error
            self.status = status
            self.routes = routes
            self.workloads = workloads
            self.fib = fib
            self.bfd = bfd
        }

        /// A failed request.
        public static func failure(_ error: APIError) -> Response { Response(ok: false, error: error) }

        /// A failed request: `code` and the words for the user.
        public static func failure(_ code: APIError.Code, _ message: String) -> Response {
            Response(ok: false, error: APIError(code, message))
        }
    }

    /// `tern status --json`.
    public struct Status: Codable, Sendable, Equatable {
        public var nodeName: String
        public var routerID: String
        public var asNumber: UInt32
        public var role: String
        public var peers: [Peer]
        /// Set while the BGP port cannot be bound (retried every 5 s).
        public var listenError: String?
        /// IP pools, tunnel devices and MTUs; nil without pools or without a dataplane.
        public var overlay: Overlay?
        /// The cluster datastore; nil when the configuration names none.
        public var datastore: DatastoreStatus?

        public init(nodeName: String, routerID: String, asNumber: UInt32, role: String, peers: [Peer],
                    listenError: String? = nil, overlay: Overlay? = nil, datastore: DatastoreStatus? = nil) {
            self.datastore = datastore
            self.nodeName = nodeName
            self.routerID = routerID
            self.asNumber = asNumber
            self.role = role
            self.peers = peers
            self.listenError = listenError
            self.overlay = overlay
        }
    }

    /// The datastore part of `tern status`.
    public struct DatastoreStatus: Codable, Sendable, Equatable {
        /// "file" or "etcd".
        public var type: String
        /// "connected" or "down" (routing, sessions and the kernel stay as they are while down).
        public var state: String
        /// The store revision the node's view is at.
        public var revision: Int64
        /// Why it is down, or a problem needing an operator.
        public var error: String?
        /// This node's blocks from the datastore.
        public var blocks: [String]

        public init(type: String, state: String, revision: Int64, error: String?, blocks: [String]) {
            self.type = type
            self.state = state
            self.revision = revision
            self.error = error
            self.blocks = blocks
        }
    }

    /// The overlay part of `tern status`: the dataplane's status value (``Model/OverlayStatus``).
    public typealias Overlay = OverlayStatus

    /// One peer row of `tern status`.
    public struct Peer: Codable, Sendable, Equatable {
        public var address: String
        public var port: UInt16
        public var asNumber: UInt32
        /// "node-to-node mesh", "global", later "reflector client", "reflector".
        public var type: String
        /// The RFC 4271 §8.2.2 state.
        public var state: SessionState
        /// ISO 8601 time of the last state change.
        public var since: String
        public var prefixesReceived: Int
        public var prefixesAccepted: Int
        public var prefixesSent: Int
        /// Received paths ignored by loop detection or the default import filter, per reason
        /// ("martian", "invalidNextHop", "ownAddress", "firstASMismatch", "asLoop", ...); nil
        /// when none.
        public var prefixesRejected: [String: Int]?
        /// The last error: a NOTIFICATION sent or received, a socket error, why the session ended.
        public var lastError: PeerError?
        /// Short free text like BIRD's "Established" / "Connect: Connection refused".
        public var info: String
        /// The peer's BFD session; nil when BFD is off for it.
        public var bfd: PeerBFD?
        /// The prefix limit (RFC 4486); nil without `maxPrefixes`.
        public var maxPrefixes: PeerMaxPrefixes?
        /// True when a TCP MD5 key (RFC 2385) is configured; nil otherwise.
        public var md5: Bool?
        /// GTSM hops (RFC 5082 `ttlSecurity`); nil when off.
        public var ttlSecurity: UInt8?
        /// Long-lived graceful restart (RFC 9494); nil when not configured for the peer.
        public var llgr: PeerLLGR?

        public init(address: String, port: UInt16, asNumber: UInt32, type: String, state: SessionState, since: String,
                    prefixesReceived: Int, prefixesAccepted: Int, prefixesSent: Int, prefixesRejected: [String: Int]? = nil,
                    lastError: PeerError?, info: String, bfd: PeerBFD? = nil, maxPrefixes: PeerMaxPrefixes? = nil,
                    md5: Bool? = nil, ttlSecurity: UInt8? = nil) {
            self.maxPrefixes = maxPrefixes
            self.md5 = md5
            self.ttlSecurity = ttlSecurity
            self.address = address
            self.port = port
            self.asNumber = asNumber
            self.type = type
            self.state = state
            self.since = since
            self.prefixesReceived = prefixesReceived
            self.prefixesAccepted = prefixesAccepted
            self.prefixesSent = prefixesSent
            self.prefixesRejected = prefixesRejected
            self.lastError = lastError
            self.info = info
            self.bfd = bfd
        }
    }

    /// The LLGR part of a `tern status` peer row: `"llgr": {"configuredStaleTime": 3600,
    /// "negotiated": true, "staleTime": 60, "stale": false}`.
    public struct PeerLLGR: Codable, Sendable, Equatable {
        /// Our `longLivedStaleTime` in seconds (nil: we do not advertise LLGR).
        public var configuredStaleTime: UInt32?
        /// Both sides advertised the LLGR capability (RFC 9494 §3).
        public var negotiated: Bool
        /// The stale time in effect: the peer's, capped by ours; nil when not negotiated.
        public var staleTime: UInt32?
        /// The peer's routes are held as LLGR_STALE right now.
        public var stale: Bool

        public init(configuredStaleTime: UInt32?, negotiated: Bool, staleTime: UInt32?, stale: Bool) {
            self.configuredStaleTime = configuredStaleTime
            self.negotiated = negotiated
            self.staleTime = staleTime
            self.stale = stale
        }
    }

    /// One prefix of `tern routes`, with every candidate path.
    public struct Route: Codable, Sendable, Equatable {
        public var prefix: String
        public var paths: [Path]

        public init(prefix: String, paths: [Path]) {
            self.prefix = prefix
            self.paths = paths
        }
    }

    /// One candidate path.
    public struct Path: Codable, Sendable, Equatable {
        public var best: Bool
        /// "local" for routes this node originates, else the peer's address.
        public var source: String
        public var pathID: UInt32?
        public var nextHop: String
        public var asPath: String
        public var origin: String
        public var localPref: UInt32?
        public var med: UInt32?
        public var communities: [String]
        public var largeCommunities: [String]
        public var extendedCommunities: [String]
        public var originatorID: String?
        public var clusterList: [String]
        /// For the best path: the decision step that chose it, e.g. "higher LOCAL_PREF".
        public var reason: String?

        public init(best: Bool, source: String, pathID: UInt32?, nextHop: String, asPath: String, origin: String,
                    localPref: UInt32?, med: UInt32?, communities: [String], largeCommunities: [String],
                    extendedCommunities: [String], originatorID: String?, clusterList: [String], reason: String?) {
            self.best = best
            self.source = source
            self.pathID = pathID
            self.nextHop = nextHop
            self.asPath = asPath
            self.origin = origin
            self.localPref = localPref
            self.med = med
            self.communities = communities
            self.largeCommunities = largeCommunities
            self.extendedCommunities = extendedCommunities
            self.originatorID = originatorID
            self.clusterList = clusterList
            self.reason = reason
        }
    }

    /// A workload (pod): `tern workload add/del/list`.
    public struct Workload: Codable, Sendable, Equatable {
        /// The pod's name (without its namespace).
        public var name: String
        /// The pod's namespace; nil is `default`.
        public var namespace: String?
        public var interface: String
        /// CIDR host routes ("10.244.1.5/32").
        public var ipNetworks: [String]
        /// "0a:58:0a:f4:01:05", optional.
        public var mac: String?
        /// The pod's labels (written into its WorkloadEndpoint); nil when none were given,
        /// in which case the daemon takes them from the datastore's `Pod` of that name.
        public var labels: [String: String]?
        /// "config" (from the YAML file), "cli" (added at run time, kept in the state file) or
        /// "cni" (added by the CNI plugin, kept in the state file).
        public var origin: String?
        /// For `cni` workloads: the attachment, `<network>.<CNI_CONTAINERID>` (also its IPAM
        /// handle), so that DEL and GC find exactly it.
        public var attachment: String?

        public init(name: String, namespace: String? = nil, interface: String, ipNetworks: [String], mac: String? = nil,
                    labels: [String: String]? = nil, origin: String? = nil, attachment: String? = nil) {
            self.name = name
            self.namespace = namespace
            self.interface = interface
            self.ipNetworks = ipNetworks
            self.mac = mac
            self.labels = labels
            self.origin = origin
            self.attachment = attachment
        }

        /// `name`, or `namespace/name` outside `default` (how lists show it).
        public var qualifiedName: String {
            guard let ns = namespace, ns != "default" else { return name }
            return "\(ns)/\(name)"
        }
    }

    /// One line of `tern fib`: desired vs kernel for a prefix.
    public struct FIBRow: Codable, Sendable, Equatable {
        public var prefix: String
        /// "workload", "block", "bgp", or nil for a stale route of ours.
        public var source: String?
        public var desired: String?
        public var kernel: [String]
        public var state: FIBState
        public var detail: String?

        public init(prefix: String, source: String?, desired: String?, kernel: [String], state: FIBState, detail: String?) {
            self.prefix = prefix
            self.source = source
            self.desired = desired
            self.kernel = kernel
            self.state = state
            self.detail = detail
        }
    }

    /// Why a peer's session last failed: `{"kind":"notificationReceived","code":6,"subcode":2,
    /// "message":"received NOTIFICATION 6/2 ..."}`.
    public struct PeerError: Codable, Sendable, Equatable, CustomStringConvertible {
        public enum Kind: String, Codable, Sendable, CaseIterable {
            /// The peer sent a NOTIFICATION.
            case notificationReceived
            /// Tern sent one.
            case notificationSent
            /// The session ended without a NOTIFICATION (hold timer in OpenSent, TCP lost...).
            case session
            /// A socket error (connect refused, reset, unreachable).
            case connection
        }
        public var kind: Kind
        /// The NOTIFICATION's error code and subcode (RFC 4271 §4.5), for the notification kinds.
        public var code: UInt8?
        public var subcode: UInt8?
        /// The error in words, as `tern status` prints it.
        public var message: String

        public init(_ kind: Kind, code: UInt8? = nil, subcode: UInt8? = nil, message: String) {
            self.kind = kind
            self.code = code
            self.subcode = subcode
            self.message = message
        }

        public var description: String { message }
    }

    /// A BGP session's state (RFC 4271 §8.2.2), by its RFC name on the wire.
    public enum SessionState: String, Codable, Sendable, CaseIterable {
        case idle = "Idle", connect = "Connect", active = "Active"
        case openSent = "OpenSent", openConfirm = "OpenConfirm", established = "Established"
    }

    /// How a prefix of `tern fib` stands.
    public enum FIBState: String, Codable, Sendable, CaseIterable {
        /// In the kernel as desired.
        case installed
        /// Desired, waiting (an interface missing or down, a tunnel not ready): see `detail`.
        case pending
        /// The kernel refused it: see `detail`.
        case error
        /// A route of another protocol holds the prefix; left alone.
        case conflict
        /// Ours from a previous run, no longer desired; removed after End-of-RIB or the stale timeout.
        case stale
    }

    /// Encodes a value as one line of JSON (no newline inside).
    public static func line<T: Encodable>(_ value: T) throws -> String {
        let enc = JSONEncoder()
        enc.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try enc.encode(value), as: UTF8.self)
    }

    /// Decodes one line of JSON.
    public static func parse<T: Decodable>(_ type: T.Type, from line: String) throws -> T {
        try JSONDecoder().decode(type, from: Data(line.utf8))
    }
}
