import IPCore
import Foundation
import Model
import Yams

/// Reads Tern's YAML configuration.
///
/// Every problem in the file is collected before anything is thrown, so one run of
/// `tern` shows them all; each carries file, line, column, key path and a hint.
///
/// Each mapping of the file has one ``FieldTable`` (``settingsFields`` for the top level,
/// ``nodeFields``, ``peerFields``, ``workloadFields``, ``dataplaneFields``,
/// ``ipPoolFields``): its keys are named there once, with what is required and how each
/// value is read. The checks across fields and entries follow the tables.
public enum ConfigLoader {
    /// Keys of the top-level mapping, in the order of `config/node-a.yaml` (from its table).
    public static var topLevelKeys: [String] { settingsFields.keys }
    /// Keys of one `peers` entry.
    public static var peerKeys: [String] { peerFields.keys }
    /// Keys of one `nodes` entry.
    public static var nodeKeys: [String] { nodeFields.keys }
    /// Keys of one `workloads` entry.
    public static var workloadKeys: [String] { workloadFields.keys }
    /// Keys of the `dataplane` mapping.
    public static var dataplaneKeys: [String] { dataplaneFields.keys }
    /// Keys of one `ipPools` entry.
    public static var ipPoolKeys: [String] { ipPoolFields.keys }
    /// Keys of the `datastore` mapping.
    public static var datastoreKeys: [String] { datastoreFields.keys }

    /// The largest configuration file read (16 MiB): a bigger one is refused before it is
    /// read, with its size in the error.
    public static let maxFileSize = 16 << 20

    /// Reads and parses the file at `path`; errors name `path` as their file.
    public static func load(path: String) throws(ConfigErrors) -> TernConfig {
        if let size = (try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int, size > maxFileSize {
            throw ConfigErrors([ConfigError(
                file: path, line: 0, column: 0, keyPath: "",
                message: "the file is \(size) bytes; a configuration file may be at most \(maxFileSize) bytes (16 MiB)",
                hint: "is this the right file?")])
        }
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw ConfigErrors([ConfigError(
                file: path, line: 0, column: 0, keyPath: "",
                message: "cannot read the file: \(error.localizedDescription)",
                hint: "check the path and that it is readable UTF-8 text")])
        }
        return try parse(yaml: text, file: path)
    }

    /// Parses configuration text; `file` is only used in the errors.
    public static func parse(yaml: String, file: String = "<config>") throws(ConfigErrors) -> TernConfig {
        let reader = Reader(file: file)
        guard let root = reader.compose(yaml) else { throw ConfigErrors(reader.errors) }
        let config = reader.config(root)
        if !reader.errors.isEmpty || config == nil {
            throw ConfigErrors(reader.sortedErrors)
        }
        return config!
    }
}

// MARK: - The top level

/// What the top-level mapping says, as ``ConfigLoader/settingsFields`` reads it: the
/// optional settings straight into `config` (whose defaults stay for keys not written),
/// the required ones and the lists apart, for the checks across fields in
/// `Reader.config(_:)`.
struct Settings {
    var config = TernConfig(nodeName: "", asNumber: 1, routerID: IPv4Address(1))
    var nodeName: String?
    var asNumber: UInt32?
    var routerID: IPv4Address?
    var nodes: [ReadMapping<NodeEntry>] = []
    var peers: [ReadMapping<PeerEntry>] = []
    /// The index and node of each prefix in `config.blocks`.
    var blocks: [(index: Int, node: Node)] = []
    var ipPools: [ReadMapping<IPPoolEntry>] = []
    var workloads: [ReadMapping<WorkloadEntry>] = []
    /// Written only when the file has a `datastore` key (see `Reader.config(_:)`).
    var datastore = DatastoreSettings()
}

