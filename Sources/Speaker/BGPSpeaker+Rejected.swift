import BGPWire
import Model
import RIB

extension BGPSpeaker {
    /// One received path the RIB ignored (loop detection, the import filter), for
    /// `tern routes --rejected`.
    public struct RejectedPath: Sendable, Hashable {
        public var peer: PeerEndpoint
        public var nlri: NLRI
        public var reason: ImportRejection
    }

    /// Every ignored path of every peer, by peer (in address order) and prefix.
    public func rejectedPaths() -> [RejectedPath] {
        peers.values.sorted { ($0.config.address, $0.config.port) < ($1.config.address, $1.config.port) }.flatMap { p -> [RejectedPath] in
            guard let id = ribID(of: p) else { return [] }
            return rib.rejected(from: id).map { RejectedPath(peer: p.config.endpoint, nlri: $0.key, reason: $0.value) }
                .sorted { ($0.nlri.prefix, $0.nlri.pathID ?? 0) < ($1.nlri.prefix, $1.nlri.pathID ?? 0) }
        }
    }
}
