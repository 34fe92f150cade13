import IPCore
import BGPSession
import BGPWire
import EventLoop
import RIB

// MARK: - Sessions to RIB (RFC 4271 §9)

extension Speaker: PeerDelegate {
    func peerEstablished(_ peer: Peer, negotiated: NegotiatedCapabilities, peerOpen: OpenMessage,
                         decodeContext: CodecContext, encodeContext: CodecContext, localAddress: IPAddress?) {
        guard let id = ribID(of: peer) else { return }
        let descriptor = PeerDescriptor(
            id: id, address: peer.config.address, asNumber: peerOpen.asNumber, routerID: peerOpen.bgpIdentifier,
            isExternal: peerOpen.asNumber != config.asNumber,
            localAddress: localAddress ?? .v4(config.routerID), encodeContext: encodeContext,
            reflectorClient: peer.config.routeReflectorClient, families: negotiated.families,
            addPathLimit: peer.config.addPathsCount)
        rib.addPeer(descriptor)
        // RFC 4724 §4.2: back without the graceful restart capability, or without the
        // forwarding-state bit for a family: the routes kept from the previous session go now;
        // otherwise they go at the peer's End-of-RIB (see noteEndOfRIB).
        let preserved = negotiated.peerGracefulRestart.map { gr in
            negotiated.families.allSatisfy { f in gr.families.contains { $0.family == f && $0.forwardingStatePreserved } }
        } ?? false
        if !preserved { flushStale(of: peer) }
        // The initial table, then End-of-RIB per family (RFC 4724 §2).
        peer.send(rib.fullTable(for: id))
    }

    func peer(_ peer: Peer, received update: DecodedMessage) {
        guard let id = ribID(of: peer), case .update(let u) = update.message else { return }
        if u.endOfRIBFamily != nil { noteEndOfRIB(from: peer); return }
        distribute(rib.apply(u, from: id, treatAsWithdraw: update.isTreatAsWithdraw))
    }

    func peer(_ peer: Peer, requestedRefresh rr: RouteRefreshMessage) {
        guard let id = ribID(of: peer) else { return }
        peer.send(rib.fullTable(for: id, families: [rr.family]))
    }

    func peerWentDown(_ peer: Peer, reason: String, gracefulRestartTime: UInt16?) {
        guard let id = ribID(of: peer) else { return }
        endOfRIBFrom.remove(ObjectIdentifier(peer))
        flushStale(of: peer)            // a second failure before End-of-RIB: drop the older copy
        guard let seconds = gracefulRestartTime, seconds > 0 else {
            distribute(rib.peerDown(id))
            return
        }
        // RFC 4724 §4.2: keep the routes (forwarding continues), under a stale handle.
        let staleID = allocateRIBID()
        rib.retainAsStale(id, as: staleID)
        let timer = LoopTimer(on: loop) { [weak self, weak peer] in
            guard let self, let peer else { return }
            self.logger.warning("peer \(peer.config.id) did not finish its graceful restart in \(seconds) s: removing its stale routes")
            self.flushStale(of: peer)
        }
        timer.arm(after: .seconds(Int(seconds)))
        staleRoutes[ObjectIdentifier(peer)] = StaleRoutes(handle: staleID, owner: peer.config.address, timer: timer)
    }

    /// Removes what a restarting peer left behind (after its End-of-RIB, its restart time, or
    /// when it comes back without graceful restart).
    func flushStale(of peer: Peer) {
        guard let stale = staleRoutes.removeValue(forKey: ObjectIdentifier(peer)) else { return }
        stale.timer.cancel()
        distribute(rib.removePeer(stale.handle))
    }
}
