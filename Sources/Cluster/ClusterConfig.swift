import Config
import IPCore
import Model

/// The node's effective configuration: its file's settings with what the datastore says
/// added (pure; the node re-derives it on every datastore change and SIGHUP, and applies
/// the difference as a reload does: untouched sessions stay up).
///
/// From the datastore:
/// - **AS number**, when the file does not write one: this node's `Node` `spec.bgp.asNumber`,
///   else `BGPConfiguration` `default`'s `asNumber`, else 64512 (Calico's default);
/// - **mesh**: every registered `Node` with a BGP address is a `nodes` entry (the file's
///   entries come first and win by name); `nodeToNodeMeshEnabled` of `BGPConfiguration`
///   `default` overrides the file's `nodeToNodeMesh`;
/// - **route reflection**: this node's `routeReflectorClusterID` when the file sets none;
/// - **peers**: each `BGPPeer` that applies to this node (`node` is us, `nodeSelector`
///   matches our labels, or neither is set) with `peerIP` — or, with `peerSelector`, every
///   other node it selects (its AS unless the peer gives one; a reflector's peers that are
///   not reflectors are its clients);
/// - **pools**: every `IPPool` after the file's (a pool overlapping one of the file's is skipped);
/// - **blocks**: the blocks this node has claimed, after the file's;
/// - **log level**: `logSeverityScreen` of `BGPConfiguration` `default`, when set.
///
/// What cannot be used (an invalid selector, a peer that fails ``PeerSpec``'s rules) is
/// skipped and named in ``Result/problems``.
public enum ClusterConfig {
    public struct Result: Sendable {
        public var config: TernConfig
        /// Resources skipped, with why ("BGPPeer tor: ...").
        public var problems: [String]
    }

    public static func effective(base: TernConfig, view: ClusterView, blocks: [IPPrefix]) -> Result {
        var c = base
        var problems: [String] = []
        let me = base.nodeName
        let bgpDefault = view.bgpConfiguration
        let myNode = view.node(me)
        let myBGP: NodeBGPSpec? = { if case .node(let s)? = myNode?.spec { return s.bgp } else { return nil } }()
        let myLabels = myNode?.metadata.labels ?? [:]
        let clusterAS = bgpDefault?.asNumber ?? BGPConfigurationSpec.defaultASNumber
        if !base.asNumberWritten { c.asNumber = myBGP?.asNumber ?? clusterAS }
        if let mesh = bgpDefault?.nodeToNodeMeshEnabled { c.nodeToNodeMesh = mesh }
        if c.routeReflectorClusterID == nil, let id = myBGP?.routeReflectorClusterID {
            if let a = IPv4Address(id) { c.routeReflectorClusterID = a } else {
                problems.append("Node \(me): routeReflectorClusterID \"\(id)\" is not an IPv4 address")
            }
        }
        if let level = bgpDefault?.logSeverityScreen.flatMap(logLevel) { c.logLevel = level }

        // Mesh: registered nodes after the file's entries.
        let port = bgpDefault?.listenPort ?? 179
        var named = Set(base.nodes.map(\.name))
        for n in view.nodes {
            guard named.insert(n.name).inserted, let address = n.bgp?.ipv4Address?.address ?? n.bgp?.ipv6Address?.address else { continue }
            do { c.nodes.append(try NodeSpec(name: n.name, address: address, port: port)) } catch {
                problems.append("Node \(n.name): \(error)")
            }
        }

        // BGPPeer resources that apply to us.
        let iAmReflector = c.reflectorClusterID != nil
        var seen = Set(c.peers.map(\.endpoint))
        for (name, peer) in view.bgpPeers {
            switch appliesToUs(peer, me: me, labels: myLabels) {
            case .failure(let why): problems.append("BGPPeer \(name): \(why)"); continue
            case .success(false): continue
            case .success(true): break
            }
            var targets: [(address: IPAddress, port: UInt16, asNumber: UInt32, label: String, reflector: Bool)] = []
            if let ip = peer.peerIP {
                guard let asn = peer.asNumber else { problems.append("BGPPeer \(name): peerIP without asNumber"); continue }
                targets.append((ip, peer.peerPort ?? 179, asn, name, false))
            } else if let selector = peer.peerSelector {
                let sel: CalicoSelector
                do { sel = try CalicoSelector(parsing: selector) } catch {
                    problems.append("BGPPeer \(name): peerSelector: \(error)")
                    continue
                }
                for n in view.nodes where n.name != me && sel.matches(n.labels) {
                    guard let a = n.bgp?.ipv4Address?.address ?? n.bgp?.ipv6Address?.address else { continue }
                    targets.append((a, port, peer.asNumber ?? n.bgp?.asNumber ?? clusterAS, n.name,
                                    n.bgp?.routeReflectorClusterID != nil))
                }
            }
            // RFC 2385: a `password: {file: PATH}` is read here (a SIGHUP or any datastore
            // change re-reads it); Calico's `secretKeyRef` needs Kubernetes and is ignored.
            var password: [UInt8]?
            switch peer.password {
            case .file(let path)?:
                switch PasswordFile.read(path) {
                case .success(let key): password = key
                case .failure(let e): problems.append("BGPPeer \(name): password: \(e)"); continue
                }
            case .secretKeyRef?:
                problems.append("BGPPeer \(name): password.secretKeyRef cannot be resolved without Kubernetes; ignored (use password: {file: PATH})")
            case nil: break
            }
            for t in targets {
                let endpoint = PeerEndpoint(address: t.address, port: t.port)
                guard !c.isSelf(endpoint), seen.insert(endpoint).inserted else { continue }
                do {
                    c.peers.append(try PeerSpec(
                        address: t.address, port: t.port, asNumber: t.asNumber, holdTime: c.holdTime,
                        connectRetryTime: c.connectRetryTime, type: .global, name: t.label, families: [t.address.family],
                        routeReflectorClient: iAmReflector && !t.reflector, routeReflector: !iAmReflector && t.reflector,
                        password: password, ttlSecurity: peer.ttlSecurity))
                } catch {
                    problems.append("BGPPeer \(name) → \(t.address): \(error.field): \(error)")
                }
            }
        }

        // Pools after the file's; blocks we claimed after the file's.
        for (name, spec) in view.pools {
            do {
                let pool = try spec.pool()
                if c.ipPools.contains(where: { $0.overlaps(pool) }) {
                    problems.append("IPPool \(name): \(pool.cidr) overlaps a pool of the configuration file; skipped")
                    continue
                }
                c.ipPools.append(pool)
            } catch {
                problems.append("IPPool \(name): \(error)")
            }
        }
        for b in blocks where !c.blocks.contains(b) { c.blocks.append(b) }
        return Result(config: c, problems: problems)
    }

    /// Whether a `BGPPeer` is for this node: `node` names us, or `nodeSelector` matches our
    /// labels, or it sets neither (a global peer).
    static func appliesToUs(_ peer: BGPPeerSpec, me: String, labels: [String: String]) -> Swift.Result<Bool, ModelError> {
        if let node = peer.node { return .success(node == me) }
        guard let selector = peer.nodeSelector else { return .success(true) }
        do { return .success(try CalicoSelector(parsing: selector).matches(labels)) } catch { return .failure(error) }
    }

    /// Calico's `logSeverityScreen` values as log levels.
    static func logLevel(_ severity: String) -> LogLevel? {
        switch severity.lowercased() {
        case "debug": return .debug
        case "info": return .info
        case "warning", "warn": return .warning
        case "error": return .error
        case "fatal", "panic": return .critical
        default: return nil
        }
    }
}
