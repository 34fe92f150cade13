import BGPSession
import BGPWire
import IPCore
import RIB

/// The routing side of the BGP speaker, without sockets or timers: sessions' events in,
/// kernel route changes and messages out (holo's conformance style: recorded events in,
/// expected output out). It owns the RIB, graceful restart (RFC 4724) and End-of-RIB
/// bookkeeping; the daemon performs the outputs on real sockets and the dataplane.
///
/// Time is a parameter (`now`); a restarting peer's deadline is in ``nextDeadline``, and
/// ``advance(to:)`` expires it.
public struct RouteEngine: Sendable {
    /// The RIB (read it for `tern routes`).
    public private(set) var rib: RIB
    private var configured: [PeerID: PeerRouting] = [:]
    private var nextID: UInt32 = 1
    private var endOfRIBFrom: Set<PeerID> = []
    /// Routes kept for peers in graceful restart: the RIB handle holding them, the deadline,
    /// and the long-lived stale time that follows the restart time (RFC 9494; 0: none, or
    /// already in the long-lived stale phase).
    private var stale: [PeerID: StaleRoutes] = [:]

    struct StaleRoutes: Sendable {
        var handle: PeerID
        var deadline: Instant
        var longLivedStaleTime: UInt32
        var longLived: Bool
    }

    /// An engine for this node's AS, router ID and (when it reflects) cluster ID.
    public init(config: RIBConfig) { rib = RIB(config: config) }

    /// Registers a configured peer; its handle names it in every event.
    public mutating func addPeer(_ routing: PeerRouting) -> PeerID {
        let id = allocate()
        configured[id] = routing
        return id
    }

    /// The configured peers.
    public var peers: [PeerID: PeerRouting] { configured }

    /// From now on outputs carry kernel route changes; returns every route the RIB already
    /// holds (learned before the dataplane started) as `set` changes.
    public mutating func trackFIB() -> [FIBChange] {
        rib.trackFIBChanges()
        return rib.fibSnapshot()
    }

    /// The earliest graceful-restart deadline, nil when no peer is restarting.
    public var nextDeadline: Instant? { stale.values.map(\.deadline).min() }

    /// Peers whose previous session's routes are kept as stale.
    public var restartingPeers: Set<PeerID> { Set(stale.keys) }

    /// Peers whose previous session's routes are in the long-lived stale phase (RFC 9494).
    public var longLivedStalePeers: Set<PeerID> { Set(stale.filter { $0.value.longLived }.keys) }

    /// The restarting peer whose stale routes RIB handle `handle` holds (for `tern routes`).
    public func restartingPeer(holding handle: PeerID) -> PeerID? {
        stale.first { $0.value.handle == handle }?.key
    }

