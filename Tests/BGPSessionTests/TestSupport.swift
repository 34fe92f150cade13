import IPCore
import BGPWire
@testable import BGPSession

// MARK: - Fixtures

let idA = IPv4Address("10.0.0.1")!
let idB = IPv4Address("10.0.0.2")!

/// iBGP config for speaker A (AS 65001, 10.0.0.1) towards B, hold 9.
func config(localAS: UInt32 = 65001, peerAS: UInt32 = 65001, id: IPv4Address = idA, hold: UInt16 = 9,
            passive: Bool = false, families: [AddressFamily] = [.ipv4Unicast],
            addPath: [AddressFamily: AddPathMode] = [:], sendHold: Duration? = nil,
            extendedMessage: Bool = false) -> SessionConfig {
    SessionConfig(localAS: localAS, peerAS: peerAS, localID: id, holdTime: hold, passive: passive,
                  families: families, addPath: addPath, extendedMessage: extendedMessage, sendHoldTime: sendHold)
}

/// An acceptable OPEN from B for `config()`.
func peerOpen(asNumber: UInt32 = 65001, id: IPv4Address = idB, hold: UInt16 = 9,
              families: [AddressFamily] = [.ipv4Unicast]) -> OpenMessage {
    OpenMessage(asNumber: asNumber, holdTime: hold, bgpIdentifier: id,
                capabilities: families.map { .multiprotocol($0) } + [.routeRefresh, .enhancedRouteRefresh])
}

func notification(_ code: UInt8, _ sub: UInt8) -> NotificationMessage { NotificationMessage(code: code, subcode: sub) }

/// A well-formed UPDATE announcing 192.0.2.0/24 (optionally with a path identifier).
func sampleUpdate(pathID: UInt32? = nil) -> UpdateMessage {
    UpdateMessage(attributes: PathAttributes(origin: .igp, asPath: .sequence([]), nextHop: IPv4Address("10.0.0.2")!,
                                             localPref: 100),
                  nlri: [NLRI(.v4(IPv4Prefix("192.0.2.0/24")!), pathID: pathID)])
}

// MARK: - Action kinds (what table rows compare)

/// An action reduced to what a rule table says about it.
enum Kind: Hashable, Sendable, CustomStringConvertible {
    case connect, close, established, deliverUpdate, deliverRouteRefresh, down
    case send(MessageType)
    /// A NOTIFICATION with code/subcode.
    case notify(UInt8, UInt8)

    init(_ a: SessionAction) {
        switch a {
        case .connect: self = .connect
        case .closeConnection: self = .close
        case .send(.notification(let n)): self = .notify(n.code, n.subcode)
        case .send(let m): self = .send(m.type)
        case .established: self = .established
        case .deliverUpdate: self = .deliverUpdate
        case .deliverRouteRefresh: self = .deliverRouteRefresh
        case .sessionDown: self = .down
        }
    }

    var description: String {
        switch self {
        case .connect: "connect"
        case .close: "close"
        case .established: "established"
        case .deliverUpdate: "deliverUpdate"
        case .deliverRouteRefresh: "deliverRR"
        case .down: "down"
        case .send(let t): "send \(t)"
        case .notify(let c, let s): "notify \(c)/\(s)"
        }
    }
}

func kinds(_ actions: [SessionAction]) -> [Kind] { actions.map(Kind.init) }

// MARK: - Driving a single machine into a state

struct CannotReach: Error { var state: SessionState }

/// A machine for `cfg` driven into `state` at time 0 (Active: passive start when the
/// config is passive, otherwise a failed connect).
func machine(in state: SessionState, _ cfg: SessionConfig = config(), open: OpenMessage = peerOpen())
    throws -> SessionMachine {
    var m = try SessionMachine(config: cfg)
    let steps: [SessionEvent]
    switch state {
    case .idle: steps = []
    case .connect: steps = [.manualStart]
    case .active: steps = cfg.passive ? [.manualStart] : [.manualStart, .tcpConnectionFails]
    case .openSent: steps = [.manualStart, .tcpConnectionConfirmed]
    case .openConfirm: steps = [.manualStart, .tcpConnectionConfirmed, .bgpOpen(open)]
    case .established: steps = [.manualStart, .tcpConnectionConfirmed, .bgpOpen(open), .keepAliveMsg]
    }
    for e in steps { _ = m.handle(e, now: .zero) }
    guard m.state == state else { throw CannotReach(state: state) }
    return m
}
