import IPCore
import BGPWire
import Foundation
import Model
import Yams

/// Reads Tern's YAML configuration.
///
/// Every problem in the file is collected before anything is thrown, so one run of
/// `tern` shows them all; each carries file, line, column, key path and a hint.
public enum ConfigLoader {
    /// Keys of the top-level mapping, in the order of `config/node-a.yaml`.
    public static let topLevelKeys = [
        "nodeName", "role", "asNumber", "routerID", "listenAddress", "listenPort", "controlSocket",
        "holdTime", "connectRetryTime", "nodeToNodeMesh", "routeReflectorClusterID", "nodes", "peers", "blocks", "ipPools", "workloads", "dataplane", "logLevel", "logFormat",
    ]
    /// Keys of one `peers` entry.
    public static let peerKeys = [
        "name", "address", "port", "asNumber", "holdTime", "connectRetryTime", "passive", "families",
        "routeReflectorClient", "routeReflector", "addPaths", "addPathsCount",
    ]
    /// Keys of one `nodes` entry.
    public static let nodeKeys = ["name", "address", "port"]
    /// Keys of one `workloads` entry.
    public static let workloadKeys = ["name", "namespace", "interface", "ipNetworks", "mac", "labels"]
    /// Keys of the `dataplane` mapping.
    public static let dataplaneKeys = ["enabled", "routeProtocol", "routeTable", "resyncInterval", "staleRouteTimeout", "rpFilter",
                                       "ipipMTU", "vxlanMTU", "vxlanVNI", "vxlanPort", "underlayInterface"]
    /// Keys of one `ipPools` entry.
    public static let ipPoolKeys = ["cidr", "blockSize", "ipipMode", "vxlanMode"]

    /// Reads and parses the file at `path`; errors name `path` as their file.
    public static func load(path: String) throws(ConfigErrors) -> TernConfig {
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
        let root: Node?
        do {
            root = try Yams.compose(yaml: yaml)
        } catch let error as YamlError {
            reader.yamlError(error)
            throw ConfigErrors(reader.errors)
        } catch {
            reader.errors.append(ConfigError(file: file, line: 1, column: 1, keyPath: "", message: "\(error)"))
            throw ConfigErrors(reader.errors)
        }
        guard let root else {
            reader.fail(nil, "", "the file is empty", hint: "start from config/minimal.yaml")
            throw ConfigErrors(reader.errors)
        }
        let config = reader.config(root)
        if !reader.errors.isEmpty || config == nil {
            throw ConfigErrors(reader.sortedErrors)
        }
        return config!
    }
}

// MARK: - Reading the node tree

/// One mapping of the document, keyed by string, with the path that leads to it.
struct Fields {
    let node: Node
    let prefix: String
    var entries: [String: (key: Node, value: Node)] = [:]

    func path(_ key: String) -> String { prefix.isEmpty ? key : "\(prefix).\(key)" }
    subscript(key: String) -> Node? { entries[key]?.value }
}

final class Reader {
    let file: String
    var errors: [ConfigError] = []

    init(file: String) { self.file = file }

    var sortedErrors: [ConfigError] {
        errors.enumerated().sorted { a, b in
            (a.element.line, a.element.column, a.offset) < (b.element.line, b.element.column, b.offset)
        }.map(\.element)
    }

    func fail(_ node: Node?, _ path: String, _ message: String, hint: String? = nil) {
        let mark = node?.mark
        errors.append(ConfigError(file: file, line: mark?.line ?? 1, column: mark?.column ?? 1,
                                  keyPath: path, message: message, hint: hint))
    }

    func yamlError(_ error: YamlError) {
        func add(_ mark: Mark?, _ message: String, _ hint: String) {
            errors.append(ConfigError(file: file, line: mark?.line ?? 1, column: mark?.column ?? 1, keyPath: "",
                                      message: message, hint: hint))
        }
        let syntaxHint = "this is not valid YAML; check indentation, and quote values that start with ':' (an IPv6 address like '::') or contain ': '"
        switch error {
        case let .scanner(context, problem, mark, _), let .parser(context, problem, mark, _),
             let .composer(context, problem, mark, _):
            let message = context.map { "\(problem) (\($0.text))" } ?? problem
            add(mark, "YAML syntax error: \(message)", syntaxHint)
        case let .duplicatedKeysInMapping(duplicates, context):
            let keys = duplicates.map { "\"\($0)\"" }.joined(separator: ", ")
            add(context.mark, "key \(keys) appears more than once in one mapping",
                "keep one of them; YAML does not say which would win")
        case let .reader(problem, _, _, _):
            add(nil, "cannot read the text: \(problem)", "save the file as UTF-8")
        default:
            add(nil, "YAML error: \(error)", syntaxHint)
        }
    }