extension ConfigLoader {
    /// The top-level mapping.
    static let settingsFields = FieldTable<Settings>(
        "the settings", shapeHint: "the file holds key: value lines such as \"nodeName: node-a\"", [
            Field<Settings>("nodeName", into: \.nodeName) { r, v, path in
                r.nonEmptyText(v, path, what: "this node's name")
            },
            Field<Settings>("role", into: \.config.role) { r, v, path in r.choice(v, path, NodeRole.self, what: "role") },
            Field<Settings>("asNumber", into: \.asNumber) { r, v, path in
                r.asNumber(v, path, whose: "this node's")
            },
            Field<Settings>("routerID", into: \.routerID) { r, v, path in
                r.routerID(v, path)
            },
            Field<Settings>("listenAddress", into: \.config.listenAddress) { r, v, path in
                r.address(v, path, what: "a listen address", allowUnspecified: true)
            },
            Field<Settings>("listenPort", into: \.config.listenPort) { r, v, path in r.port(v, path) },
            Field<Settings>("controlSocket", into: \.config.controlSocket) { r, v, path in r.nonEmptyText(v, path, what: "a socket path") },
            Field<Settings>("holdTime", into: \.config.holdTime) { r, v, path in r.holdTime(v, path) },
            Field<Settings>("connectRetryTime", into: \.config.connectRetryTime) { r, v, path in r.retryTime(v, path) },
            Field<Settings>("nodeToNodeMesh", into: \.config.nodeToNodeMesh) { r, v, path in r.bool(v, path) },
            Field<Settings>("nodeMeshBFD") { r, v, path, s in
                guard let choice = r.bfd(v, path) else { return false }
                s.config.nodeMeshBFD = choice.settings
                return true
            },
            Field<Settings>("nodeMeshPassword") { r, v, path, s in
                guard let key = r.password(v, path) else { return false }
                s.config.nodeMeshPassword = key
                return true
            },
            Field<Settings>("nodeMeshLongLivedStaleTime") { r, v, path, s in
                guard let t = r.longLivedStaleTime(v, path) else { return false }
                s.config.nodeMeshLongLivedStaleTime = t == 0 ? nil : t
                return true
            },
            Field<Settings>("enforceFirstAS", into: \.config.enforceFirstAS) { r, v, path in r.bool(v, path) },
            Field<Settings>("routeReflectorClusterID", into: \.config.routeReflectorClusterID) { r, v, path in r.clusterID(v, path) },
            Field<Settings>.list("nodes", of: nodeFields, start: NodeEntry(), example: "{name: node-b, address: 192.168.77.2}", into: \.nodes),
            Field<Settings>.list("peers", of: peerFields, start: PeerEntry(), example: "{address: 192.168.77.254, asNumber: 64513}", into: \.peers),
            Field<Settings>("blocks") { r, v, path, s in r.blocks(v, path, into: &s) },
            Field<Settings>.list("ipPools", of: ipPoolFields, start: IPPoolEntry(),
                  example: "{cidr: 10.244.0.0/16, blockSize: 26, vxlanMode: Always}", into: \.ipPools),
            Field<Settings>.list("workloads", of: workloadFields, start: WorkloadEntry(),
                  example: "{name: pod-a, interface: cali1, ipNetworks: [10.244.1.5/32]}", into: \.workloads),
            Field<Settings>.mapping("dataplane", dataplaneFields, into: \.config.dataplane),
            Field<Settings>.mapping("datastore", datastoreFields, into: \.datastore),
            Field<Settings>.mapping("policy", policyFields, into: \.config.policy),
            Field<Settings>.mapping("metrics", metricsFields, into: \.config.metrics),
            Field<Settings>.mapping("health", healthFields, into: \.config.health),
            Field<Settings>("logLevel", into: \.config.logLevel) { r, v, path in r.choice(v, path, LogLevel.self, what: "log level") },
            Field<Settings>("logFormat", into: \.config.logFormat) { r, v, path in r.choice(v, path, LogFormat.self, what: "log format") },
        ])
}

