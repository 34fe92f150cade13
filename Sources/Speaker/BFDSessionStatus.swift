import BFD
import Foundation
import IPCore

/// One BFD session as `tern bfd` and `tern status` report it (the columns of BIRD's
/// `show bfd sessions`): values, no display strings. Intervals in microseconds.
public struct BFDSessionStatus: Sendable {
    /// The neighbour's address.
    public let peer: IPAddress
    /// The interface the session runs on, when known (nil: chosen by the kernel's routing).
    public let interface: String?
    /// bfd.SessionState.
    public let state: BFDState
    /// When ``state`` was entered.
    public let since: Date
    /// bfd.LocalDiscr and bfd.RemoteDiscr (0 until learned).
    public let localDiscriminator: UInt32
    public let remoteDiscriminator: UInt32
    /// The interval we transmit at (§6.8.7, before jitter).
    public let transmitInterval: UInt32
    /// The interval the peer transmits at as agreed: max(our Required Min RX, its Desired Min TX).
    public let receiveInterval: UInt32?
    /// Our Detect Mult and the peer's (nil before its first packet).
    public let localMultiplier: UInt8
    public let remoteMultiplier: UInt8?
    /// The Detection Time (§6.8.4), nil before the peer's first packet.
    public let detectionTime: UInt64?
    /// bfd.LocalDiag: why our session last changed state.
    public let localDiagnostic: BFDDiagnostic
    /// The Diag of the peer's last packet.
    public let remoteDiagnostic: BFDDiagnostic?
    /// Packets received and sent, and received packets dropped (TTL, decode, demultiplexing).
    public let received: Int
    public let sent: Int
    public let dropped: Int
    /// RFC 5883 multihop.
    public var multihop = false
    /// The authentication in use, nil for none.
    public var authentication: BFDAuthenticationConfig?
    /// Received packets dropped by authentication (A bit, type, key ID, sequence, digest).
    public var authenticationDropped = 0
    /// Why the last received packet was dropped, if one was.
    public var lastDrop: String?
}
