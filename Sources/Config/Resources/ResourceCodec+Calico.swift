import IPCore
import Model
import Yams

// Calico's projectcalico.org/v3 kinds (Calico's "Resource definitions" reference pages:
// IP pool, BGP peer, BGP configuration, Node, IPAM configuration, Workload endpoint).

extension ResourceCodec {
    /// `IPPool.spec`; the pool's own rules (block sizes, one encapsulation, IPv4 tunnels)
    /// are ``IPPool``'s initialiser's, reported at the field they name.
    /// Calico's fields Tern does not act on (`allowedUses`, `disableBGPExport`, `assignmentMode`)
    /// are accepted and ignored, so `calicoctl get -o yaml` output applies unchanged.
    static let ipPoolFields = FieldTable<IPPoolSpec>("an IPPool spec", ignoring: ["allowedUses", "disableBGPExport", "assignmentMode"], [
        Field("cidr", required: "add \"cidr: <pool prefix>\", e.g. 10.244.0.0/16", into: \.cidr) { r, v, p in r.prefix(v, p) },
        Field("blockSize", into: \.blockSize) { r, v, p in
            r.integer(v, p).flatMap { n in
                if let b = UInt8(exactly: n) { return b }
                r.fail(v, p, "block size \(n) is out of range", hint: "IPv4 pools take 20-32 (default 26), IPv6 pools 116-128 (default 122)")
                return nil
            }
        },
        Field("ipipMode", into: \.ipipMode) { r, v, p in r.choice(v, p, EncapsulationMode.self, what: "mode") },
        Field("vxlanMode", into: \.vxlanMode) { r, v, p in r.choice(v, p, EncapsulationMode.self, what: "mode") },
        Field("natOutgoing", into: \.natOutgoing) { r, v, p in r.bool(v, p) },
        Field("disabled", into: \.disabled) { r, v, p in r.bool(v, p) },
        Field("nodeSelector", into: \.nodeSelector) { r, v, p in r.calicoSelector(v, p, what: "a node selector") },
    ])

    /// `BGPPeer.spec`; Calico's fields Tern does not act on yet are accepted and ignored.
    static let bgpPeerFields = FieldTable<BGPPeerSpec>("a BGPPeer spec", ignoring: [
        "sourceAddress", "maxRestartTime", "numAllowedLocalASNumbers", "reachableBy", "filters",
        "localASNumber", "nextHopMode", "localWorkloadSelector",
    ], [
        Field("node", into: \.node) { r, v, p in r.nonEmptyText(v, p, what: "a node name") },
        Field("nodeSelector", into: \.nodeSelector) { r, v, p in r.calicoSelector(v, p, what: "a node selector") },
        Field("peerIP") { r, v, p, s in
            guard let (ip, port) = r.peerAddress(v, p) else { return false }
            s.peerIP = ip
            s.peerPort = port
            return true
        },
        Field("asNumber", into: \.asNumber) { r, v, p in r.asNumber(v, p, whose: "the peer's") },
        Field("peerSelector", into: \.peerSelector) { r, v, p in r.calicoSelector(v, p, what: "a peer selector") },
        Field("password", into: \.password) { r, v, p in r.object(v, p, passwordFields, start: PasswordEntry()) { m in r.password(m) } },
        Field("keepOriginalNextHop", into: \.keepOriginalNextHop) { r, v, p in r.bool(v, p) },
        // Calico's ttlSecurity (v3.25+): hops, 0 = off (RFC 5082).
        Field("ttlSecurity") { r, v, p, s in
            guard let n = r.integer(v, p) else { return false }
            guard (0...255).contains(n) else {
                r.fail(v, p, "ttlSecurity \(n) is out of range 0-255", hint: "the peer's distance in hops; 0 turns GTSM off")
                return false
            }
            s.ttlSecurity = n == 0 ? nil : UInt8(n)
            return true
        },
    ])

    /// `BGPPeer.spec.password`: `{secretKeyRef: {name, key}}` or `{file: PATH}`.
    static let passwordFields = FieldTable<PasswordEntry>("a password", [
        Field("secretKeyRef", into: \.secretKeyRef) { r, v, p in r.object(v, p, secretKeyRefFields, start: SecretKeyRef()) },
        Field("file", into: \.file) { r, v, p in r.nonEmptyText(v, p, what: "a file path") },
    ])