    /// Handles one event at `now`.
    public mutating func handle(_ event: RouteEngineEvent, now: Instant) -> RouteEngineOutput {
        var out = RouteEngineOutput()
        switch event {
        case .established(let id, let facts):
            guard let routing = configured[id] else { break }
            rib.addPeer(PeerDescriptor(
                id: id, address: routing.address, asNumber: facts.peerAS, routerID: facts.peerRouterID,
                isExternal: facts.peerAS != rib.config.localAS, localAddress: facts.localAddress,
                encodeContext: facts.encodeContext, reflectorClient: routing.reflectorClient,
                families: facts.families, addPathLimit: routing.addPathsCount,
                longLivedGracefulRestart: facts.longLivedGracefulRestart))
            // RFC 4724 §4.2: back without forwarding state for a family: the kept routes go
            // now; otherwise at the peer's End-of-RIB.
            if !facts.forwardingStatePreserved { flushStale(id, into: &out) }
            // The initial table, then End-of-RIB per family (RFC 4724 §2).
            out.sends.append(.init(peer: id, messages: rib.fullTable(for: id)))
        case .update(let id, let update, let treatAsWithdraw):
            guard configured[id] != nil else { break }
            if update.endOfRIBFamily != nil {
                endOfRIBFrom.insert(id)
                flushStale(id, into: &out)          // RFC 4724 §4.2: what it did not announce again goes
                out.allPeersSentEndOfRIB = configured.keys.allSatisfy(endOfRIBFrom.contains)
            } else {
                distribute(rib.apply(update, from: id, treatAsWithdraw: treatAsWithdraw), into: &out)
            }
        case .routeRefresh(let id, let family):
            guard configured[id] != nil else { break }
            out.sends.append(.init(peer: id, messages: rib.fullTable(for: id, families: [family])))
        case .down(let id, let seconds, let longLived):
            guard configured[id] != nil else { break }
            endOfRIBFrom.remove(id)
            flushStale(id, into: &out)              // a second failure before End-of-RIB: drop the older copy
            let llgr = longLived ?? 0
            let gr = seconds ?? 0
            guard gr > 0 || llgr > 0 else {
                distribute(rib.peerDown(id), into: &out)
                break
            }
            // RFC 4724 §4.2: keep the routes (forwarding continues) under a stale handle.
            let handle = allocate()
            rib.retainAsStale(id, as: handle)
            if gr > 0 {
                stale[id] = StaleRoutes(handle: handle, deadline: now.advanced(by: .seconds(Int(gr))),
                                        longLivedStaleTime: llgr, longLived: false)
            } else {
                // RFC 9494 §4.2: no (or a zero) restart time: straight to the long-lived phase.
                stale[id] = StaleRoutes(handle: handle, deadline: now, longLivedStaleTime: llgr, longLived: false)
                enterLongLivedStale(id, now: now, into: &out)
            }
        case .removed(let id):
            guard configured.removeValue(forKey: id) != nil else { break }
            endOfRIBFrom.remove(id)
            flushStale(id, into: &out)
            distribute(rib.removePeer(id), into: &out)
            // The last peer that had not sent End-of-RIB is gone.
            out.allPeersSentEndOfRIB = configured.keys.allSatisfy(endOfRIBFrom.contains)
        case .originate(let prefixes):
            distribute(rib.originate(prefixes: prefixes, attributes: PathAttributes(origin: .igp, asPath: ASPath())), into: &out)
        case .withdrawOriginated(let prefixes):
            distribute(rib.withdrawOriginated(prefixes: prefixes), into: &out)
        }
        return out
    }

    /// Expires graceful restarts whose deadline is at or before `now` (RFC 4724 §4.2: the
    /// restart time ran out; the stale routes go).
    public mutating func advance(to now: Instant) -> RouteEngineOutput {
        var out = RouteEngineOutput()
        for (id, s) in stale.sorted(by: { $0.key < $1.key }) where s.deadline <= now {
            if !s.longLived && s.longLivedStaleTime > 0 {
                enterLongLivedStale(id, now: now, into: &out)   // RFC 9494 §4.2
            } else {
                flushStale(id, into: &out)
                out.restartTimedOut.append(id)
            }
        }
        return out
    }

    /// RFC 9494 §4.2: the restart time is over (or was 0): the routes stay for the long-lived
    /// stale time, marked LLGR_STALE (least preferred, only sent to LLGR peers); NO_LLGR
    /// routes go now.
    private mutating func enterLongLivedStale(_ id: PeerID, now: Instant, into out: inout RouteEngineOutput) {
        guard var s = stale[id] else { return }
        s.longLived = true
        s.deadline = now.advanced(by: .seconds(Int(s.longLivedStaleTime)))
        stale[id] = s
        distribute(rib.markLongLivedStale(s.handle), into: &out)
        out.longLivedStale.append(id)
    }

    // MARK: - Internals

    private mutating func allocate() -> PeerID {
        defer { nextID += 1 }
        return PeerID(nextID)
    }

    private mutating func flushStale(_ id: PeerID, into out: inout RouteEngineOutput) {
        guard let s = stale.removeValue(forKey: id) else { return }
        distribute(rib.removePeer(s.handle), into: &out)
    }

    /// The kernel changes and the UPDATEs that `changes` call for, one encoding per update group.
    private mutating func distribute(_ changes: RIBChanges, into out: inout RouteEngineOutput) {
        guard !changes.isEmpty else { return }
        out.fib.append(contentsOf: changes.fib)
        for batch in rib.exports(for: changes) {
            for id in batch.peers { out.sends.append(.init(peer: id, messages: batch.messages)) }
        }
    }
}
