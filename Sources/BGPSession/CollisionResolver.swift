import IPCore
import BGPWire

/// Who opened a TCP connection.
public enum ConnectionOrigin: Hashable, Sendable, CustomStringConvertible {
    /// We connected to the peer (outgoing).
    case local
    /// The peer connected to us (incoming).
    case remote

    public var description: String { self == .local ? "outgoing" : "incoming" }
}

/// Connection collision detection (RFC 4271 §6.8, RFC 6286 §2.3), as pure functions.
///
/// Rules, applied when an OPEN arrives on one connection while another connection to
/// the same peer exists:
///
///  1. The other connection is Idle, Connect or Active: no collision (it has no BGP
///     session yet; the driver abandons it in favour of the one that received an OPEN).
///  2. The other connection is Established: close the new connection with Cease 7
///     (§6.8, last paragraph: collision detection in Established is off).
///  3. The other connection is OpenConfirm, or OpenSent (§6.8 allows it when the peer's
///     identifier is known another way: here, from the OPEN just received on the new
///     connection, which comes from the same peer): compare BGP identifiers as
///     unsigned 32-bit integers (§6.8 step 2):
///     a. local < remote: keep the connection the remote speaker initiated;
///     b. local > remote: keep the connection we initiated;
///     c. equal (possible only on eBGP, RFC 6286 §2.3): keep the connection initiated
///        by the speaker with the larger AS number.
///     The loser gets ``SessionEvent/openCollisionDump`` (Cease 7, close).
///
/// How a driver uses it. A `Peer` owns up to two connections, each with its own
/// ``SessionMachine`` (same config):
///
/// - The main machine is started with ``SessionEvent/manualStart``. It connects (Connect)
///   or waits (Active, passive).
/// - An incoming TCP connection: if the main machine is Active, feed it
///   ``SessionEvent/tcpConnectionAccepted``. If it is Idle, refuse (close the socket).
///   Otherwise (Connect, OpenSent, OpenConfirm, Established) create a second machine with
///   `passive = true`, feed it `.manualStart` then `.tcpConnectionAccepted` (it sends OPEN).
/// - Before feeding ``SessionEvent/bgpOpen(_:)`` to machine X while the other machine Y
///   exists, call ``decide(localID:localAS:remoteID:remoteAS:existing:existingState:new:)``
///   with Y as `existing` and X as `new` (remote ID/AS from the OPEN). `.closeNew`: feed X
///   `.openCollisionDump` instead of the OPEN. `.closeExisting`: feed Y
///   `.openCollisionDump`, then X the OPEN. `.noCollision`: feed X the OPEN and discard Y
///   (close its socket or pending connect).
/// - A machine that returns to Idle after losing is discarded; when the second machine
///   survives it becomes the main one. Only the machine that emitted `.established`
///   speaks for the peer to the RIB.
public enum CollisionResolver {
    /// Which connection to close.
    public enum Decision: Hashable, Sendable {
        /// Not a collision (rule 1).
        case noCollision
        /// Close the existing connection with Cease 7; go on with the new one.
        case closeExisting
        /// Close the new connection with Cease 7.
        case closeNew
    }

    /// Rule 3: which of the two connections survives a collision, by who initiated it.
    public static func survivor(localID: IPv4Address, localAS: UInt32,
                                remoteID: IPv4Address, remoteAS: UInt32) -> ConnectionOrigin {
        if localID.value != remoteID.value {
            return localID.value < remoteID.value ? .remote : .local      // 3a, 3b
        }
        return localAS > remoteAS ? .local : .remote                      // 3c
    }

    /// Rules 1-3 for connection `new` (which just received the peer's OPEN carrying
    /// `remoteID`/`remoteAS`) against the `existing` connection in `existingState`.
    public static func decide(localID: IPv4Address, localAS: UInt32, remoteID: IPv4Address, remoteAS: UInt32,
                              existing: ConnectionOrigin, existingState: SessionState,
                              new: ConnectionOrigin) -> Decision {
        switch existingState {
        case .idle, .connect, .active:                                    // rule 1
            return .noCollision
        case .established:                                                // rule 2
            return .closeNew
        case .openSent, .openConfirm:                                     // rule 3
            guard existing != new else {
                // Two connections of the same origin are not a collision the RFC knows;
                // keep the older one.
                return .closeNew
            }
            let keep = survivor(localID: localID, localAS: localAS, remoteID: remoteID, remoteAS: remoteAS)
            return keep == new ? .closeExisting : .closeNew
        }
    }
}
