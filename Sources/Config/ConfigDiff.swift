import IPCore
import BGPWire
import Model

/// What a reload (SIGHUP) has to do to go from one configuration to the next.
///
/// Peers are matched by `PeerEndpoint` (address and port) over `effectivePeers`:
/// - `added`: start a session;
/// - `removed`: stop the session (CEASE, RFC 4486 subcode 3 "peer de-configured");
/// - `changed`: any `PeerSpec` field differs (AS, timers, passive, type, name,
///   families): stop and start again with the new settings (subcode 6 "other
///   configuration change"), since hold time and families are negotiated in OPEN;
///   `Change.fields` names what changed, so a label-only (`name`) change may be applied
///   in place instead;
/// - `unchanged`: leave the session alone.
/// - `bfdChanged`: the `unchanged` peers whose `bfd` settings differ (BFD is not
///   negotiated in OPEN): the BFD session is started, ended or re-timed, BGP stays.
///
/// Settings outside the peers:
/// - `restartAll`: `asNumber`, `routerID`, `role`, the reflector cluster ID or `enforceFirstAS` changed. AS and
///   router ID are carried in every OPEN, the role decides what is reflected, the import rule what was accepted, so every session, including the
///   `unchanged` ones, must be restarted. (A changed `asNumber` also shows up in `changed`
///   for the mesh peers, which take our AS.)
/// - `listenerChanged`: `listenAddress` or `listenPort` changed: bind the listener again;
///   established sessions stay.
/// - `blocksAdded` / `blocksRemoved`: advertise or withdraw, no restart.
/// - `workloads` in `changedSettings`: the daemon hands the whole new list to the dataplane,
///   which converges the kernel (a list diff is the agent's job); no session restarts.
/// - `dataplane` settings changed: restart the dataplane agent (it adopts its routes).
/// - `ipPools` or the overlay keys changed: the agent switches encapsulation in place.
/// - everything else (`nodeName`, `controlSocket`, `logLevel`, `logFormat`, timers,
///   `nodeToNodeMesh`, `nodes`, `peers`) is applied in place; its effect on peers is
///   already in the peer lists. `changedSettings` names every top-level key that differs
///   (`peers` holds resolved peers, so a top-level timer that a peer inherits changes it too).
public struct ConfigDiff: Hashable, Sendable {
    /// A peer present in both configurations with different settings.
    public struct Change: Hashable, Sendable {
        public var old: PeerSpec
        public var new: PeerSpec
        /// Names of the `PeerSpec` fields that differ, e.g. ["holdTime", "passive"].
        public var fields: [String]
    }

    public var added: [PeerSpec] = []
    public var removed: [PeerSpec] = []
    public var changed: [Change] = []
    public var unchanged: [PeerSpec] = []
    /// Unchanged peers (BGP-wise) whose BFD settings differ, with the new spec.
    public var bfdChanged: [PeerSpec] = []
    /// Top-level keys whose value differs, in file order.
    public var changedSettings: [String] = []
    public var restartAll: Bool = false
    public var listenerChanged: Bool = false
    public var blocksAdded: [IPPrefix] = []
    public var blocksRemoved: [IPPrefix] = []
    /// The `dataplane` section differs (the agent must be restarted with the new settings),
    /// its overlay keys aside.
    public var dataplaneChanged: Bool = false
    /// `ipPools` or the overlay keys of `dataplane` differ: the agent re-programs in place,
    /// make-before-break (no restart).
    public var overlayChanged: Bool = false

    /// True when the reload changes nothing at all.
    public var isEmpty: Bool { added.isEmpty && removed.isEmpty && changed.isEmpty && changedSettings.isEmpty }

    /// Every peer whose session must be (re)started after the reload: added and changed
    /// ones, and with `restartAll` the unchanged ones too.
    public var peersToStart: [PeerSpec] {
        added + changed.map(\.new) + (restartAll ? unchanged : [])
    }

