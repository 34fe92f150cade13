@testable import BFD

/// Milliseconds as µs, the unit of BFD intervals.
func ms(_ m: UInt32) -> UInt32 { m * 1_000 }

/// The instant `m` milliseconds after the origin.
func at(_ m: UInt64) -> BFDInstant { .milliseconds(m) }

/// A configuration with exact timing (no jitter) unless told otherwise.
func config(
    tx: UInt32 = ms(300), rx: UInt32 = ms(300), mult: UInt8 = 3, discriminator: UInt32 = 1,
    passive: Bool = false, jitter: BFDJitter = .none
) -> BFDSessionConfig {
    BFDSessionConfig(
        desiredMinTxInterval: tx, requiredMinRxInterval: rx, detectMultiplier: mult,
        localDiscriminator: discriminator, passive: passive, jitter: jitter)
}

/// A packet from the peer (discriminator 9 unless told) to the session with discriminator `your`.
func peer(
    _ state: BFDState, your: UInt32 = 1, my: UInt32 = 9, tx: UInt32 = ms(300), rx: UInt32 = ms(300),
    mult: UInt8 = 3, poll: Bool = false, final: Bool = false, diagnostic: BFDDiagnostic = .none
) -> BFDControlPacket {
    BFDControlPacket(
        diagnostic: diagnostic, state: state, poll: poll, final: final, detectMult: mult,
        myDiscriminator: my, yourDiscriminator: your, desiredMinTxInterval: tx, requiredMinRxInterval: rx)
}

extension [BFDAction] {
    /// The packets sent, in order.
    var sent: [BFDControlPacket] {
        compactMap { if case .send(let p) = $0 { p } else { nil } }
    }

    /// The state changes, in order.
    var changes: [BFDAction] {
        filter { if case .stateChanged = $0 { true } else { false } }
    }
}

/// A session brought Up at `now` by a peer Init (Down -> Up, §6.8.6).
func upSession(_ c: BFDSessionConfig, peerTx: UInt32 = ms(300), peerRx: UInt32 = ms(300), now: BFDInstant = .zero) -> BFDSession {
    var s = BFDSession(config: c, now: now)
    _ = s.advance(to: now)
    let out = s.handle(.received(peer(.`init`, your: c.localDiscriminator, tx: peerTx, rx: peerRx)), now: now)
    precondition(s.state == .up, "not Up: \(out)")
    return s
}

/// Two sessions wired back to back over encoded bytes with zero latency and a manual clock.
///
/// At each instant every session whose deadline is due fires first, then every packet is
/// delivered in FIFO order (each delivery may queue more), so simultaneous starts cross.
struct BFDPair {
    enum Side: Hashable { case a, b }

    var a: BFDSession
    var b: BFDSession
    var now: BFDInstant
    /// Packets sent by these sides are lost.
    var dropFrom: Set<Side> = []
    /// Every action, with its time and side.
    var log: [(at: BFDInstant, side: Side, action: BFDAction)] = []
    private var queue: [(to: Side, packet: BFDControlPacket)] = []

    init(_ ca: BFDSessionConfig, _ cb: BFDSessionConfig, now: BFDInstant = .zero) {
        a = BFDSession(config: ca, now: now)
        b = BFDSession(config: cb, now: now)
        self.now = now
    }

    subscript(side: Side) -> BFDSession {
        get { side == .a ? a : b }
        set { if side == .a { a = newValue } else { b = newValue } }
    }

    /// Runs timers and deliveries up to and including `t`.
    mutating func run(until t: BFDInstant) {
        while true {
            let due = [a.nextDeadline, b.nextDeadline].compactMap { $0 }.min()
            guard let d = due, d <= t else { break }
            now = max(now, d)
            for side in [Side.a, .b] where (self[side].nextDeadline.map { $0 <= now } ?? false) {
                perform(side, self[side].advance(to: now))
            }
            deliver()
        }
        now = max(now, t)
    }

    /// Delivers `event` to `side` now, and everything it causes.
    mutating func inject(_ side: Side, _ event: BFDEvent) {
        perform(side, self[side].handle(event, now: now))
        deliver()
    }

    /// The actions of one side, in order.
    func actions(_ side: Side) -> [BFDAction] { log.filter { $0.side == side }.map(\.action) }

    private mutating func perform(_ side: Side, _ actions: [BFDAction]) {
        for action in actions {
            log.append((now, side, action))
            if case .send(let p) = action, !dropFrom.contains(side) {
                // The codec runs for real.
                let decoded = try! BFDControlPacket(decoding: p.encode())
                queue.append((side == .a ? .b : .a, decoded))
            }
        }
    }

    private mutating func deliver() {
        while !queue.isEmpty {
            let (to, packet) = queue.removeFirst()
            perform(to, self[to].handle(.received(packet), now: now))
        }
    }
}
