/// One RFC 5880 BFD session in asynchronous mode, as a value.
///
/// The driver calls ``handle(_:now:)`` for every event and ``advance(to:)`` when
/// ``nextDeadline`` is reached, and performs the returned ``BFDAction``s in order. The
/// session has no I/O, no clock and no logging. A new session is Down and transmits its
/// first packet at the instant it was created (unless passive, §6.1).
///
/// Reception and the state machine are in `BFDSession+Receive.swift` (§6.8.6).
public struct BFDSession: Sendable {
    /// The configuration as last set (intervals updated by ``BFDEvent/configChanged(desiredMinTxInterval:requiredMinRxInterval:detectMultiplier:)``).
    public private(set) var config: BFDSessionConfig

    // MARK: §6.8.1 state variables

    /// bfd.SessionState.
    public internal(set) var state: BFDState = .down
    /// bfd.RemoteSessionState (Down until a packet says otherwise).
    public internal(set) var remoteState: BFDState = .down
    /// bfd.LocalDiscr.
    public var localDiscriminator: UInt32 { config.localDiscriminator }
    /// bfd.RemoteDiscr: the peer's My Discriminator, 0 until learned or after a Detection Time of silence.
    public internal(set) var remoteDiscriminator: UInt32 = 0
    /// bfd.LocalDiag.
    public internal(set) var localDiagnostic: BFDDiagnostic = .none
    /// bfd.DesiredMinTxInterval (µs): what we advertise (§6.8.3: at least 1 s while not Up).
    public internal(set) var desiredMinTxInterval: UInt32
    /// bfd.RequiredMinRxInterval (µs): what we advertise.
    public internal(set) var requiredMinRxInterval: UInt32
    /// bfd.RemoteMinRxInterval (µs): the peer's last Required Min RX Interval; initially 1.
    public internal(set) var remoteMinRxInterval: UInt32 = 1
    /// The peer's last Desired Min TX Interval (µs), for the Detection Time (§6.8.4).
    public internal(set) var remoteDesiredMinTxInterval: UInt32?
    /// The peer's last Detect Mult, for the Detection Time (§6.8.4).
    public internal(set) var remoteDetectMult: UInt8?
    /// bfd.RemoteDemandMode.
    public internal(set) var remoteDemandMode = false
    /// bfd.XmitAuthSeq: the Sequence Number of the next authenticated packet (§6.7.4).
    public internal(set) var transmitAuthSequence: UInt32
    /// bfd.RcvAuthSeq: the last Sequence Number received, meaningful when ``authSequenceKnown``.
    public internal(set) var receiveAuthSequence: UInt32 = 0
    /// bfd.AuthSeqKnown.
    public internal(set) var authSequenceKnown = false
    /// A Poll Sequence of ours is running (§6.5): periodic packets carry P until a Final arrives.
    public internal(set) var pollActive = false

    /// §6.8.3: the Desired Min TX Interval the transmit interval uses. Differs from
    /// ``desiredMinTxInterval`` only while an increase waits for the Poll Sequence to end.
    public internal(set) var desiredMinTxInUse: UInt32
    /// §6.8.3: the Required Min RX Interval the Detection Time uses. Differs from
    /// ``requiredMinRxInterval`` only while a decrease waits for the Poll Sequence to end.
    public internal(set) var requiredMinRxInUse: UInt32

    // MARK: timers, as deadlines

    /// When the next periodic packet goes out (§6.8.7); nil = not transmitting.
    public internal(set) var transmitDeadline: BFDInstant?
    /// When the Detection Time runs out (§6.8.4); nil = no packet received yet.
    public internal(set) var detectionDeadline: BFDInstant?

    /// §6.8.3: "When bfd.SessionState is not Up, the system MUST set
    /// bfd.DesiredMinTxInterval to a value of not less than one second (1,000,000 microseconds)."
    public static let slowTxInterval: UInt32 = 1_000_000

    /// A Down session created at `now`; it sends its first packet at `now` (``advance(to:)``).
    public init(config: BFDSessionConfig, now: BFDInstant) {
        self.config = config
        let tx = max(config.desiredMinTxInterval, Self.slowTxInterval)
        desiredMinTxInterval = tx
        desiredMinTxInUse = tx
        requiredMinRxInterval = config.requiredMinRxInterval
        requiredMinRxInUse = config.requiredMinRxInterval
        transmitAuthSequence = config.initialAuthSequence
        transmitDeadline = canTransmitPeriodically ? now : nil
    }

    // MARK: - driving

    /// The earliest timer deadline, if any: call ``advance(to:)`` then.
    public var nextDeadline: BFDInstant? {
        [transmitDeadline, detectionDeadline].compactMap { $0 }.min()
    }

