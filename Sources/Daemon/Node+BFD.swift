import BFD
import Speaker
import TernAPI

// MARK: - BFD in the control API (`tern bfd`, the `bfd` of `tern status` peers)

extension Node {
    /// Every BFD session as `tern bfd` shows it.
    func bfdSessions() -> [ControlProtocol.BFDSession] {
        speaker.bfdStatuses().map(Node.apiBFDSession)
    }

    /// One BFD session for the API: times in milliseconds.
    static func apiBFDSession(_ s: BFDSessionStatus) -> ControlProtocol.BFDSession {
        ControlProtocol.BFDSession(
            peer: s.peer.description, interface: s.interface, state: apiBFDState(s.state), since: LogTime.iso8601(s.since),
            localDiscriminator: s.localDiscriminator, remoteDiscriminator: s.remoteDiscriminator,
            transmitInterval: milliseconds(UInt64(s.transmitInterval)), receiveInterval: s.receiveInterval.map { milliseconds(UInt64($0)) },
            localMultiplier: Int(s.localMultiplier), remoteMultiplier: s.remoteMultiplier.map(Int.init),
            detectionTime: s.detectionTime.map(milliseconds), localDiagnostic: s.localDiagnostic.description,
            remoteDiagnostic: s.remoteDiagnostic?.description, received: s.received, sent: s.sent, dropped: s.dropped,
            multihop: s.multihop, authentication: s.authentication.map { "\($0.type == .keyedSHA1 ? "keyed-sha1" : "meticulous-keyed-sha1") key \($0.keyID)" },
            authenticationDropped: s.authenticationDropped, lastDrop: s.lastDrop)
    }

    /// The `bfd` of a `tern status` peer row.
    static func apiPeerBFD(_ s: BFDSessionStatus) -> ControlProtocol.PeerBFD {
        ControlProtocol.PeerBFD(state: apiBFDState(s.state), detectionTime: s.detectionTime.map(milliseconds))
    }

    static func apiBFDState(_ s: BFDState) -> ControlProtocol.BFDState {
        switch s {
        case .adminDown: .adminDown
        case .down: .down
        case .`init`: .`init`
        case .up: .up
        }
    }

    /// Microseconds as milliseconds (BFD's unit is µs, RFC 5880 §4.1).
    static func milliseconds(_ us: UInt64) -> Double { Double(us) / 1000 }
}
