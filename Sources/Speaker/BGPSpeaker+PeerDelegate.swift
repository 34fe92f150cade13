import IPCore
import BGPSession
import BGPWire
import EventLoop
import RIB

// MARK: - Sessions to RIB (RFC 4271 §9)

extension BGPSpeaker: PeerDelegate {
    func peerEstablished(_ peer: Peer, negotiated: NegotiatedCapabilities, peerOpen: OpenMessage,
                         decodeContext: CodecContext, encodeContext: CodecContext, localAddress: IPAddress?) {
        guard let id = ribID(of: peer) else { return }
        // RFC 4724 §4.2: forwarding state kept for every negotiated family.
        let preserved = negotiated.peerGracefulRestart.map { gr in
            negotiated.families.allSatisfy { f in gr.families.contains { $0.family == f && $0.forwardingStatePreserved } }
        } ?? false
        perform(route: .established(id, SessionFacts(
            peerAS: peerOpen.asNumber, peerRouterID: peerOpen.bgpIdentifier,
            localAddress: localAddress ?? .v4(config.routerID), encodeContext: encodeContext,
            families: negotiated.families, forwardingStatePreserved: preserved,
            longLivedGracefulRestart: negotiated.longLivedStaleTime != nil)))
    }

    func peer(_ peer: Peer, received update: DecodedMessage) {
        guard let id = ribID(of: peer), case .update(let u) = update.message else { return }
        perform(route: .update(id, u, treatAsWithdraw: update.isTreatAsWithdraw))
        if peer.maxPrefix != nil {
            let c = rib.acceptedCounts(from: id)
            peer.checkMaxPrefixes(v4: c.v4, v6: c.v6)
        }
    }

    func peer(_ peer: Peer, requestedRefresh rr: RouteRefreshMessage) {
        guard let id = ribID(of: peer) else { return }
        perform(route: .routeRefresh(id, rr.family))
    }

    func peerWentDown(_ peer: Peer, reason: String, gracefulRestartTime: UInt16?, longLivedStaleTime: UInt32?) {
        guard let id = ribID(of: peer) else { return }
        perform(route: .down(id, gracefulRestartTime: gracefulRestartTime, longLivedStaleTime: longLivedStaleTime))
    }
}
