// RFC 5880 §6.8.6 "Reception of BFD Control Packets": the checks that need the session,
// the variable updates, and the state machine (§6.2):
//
//                              +--+
//                              |  | UP, ADMIN DOWN, TIMER
//                              |  V
//                      DOWN  +------+  INIT
//               +------------|      |------------+
//               |            | DOWN |            |
//               |  +-------->|      |<--------+  |
//               |  |         +------+         |  |
//               |  |                          |  |
//               |  |               ADMIN DOWN,|  |
//               |  |ADMIN DOWN,          DOWN,|  |
//               |  |TIMER                TIMER|  |
//               V  |                          |  V
//             +------+                      +------+
//        +----|      |                      |      |----+
//    DOWN|    | INIT |--------------------->|  UP  |    |INIT, UP
//        +--->|      | INIT, UP             |      |<---+
//             +------+                      +------+

extension BFDSession {
    /// §6.8.6 / §6.7.4 authentication checks (the digest was checked by the driver):
    /// nil when the packet is accepted, which also advances bfd.RcvAuthSeq.
    mutating func authenticate(_ p: BFDControlPacket) -> BFDDiscardReason? {
        guard let expected = config.authentication else {
            // "If the A bit is set and no authentication is in use (bfd.AuthType is zero),
            // the packet MUST be discarded."
            return p.authPresent ? .authenticationNotInUse : nil
        }
        // "If the A bit is clear and authentication is in use (bfd.AuthType is nonzero),
        // the packet MUST be discarded."
        guard let a = p.authentication else { return .authenticationMissing }
        guard a.type == expected.type else { return .authenticationTypeMismatch(received: a.type.rawValue, expected: expected.type.rawValue) }
        // §6.7.4: "If the Auth Key ID field does not match the ID of a configured
        // authentication key, the received packet MUST be discarded."
        guard a.keyID == expected.keyID else { return .keyIDMismatch(received: a.keyID, expected: expected.keyID) }
        // §6.7.4: "If bfd.AuthSeqKnown is 1, examine the Sequence Number field. For Keyed
        // SHA1, if the sequence number lies outside of the range of bfd.RcvAuthSeq to
        // bfd.RcvAuthSeq+(3*Detect Mult) inclusive (when treated as an unsigned 32 bit
        // circular number space), the received packet MUST be discarded. For Meticulous
        // Keyed SHA1, if the sequence number lies outside of the range of bfd.RcvAuthSeq+1
        // to bfd.RcvAuthSeq+(3*Detect Mult) inclusive ..., the received packet MUST be discarded."
        if authSequenceKnown {
            let ahead = a.sequenceNumber &- receiveAuthSequence
            let window = 3 * UInt32(p.detectMult)
            let lowest: UInt32 = a.type == .meticulousKeyedSHA1 ? 1 : 0
            guard ahead >= lowest && ahead <= window else {
                return .sequenceOutOfWindow(received: a.sequenceNumber, last: receiveAuthSequence)
            }
        }
        // "If bfd.AuthSeqKnown is 0, bfd.AuthSeqKnown MUST be set to 1, and bfd.RcvAuthSeq
        // MUST be set to the value of the received Sequence Number field." (and it follows
        // every accepted packet).
        authSequenceKnown = true
        receiveAuthSequence = a.sequenceNumber
        return nil
    }

    /// §6.8.6 for a packet that passed the packet checks of ``BFDControlPacket/init(decoding:)``.
    mutating func receive(_ p: BFDControlPacket, now: BFDInstant) -> [BFDAction] {
        // "If the Your Discriminator field is nonzero, it MUST be used to select the session
        // with which this BFD packet is associated. If no session is found, the packet MUST
        // be discarded."
        if p.yourDiscriminator != 0 && p.yourDiscriminator != localDiscriminator {
            return [.discarded(.yourDiscriminatorMismatch(received: p.yourDiscriminator, local: localDiscriminator))]
        }
        if let discard = authenticate(p) { return [.discarded(discard)] }

        // "Set bfd.RemoteDiscr to the value of My Discriminator."
        remoteDiscriminator = p.myDiscriminator
        // "Set bfd.RemoteState to the value of the State (Sta) field."
        remoteState = p.state
        // "Set bfd.RemoteDemandMode to the value of the Demand (D) bit."
        remoteDemandMode = p.demand
        // "Set bfd.RemoteMinRxInterval to the value of Required Min RX Interval."
        remoteMinRxInterval = p.requiredMinRxInterval
        // Kept for the Detection Time (§6.8.4).
        remoteDesiredMinTxInterval = p.desiredMinTxInterval
        remoteDetectMult = p.detectMult
        // "If the Required Min Echo RX Interval field is zero, the transmission of Echo
        // packets, if any, MUST cease." -- no Echo function here.

        // "If a Poll Sequence is being transmitted by the local system and the Final (F) bit
        // in the received packet is set, the Poll Sequence MUST be terminated."
        if pollActive && p.final { terminatePoll() }

        // "Update the transmit interval as described in section 6.8.2." / "Update the
        // Detection Time as described in section 6.8.4." -- both are derived from the
        // variables above when used.

        // "If bfd.SessionState is AdminDown: Discard the packet"
        if state == .adminDown { return [.discarded(.adminDown)] }

        var out: [BFDAction] = []
        if p.state == .adminDown {
            // "If received state is AdminDown: If bfd.SessionState is not Down: Set
            // bfd.LocalDiag to 3 (Neighbor signaled session down), Set bfd.SessionState to Down"
            if state != .down { out += setState(.down, diagnostic: .neighborSignaledSessionDown, now: now) }
        } else {
            switch (state, p.state) {
            // "If bfd.SessionState is Down: If received State is Down: Set bfd.SessionState to Init"
            case (.down, .down): out += setState(.`init`, diagnostic: .none, now: now)
            // "Else if received State is Init: Set bfd.SessionState to Up"
            case (.down, .`init`): out += setState(.up, diagnostic: .none, now: now)
            // "Else if bfd.SessionState is Init: If received State is Init or Up: Set bfd.SessionState to Up"
            case (.`init`, .`init`), (.`init`, .up): out += setState(.up, diagnostic: .none, now: now)
            // "Else (bfd.SessionState is Up): If received State is Down: Set bfd.LocalDiag to 3
            // (Neighbor signaled session down), Set bfd.SessionState to Down"
            case (.up, .down): out += setState(.down, diagnostic: .neighborSignaledSessionDown, now: now)
            default: break
            }
        }

        // "If bfd.RemoteDemandMode is 1, bfd.SessionState is Up, and bfd.RemoteSessionState
        // is Up, ... the local system MUST cease the periodic transmission"; otherwise it
        // "MUST send periodic BFD Control packets" -- and a changed bfd.RemoteMinRxInterval
        // (§6.8.2) may bring the next one forward.
        rescheduleTransmit(now: now)

        // "If the Poll (P) bit is set, send a BFD Control packet to the remote system with
        // the Poll (P) bit clear, and the Final (F) bit set" -- §6.8.7: "without respect to the
        // transmission timer or any other transmission limitations".
        if p.poll { out.append(.send(makePacket(final: true))) }

        // "If the packet was not discarded, it has been received for purposes of the
        // Detection Time expiration rules in section 6.8.4."
        if let d = detectionTime { detectionDeadline = now.adding(microseconds: d) }
        return out
    }
}
