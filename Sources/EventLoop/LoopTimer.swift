import Dispatch

/// A one-shot timer on the loop that can be re-armed to a new deadline and cancelled.
///
/// The daemon keeps one per session, armed at the state machine's next deadline.
/// ```swift
/// let timer = LoopTimer(on: loop) { session.handle(.timerExpired, now: loop.now) }
/// timer.arm(at: deadline)     // monotonic nanoseconds, as `loop.now`
/// timer.arm(after: .seconds(3))
/// timer.cancel()
/// ```
/// The handler runs on the loop, at or after the deadline, at most once per arming.
/// Use it only on the loop. The timer owns (retains) its Dispatch source; the source
/// holds the timer weakly, so releasing the last reference cancels it.
public final class LoopTimer: @unchecked Sendable {
    // All mutable state is confined to `loop.queue`.
    private let loop: EventLoop
    private let source: DispatchSourceTimer
    private var handler: (() -> Void)?
    private var isInvalidated = false

    /// The armed deadline (monotonic nanoseconds), or `nil` when not armed.
    public private(set) var deadline: UInt64?

    /// Creates a disarmed timer whose `handler` runs on `loop` when an armed deadline passes.
    public init(on loop: EventLoop, leeway: Duration = .milliseconds(1), handler: @escaping () -> Void) {
        self.loop = loop
        self.handler = handler
        self.leeway = leeway
        source = DispatchSource.makeTimerSource(queue: loop.queue)
        source.setEventHandler { [weak self] in self?.fired() }
        source.schedule(deadline: .distantFuture, repeating: .never, leeway: .nanoseconds(Int(min(leeway.nanosecondsClamped, UInt64(Int.max)))))
        source.activate()
    }

    private let leeway: Duration

    /// Whether a deadline is armed.
    public var isArmed: Bool { deadline != nil }

    /// Arms (or re-arms) the timer to fire at `deadline` (monotonic nanoseconds as
    /// ``EventLoop/now``). A deadline in the past fires on the next loop turn.
    public func arm(at deadline: UInt64) {
        loop.assertOnLoop()
        guard !isInvalidated else { return }
        self.deadline = deadline
        source.schedule(
            deadline: DispatchTime(uptimeNanoseconds: max(deadline, 1)),
            repeating: .never,
            leeway: .nanoseconds(Int(min(leeway.nanosecondsClamped, UInt64(Int.max))))
        )
    }

    /// Arms (or re-arms) the timer to fire `delay` from now.
    public func arm(after delay: Duration) {
        let now = loop.now
        let (sum, overflow) = now.addingReportingOverflow(delay.nanosecondsClamped)
        arm(at: overflow ? .max : sum)
    }

    /// Disarms the timer; the handler will not run until it is armed again.
    public func cancel() {
        loop.assertOnLoop()
        deadline = nil
        guard !isInvalidated else { return }
        source.schedule(deadline: .distantFuture, repeating: .never)
    }

    /// Cancels the Dispatch source for good and drops the handler (breaking reference cycles).
    /// The timer cannot be armed afterwards.
    public func invalidate() {
        loop.assertOnLoop()
        deadline = nil
        guard !isInvalidated else { return }
        isInvalidated = true
        handler = nil
        source.cancel()
    }

    private func fired() {
        // A stale event (re-armed later, or cancelled after the event was queued) is ignored:
        // only a passed, still-armed deadline runs the handler.
        guard let deadline, !isInvalidated else { return }
        guard loop.now >= deadline else { return }
        self.deadline = nil
        handler?()
    }

    deinit {
        // The source is active (never suspended), so cancelling and releasing it is safe.
        source.cancel()
    }
}