    public init(old: TernConfig, new: TernConfig) {
        let oldPeers = old.effectivePeers, newPeers = new.effectivePeers
        let oldByID = Dictionary(oldPeers.map { ($0.endpoint, $0) }, uniquingKeysWith: { a, _ in a })
        let newIDs = Set(newPeers.map(\.endpoint))
        for peer in newPeers {
            guard let before = oldByID[peer.endpoint] else { added.append(peer); continue }
            let fields = ConfigDiff.differences(before, peer)
            if fields.isEmpty {
                unchanged.append(peer)
                if before.bfd != peer.bfd { bfdChanged.append(peer) }
            } else { changed.append(Change(old: before, new: peer, fields: fields)) }
        }
        removed = oldPeers.filter { !newIDs.contains($0.endpoint) }

        func check<T: Equatable>(_ key: String, _ path: KeyPath<TernConfig, T>) {
            if old[keyPath: path] != new[keyPath: path] { changedSettings.append(key) }
        }
        check("nodeName", \.nodeName)
        check("role", \.role)
        check("asNumber", \.asNumber)
        check("routerID", \.routerID)
        check("listenAddress", \.listenAddress)
        check("listenPort", \.listenPort)
        check("controlSocket", \.controlSocket)
        check("holdTime", \.holdTime)
        check("connectRetryTime", \.connectRetryTime)
        check("nodeToNodeMesh", \.nodeToNodeMesh)
        check("nodeMeshBFD", \.nodeMeshBFD)
        check("nodeMeshPassword", \.nodeMeshPassword)
        check("nodeMeshLongLivedStaleTime", \.nodeMeshLongLivedStaleTime)
        check("enforceFirstAS", \.enforceFirstAS)
        check("routeReflectorClusterID", \.routeReflectorClusterID)
        check("nodes", \.nodes)
        check("peers", \.peers)
        check("blocks", \.blocks)
        check("ipPools", \.ipPools)
        check("workloads", \.workloads)
        check("dataplane", \.dataplane)
        check("logLevel", \.logLevel)
        check("logFormat", \.logFormat)

        restartAll = old.asNumber != new.asNumber || old.routerID != new.routerID || old.role != new.role
            || old.reflectorClusterID != new.reflectorClusterID || old.enforceFirstAS != new.enforceFirstAS
        listenerChanged = old.listenAddress != new.listenAddress || old.listenPort != new.listenPort
        blocksAdded = new.blocks.filter { !old.blocks.contains($0) }
        blocksRemoved = old.blocks.filter { !new.blocks.contains($0) }
        var oldDP = old.dataplane, newDP = new.dataplane
        oldDP.overlay = OverlaySettings()
        newDP.overlay = OverlaySettings()
        dataplaneChanged = oldDP != newDP || old.dataplaneEnabled != new.dataplaneEnabled
        overlayChanged = old.ipPools != new.ipPools || old.dataplane.overlay != new.dataplane.overlay
    }

    static func differences(_ a: PeerSpec, _ b: PeerSpec) -> [String] {
        var out: [String] = []
        if a.asNumber != b.asNumber { out.append("asNumber") }
        if a.holdTime != b.holdTime { out.append("holdTime") }
        if a.connectRetryTime != b.connectRetryTime { out.append("connectRetryTime") }
        if a.passive != b.passive { out.append("passive") }
        if a.type != b.type { out.append("type") }
        if a.name != b.name { out.append("name") }
        if a.families != b.families { out.append("families") }
        if a.routeReflectorClient != b.routeReflectorClient { out.append("routeReflectorClient") }
        if a.routeReflector != b.routeReflector { out.append("routeReflector") }
        if a.addPaths != b.addPaths { out.append("addPaths") }
        if a.addPathsCount != b.addPathsCount { out.append("addPathsCount") }
        if a.ebgpMultihop != b.ebgpMultihop { out.append("ebgpMultihop") }   // the socket's TTL: a new connection
        // RFC 2385: a new key signs a new connection; the old session is reset at once (Cease 6)
        // rather than left to die at its hold timer when the peer switches keys.
        if a.password != b.password { out.append("password") }
        if a.ttlSecurity != b.ttlSecurity { out.append("ttlSecurity") }   // RFC 5082: the socket's TTL and minimum TTL
        if a.maxPrefixes != b.maxPrefixes { out.append("maxPrefixes") }
        if a.longLivedStaleTime != b.longLivedStaleTime { out.append("longLivedStaleTime") }   // the OPEN's LLGR capability
        return out
    }
}