    /// Fires every timer whose deadline is at or before `now` (the Detection Time before a
    /// transmission at the same instant) and returns the resulting actions.
    public mutating func advance(to now: BFDInstant) -> [BFDAction] {
        var out: [BFDAction] = []
        if let d = detectionDeadline, d <= now {
            detectionDeadline = nil
            out += detectionTimeExpired(now: now)
        }
        if let t = transmitDeadline, t <= now {
            transmitDeadline = nil
            out += transmitPeriodic(now: now)
        }
        return out
    }

    /// Processes one event at `now` and returns the actions to take.
    public mutating func handle(_ event: BFDEvent, now: BFDInstant) -> [BFDAction] {
        switch event {
        case .received(let packet):
            return receive(packet, now: now)
        case .adminDown:
            // §6.8.16: "set bfd.SessionState to AdminDown ... bfd.LocalDiag to an appropriate value".
            guard state != .adminDown else { return [] }
            return setState(.adminDown, diagnostic: .administrativelyDown, now: now)
        case .adminUp:
            // §6.8.16: "When the session is to be restarted, bfd.SessionState MUST be set to Down".
            guard state == .adminDown else { return [] }
            return setState(.down, diagnostic: localDiagnostic, now: now)
        case let .configChanged(tx, rx, mult):
            precondition(mult != 0, "RFC 5880 §4.1: Detect Mult must be nonzero")
            config.desiredMinTxInterval = tx
            config.requiredMinRxInterval = rx
            config.detectMultiplier = mult
            if applyIntervals() { return transmitNow(now: now) }
            rescheduleTransmit(now: now)
            return []
        }
    }

    // MARK: - §6.8.4 Detection Time

    /// §6.8.4 asynchronous mode: "the remote system's bfd.DetectMult multiplied by the
    /// agreed transmit interval of the remote system (the greater of bfd.RequiredMinRxInterval
    /// and the last received Desired Min TX Interval)". Nil before any packet.
    public var detectionTime: UInt64? {
        guard let mult = remoteDetectMult, let remoteTx = remoteDesiredMinTxInterval else { return nil }
        return UInt64(mult) * UInt64(max(requiredMinRxInUse, remoteTx))
    }

    /// §6.8.4 / §6.8.1: the Detection Time passed without a packet.
    mutating func detectionTimeExpired(now: BFDInstant) -> [BFDAction] {
        // §6.8.1 bfd.RemoteDiscr: "If a period of a Detection Time passes without the
        // receipt of a valid, authenticated BFD packet from the remote system, this
        // variable MUST be set to zero."
        remoteDiscriminator = 0
        // §6.8.1 bfd.AuthSeqKnown: "MUST be set to zero if no packets have been received on
        // this session in at least twice the Detection Time" -- reset at one Detection Time
        // here (earlier, so a restarted peer's new sequence is taken sooner; never later).
        authSequenceKnown = false
        // §6.8.4: "... and bfd.SessionState is Init or Up, the session has gone down -- the
        // local system MUST set bfd.SessionState to Down and bfd.LocalDiag to 1".
        guard state == .`init` || state == .up else {
            if !canTransmitPeriodically { transmitDeadline = nil }
            return []
        }
        return setState(.down, diagnostic: .controlDetectionTimeExpired, now: now)
    }

    // MARK: - §6.8.7 transmission

    /// §6.8.7: may we send periodic packets at all?
    var canTransmitPeriodically: Bool {
        // "A system MUST NOT transmit BFD Control packets if bfd.RemoteDiscr is zero and the
        // system is taking the Passive role."
        if config.passive && remoteDiscriminator == 0 { return false }
        // "A system MUST NOT periodically transmit BFD Control packets if bfd.RemoteMinRxInterval is zero."
        if remoteMinRxInterval == 0 { return false }
        // §6.8.6/§6.8.7: the remote is in Demand mode and both sides are Up.
        if remoteDemandMode && state == .up && remoteState == .up { return false }
        return true
    }

    /// §6.8.7: "the greater of bfd.DesiredMinTxInterval and bfd.RemoteMinRxInterval", before jitter.
    public var transmitInterval: UInt32 { max(desiredMinTxInUse, remoteMinRxInterval) }

    /// Sends a periodic packet at `now` and arms the next one, jittered.
    mutating func transmitPeriodic(now: BFDInstant) -> [BFDAction] {
        guard canTransmitPeriodically else { transmitDeadline = nil; return [] }
        let packet = makePacket(final: false)
        armTransmit(now: now)
        return [.send(packet)]
    }

    mutating func armTransmit(now: BFDInstant) {
        let interval = config.jitter.apply(to: transmitInterval, detectMult: config.detectMultiplier)
        transmitDeadline = now.adding(microseconds: UInt64(interval))
    }