extension Reader {
    /// The document: the top-level table, then the checks across fields and entries.
    func config(_ root: Node) -> TernConfig? {
        guard let top = ConfigLoader.settingsFields.read(root, at: "", into: Settings(), self) else { return nil }
        let s = top.value
        var c = s.config
        if top["datastore"] != nil {
            c.datastore = s.datastore
            checkDatastore(s.datastore, top["datastore"]!)
        }
        requireUnlessDatastore(top, "nodeName", c, hint: "add \"nodeName: <this node's name>\"")
        requireUnlessDatastore(top, "asNumber", c, hint: "add \"asNumber: <this node's AS number>\", e.g. 64512")
        requireUnlessDatastore(top, "routerID", c, hint: "add \"routerID: <this node's IPv4 address>\"")
        c.nodeName = s.nodeName ?? ""
        c.asNumber = s.asNumber ?? BGPConfigurationSpec.defaultASNumber
        c.asNumberWritten = s.asNumber != nil
        c.routerID = s.routerID ?? IPv4Address(0)
        let selfKnown = s.nodeName != nil && s.routerID != nil
        nodes(s.nodes, into: &c, selfKnown: selfKnown)
        c.peers = peers(s.peers, of: c, selfKnown: selfKnown, clusterIDWritten: top["routeReflectorClusterID"] != nil,
                        localAS: s.asNumber)
        c.workloads = workloads(s.workloads)
        if top["ipPools"] != nil {
            c.ipPools = ipPools(s.ipPools)
            checkBlocks(c, s.blocks, workloads: top["workloads"])
        }
        if let health = top["health"] { checkObservability(c, health) }
        if c.datastore == nil, s.nodeName == nil || s.asNumber == nil || s.routerID == nil { return nil }
        return c
    }

    /// `key` is required when the file names no datastore (with one, the node's name, AS
    /// and router ID can come from the host and the datastore).
    func requireUnlessDatastore(_ top: ReadMapping<Settings>, _ key: String, _ c: TernConfig, hint: String) {
        guard c.datastore == nil, top[key] == nil else { return }
        fail(top.node, key, "missing required key \"\(key)\" in the file",
             hint: hint + " (or name a datastore: then the node's name defaults to the host name, its AS to the cluster's and its router ID to its first address)")
    }

    /// Checks across the datastore's keys: etcd needs endpoints; the TLS files go together.
    func checkDatastore(_ d: DatastoreSettings, _ node: Node) {
        if d.type == .etcd && d.endpoints.isEmpty {
            fail(node, "datastore.endpoints", "an etcd datastore needs its endpoints",
                 hint: "add endpoints: [http://<etcd host>:2379]")
        }
        if (d.certFile == nil) != (d.keyFile == nil) {
            fail(node, "datastore.\(d.certFile == nil ? "certFile" : "keyFile")", "certFile and keyFile go together",
                 hint: "give both the client certificate and its key, or neither")
        }
    }

    /// `blocks`: prefixes without host bits, each once. The accepted ones go to
    /// `s.config.blocks`, their index and node to `s.blocks`; false when one was rejected.
    func blocks(_ v: Node, _ path: String, into s: inout Settings) -> Bool {
        guard let items = list(v, path, example: "10.244.1.0/26") else { return false }
        var seen: [IPPrefix: Int] = [:]
        var ok = true
        for (i, item) in items.enumerated() {
            guard let p = prefix(item, "\(path)[\(i)]") else { ok = false; continue }
            if let first = seen[p] {
                fail(item, "\(path)[\(i)]", "\(p) is listed twice (also \(path)[\(first)])", hint: "remove one")
                ok = false
                continue
            }
            seen[p] = i
            s.config.blocks.append(p)
            s.blocks.append((i, item))
        }
        return ok
    }

    /// A cluster ID (RFC 4456): an IPv4 address, not 0.0.0.0.
    func clusterID(_ v: Node, _ path: String) -> IPv4Address? {
        let hint = "use one IPv4 address per cluster, e.g. the first reflector's router ID; redundant reflectors share it"
        guard let t = nonEmptyText(v, path, what: "an IPv4 address") else { return nil }
        guard let a = IPv4Address(t) else {
            fail(v, path, "\"\(t)\" is not an IPv4 address; a cluster ID is 32 bits (RFC 4456 §7)", hint: hint)
            return nil
        }
        if a.value == 0 {
            fail(v, path, "cluster ID 0.0.0.0 is not allowed", hint: hint)
            return nil
        }
        return a
    }
}
