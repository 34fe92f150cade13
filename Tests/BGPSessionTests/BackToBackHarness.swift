import BGPWire
@testable import BGPSession

/// Two session machines joined by one in-memory "TCP connection" and a manual clock.
///
/// `.send` actions are encoded with the sender's encode context and decoded with the
/// receiver's decode context, so the codec runs for real; decode failures become
/// error events. Everything is delivered in FIFO order at the current time.
struct BackToBack {
    enum Side: Hashable, CustomStringConvertible {
        case a, b
        var other: Side { self == .a ? .b : .a }
        var description: String { self == .a ? "A" : "B" }
    }

    enum Item { case bytes([UInt8]), fin, event(SessionEvent) }

    var a: SessionMachine
    var b: SessionMachine
    var now = Instant.zero
    var connected = false
    /// Messages from these sides are dropped (a silent peer).
    var silent: Set<Side> = []
    /// Every action performed, with its time and side.
    var log: [(at: Instant, side: Side, action: SessionAction)] = []
    /// Every message decoded by each side.
    var received: [(at: Instant, side: Side, message: BGPMessage)] = []
    private var queue: [(Side, Item)] = []

    init(_ a: SessionConfig, _ b: SessionConfig) throws {
        self.a = try SessionMachine(config: a)
        self.b = try SessionMachine(config: b)
    }

    subscript(side: Side) -> SessionMachine {
        get { side == .a ? a : b }
        set { if side == .a { a = newValue } else { b = newValue } }
    }

    /// Delivers `event` to `side` now, performs the actions and everything they cause.
    mutating func send(_ event: SessionEvent, to side: Side) {
        queue.append((side, .event(event)))
        pump()
    }

    /// Moves the clock to `t`, firing both machines' deadlines in time order.
    mutating func advance(to t: Instant) {
        while let next = [a.nextDeadline, b.nextDeadline].compactMap({ $0 }).min(), next <= t {
            now = max(now, next)
            perform(a.advance(to: now), from: .a)
            perform(b.advance(to: now), from: .b)
            pump()
        }
        now = t
    }

    /// Moves the clock forward by `d`.
    mutating func advance(by d: Duration) { advance(to: now + d) }

    /// The actions of `side` reduced to kinds, optionally only after `since`.
    func kinds(of side: Side, since: Instant = .zero) -> [Kind] {
        log.filter { $0.side == side && $0.at >= since }.map { Kind($0.action) }
    }

    /// Times at which `side` sent a KEEPALIVE.
    func keepaliveTimes(of side: Side) -> [Instant] {
        log.filter { if $0.side == side, case .send(.keepalive) = $0.action { true } else { false } }.map(\.at)
    }

    // MARK: - Plumbing

    private mutating func pump() {
        while !queue.isEmpty {
            let (side, item) = queue.removeFirst()
            switch item {
            case .event(let e):
                perform(self[side].handle(e, now: now), from: side)
            case .fin:
                if self[side].state.hasConnection { perform(self[side].handle(.tcpConnectionFails, now: now), from: side) }
            case .bytes(let bytes):
                let event: SessionEvent
                do {
                    let decoded = try BGPMessage.decode(bytes: bytes, context: self[side].decodeContext)
                    received.append((now, side, decoded.message))
                    event = .received(decoded)
                } catch {
                    event = .decodeFailed(error)
                }
                perform(self[side].handle(event, now: now), from: side)
            }
        }
    }

    private mutating func perform(_ actions: [SessionAction], from side: Side) {
        for action in actions {
            log.append((now, side, action))
            switch action {
            case .connect:
                // The other side takes the call only when it is waiting for one.
                let peer = self[side.other].state
                if !connected && (peer == .active || peer == .connect) {
                    connected = true
                    queue.append((side, .event(.tcpConnectionConfirmed)))
                    queue.append((side.other, .event(.tcpConnectionAccepted)))
                } else {
                    queue.append((side, .event(.tcpConnectionFails)))
                }
            case .send(let message):
                guard connected, !silent.contains(side) else { continue }
                queue.append((side.other, .bytes(message.encoded(context: self[side].encodeContext))))
            case .closeConnection:
                if connected {
                    connected = false
                    queue.append((side.other, .fin))
                }
            case .established, .deliverUpdate, .deliverRouteRefresh, .sessionDown:
                break
            }
        }
    }

    /// Writes a message from `side` as its driver would (UPDATEs and ROUTE-REFRESHes come
    /// from the RIB, not from the machine).
    mutating func write(_ message: BGPMessage, from side: Side) {
        guard connected else { return }
        queue.append((side.other, .bytes(message.encoded(context: self[side].encodeContext))))
        pump()
    }
}
