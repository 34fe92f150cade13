import Dataplane
import Foundation

/// The control socket's protocol: one JSON request per line, one JSON response per line.
///
/// ```
/// -> {"command":"status"}
/// <- {"ok":true,"status":{"nodeName":"node-a",...}}
/// -> {"command":"routes","prefix":"10.244.1.0/26"}
/// <- {"ok":true,"routes":[...]}
/// <- {"ok":false,"error":"unknown command 'x'"}
/// ```
public enum ControlProtocol {
    /// A request from the CLI.
    public struct Request: Codable, Sendable, Equatable {
        /// "status", "routes".
        public var command: String
        /// For "routes": only this prefix (CIDR).
        public var prefix: String?
        /// For "workload-add" / "workload-del".
        public var workload: Workload?

        public init(command: String, prefix: String? = nil, workload: Workload? = nil) {
            self.command = command
            self.prefix = prefix
            self.workload = workload
        }
    }

    /// The daemon's answer.
    public struct Response: Codable, Sendable, Equatable {
        public var ok: Bool
        public var error: String?
        public var status: Status?
        public var routes: [Route]?
        public var workloads: [Workload]?
        public var fib: [FIBRow]?

        public init(ok: Bool, error: String? = nil, status: Status? = nil, routes: [Route]? = nil,
                    workloads: [Workload]? = nil, fib: [FIBRow]? = nil) {
            self.ok = ok
            self.error = error
            self.status = status
            self.routes = routes
            self.workloads = workloads
            self.fib = fib
        }

        public static func failure(_ message: String) -> Response { Response(ok: false, error: message) }
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

        public init(nodeName: String, routerID: String, asNumber: UInt32, role: String, peers: [Peer],
                    listenError: String? = nil, overlay: Overlay? = nil) {
            self.nodeName = nodeName
            self.routerID = routerID
            self.asNumber = asNumber
            self.role = role
            self.peers = peers
            self.listenError = listenError
            self.overlay = overlay
        }
    }

    /// The overlay part of `tern status`: the dataplane's own status value.
    public typealias Overlay = OverlayStatus

    /// One peer row of `tern status`.
    public struct Peer: Codable, Sendable, Equatable {
        public var address: String
        public var port: UInt16
        public var asNumber: UInt32
        /// "node-to-node mesh", "global", later "reflector client", "reflector".
        public var type: String
        /// RFC 4271 state name: Idle, Connect, Active, OpenSent, OpenConfirm, Established.
        public var state: String
        /// ISO 8601 time of the last state change.
        public var since: String
        public var prefixesReceived: Int
        public var prefixesAccepted: Int
        public var prefixesSent: Int
        /// The last error: a NOTIFICATION sent or received, or a socket error.
        public var lastError: String?
        /// Short free text like BIRD's "Established" / "Connect: Connection refused".
        public var info: String

        public init(address: String, port: UInt16, asNumber: UInt32, type: String, state: String, since: String,
                    prefixesReceived: Int, prefixesAccepted: Int, prefixesSent: Int, lastError: String?, info: String) {
            self.address = address
            self.port = port
            self.asNumber = asNumber
            self.type = type
            self.state = state
            self.since = since
            self.prefixesReceived = prefixesReceived
            self.prefixesAccepted = prefixesAccepted
            self.prefixesSent = prefixesSent
            self.lastError = lastError
            self.info = info
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
        public var name: String
        public var interface: String
        /// CIDR host routes ("10.244.1.5/32").
        public var ipNetworks: [String]
        /// "0a:58:0a:f4:01:05", optional.
        public var mac: String?
        /// "config" (from the YAML file) or "cli" (added at run time, kept in the state file).
        public var origin: String?

        public init(name: String, interface: String, ipNetworks: [String], mac: String? = nil, origin: String? = nil) {
            self.name = name
            self.interface = interface
            self.ipNetworks = ipNetworks
            self.mac = mac
            self.origin = origin
        }
    }

    /// One line of `tern fib`: desired vs kernel for a prefix.
    public struct FIBRow: Codable, Sendable, Equatable {
        public var prefix: String
        /// "workload", "block", "bgp", or nil for a stale route of ours.
        public var source: String?
        public var desired: String?
        public var kernel: [String]
        /// "installed", "pending", "error", "conflict", "stale".
        public var state: String
        public var detail: String?

        public init(prefix: String, source: String?, desired: String?, kernel: [String], state: String, detail: String?) {
            self.prefix = prefix
            self.source = source
            self.desired = desired
            self.kernel = kernel
            self.state = state
            self.detail = detail
        }
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
