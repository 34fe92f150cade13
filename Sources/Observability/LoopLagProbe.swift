import EventLoop

/// Measures how late the loop runs a timer (`tern_event_loop_lag_seconds`) and when it
/// last did (liveness): a ``LoopTimer`` armed `interval` ahead, each firing reporting
/// `now - deadline`. Runs on the loop.
public final class LoopLagProbe: @unchecked Sendable {
    public let loop: EventLoop
    public let interval: Duration
    /// When the probe last ran (loop clock, ns); the loop turns while this advances.
    public private(set) var lastTick: UInt64
    /// The lag of the last tick, in seconds.
    public private(set) var lastLag: Double = 0
    private var timer: LoopTimer?
    private var due: UInt64 = 0
    private let record: (Double) -> Void

    /// Starts probing; `record` gets each lag in seconds. Call on the loop.
    public init(loop: EventLoop, interval: Duration = .milliseconds(500), record: @escaping (Double) -> Void) {
        self.loop = loop
        self.interval = interval
        self.record = record
        lastTick = loop.now
        let t = LoopTimer(on: loop) { [weak self] in self?.tick() }
        timer = t
        due = loop.now + Self.nanoseconds(interval)
        t.arm(at: due)
    }

    /// Seconds since the loop last ran the probe.
    public var secondsSinceTick: Double { Double(loop.now &- lastTick) / 1e9 }

    public func stop() {
        timer?.invalidate()
        timer = nil
    }

    private func tick() {
        guard let timer else { return }
        let now = loop.now
        lastLag = now > due ? Double(now - due) / 1e9 : 0
        lastTick = now
        record(lastLag)
        due = now + Self.nanoseconds(interval)
        timer.arm(at: due)
    }

    static func nanoseconds(_ d: Duration) -> UInt64 {
        let c = d.components
        return UInt64(c.seconds) * 1_000_000_000 + UInt64(c.attoseconds / 1_000_000_000)
    }
}