    // MARK: Shapes

    /// What a node is, for "expected X, got Y" messages.
    static func describe(_ node: Node) -> String {
        switch node {
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        case .alias: return "an alias"
        case .scalar(let s):
            if s.style != .plain && s.style != .any { return "the quoted string \"\(s.string)\"" }
            switch Reader.tagName(node) {
            case .null: return "nothing (null)"
            case .bool: return "the boolean \(s.string)"
            case .int, .float: return "the number \(s.string)"
            default: return "the string \"\(s.string)\""
            }
        }
    }

    /// The resolved YAML tag of a node (str, int, float, bool, null, ...).
    static func tagName(_ node: Node) -> Tag.Name { Tag.Name(rawValue: node.tag.rawValue) }

    static func isQuoted(_ node: Node) -> Bool {
        guard case .scalar(let s) = node else { return false }
        return s.style != .plain && s.style != .any
    }

    static func isNull(_ node: Node) -> Bool {
        guard case .scalar = node, !isQuoted(node) else { return false }
        return Reader.tagName(node) == .null
    }

    /// The mapping at `node`, with unknown keys reported (and a "did you mean").
    func fields(_ node: Node, _ prefix: String, known: [String], what: String) -> Fields? {
        guard case .mapping(let mapping) = node else {
            fail(node, prefix, "expected \(what) (a mapping of keys), got \(Reader.describe(node))",
                 hint: prefix.isEmpty ? "the file holds key: value lines such as \"nodeName: node-a\""
                                      : "write it as {key: value, ...} or as indented key: value lines")
            return nil
        }
        var f = Fields(node: node, prefix: prefix)
        for (key, value) in mapping {
            guard case .scalar(let k) = key else {
                fail(key, prefix, "keys must be plain names, got \(Reader.describe(key))")
                continue
            }
            if known.contains(k.string) {
                f.entries[k.string] = (key, value)
            } else {
                let hint: String
                if let guess = suggestion(for: k.string, among: known) {
                    hint = "did you mean \"\(guess)\"?"
                } else {
                    hint = "known keys here: \(known.joined(separator: ", "))"
                }
                fail(key, f.path(k.string), "unknown key \"\(k.string)\"", hint: hint)
            }
        }
        return f
    }

    /// The value of `key`, or an error naming it when it is missing or empty.
    func required(_ f: Fields, _ key: String, hint: String) -> Node? {
        guard let v = f[key] else {
            let place = f.prefix.isEmpty ? "the file" : f.prefix
            fail(f.node, f.path(key), "missing required key \"\(key)\" in \(place)", hint: hint)
            return nil
        }
        return v
    }

    func notNull(_ v: Node, _ path: String, _ what: String) -> Bool {
        if Reader.isNull(v) {
            fail(v, path, "has no value; expected \(what)", hint: "give a value or remove the key for the default")
            return false
        }
        return true
    }

    /// A whole number: plain decimal digits (leading zeros stay decimal), or another
    /// YAML integer form such as 0x...; quoted text and fractions are type errors.
    func integer(_ v: Node, _ path: String) -> Int? {
        guard notNull(v, path, "a whole number") else { return nil }
        if case .scalar(let s) = v, !Reader.isQuoted(v) {
            let t = s.string
            let digits = t.drop(while: { $0 == "-" || $0 == "+" })
            if !digits.isEmpty, digits.allSatisfy({ $0.isASCII && $0.isNumber }), t.count - digits.count <= 1 {
                if let n = Int(t) { return n }
                fail(v, path, "\(t) is far out of range", hint: "use a value that fits the setting")
                return nil
            }
            if Reader.tagName(v) == .int, let n = v.int { return n }
        }
        let hint: String
        if Reader.isQuoted(v) {
            hint = "remove the quotes"
        } else if Reader.tagName(v) == .float {
            hint = "use a whole number"
        } else {
            hint = "write digits only, e.g. 179"
        }
        fail(v, path, "expected a whole number, got \(Reader.describe(v))", hint: hint)
        return nil
    }

