import BFD
import IPCore
import Model

extension BGPSpeaker {
    /// A BFD session changed state. Up → Down (RFC 5882 §4.1: "the BFD session going down
    /// ... SHOULD be taken as the neighbour having failed") ends the BGP sessions of the
    /// peers at that address, as their `bfd.graceful` says; a Down caused by the peer's
    /// AdminDown is not a failure (RFC 5882 §3.2) and leaves BGP alone.
    func bfdStateChanged(_ address: IPAddress, from: BFDState, to: BFDState, remoteAdminDown: Bool) {
        guard from == .up, to == .down, !remoteAdminDown else { return }
        for peer in peers.values where peer.config.address == address {
            guard let settings = peer.config.bfd else { continue }
            peer.bfdDown(graceful: settings.graceful)
        }
    }

    /// Applies a peer's new BFD settings without touching its BGP session (SIGHUP): turned
    /// on starts a BFD session, turned off ends it (AdminDown first), new timers are
    /// negotiated in place with a Poll Sequence (RFC 5880 §6.8.3).
    public func setBFD(_ spec: PeerSpec) {
        guard let peer = peers[spec.endpoint] else { return }
        let old = peer.config
        peer.config = spec
        if let settings = spec.bfd {
            bfd.add(spec.address, settings: settings, local: config.specificLocalAddress,
                    multihop: settings.isMultihop(ebgpMultihop: spec.ebgpMultihop))
        } else if old.bfd != nil {
            releaseBFD(spec: old)
        }
    }

    /// Ends the BFD session of `spec`'s address unless another configured peer there still uses it.
    func releaseBFD(spec: PeerSpec) {
        guard spec.bfd != nil else { return }
        if peers.values.contains(where: { $0.config.address == spec.address && $0.config.bfd != nil }) { return }
        bfd.remove(spec.address)
    }

    /// Every BFD session, in address order (`tern bfd`).
    public func bfdStatuses() -> [BFDSessionStatus] { bfd.statuses() }
}