    static let secretKeyRefFields = FieldTable<SecretKeyRef>("a secret key reference", [
        Field("name", required: "add \"name: <Secret name>\"", into: \.name) { r, v, p in r.nonEmptyText(v, p, what: "a Secret name") },
        Field("key", required: "add \"key: <key in the Secret>\"", into: \.key) { r, v, p in r.nonEmptyText(v, p, what: "a key") },
    ])

    /// `BGPConfiguration.spec`; Calico's fields Tern does not act on yet are accepted and ignored.
    static let bgpConfigurationFields = FieldTable<BGPConfigurationSpec>("a BGPConfiguration spec", ignoring: [
        "nodeMeshPassword", "nodeMeshMaxRestartTime", "serviceExternalIPs", "serviceLoadBalancerIPs", "communities",
        "prefixAdvertisements", "bindMode", "ignoredInterfaces", "localWorkloadPeeringIPV4", "localWorkloadPeeringIPV6",
    ], [
        Field("logSeverityScreen", into: \.logSeverityScreen) { r, v, p in r.choice(v, p, LogSeverity.self, what: "log severity").map(\.rawValue) },
        Field("nodeToNodeMeshEnabled", into: \.nodeToNodeMeshEnabled) { r, v, p in r.bool(v, p) },
        Field("asNumber", into: \.asNumber) { r, v, p in r.asNumber(v, p, whose: "the cluster's") },
        Field("serviceClusterIPs", into: \.serviceClusterIPs) { r, v, p in
            r.objects(v, p, serviceCIDRFields, start: ServiceCIDR(), example: "{cidr: 10.96.0.0/12}").map { $0.compactMap(\.cidr) }
        },
        Field("listenPort", into: \.listenPort) { r, v, p in r.port(v, p) },
    ])

    static let serviceCIDRFields = FieldTable<ServiceCIDR>("a service CIDR", [
        Field("cidr", required: "add \"cidr: <service prefix>\", e.g. 10.96.0.0/12", into: \.cidr) { r, v, p in r.prefix(v, p) },
    ])

    /// `Node.spec`: only `bgp` is Tern's; what calico-node writes besides is accepted and ignored.
    static let nodeFields = FieldTable<NodeResourceSpec>(
        "a Node spec",
        ignoring: ["addresses", "orchRefs", "ipv4VXLANTunnelAddr", "ipv6VXLANTunnelAddr", "vxlanTunnelMACAddr",
                   "vxlanTunnelMACAddrV6", "wireguard", "interfaces"], [
            Field("bgp", into: \.bgp) { r, v, p in r.object(v, p, nodeBGPFields, start: NodeBGPSpec()) },
        ])

    /// `Node.spec.bgp`; calico-node's tunnel address keys are accepted and ignored (Tern
    /// derives its tunnel addresses from its blocks).
    static let nodeBGPFields = FieldTable<NodeBGPSpec>("a Node's BGP spec", ignoring: ["ipv4IPIPTunnelAddr"], [
        Field("ipv4Address", into: \.ipv4Address) { r, v, p in r.interfaceAddress(v, p, family: .v4) },
        Field("ipv6Address", into: \.ipv6Address) { r, v, p in r.interfaceAddress(v, p, family: .v6) },
        Field("asNumber", into: \.asNumber) { r, v, p in r.asNumber(v, p, whose: "the node's") },
        Field("routeReflectorClusterID", into: \.routeReflectorClusterID) { r, v, p in r.clusterID(v, p).map(\.description) },
    ])

    /// `IPAMConfiguration.spec`.
    static let ipamFields = FieldTable<IPAMConfigurationSpec>("an IPAMConfiguration spec", [
        Field("strictAffinity", into: \.strictAffinity) { r, v, p in r.bool(v, p) },
        Field("maxBlocksPerHost", into: \.maxBlocksPerHost) { r, v, p in
            r.integer(v, p).flatMap { n in
                if n >= 0 { return n }
                r.fail(v, p, "maxBlocksPerHost \(n) is negative", hint: "use 0 for no limit")
                return nil
            }
        },
    ])