    /// Sends a packet now outside the schedule (state change, Poll start) and restarts the
    /// schedule from it; nothing when periodic transmission is not allowed.
    mutating func transmitNow(now: BFDInstant) -> [BFDAction] {
        guard canTransmitPeriodically else { transmitDeadline = nil; return [] }
        return transmitPeriodic(now: now)
    }

    /// §6.8.7 packet contents.
    mutating func makePacket(final: Bool) -> BFDControlPacket {
        var auth: BFDAuthentication?
        if let a = config.authentication {
            // §6.7.4: "The Sequence Number field MUST be set to bfd.XmitAuthSeq." Meticulous:
            // incremented for every packet; Keyed: "MAY be incremented" -- here also for
            // every packet, which every receiver window accepts.
            auth = BFDAuthentication(type: a.type, keyID: a.keyID, sequenceNumber: transmitAuthSequence,
                                     digest: Array(repeating: 0, count: 20))
            transmitAuthSequence &+= 1
        }
        return BFDControlPacket(
            diagnostic: localDiagnostic, state: state,
            // "The Poll (P) bit MUST be set ... if ... a Poll Sequence is being transmitted";
            // a Final never carries P (§6.5).
            poll: pollActive && !final, final: final,
            detectMult: config.detectMultiplier,
            myDiscriminator: localDiscriminator, yourDiscriminator: remoteDiscriminator,
            desiredMinTxInterval: desiredMinTxInterval, requiredMinRxInterval: requiredMinRxInterval,
            requiredMinEchoRxInterval: 0, authentication: auth)
    }

    // MARK: - §6.8.3 timer negotiation

    /// Recomputes bfd.DesiredMinTxInterval / bfd.RequiredMinRxInterval from the
    /// configuration and the state, applying them as §6.8.3 says; returns true when a Poll
    /// Sequence (§6.5) was started.
    mutating func applyIntervals() -> Bool {
        let newTx = state == .up ? config.desiredMinTxInterval : max(config.desiredMinTxInterval, Self.slowTxInterval)
        let newRx = config.requiredMinRxInterval
        let changed = newTx != desiredMinTxInterval || newRx != requiredMinRxInterval
        if state == .up {
            // "If bfd.DesiredMinTxInterval is increased and bfd.SessionState is Up, the actual
            // transmission interval used MUST NOT change until the Poll Sequence ... has
            // terminated." A decrease takes effect at once.
            if newTx < desiredMinTxInUse { desiredMinTxInUse = newTx }
            // "If bfd.RequiredMinRxInterval is reduced and bfd.SessionState is Up, the previous
            // value ... MUST be used when calculating the Detection Time for the remote system
            // until the Poll Sequence ... has terminated." An increase takes effect at once.
            if newRx > requiredMinRxInUse { requiredMinRxInUse = newRx }
        } else {
            desiredMinTxInUse = newTx
            requiredMinRxInUse = newRx
            pollActive = false
        }
        desiredMinTxInterval = newTx
        requiredMinRxInterval = newRx
        // "If either bfd.DesiredMinTxInterval or bfd.RequiredMinRxInterval is changed, a Poll
        // Sequence MUST be initiated" -- only while Up here (going Up lowers the 1 s floor,
        // which counts): not Up, the packets carry the new values and the peer's Detection
        // Time follows them.
        if changed && state == .up {
            pollActive = true
            return true
        }
        return false
    }

    /// The Poll Sequence ended (a Final arrived, §6.5): the deferred values take effect (§6.8.3).
    mutating func terminatePoll() {
        pollActive = false
        desiredMinTxInUse = desiredMinTxInterval
        requiredMinRxInUse = requiredMinRxInterval
    }

    /// Brings the next periodic packet forward when the interval got shorter, starts the
    /// schedule when transmission became allowed, stops it when it is no longer allowed.
    mutating func rescheduleTransmit(now: BFDInstant) {
        guard canTransmitPeriodically else { transmitDeadline = nil; return }
        guard let t = transmitDeadline else { transmitDeadline = now; return }
        let latest = now.adding(microseconds: UInt64(transmitInterval))
        if t > latest { transmitDeadline = latest }
    }

    // MARK: - state changes

    /// Sets bfd.SessionState and bfd.LocalDiag, re-derives the intervals (§6.8.3) and sends
    /// a packet at once so the peer learns the new state.
    mutating func setState(_ new: BFDState, diagnostic: BFDDiagnostic, now: BFDInstant) -> [BFDAction] {
        let old = state
        state = new
        localDiagnostic = diagnostic
        _ = applyIntervals()
        return [.stateChanged(from: old, to: new, diagnostic: diagnostic)] + transmitNow(now: now)
    }
}
