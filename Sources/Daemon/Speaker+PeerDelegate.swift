import BGPSession
import BGPWire
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
            families: negotiated.families)
        rib.addPeer(descriptor)
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

    func peerWentDown(_ peer: Peer, reason: String) {
        guard let id = ribID(of: peer) else { return }
        distribute(rib.peerDown(id))
    }
}