    /// `WorkloadEndpoint.spec` (Tern writes one per workload).
    static let workloadEndpointFields = FieldTable<WorkloadEndpointSpec>("a WorkloadEndpoint spec", ignoring: [
        "profiles", "ports", "ipNATs", "serviceAccountName", "ipv4Gateway", "ipv6Gateway", "allowSpoofedSourcePrefixes",
        "awsElasticIPs", "qosControls",
    ], [
        Field("orchestrator", into: \.orchestrator) { r, v, p in r.nonEmptyText(v, p, what: "an orchestrator") },
        Field("node", required: "add \"node: <node name>\"", into: \.node) { r, v, p in r.nonEmptyText(v, p, what: "a node name") },
        Field("pod", required: "add \"pod: <pod name>\"", into: \.pod) { r, v, p in r.nonEmptyText(v, p, what: "a pod name") },
        Field("containerID", into: \.containerID) { r, v, p in r.nonEmptyText(v, p, what: "a container ID") },
        Field("endpoint", into: \.endpoint) { r, v, p in r.nonEmptyText(v, p, what: "an endpoint name") },
        Field("interfaceName", required: "add \"interfaceName: <host-side interface>\"", into: \.interfaceName) { r, v, p in
            guard let t = r.nonEmptyText(v, p, what: "an interface name") else { return nil }
            return r.rule(v, p) { () throws(ModelError) in try Workload.interfaceName(t).description }
        },
        Field("mac", into: \.mac) { r, v, p in
            guard let t = r.nonEmptyText(v, p, what: "a MAC address") else { return nil }
            if let m = MACAddress(t) { return m }
            r.fail(v, p, "\"\(t)\" is not a MAC address", hint: "write six hex octets, e.g. 02:42:ac:11:00:02")
            return nil
        },
        Field("ipNetworks", into: \.ipNetworks) { r, v, p in
            r.scalars(v, p, example: "10.244.1.5/32") { n, path in r.prefix(n, path) }
        },
    ])

    /// `BlockAffinity.spec`.
    static let blockAffinityFields = FieldTable<BlockAffinitySpec>("a BlockAffinity spec", [
        Field("state", required: "add \"state: confirmed\" (or pending, pendingDeletion)", into: \.state) { r, v, p in
            r.choice(v, p, BlockAffinitySpec.State.self, what: "block affinity state")
        },
        Field("node", required: "add \"node: <node name>\"", into: \.node) { r, v, p in r.nonEmptyText(v, p, what: "a node name") },
        Field("cidr", required: "add \"cidr: <block prefix>\"", into: \.cidr) { r, v, p in r.prefix(v, p) },
        Field("deleted", into: \.deleted) { r, v, p in
            // Calico stores `deleted` as the string "true"/"false"; a YAML boolean is taken too.
            if Reader.isQuoted(v), case .scalar(let s) = v, s.string == "true" || s.string == "false" { return s.string == "true" }
            return r.bool(v, p)
        },
    ])
}

/// `BGPPeer.spec.password` as written.
struct PasswordEntry: Sendable {
    var secretKeyRef: SecretKeyRef?
    var file: String?
}

/// `password.secretKeyRef`.
struct SecretKeyRef: Sendable {
    var name = ""
    var key = ""
}

/// One `serviceClusterIPs` entry.
struct ServiceCIDR: Sendable {
    var cidr: IPPrefix?
}

/// Calico's `logSeverityScreen` values.
enum LogSeverity: String, CaseIterable {
    case Debug, Info, Warning, Error, Fatal
}

extension Reader {
    func ipPoolSpec(_ v: Node, _ path: String) -> IPPoolSpec? {
        object(v, path, ResourceCodec.ipPoolFields, start: IPPoolSpec(cidr: ResourceCodec.placeholderPrefix)) { m in
            let spec = m.value
            guard model(m, m.node, { () throws(ModelError) in try spec.pool() }) != nil else { return nil }
            return spec
        }
    }