    func bool(_ v: Node, _ path: String) -> Bool? {
        guard notNull(v, path, "true or false") else { return nil }
        if !Reader.isQuoted(v), let b = v.bool { return b }
        fail(v, path, "expected true or false, got \(Reader.describe(v))",
             hint: Reader.isQuoted(v) ? "remove the quotes" : "write true or false")
        return nil
    }

    /// Any scalar's text (names and addresses are taken as written, whatever YAML would
    /// resolve them to, so `name: 1234` or an IPv6 address need no quotes).
    func text(_ v: Node, _ path: String, what: String = "a string") -> String? {
        guard notNull(v, path, what) else { return nil }
        guard case .scalar(let s) = v else {
            fail(v, path, "expected \(what), got \(Reader.describe(v))", hint: "write a single value")
            return nil
        }
        return s.string
    }

    func nonEmptyText(_ v: Node, _ path: String, what: String) -> String? {
        guard let t = text(v, path, what: what) else { return nil }
        if t.trimmingCharacters(in: .whitespaces).isEmpty {
            fail(v, path, "must not be empty", hint: "give \(what)")
            return nil
        }
        return t
    }

    func list(_ v: Node, _ path: String, example: String) -> [Node]? {
        guard notNull(v, path, "a list") else { return nil }
        guard case .sequence(let s) = v else {
            fail(v, path, "expected a list, got \(Reader.describe(v))", hint: "write it as [\(example)] or as \"- \" lines")
            return nil
        }
        return Array(s)
    }

    // MARK: Values

    /// An AS number: 1...4294967295, not AS_TRANS.
    func asNumber(_ v: Node, _ path: String, whose: String) -> UInt32? {
        integer(v, path).flatMap { n in rule(v, path) { () throws(ModelError) in try PeerSpec.validASNumber(n, whose: whose) } }
    }

    /// A hold time: 0 or 3...65535 seconds (RFC 4271 §4.2).
    func holdTime(_ v: Node, _ path: String) -> UInt16? {
        integer(v, path).flatMap { n in rule(v, path) { () throws(ModelError) in try PeerSpec.validHoldTime(n) } }
    }

    /// Seconds between connection attempts: 1...65535.
    func retryTime(_ v: Node, _ path: String) -> UInt16? {
        integer(v, path).flatMap { n in rule(v, path) { () throws(ModelError) in try PeerSpec.validConnectRetryTime(n) } }
    }

    /// A TCP port: 1...65535.
    func port(_ v: Node, _ path: String) -> UInt16? {
        integer(v, path).flatMap { n in rule(v, path) { () throws(ModelError) in try PeerSpec.validPort(n) } }
    }

    /// The value a model rule returns for the node at `path`, or its error at the node's place.
    func rule<T>(_ v: Node, _ path: String, _ check: () throws(ModelError) -> T) -> T? {
        do {
            return try check()
        } catch {
            fail(v, path, error.message, hint: error.hint)
            return nil
        }
    }

    func address(_ v: Node, _ path: String, what: String, allowUnspecified: Bool) -> IPAddress? {
        guard let t = nonEmptyText(v, path, what: what) else { return nil }
        guard let a = IPAddress(parsing: t) else {
            let hint = t.contains("/") ? "give an address without a prefix length" : "write an IPv4 (192.0.2.1) or IPv6 (2001:db8::1) address"
            fail(v, path, "\"\(t)\" is not an IP address", hint: hint)
            return nil
        }
        if !allowUnspecified && a.isUnspecified {
            fail(v, path, "\(a) is the unspecified address and cannot be \(what)", hint: "use the real address")
            return nil
        }
        return a
    }

    func routerID(_ v: Node, _ path: String) -> IPv4Address? {
        let hint = "use this node's IPv4 address; the BGP identifier is 32 bits even on IPv6-only nodes"
        guard let t = nonEmptyText(v, path, what: "an IPv4 address") else { return nil }
        guard let a = IPv4Address(t) else {
            if IPv6Address(t) != nil {
                fail(v, path, "router ID must be IPv4, got the IPv6 address \(t)", hint: hint)
            } else {
                fail(v, path, "\"\(t)\" is not an IPv4 address", hint: hint)
            }
            return nil
        }
        if a.value == 0 {
            fail(v, path, "router ID 0.0.0.0 is not allowed (RFC 6286)", hint: hint)
            return nil
        }
        return a
    }