    /// A BGPPeer: a peer for one node or for a selector's nodes, never both; the remote is
    /// `peerIP` (with `asNumber`) or `peerSelector`, one of them.
    func bgpPeerSpec(_ v: Node, _ path: String) -> BGPPeerSpec? {
        object(v, path, ResourceCodec.bgpPeerFields, start: BGPPeerSpec()) { m in
            let s = m.value
            var ok = true
            if s.node != nil && s.nodeSelector != nil {
                conflict(m, "nodeSelector", "node", hint: "a peering is for one node or for the nodes a selector picks")
                ok = false
            }
            if s.peerIP != nil && s.peerSelector != nil {
                conflict(m, "peerSelector", "peerIP", hint: "the remote is one address or the nodes a selector picks")
                ok = false
            } else if s.peerIP == nil && s.peerSelector == nil {
                missing(m, "peerIP", "give the remote's peerIP and asNumber, or a peerSelector for peerings between nodes")
                ok = false
            }
            if s.peerIP != nil && s.asNumber == nil {
                missing(m, "asNumber", "a peer given by peerIP needs its AS number, e.g. asNumber: 64513")
                ok = false
            }
            return ok ? s : nil
        }
    }

    /// `peerIP`: `IP`, `IPv4:port` or `[IPv6]:port` (Calico's forms).
    func peerAddress(_ v: Node, _ path: String) -> (IPAddress, UInt16?)? {
        guard let t = nonEmptyText(v, path, what: "an IP address") else { return nil }
        let hint = "write an address, IPv4:port or [IPv6]:port, e.g. 192.0.2.1, 192.0.2.1:1179 or [2001:db8::1]:1179"
        var host = Substring(t), portText: Substring?
        if t.hasPrefix("["), let close = t.firstIndex(of: "]") {
            host = t[t.index(after: t.startIndex)..<close]
            let rest = t[t.index(after: close)...]
            guard rest.hasPrefix(":") else {
                fail(v, path, "\"\(t)\" is not an IP address or [IPv6]:port", hint: hint)
                return nil
            }
            portText = rest.dropFirst()
        } else if t.filter({ $0 == ":" }).count == 1, let colon = t.firstIndex(of: ":") {
            host = t[..<colon]
            portText = t[t.index(after: colon)...]
        }
        guard let ip = IPAddress(host), portText == nil || host.contains(":") == t.hasPrefix("[") else {
            fail(v, path, "\"\(t)\" is not an IP address", hint: hint)
            return nil
        }
        if ip.isUnspecified {
            fail(v, path, "\(ip) is the unspecified address and cannot be a peer", hint: "use the peer's real address")
            return nil
        }
        guard let portText else { return (ip, nil) }
        guard let n = Int(portText), let port = rule(v, path, { () throws(ModelError) in try PeerSpec.validPort(n) }) else {
            if Int(portText) == nil { fail(v, path, "\"\(portText)\" in \"\(t)\" is not a port number", hint: hint) }
            return nil
        }
        return (ip, port)
    }

    /// A password from exactly one source.
    func password(_ m: ReadMapping<PasswordEntry>) -> BGPPassword? {
        switch (m.value.secretKeyRef, m.value.file) {
        case (let ref?, nil): return .secretKeyRef(name: ref.name, key: ref.key)
        case (nil, let file?): return .file(file)
        case (nil, nil):
            fail(m.node, m.prefix, "a password needs secretKeyRef or file",
                 hint: "write {secretKeyRef: {name: bgp-secrets, key: peer-a}} or {file: /etc/tern/peer-a.password}")
        case (_?, _?):
            conflict(m, "file", "secretKeyRef", hint: "give the password one way")
        }
        return nil
    }

    /// `IP/length` of `family` (a bare address is a host address).
    func interfaceAddress(_ v: Node, _ path: String, family: IPFamily) -> InterfaceAddress? {
        guard let t = nonEmptyText(v, path, what: "an address") else { return nil }
        let example = family == .v4 ? "192.168.77.1/24" : "2001:db8::1/64"
        guard let a = InterfaceAddress(t) else {
            fail(v, path, "\"\(t)\" is not an address with a prefix length", hint: "write address/length, e.g. \(example)")
            return nil
        }
        guard a.family == family else {
            fail(v, path, "\(t) is not an \(family) address", hint: "write an \(family) address, e.g. \(example)")
            return nil
        }
        return a
    }
}

extension Reader {
    /// A Calico selector expression (`rack == 'r1' && has(bgp)`), checked with
    /// ``CalicoSelector``; the text is kept as written.
    func calicoSelector(_ v: Node, _ path: String, what: String) -> String? {
        guard let t = nonEmptyText(v, path, what: what) else { return nil }
        do {
            _ = try CalicoSelector(parsing: t)
            return t
        } catch {
            fail(v, path, error.message, hint: error.hint)
            return nil
        }
    }
}