    func prefix(_ v: Node, _ path: String) -> IPPrefix? {
        guard let t = nonEmptyText(v, path, what: "a CIDR prefix") else { return nil }
        guard let p = IPPrefix(t) else {
            fail(v, path, "\"\(t)\" is not a CIDR prefix", hint: "write address/length, e.g. 10.244.1.0/26")
            return nil
        }
        if IPPrefix(t, strict: true) == nil {
            fail(v, path, "\(t) has host bits set", hint: "use the network address \(p)")
            return nil
        }
        return p
    }

    func choice<E: RawRepresentable & CaseIterable>(_ v: Node, _ path: String, _ type: E.Type, what: String) -> E?
    where E.RawValue == String {
        guard let t = nonEmptyText(v, path, what: what) else { return nil }
        if let e = E(rawValue: t) { return e }
        let names = E.allCases.map(\.rawValue)
        let list = names.joined(separator: "|")
        if let guess = suggestion(for: t, among: names) {
            fail(v, path, "\"\(t)\" is not a \(what) (\(list))", hint: "did you mean \"\(guess)\"?")
        } else {
            fail(v, path, "\"\(t)\" is not a \(what)", hint: "use one of \(list)")
        }
        return nil
    }

    // MARK: The document

    func config(_ root: Node) -> TernConfig? {
        guard let top = fields(root, "", known: ConfigLoader.topLevelKeys, what: "the settings") else { return nil }

        let nodeName = required(top, "nodeName", hint: "add \"nodeName: <this node's name>\"")
            .flatMap { nonEmptyText($0, "nodeName", what: "this node's name") }
        let localAS = required(top, "asNumber", hint: "add \"asNumber: <this node's AS number>\", e.g. 64512")
            .flatMap { asNumber($0, "asNumber", whose: "this node's") }
        let localID = required(top, "routerID", hint: "add \"routerID: <this node's IPv4 address>\"")
            .flatMap { routerID($0, "routerID") }

        var c = TernConfig(nodeName: nodeName ?? "", asNumber: localAS ?? 1, routerID: localID ?? IPv4Address(1))
        if let v = top["role"], let r = choice(v, "role", NodeRole.self, what: "role") { c.role = r }
        if let v = top["listenAddress"],
           let a = address(v, "listenAddress", what: "a listen address", allowUnspecified: true) { c.listenAddress = a }
        if let v = top["listenPort"], let p = port(v, "listenPort") { c.listenPort = p }
        if let v = top["controlSocket"],
           let s = nonEmptyText(v, "controlSocket", what: "a socket path") { c.controlSocket = s }
        if let v = top["holdTime"], let h = holdTime(v, "holdTime") { c.holdTime = h }
        if let v = top["connectRetryTime"], let r = retryTime(v, "connectRetryTime") { c.connectRetryTime = r }
        if let v = top["nodeToNodeMesh"], let b = bool(v, "nodeToNodeMesh") { c.nodeToNodeMesh = b }
        if let v = top["routeReflectorClusterID"], let id = clusterID(v, "routeReflectorClusterID") {
            c.routeReflectorClusterID = id
        }
        if let v = top["logLevel"], let l = choice(v, "logLevel", LogLevel.self, what: "log level") { c.logLevel = l }
        if let v = top["logFormat"], let l = choice(v, "logFormat", LogFormat.self, what: "log format") { c.logFormat = l }

        var blockNodes: [(index: Int, node: Node)] = []
        if let v = top["blocks"], let items = list(v, "blocks", example: "10.244.1.0/26") {
            var seen: [IPPrefix: Int] = [:]
            for (i, item) in items.enumerated() {
                guard let p = prefix(item, "blocks[\(i)]") else { continue }
                if let first = seen[p] {
                    fail(item, "blocks[\(i)]", "\(p) is listed twice (also blocks[\(first)])", hint: "remove one")
                    continue
                }
                seen[p] = i
                c.blocks.append(p)
                blockNodes.append((i, item))
            }
        }

        let selfKnown = nodeName != nil && localID != nil
        if let v = top["nodes"], let items = list(v, "nodes", example: "{name: node-b, address: 192.168.77.2}") {
            var names: [String: Int] = [:]
            var places: [PeerEndpoint: Int] = [:]
            var addressNodes: [(index: Int, node: Node)] = []
            for (i, item) in items.enumerated() {
                let path = "nodes[\(i)]"
                guard let f = fields(item, path, known: ConfigLoader.nodeKeys, what: "a node") else { continue }
                let nameNode = required(f, "name", hint: "add \"name: <node name>\"")
                let name = nameNode.flatMap { nonEmptyText($0, f.path("name"), what: "the node's name") }
                let addrNode = required(f, "address", hint: "add \"address: <node IP>\"")
                let addr = addrNode.flatMap {
                    address($0, f.path("address"), what: "a node address", allowUnspecified: false)
                }
                var port: UInt16? = 179
                if let v = f["port"] { port = self.port(v, f.path("port")) }
                guard let name, let addr, let port, let nameNode, let addrNode else { continue }
                if let first = names[name] {
                    fail(nameNode, f.path("name"), "duplicate node name \"\(name)\" (also nodes[\(first)])",
                         hint: "list each node once; remove or rename one")
                    continue
                }
                names[name] = i
                let id = PeerEndpoint(address: addr, port: port)
                if let first = places[id] {
                    fail(addrNode, f.path("address"), "\(id) is already nodes[\(first)]",
                         hint: "two nodes cannot share an address and port; give one a different port")
                    continue
                }
                guard let spec = model(f, item, { () throws(ModelError) in try NodeSpec(name: name, address: addr, port: port) })
                else { continue }
                places[id] = i
                c.nodes.append(spec)
                addressNodes.append((i, addrNode))
            }
            // A node under another name at our own address is most likely a wrong nodeName.
            if selfKnown {
                for (node, place) in zip(c.nodes, addressNodes) where node.name != c.nodeName {
                    let id = PeerEndpoint(address: node.address, port: node.port)
                    guard c.isSelf(id) else { continue }
                    fail(place.node, "nodes[\(place.index)].address",
                         "\(id) is this node, but listed as \"\(node.name)\", not nodeName \"\(c.nodeName)\"",
                         hint: "set nodeName to \"\(node.name)\", or correct the address")
                }
            }
        }

        if let v = top["peers"], let items = list(v, "peers", example: "{address: 192.168.77.254, asNumber: 64513}") {
            var places: [PeerEndpoint: Int] = [:]
            for (i, item) in items.enumerated() {
                guard let f = fields(item, "peers[\(i)]", known: ConfigLoader.peerKeys, what: "a peer"),
                      let (spec, addrNode) = peer(f, item, top: top, node: c, localAS: localAS) else { continue }
                if let first = places[spec.endpoint] {
                    fail(addrNode, f.path("address"), "duplicate peer \(spec.endpoint) (also peers[\(first)])",
                         hint: "remove one, or give them different ports")
                    continue
                }
                places[spec.endpoint] = i
                if selfKnown && c.isSelf(spec.endpoint) {
                    let which: String
                    if spec.address == IPAddress.v4(c.routerID) { which = "routerID" }
                    else if spec.address == c.listenAddress { which = "listenAddress" }
                    else { which = "this node's nodes entry" }
                    fail(addrNode, f.path("address"), "\(spec.endpoint) is this node itself (\(which))",
                         hint: "remove it; a speaker does not peer with itself (another port is another speaker)")
                    continue
                }
                c.peers.append(spec)
            }
        }

        if let v = top["workloads"] { c.workloads = workloads(v) }
        if let v = top["dataplane"] { c.dataplane = dataplane(v) }
        if let v = top["ipPools"] {
            c.ipPools = ipPools(v)
            checkBlocks(c, blockNodes, workloads: top["workloads"])
        }

        guard nodeName != nil, localAS != nil, localID != nil else { return nil }
        return c
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

    /// One `peers` entry as a ``PeerSpec`` (timers left out take `node`'s top-level values),
    /// with its `address` node for later errors; nil when something is wrong (reported).
    /// Field syntax is checked here; the peer's own rules are ``PeerSpec``'s, and the rules
    /// that involve the node (a reflector client needs a cluster ID and our AS) follow them.
    func peer(_ f: Fields, _ item: Node, top: Fields, node c: TernConfig, localAS: UInt32?) -> (PeerSpec, Node)? {
        let addrNode = required(f, "address", hint: "add \"address: <peer IP>\"")
        let addr = addrNode.flatMap { address($0, f.path("address"), what: "a peer address", allowUnspecified: false) }
        let asn = required(f, "asNumber", hint: "add \"asNumber: <the peer's AS number>\"")
            .flatMap { asNumber($0, f.path("asNumber"), whose: "the peer's") }
        var ok = addr != nil && asn != nil
        /// The value of an optional key read by `read`, `fallback` when absent; a bad value clears `ok`.
        func value<T>(_ key: String, _ fallback: T, _ read: (Node, String) -> T?) -> T {
            guard let v = f[key] else { return fallback }
            guard let x = read(v, f.path(key)) else { ok = false; return fallback }
            return x
        }
        let port = value("port", UInt16(179), port)
        let hold = value("holdTime", c.holdTime, holdTime)
        let retry = value("connectRetryTime", c.connectRetryTime, retryTime)
        let passive = value("passive", false, bool)
        let name: String? = value("name", nil) { v, path in nonEmptyText(v, path, what: "a label") }
        let families = value("families", [IPFamily.v4], families)
        let client = value("routeReflectorClient", false, bool)
        let reflector = value("routeReflector", false, bool)
        let addPaths = value("addPaths", AddPathsSetting.none) { v, path in choice(v, path, AddPathsSetting.self, what: "ADD-PATH mode") }
        let count = value("addPathsCount", PeerSpec.defaultAddPathsCount, integer)
        guard ok, let addr, let asn, let addrNode else { return nil }
        guard let spec = model(f, item, { () throws(ModelError) in
            try PeerSpec(address: addr, port: port, asNumber: asn, holdTime: hold, connectRetryTime: retry,
                         passive: passive, type: .global, name: name, families: families,
                         routeReflectorClient: client, routeReflector: reflector, addPaths: addPaths, addPathsCount: count)
        }) else { return nil }
        if client, let v = f["routeReflectorClient"] {
            if top["routeReflectorClusterID"] == nil {
                fail(v, f.path("routeReflectorClient"),
                     "a route-reflector client needs this speaker to be a reflector, but routeReflectorClusterID is not set",
                     hint: "add \"routeReflectorClusterID: <IPv4 cluster ID>\" at the top level, or remove routeReflectorClient")
                return nil
            }
            if let localAS, spec.asNumber != localAS {
                fail(v, f.path("routeReflectorClient"),
                     "AS \(spec.asNumber) is not our AS \(localAS); only iBGP peers can be route-reflector clients (RFC 4456)",
                     hint: "use asNumber \(localAS) for the client, or remove routeReflectorClient")
                return nil
            }
        }
        if let v = f["addPathsCount"], !spec.addPaths.sends {
            fail(v, f.path("addPathsCount"), "addPathsCount only applies when we send several paths, but addPaths is \(spec.addPaths.rawValue)",
                 hint: "set \"addPaths: send\" (or both), or remove addPathsCount")
            return nil
        }
        return (spec, addrNode)
    }

    func families(_ v: Node, _ path: String) -> [IPFamily]? {
        guard let items = list(v, path, example: "ipv4, ipv6") else { return nil }
        if items.isEmpty {
            fail(v, path, "needs at least one address family", hint: "use [ipv4], [ipv6] or [ipv4, ipv6]")
            return nil
        }
        var out: [IPFamily] = []
        var ok = true
        for (i, item) in items.enumerated() {
            guard let t = nonEmptyText(item, "\(path)[\(i)]", what: "an address family") else { ok = false; continue }
            guard let fam = PeerSpec.family(named: t) else {
                fail(item, "\(path)[\(i)]", "\"\(t)\" is not an address family", hint: "use ipv4 or ipv6")
                ok = false
                continue
            }
            if !out.contains(fam) { out.append(fam) }
        }
        return ok ? out : nil
    }
}

// MARK: - Suggestions

/// The candidate closest to `word` (case, '_' and '-' ignored), when close enough to be
/// a likely typo, or when `word` is a prefix of it ("warn" -> "warning").
func suggestion(for word: String, among candidates: [String]) -> String? {
    func norm(_ s: String) -> [Character] { Array(s.lowercased().filter { $0 != "_" && $0 != "-" }) }
    let w = norm(word)
    guard !w.isEmpty else { return nil }
    if let same = candidates.first(where: { norm($0) == w }) { return same }
    if w.count >= 3, let longer = candidates.first(where: { norm($0).starts(with: w) }) { return longer }
    let limit = min(3, max(1, w.count / 3))
    let best = candidates.map { ($0, editDistance(w, norm($0))) }.min { $0.1 < $1.1 }
    guard let best, best.1 <= limit else { return nil }
    return best.0
}

/// Levenshtein distance.
func editDistance(_ a: [Character], _ b: [Character]) -> Int {
    if a.isEmpty { return b.count }
    if b.isEmpty { return a.count }
    var previous = Array(0...b.count)
    var current = previous
    for i in 1...a.count {
        current[0] = i
        for j in 1...b.count {
            let cost = a[i - 1] == b[j - 1] ? 0 : 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
        }
        swap(&previous, &current)
    }
    return previous[b.count]
}
